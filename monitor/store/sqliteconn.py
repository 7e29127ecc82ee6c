"""The SQLite connection the store writes through: `execute`, `executemany`, and `query` for
rows as dicts. It stands in for sqlite-utils' Database, of which the store used only these:
importing sqlite-utils also loads numpy, pluggy and dateutil (15 MB of a poll's memory), and
its `query` wrapped every read in a savepoint (three statements for one)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

Params = Sequence[Any] | dict[str, Any]


def unique_keys(names: Iterable[str]) -> list[str]:
    """Column names made unique as sqlite-utils made them: a repeated name gets `_2`, `_3`...
    (skipping any taken), so that no column silently overwrites another in a row's dict."""
    names = list(names)
    taken = set(names)
    if len(taken) == len(names):
        return names
    seen: set[str] = set()
    keys = []
    for name in names:
        key, suffix = name, 2
        while key in seen or (key != name and key in taken):
            key = f"{name}_{suffix}"
            suffix += 1
        seen.add(key)
        keys.append(key)
    return keys


class Connection:
    """A sqlite3 connection in autocommit mode (isolation_level None): the store opens its
    own transactions (BEGIN IMMEDIATE)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        # As sqlite-utils did: triggers that fire triggers (the full-text index's) run too.
        conn.execute("PRAGMA recursive_triggers = on")

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Params]) -> sqlite3.Cursor:
        return self.conn.executemany(sql, rows)

    def query(self, sql: str, params: Params = ()) -> Iterator[dict[str, Any]]:
        """The rows of a statement that returns rows, one dict each."""
        cursor = self.conn.execute(sql, params)
        if cursor.description is None:
            raise ValueError(f"query() needs a statement that returns rows, not {sql[:80]!r}")
        keys = unique_keys(d[0] for d in cursor.description)
        return (dict(zip(keys, row, strict=True)) for row in cursor)

    def close(self) -> None:
        self.conn.close()
