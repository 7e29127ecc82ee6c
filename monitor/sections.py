"""The config sections that later stages own, checked with the rest of feeds.yaml."""

from __future__ import annotations

import os

from monitor.config import Config, load_config
from monitor.deliver.breaking_settings import load_breaking_config
from monitor.deliver.settings import load_digest_config
from monitor.pipeline import story_settings
from monitor.watches.settings import load_watches_config


def load_checked_config(path: str | os.PathLike[str]) -> Config:
    """load_config, plus the `stories:`, `digest:`, `watches:` and `breaking:` sections, so
    that a mistake anywhere in the file is refused (with its line) before anything runs."""
    config = load_config(path)
    stories = story_settings(config)
    load_digest_config(config)
    load_watches_config(config, model=stories.model)
    load_breaking_config(config)
    return config
