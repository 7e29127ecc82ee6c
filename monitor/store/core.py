"""What every concern of the store shares, whatever the database: the connection interface
(`SQL`), the SQL fragments both dialects read alike, and `Core`, the base of every concern.

A concern (feeds, articles, stories, digest, web reads, watches, outbox) writes its SQL once,
in the dialect both SQLite and PostgreSQL accept, with `?` placeholders. Where the two differ
(full-text search, JSON lists, the UTC day of a time) it asks `Core` for the fragment, and
the SQLite core (monitor.store.sqlite) and the PostgreSQL core (monitor.store.postgres)
answer each in their own dialect.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from monitor.errors import StoreError

# Distinct outlets among a story's articles (joined as `a`, with their feeds as `f`):
# copies count once, and the feeds of one outlet are one outlet (monitor.outlets; both
# databases know the function `outlet_name`).
# The article whose title heads a story (joined as `s`): its chosen headline, else its first.
_HEADLINE_ID_SQL = (
    "COALESCE(s.headline_article_id, (SELECT b.id FROM articles b WHERE b.story_id = s.id "
    "ORDER BY b.published, b.id LIMIT 1))"
)

_OUTLETS_SQL = "COUNT(DISTINCT CASE WHEN a.duplicate_of IS NULL THEN outlet_name(f.name, f.title, f.url) END)"


def json_object(text: object) -> dict[str, Any]:
    """A JSON object column read leniently: anything else becomes {}."""
    try:
        value = json.loads(str(text or "{}"))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _json_list(text: str | None) -> list[Any]:
    """A JSON list column read leniently: anything else becomes []."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def check_schema(label: str, current: int, code: int, *, migrating: bool = False) -> None:
    """Refuse a database at a schema this monitor cannot use: newer than its code, or older
    when it is not about to migrate it. StoreError names both versions."""
    if current > code:
        raise StoreError(
            f"{label}: the database is at schema version {current}, newer than this monitor ({code}); "
            "upgrade monitor"
        )
    if current < code and not migrating:
        raise StoreError(f"{label}: the database needs migrating (run `monitor init`)")


class Cursor(Protocol):
    """What a statement gives back: rows as tuples, and how many rows it changed."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class SQL(Protocol):
    """The connection as the concerns use it (`?` placeholders, `:name` for named ones)."""

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ..., /) -> Cursor: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any] | dict[str, Any]], /) -> Any: ...

    def query(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ..., /
    ) -> Iterator[dict[str, Any]]: ...


class Core:
    """The base of every concern: the connection, transactions, and the dialect's fragments.
    Implemented by SQLiteCore and PostgresCore."""

    db: SQL
    # What the database is, for messages: a file path, or a URL without its password.
    label: str

    def transaction(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        """Rows one at a time, for results too big to hold (the export)."""
        raise NotImplementedError

    def ping(self) -> None:
        """A cheap read that fails with StoreError when the database cannot be read."""
        self.query("SELECT 1 FROM articles LIMIT 1")

    def count(self, table: str) -> int:
        if not table.replace("_", "").isalnum():
            raise ValueError(f"not a table name: {table!r}")
        return int(self.query(f'SELECT COUNT(*) AS n FROM "{table}"')[0]["n"])

    def web_columns(self, table: str) -> frozenset[str]:
        """The columns a table has now (other stages may add some): the web degrades to
        what is there."""
        raise NotImplementedError

    def web_has_table(self, name: str) -> bool:
        raise NotImplementedError

    def _claim_clause(self, feed: Any) -> tuple[str, str, list[Any]]:
        """For a poll's update of its feed row: SQL that ends the worker's claim on the feed,
        and the condition that the claim still stands, with its parameters (SET part, WHERE
        part, parameters; monitor.store.workers. A single process holds no claims)."""
        return "", "", []

    def _claim_lost(self, feed: Any) -> None:
        """A poll's update of its feed row changed nothing: refuse the poll when the worker's
        claim ended (monitor.store.workers)."""

    # The dialect's fragments.

    def _day_sql(self, column: str) -> str:
        """SQL for the UTC calendar day ('2024-03-22') of a time column."""
        raise NotImplementedError

    def _distinct_json_sql(self, expression: str) -> str:
        """An aggregate: the distinct values of `expression` in a group, as JSON list text."""
        raise NotImplementedError

    def _blob_sql(self, column: str) -> str:
        """The column's value when it holds bytes, else NULL."""
        raise NotImplementedError

    def _watch_name_key(self) -> str:
        """The conflict target of a watch's name, which is unique without regard to case."""
        return "(name)"  # SQLite: the column is COLLATE NOCASE

    def _indexed_by(self, index: str) -> str:
        """A hint after a table in FROM that the query must use `index` (SQLite's planner
        needs it where PostgreSQL's does not)."""
        return ""

    def _json_values_sql(self, column: str, alias: str) -> str:
        """A FROM item with one row per value of a JSON list column, as `alias.value`."""
        raise NotImplementedError

    def _fts_ids_sql(self) -> str:
        """SQL selecting the ids of the articles that match one full-text parameter."""
        raise NotImplementedError

    def _fts_source(self) -> tuple[str, str, str]:
        """(FROM items, WHERE condition, ORDER BY rank) of a full-text search over `articles a`:
        one full-text parameter between them, which comes before the WHERE's others."""
        raise NotImplementedError

    def _fts_best_sql(self) -> str:
        """SQL of the ids (`id`) and scores (`score`, lower is better) of the best matches of
        one full-text parameter, then a LIMIT parameter: ranked before anything is joined,
        so that a query matching every article sorts ids, not texts."""
        raise NotImplementedError

    def _fts_marks_sql(self) -> tuple[str, str]:
        """SQL of the title and of a snippet of the text of a match, with the matched words
        between \x02 and \x03 (within the FROM of `_fts_source`)."""
        raise NotImplementedError

    def _fts(
        self, sql: str, before: Sequence[Any], query: str, after: Sequence[Any] = ()
    ) -> list[dict[str, Any]]:
        """Run `sql` whose parameters are `before`, then the full-text query, then `after`.
        The query is the user's (words, "phrases", prefix*, AND, OR, NOT); text that is not
        valid query syntax is searched as its words, and a query of only NOT finds nothing."""
        raise NotImplementedError
