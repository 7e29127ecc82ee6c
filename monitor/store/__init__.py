"""The store: every SQL statement of monitor, split by concern, behind protocols.

`Store` is the SQLite implementation, `PostgresStore` (monitor.store.postgres) the PostgreSQL
one; `open_store` picks by what the setting names. The rest of monitor asks for what it needs
through the protocols of `monitor.store.protocols`.
"""

from __future__ import annotations

import threading
from pathlib import Path

from monitor.database import PostgresURL, Target, parse_target
from monitor.store.postgres import PostgresStore
from monitor.store.schema import SCHEMA_VERSION
from monitor.store.sqlite import Store
from monitor.store.types import ArticleCounts, FeedState, FeedUpdate, FetchStatus, PageWrite

AnyStore = Store | PostgresStore


def open_store(
    target: Target,
    *,
    readonly: bool = False,
    write_lock: threading.Lock | None = None,
    name: str = "monitor",
) -> AnyStore:
    """The database a setting names: a SQLite file, or PostgreSQL at a postgresql:// URL
    (`name`: who connects, as the server shows it and the fetch log records it)."""
    if isinstance(target, PostgresURL):
        return PostgresStore.open(target, readonly=readonly, write_lock=write_lock, application_name=name)
    return Store.open(Path(target), readonly=readonly, write_lock=write_lock)


__all__ = [
    "SCHEMA_VERSION",
    "AnyStore",
    "ArticleCounts",
    "FeedState",
    "FeedUpdate",
    "FetchStatus",
    "PageWrite",
    "PostgresStore",
    "PostgresURL",
    "Store",
    "Target",
    "open_store",
    "parse_target",
]
