"""Copying an installation from one database to another (SQLite to PostgreSQL, or back),
through the same `Core` interface both stores implement.

Tables go in the order their foreign keys need, with their ids, in batches of one target
transaction each: an interrupted copy keeps what it wrote, and running it again goes on from
there (after the target's highest id; ON CONFLICT DO NOTHING for the tables without one).
A target that holds anything else is refused before a row is written, and the copy ends by
comparing every table's row count on both sides.

The target is migrated by opening it; `schema_migrations` is never copied.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.database import PostgresURL, Target
from monitor.errors import StoreError
from monitor.progress import Progress
from monitor.store import AnyStore, open_store
from monitor.store.core import Core
from monitor.store.postgres import PostgresCore

log = logging.getLogger("monitor.store.copy")

BATCH_ROWS = 500


@dataclass(frozen=True)
class Table:
    """A table as the copy sees it."""

    name: str
    # Its primary key: the copy's order, and (as ("id",)) where a resumed copy goes on.
    key: tuple[str, ...]
    # Columns naming what a row is, compared on both sides before a resume.
    identity: tuple[str, ...] = ()
    # Columns referring to rows of the same table, which may come later in id order.
    self_refs: tuple[str, ...] = ()

    @property
    def has_id(self) -> bool:
        return self.key == ("id",)


# Every table of the schema (monitor.store.schema, monitor.store.pg_schema) but
# schema_migrations, each after the tables its foreign keys name (tests/test_db_copy.py
# checks both against the schema).
TABLES: tuple[Table, ...] = (
    Table("feeds", ("id",), identity=("url",)),
    Table("stories", ("id",), identity=("model",), self_refs=("merged_into",)),
    Table("articles", ("id",), identity=("feed_id", "guid"), self_refs=("duplicate_of",)),
    Table("fetch_log", ("id",), identity=("feed_id", "started")),
    Table("digests", ("id",), identity=("day", "recipient")),
    Table("watches", ("id",), identity=("name",)),
    Table("article_places", ("article_id", "geonameid")),
    Table("watch_matches", ("watch_id", "article_id")),
    Table("watch_pending", ("article_id",)),
    Table("watch_alerts", ("watch_id", "story_id", "channel", "target")),
    Table("outbox", ("id",), identity=("idempotency_key",)),
    Table("article_names", ("article_id", "key")),
    Table("names_pending", ("article_id",)),
    # The stories stage's running language means: its state, so the target decides the same.
    Table("language_means", ("model", "language")),
)


@dataclass(frozen=True)
class TableCopy:
    """What the copy did to one table."""

    name: str
    copied: int  # rows this run added
    rows: int  # rows in the target at the end (equal to the source's)
    left_out: tuple[str, ...] = ()  # source columns the target lacks (PostgreSQL's `search`)


@dataclass(frozen=True)
class CopyResult:
    source: str
    target: str
    tables: tuple[TableCopy, ...]
    seconds: float


# --- pure decisions -------------------------------------------------------------------


def same_database(a: Target, b: Target) -> bool:
    """Whether two settings name one database (as far as can be told without connecting)."""
    if isinstance(a, PostgresURL) and isinstance(b, PostgresURL):
        return (a.host or "", a.port or 5432, a.dbname) == (b.host or "", b.port or 5432, b.dbname)
    if isinstance(a, Path) and isinstance(b, Path):
        if a.exists() and b.exists():
            return a.samefile(b)
        return a.resolve() == b.resolve()
    return False


def refuse_same(source: Target, target: Target) -> None:
    if same_database(source, target):
        raise StoreError(f"{source} and {target} are the same database: name another target")


# Columns a database fills itself (PostgreSQL's triggers: the search vector, pgvector's
# copies of the vectors, a feed's host) or that hold a running worker's claim: never copied,
# and not worth a mention when the target lacks them. The tables `workers` and `hosts` (the
# running workers' state, PostgreSQL) and `stories_version` (a counter each database keeps
# for its own stage processes) are not an installation's data: not copied either; nor are
# the tables that triggers fill as the stories, articles and places are copied (`story_terms`,
# `term_days`: the terms rising trends count), nor `story_countries` (the stories' countries,
# written again by the stages: copying a story's places marks it out of date).
DERIVED = frozenset(
    {"search", "embedding_v", "centroid_v", "host", "claimed_by", "lease_until", "claim_token",
     "countries_dirty"}  # a story's countries: out of date in the target until written again
)
RUNTIME_TABLES = frozenset(
    {"workers", "hosts", "stories_version", "story_terms", "term_days", "story_countries"}
)


def copied_columns(source: frozenset[str], target: frozenset[str]) -> tuple[list[str], tuple[str, ...]]:
    """(the columns copied, the source's columns the target lacks): both databases'
    columns, sorted; what only the target has is its own (filled by a default or a trigger)."""
    source, target = source - DERIVED, target - DERIVED
    return sorted(source & target), tuple(sorted(source - target))


def forward_refs(row: Sequence[Any], id_at: int, ref_at: Sequence[int]) -> tuple[Any, ...]:
    """The row with its references to the same table set to NULL where they point at a row
    not written yet (its own id or later; rows go in id order), to be set after the table."""
    values = list(row)
    for index in ref_at:
        if values[index] is not None and values[index] >= values[id_at]:
            values[index] = None
    return tuple(values)


def resume_problem(table: Table, target_rows: int, source_rows_upto: int, max_id: int) -> str | None:
    """Why a target table that already holds `target_rows` rows (ids up to `max_id`) cannot be
    an earlier run of this copy, whose source holds `source_rows_upto` rows up to that id."""
    if target_rows and target_rows != source_rows_upto:
        return (
            f"{table.name} holds {target_rows} rows with ids up to {max_id}, where the source "
            f"holds {source_rows_upto}"
        )
    return None


def count_mismatches(counts: Sequence[tuple[str, int, int]]) -> list[str]:
    """(table, source rows, target rows) -> one phrase per table whose counts differ."""
    return [
        f"{name}: {source} rows in the source, {target} in the target"
        for name, source, target in counts
        if source != target
    ]


# --- the copy -------------------------------------------------------------------------


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def write_batch(target: Core, table: str, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """One batch in one target transaction (the unit an interrupted copy keeps)."""
    with target.transaction():
        target.db.executemany(sql, rows)


def _max_id(store: Core, table: str) -> int:
    return int(store.query(f'SELECT COALESCE(MAX(id), 0) AS m FROM "{table}"')[0]["m"])


def _identity_problem(source: Core, target: Core, table: Table, max_id: int) -> str | None:
    """Whether the target's first and last rows (every row of `feeds`: few, and where a
    mix-up shows first) are the source's rows of the same ids."""
    columns = _quoted(("id", *table.identity))
    sql = f'SELECT {columns} FROM "{table.name}"'
    params: list[Any] = []
    if table.name != "feeds":
        sql += f' WHERE id IN ((SELECT MIN(id) FROM "{table.name}"), ?)'
        params = [max_id]
    theirs = {r["id"]: r for r in target.query(sql, params)}
    ids = sorted(theirs)
    marks = ", ".join("?" * len(ids))
    ours = {
        r["id"]: r for r in source.query(f'SELECT {columns} FROM "{table.name}" WHERE id IN ({marks})', ids)
    }
    for row_id in ids:
        if ours.get(row_id) != theirs[row_id]:
            shown = ", ".join(f"{c}={theirs[row_id][c]!r}" for c in table.identity)
            return f"{table.name} row {row_id} ({shown}) is not the source's"
    return None


def check_target(source: Core, target: Core) -> None:
    """Refuse a target holding data that an earlier run of this copy cannot have written."""
    problems = []
    for table in TABLES:
        target_rows = target.count(table.name)
        if not target_rows:
            continue
        if not table.has_id:
            source_rows = source.count(table.name)
            if target_rows > source_rows:
                problems.append(f"{table.name} holds {target_rows} rows, the source {source_rows}")
            continue
        max_id = _max_id(target, table.name)
        upto = source.query(f'SELECT COUNT(*) AS n FROM "{table.name}" WHERE id <= ?', [max_id])
        problem = resume_problem(table, target_rows, int(upto[0]["n"]), max_id)
        if problem is None and table.identity:
            problem = _identity_problem(source, target, table, max_id)
        if problem:
            problems.append(problem)
    if problems:
        raise StoreError(
            f"{target.label} already holds other data than {source.label} ({'; '.join(problems)}): "
            "copy into an empty database"
        )


def _copy_table(
    source: Core, target: Core, table: Table, columns: list[str], progress: Progress, batch_rows: int
) -> None:
    """Rows of `table` the target lacks, in key order."""
    names = _quoted(columns)
    marks = ", ".join("?" * len(columns))
    insert = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
    if not table.has_id:
        insert += " ON CONFLICT DO NOTHING"
    key_at = [columns.index(k) for k in table.key]
    ref_at = [columns.index(c) for c in table.self_refs if c in columns]
    order = _quoted(table.key)
    after: tuple[Any, ...] | None = (_max_id(target, table.name),) if table.has_id else None
    while True:
        where = f"WHERE ({order}) > ({', '.join('?' * len(table.key))}) " if after is not None else ""
        rows = source.query(
            f'SELECT {names} FROM "{table.name}" {where}ORDER BY {order} LIMIT ?',
            [*(after or ()), batch_rows],
        )
        if not rows:
            return
        values = [tuple(row[c] for c in columns) for row in rows]
        if ref_at:
            values = [forward_refs(v, key_at[0], ref_at) for v in values]
        first, last = (tuple(v[i] for i in key_at) for v in (values[0], values[-1]))
        try:
            write_batch(target, table.name, insert, values)
        except StoreError as exc:  # a value the target cannot hold (PostgreSQL: a NUL in text)
            span = f"{_key_text(table, first)} to {_key_text(table, last)}"
            raise StoreError(f"while copying {table.name} ({span}): {exc}") from None
        progress.update(len(values))
        after = last


def _key_text(table: Table, key: tuple[Any, ...]) -> str:
    return ", ".join(f"{name} {value!r}" for name, value in zip(table.key, key, strict=True))


def _set_self_refs(source: Core, target: Core, table: Table, batch_rows: int) -> None:
    """Set the references left NULL while the table was copied (this run or an earlier one)
    to the source's values."""
    for column in table.self_refs:
        sql = f'SELECT id, "{column}" AS ref FROM "{table.name}" WHERE "{column}" IS NOT NULL'
        ours = {r["id"]: r["ref"] for r in source.query(sql)}
        theirs = {r["id"]: r["ref"] for r in target.query(sql)}
        fixes = [(ref, row_id) for row_id, ref in sorted(ours.items()) if theirs.get(row_id) != ref]
        update = f'UPDATE "{table.name}" SET "{column}" = ? WHERE id = ?'
        for start in range(0, len(fixes), batch_rows):
            write_batch(target, table.name, update, fixes[start : start + batch_rows])


def _move_sequences(target: Core) -> None:
    """PostgreSQL's identity sequences past the copied ids, so that new rows get new ones
    (SQLite takes the highest id + 1 by itself)."""
    if not isinstance(target, PostgresCore):
        return
    for table in TABLES:
        if table.has_id:
            target.query(
                f"SELECT setval(pg_get_serial_sequence(?, 'id'), "
                f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table.name}"), false) AS v',
                [table.name],
            )


def copy_store(source: Core, target: Core, *, batch_rows: int = BATCH_ROWS) -> CopyResult:
    """Copy every table of `source` into `target` (both open; the target migrated), going on
    from an earlier interrupted run; StoreError when the target holds other data or when the
    counts differ at the end."""
    started = time.monotonic()
    check_target(source, target)
    plans = []
    for table in TABLES:
        columns, left_out = copied_columns(source.web_columns(table.name), target.web_columns(table.name))
        missing = [k for k in table.key if k not in columns]
        if missing:
            raise StoreError(f"{table.name}: no column {missing[0]} on both sides; is the schema current?")
        plans.append((table, columns, left_out))
    before = {t.name: target.count(t.name) for t in TABLES}
    total = sum(max(0, source.count(t.name) - before[t.name]) for t in TABLES)
    with Progress("copy", total=total, unit="rows") as progress:
        for table, columns, _ in plans:
            progress.set_step(table.name)
            _copy_table(source, target, table, columns, progress, batch_rows)
            if table.self_refs:
                _set_self_refs(source, target, table, batch_rows)
            log.info(
                "event=copied table=%s rows=%d", table.name, target.count(table.name) - before[table.name]
            )
    _move_sequences(target)
    counts = [(t.name, source.count(t.name), target.count(t.name)) for t in TABLES]
    mismatches = count_mismatches(counts)
    if mismatches:
        raise StoreError(
            f"the copy from {source.label} to {target.label} is incomplete: {'; '.join(mismatches)} "
            "(was either written to meanwhile?): run the copy again, into an empty database "
            "when it refuses"
        )
    return CopyResult(
        source=source.label,
        target=target.label,
        tables=tuple(
            TableCopy(table.name, rows - before[table.name], rows, left_out)
            for (table, _, left_out), (_, _, rows) in zip(plans, counts, strict=True)
        ),
        seconds=time.monotonic() - started,
    )


@contextmanager
def _opened(target: Target, *, readonly: bool) -> Iterator[AnyStore]:
    store = open_store(target, readonly=readonly)
    try:
        yield store
    finally:
        store.close()


def copy_database(source: Target, target: Target, *, batch_rows: int = BATCH_ROWS) -> CopyResult:
    """Open the source read-only and the target (creating and migrating it), then copy."""
    refuse_same(source, target)
    with _opened(source, readonly=True) as ours, _opened(target, readonly=False) as theirs:
        return copy_store(ours, theirs, batch_rows=batch_rows)
