"""The config sections that later stages own, checked with the rest of feeds.yaml."""

from __future__ import annotations

import os

from monitor.config import Config, load_config
from monitor.deliver.settings import load_digest_config
from monitor.pipeline import story_settings


def load_checked_config(path: str | os.PathLike[str]) -> Config:
    """load_config, plus the `stories:` and `digest:` sections, so that a mistake anywhere
    in the file is refused (with its line) before anything runs."""
    config = load_config(path)
    story_settings(config)
    load_digest_config(config)
    return config
