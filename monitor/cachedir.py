"""The one folder where monitor keeps what it builds from installed packages (the language
tables, the gazetteer, the embedding models), so that a build is done once per machine."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    """$MONITOR_CACHE_DIR, else $XDG_CACHE_HOME/monitor, else ~/.cache/monitor (XDG Base
    Directory Specification); an empty variable counts as unset."""
    explicit = os.environ.get("MONITOR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "monitor"


def lines_made_once(filename: str, script: str, make_here: Callable[[], list[str]]) -> list[str]:
    """The lines of `filename` in the cache folder; the first time, made by a child process that
    runs `script` (Python that prints them; what it loads goes with it) and written there, or
    by `make_here` in this process where no child can run. A cache that cannot be written
    costs a new making next time, no error."""
    path = cache_dir() / filename
    try:
        return path.read_text(encoding="utf-8").split("\n")
    except OSError:
        pass
    try:
        paths = os.pathsep.join(p for p in sys.path if p)  # this process's monitor, as installed or not
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, encoding="utf-8",
            check=True, timeout=300, env={**os.environ, "PYTHONPATH": paths},
        )  # fmt: skip
        lines = done.stdout.strip().split("\n")
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("event=cache_made_in_process file=%s error=%r", filename, str(exc)[:300])
        return make_here()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False) as out:
            out.write("\n".join(lines))
        os.replace(out.name, path)
    except OSError as exc:  # read-only cache: made again next time
        log.warning("event=cache_not_written path=%s error=%r", path, str(exc))
    return lines
