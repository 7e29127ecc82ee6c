"""The one folder where monitor keeps what it builds from installed packages (the language
tables, the gazetteer, the embedding models), so that a build is done once per machine."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """$MONITOR_CACHE_DIR, else $XDG_CACHE_HOME/monitor, else ~/.cache/monitor (XDG Base
    Directory Specification); an empty variable counts as unset."""
    explicit = os.environ.get("MONITOR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "monitor"
