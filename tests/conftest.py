"""Shared test fixtures: real servers on 127.0.0.1, real SQLite files, real configs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.feedserver import FeedServer
from monitor.store import FeedUpdate

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent


def rss(
    items: list[dict[str, str]],
    *,
    title: str = "Test feed",
    language: str | None = "en",
    ttl: int | None = None,
) -> str:
    """A small RSS 2.0 document."""
    parts = [f"<title>{title}</title><link>https://news.example/</link>"]
    if language:
        parts.append(f"<language>{language}</language>")
    if ttl:
        parts.append(f"<ttl>{ttl}</ttl>")
    for item in items:
        fields = "".join(f"<{k}>{v}</{k}>" for k, v in item.items())
        parts.append(f"<item>{fields}</item>")
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{"".join(parts)}</channel></rss>'
    )


def write_config(path: Path, feeds: list[dict[str, object]], **settings: object) -> Path:
    """Write a feeds.yaml with these feeds; polls of 127.0.0.1 allowed unless overridden."""
    settings.setdefault("allow_private_addresses", True)
    settings.setdefault("database", "monitor.db")
    lines = ["settings:"]
    lines += [f"  {k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in settings.items()]
    lines.append("feeds:")
    for feed in feeds:
        first = True
        for key, value in feed.items():
            lines.append(f"  {'- ' if first else '  '}{key}: {value}")
            first = False
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ok_update(now: datetime, **changes: Any) -> FeedUpdate:
    """A feed's state after a plain successful poll at `now` (for storing test entries)."""
    return replace(FeedUpdate.success(now, now + timedelta(minutes=30)), **changes)


@pytest.fixture
def feed_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "www"
    folder.mkdir()
    return folder


@pytest.fixture
def server(feed_dir: Path) -> Iterator[FeedServer]:
    with FeedServer(feed_dir) as srv:
        yield srv


def run_monitor(
    *args: str, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the real `monitor` command in a subprocess."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("MONITOR_CONFIG", None)
    env.pop("MONITOR_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
