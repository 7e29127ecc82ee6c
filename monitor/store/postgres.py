"""The PostgreSQL store: the same concerns as the SQLite store (monitor.store.sqlite), on a
psycopg 3 connection pool.

The concerns' SQL is written once, with `?` placeholders; `pyformat` turns it into psycopg's
`%s` form. Times are `timestamptz` in the database and come back as the '2024-03-22T18:05:00Z'
text SQLite holds; numerics come back as int or float; Python booleans go in as 0/1; so the
code above sees the same values from both databases.

A transaction takes a connection from the pool for its whole length; a statement outside one
takes a connection for itself (autocommit). Migrations run in one transaction under an
advisory lock, so two processes starting together migrate once.
"""

from __future__ import annotations

import logging
import re
import select
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Self

from monitor.database import PostgresURL
from monitor.errors import StoreError
from monitor.store.breaking_alerts import BreakingAlerts
from monitor.store.core import Core, check_schema
from monitor.store.digest import DigestState
from monitor.store.feeds import Feeds
from monitor.store.outbox import Outbox
from monitor.store.pg_schema import MIGRATIONS, SCHEMA_VERSION, VECTORS
from monitor.store.places import Places
from monitor.store.stories import Stories
from monitor.store.tsquery import to_tsquery
from monitor.store.watches import Watches
from monitor.store.web import WebQueries
from monitor.store.webarticles import WebArticles
from monitor.store.workers import Workers
from monitor.timeutil import iso, utcnow

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool

    from monitor.store.protocols import Backend

log = logging.getLogger("monitor.store")

# pg_advisory_xact_lock key of the migrations: 'monitor' read as a number.
MIGRATION_LOCK = int.from_bytes(b"monitor", "big")

_TOKEN = re.compile(r"""'(?:[^']|'')*'|"[^"]*"|::|\?|:([A-Za-z_]\w*)|%""")


@lru_cache(maxsize=1024)
def pyformat(sql: str) -> str:
    """SQL with `?` and `:name` placeholders in psycopg's form (`%s`, `%(name)s`, `%%`);
    quoted text and `::` casts are left alone."""

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        if match.group(1):
            return f"%({match.group(1)})s"
        return token

    return _TOKEN.sub(swap, sql)


def _psycopg() -> Any:
    try:
        import psycopg
        import psycopg_pool
    except ImportError:
        raise StoreError(
            "PostgreSQL needs psycopg: install monitor with its postgres extra "
            "(pip install 'monitor[postgres]')"
        ) from None
    return psycopg, psycopg_pool


def connect(url: PostgresURL, **options: Any) -> Any:
    """One plain autocommit connection (not from a pool); StoreError says why it cannot."""
    pg, _ = _psycopg()
    conninfo = {"connect_timeout": "10", "application_name": "monitor", **url.conninfo(), **options}
    try:
        return pg.connect(**conninfo, autocommit=True)
    except pg.Error as exc:
        raise StoreError(f"{url.label}: cannot connect: {' '.join(str(exc).split())}") from None


def _describe(exc: Exception, label: str) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{label}: {text}"


def _adapt(conn: psycopg.Connection[Any]) -> None:
    """Register how values cross: times as ISO text, numerics as int or float, bools as 0/1."""
    from psycopg.adapt import Dumper, Loader

    class TimeText(Loader):
        def load(self, data: Any) -> str:
            text = bytes(data).decode()
            if not text[:1].isdigit():  # 'infinity'
                return text
            return f"{text[:10]}T{text[11:19]}Z"  # the session's zone is UTC

    class Number(Loader):
        def load(self, data: Any) -> int | float:
            text = bytes(data).decode()
            return int(text) if text.lstrip("-").isdigit() else float(text)

    class BoolAsInt(Dumper):
        oid = conn.adapters.types["int2"].oid

        def dump(self, obj: Any) -> bytes:
            return b"1" if obj else b"0"

    conn.adapters.register_loader("timestamptz", TimeText)
    conn.adapters.register_loader("numeric", Number)
    conn.adapters.register_dumper(bool, BoolAsInt)


def _check_quiet_connection(conn: psycopg.Connection[Any]) -> None:
    """The pool's check of a connection as it is handed out, without a round trip when it
    can be spared: an idle connection whose socket has nothing to read is taken as working.
    A server that stopped or restarted has closed the socket (readable: end of file), so the
    full check (a round trip) runs then and the pool replaces the connection; a connection
    that breaks unseen fails its statement, which is a StoreError like any other."""
    pg, psycopg_pool = _psycopg()
    if not conn.closed and conn.info.transaction_status == pg.pq.TransactionStatus.IDLE:
        try:
            readable, _, _ = select.select([conn.fileno()], [], [], 0)
        except (OSError, ValueError):
            readable = [True]
        if not readable:
            return
    psycopg_pool.ConnectionPool.check_connection(conn)


class _Result:
    """A statement's rows, read whole before its connection goes back to the pool."""

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[Any]:
        return list(self._rows)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)


class _Connection:
    """The SQL interface of the concerns (monitor.store.core.SQL) over the pool."""

    def __init__(self, core: PostgresCore) -> None:
        self._core = core

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = (), /) -> _Result:
        with self._core._connection() as conn, self._core._errors():
            cur = conn.execute(pyformat(sql), params)
            rows = cur.fetchall() if cur.description else []
            return _Result(rows, cur.rowcount)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any] | dict[str, Any]], /) -> None:
        batch = list(rows)
        if not batch:
            return
        with self._core._connection() as conn, self._core._errors(), conn.cursor() as cur:
            cur.executemany(pyformat(sql), batch)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = (), /) -> Iterator[dict[str, Any]]:
        from psycopg.rows import dict_row

        with self._core._connection() as conn, self._core._errors(), conn.cursor(row_factory=dict_row) as cur:
            cur.execute(pyformat(sql), params)
            yield from cur


class PostgresCore(Core):
    """A PostgreSQL database opened for monitor: a pool of connections in UTC."""

    def __init__(
        self, url: PostgresURL, pool: ConnectionPool[Any], write_lock: threading.Lock | None = None
    ) -> None:
        self.url = url
        self.label = url.label
        self.pool = pool
        self.db = _Connection(self)
        # Whether the articles' vectors are also in pgvector's `vector` type (embedding_v).
        self.vectors = False
        self._local = threading.local()
        # Writes of one process go one at a time, as on SQLite: the poller and the stage
        # thread never wait on each other's row locks.
        self.write_lock = write_lock or threading.Lock()

    @classmethod
    def open(
        cls,
        url: PostgresURL,
        *,
        readonly: bool = False,
        write_lock: threading.Lock | None = None,
        password: str | None = None,
        max_connections: int = 4,
        connect_timeout: float = 10.0,
        application_name: str = "monitor",
    ) -> Self:
        """Connect (and migrate, unless readonly); StoreError says why it cannot."""
        _, psycopg_pool = _psycopg()
        conninfo = url.conninfo(password)
        # The URL's own ?connect_timeout= also bounds the pool's waits (an outage is noticed
        # within three of them, not thirty seconds): libpq reads whole seconds.
        given = conninfo.get("connect_timeout", "")
        if given.isdigit() and int(given) > 0:
            connect_timeout = float(int(given))
        conninfo.setdefault("connect_timeout", str(int(connect_timeout)))
        conninfo.setdefault("application_name", application_name[:63])
        # One plain connection first: its error says what is wrong (the pool only times out).
        connect(url, **conninfo).close()

        def configure(conn: psycopg.Connection[Any]) -> None:
            _adapt(conn)
            conn.execute("SET TIME ZONE 'UTC'")
            if readonly:
                conn.execute("SET default_transaction_read_only = on")

        pool = psycopg_pool.ConnectionPool(
            kwargs={**conninfo, "autocommit": True},
            min_size=1,
            max_size=max_connections,
            configure=configure,
            check=_check_quiet_connection,
            open=False,
            name="monitor",
            timeout=connect_timeout * 3,
        )
        try:
            pool.open(wait=True, timeout=connect_timeout * 2)
        except psycopg_pool.PoolTimeout:
            pool.close()
            raise StoreError(
                f"{url.label}: cannot connect (no connection within {connect_timeout * 2:.0f} s)"
            ) from None
        store = cls(url, pool, write_lock)
        try:
            if readonly:
                store.check_version()
                store.vectors = store._vectors_present()
            else:
                store.migrate()
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        self.pool.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """psycopg's errors become StoreError here and nowhere else."""
        pg, psycopg_pool = _psycopg()
        try:
            yield
        except (pg.Error, psycopg_pool.PoolTimeout) as exc:
            raise StoreError(_describe(exc, self.label)) from None

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        """The transaction's connection, else one of the pool's for this statement."""
        current = getattr(self._local, "conn", None)
        if current is not None:
            yield current
            return
        with self._errors(), self.pool.connection() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction on one connection: COMMIT, or ROLLBACK on any error."""
        if getattr(self._local, "conn", None) is not None:
            raise StoreError(f"{self.label}: a transaction inside a transaction")
        with self.write_lock, self._errors(), self.pool.connection() as conn, conn.transaction():
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    def schema_version(self) -> int:
        exists = self.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")[0]["present"]
        if not exists:
            return 0
        return int(self.query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations")[0]["v"])

    def check_version(self) -> None:
        check_schema(self.label, self.schema_version(), SCHEMA_VERSION)

    def migrate(self) -> list[int]:
        """The migrations this database lacks, in one transaction under an advisory lock."""
        applied: list[int] = []
        with self.write_lock, self._errors(), self.pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
            )
            row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
            current = int(row[0]) if row else 0
            check_schema(self.label, current, SCHEMA_VERSION, migrating=True)
            for version in range(current + 1, SCHEMA_VERSION + 1):
                name, statements = MIGRATIONS[version - 1]
                for statement in statements:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%s, %s, %s)",
                    [version, name, iso(utcnow())],
                )
                applied.append(version)
            self.vectors = self._enable_vectors(conn)
        if applied:
            log.info("event=migrated database=%s versions=%s", self.label, applied)
        return applied

    def _enable_vectors(self, conn: psycopg.Connection[Any]) -> bool:
        """Use pgvector where it is installed (inside the migration's transaction and lock)."""
        if conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").fetchone() is None:
            return False
        present = conn.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = 'articles' AND column_name = 'embedding_v'"
        ).fetchone()
        if present is not None:
            return True
        pg, _ = _psycopg()
        try:
            with conn.transaction():  # a savepoint: without the right to create it, go on without
                for statement in VECTORS:
                    conn.execute(statement)
        except pg.errors.InsufficientPrivilege as exc:
            log.warning("event=pgvector_unused database=%s reason=%r", self.label, " ".join(str(exc).split()))
            return False
        log.info("event=pgvector_enabled database=%s", self.label)
        return True

    def _vectors_present(self) -> bool:
        return "embedding_v" in self.web_columns("articles")

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, params))

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        from psycopg.rows import dict_row

        with self._connection() as conn, self._errors(), conn.cursor(row_factory=dict_row) as cur:
            yield from cur.stream(pyformat(sql), params)

    def web_columns(self, table: str) -> frozenset[str]:
        rows = self.query(
            "SELECT column_name AS name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ?",
            [table],
        )
        return frozenset(r["name"] for r in rows)

    def web_has_table(self, name: str) -> bool:
        return bool(
            self.query(
                "SELECT 1 FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_name = ?",
                [name],
            )
        )

    def _day_sql(self, column: str) -> str:
        return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"

    def _distinct_json_sql(self, expression: str) -> str:
        return f"COALESCE(json_agg(DISTINCT {expression})::text, '[]')"

    def _blob_sql(self, column: str) -> str:
        return column  # bytea: bytes or NULL

    def _watch_name_key(self) -> str:
        return "((lower(name)))"  # the unique index watches_name

    def _json_values_sql(self, column: str, alias: str) -> str:
        return (
            f"jsonb_array_elements_text(CASE WHEN jsonb_typeof({column}::jsonb) = 'array' "
            f"THEN {column}::jsonb ELSE '[]'::jsonb END) AS {alias}(value)"
        )

    def _fts_ids_sql(self) -> str:
        return "SELECT id FROM articles WHERE search @@ to_tsquery('simple', ?)"

    def _fts_source(self) -> tuple[str, str, str]:
        return (
            "articles a CROSS JOIN to_tsquery('simple', ?) AS q",
            "a.search @@ q",
            "ts_rank_cd(a.search, q) DESC",
        )

    def _fts_best_sql(self) -> str:
        return (
            "SELECT a.id, -ts_rank_cd(a.search, q) AS score FROM articles a "
            "CROSS JOIN to_tsquery('simple', ?) AS q WHERE a.search @@ q ORDER BY score, a.id LIMIT ?"
        )

    def _fts_marks_sql(self) -> tuple[str, str]:
        marks = "'StartSel=' || chr(2) || ', StopSel=' || chr(3)"
        return (
            f"ts_headline('simple', a.title, q, {marks} || ', HighlightAll=true')",
            f"ts_headline('simple', a.text, q, {marks} || ', MaxWords=24, MinWords=8, FragmentDelimiter=…')",
        )

    def _fts(
        self, sql: str, before: Sequence[Any], query: str, after: Sequence[Any] = ()
    ) -> list[dict[str, Any]]:
        tsquery = to_tsquery(query)
        if tsquery is None:
            return []
        return self.query(sql, [*before, tsquery, *after])


class PostgresStore(
    PostgresCore,
    Workers,
    Feeds,
    Stories,
    DigestState,
    WebQueries,
    WebArticles,
    Watches,
    Outbox,
    BreakingAlerts,
    Places,
):
    """The PostgreSQL database. Open with PostgresStore.open(url); use as a context manager."""

    def watch_similar_ids(
        self, since: str, model: str, about: Sequence[float], low: float
    ) -> set[int] | None:
        """pgvector compares the vectors where the rows are (its `<#>` is the negative dot
        product, exact: no index, so the same articles as numpy's comparison)."""
        if not self.vectors:
            return None
        vector = "[" + ",".join(repr(float(x)) for x in about) + "]"
        rows = self.query(
            "SELECT id FROM articles WHERE story_id IS NOT NULL AND published >= ? "
            "AND embedding_model = ? AND embedding_v IS NOT NULL AND vector_dims(embedding_v) = ? "
            "AND (embedding_v <#> ?::vector) <= ?",
            [since, model, len(about), vector, -low],
        )
        return {int(r["id"]) for r in rows}

    # Claims of a digest or an alert are leases shared by the workers of several machines:
    # they are measured by the database's clock, whatever the sending worker's says.

    def _db_now(self) -> datetime:
        return datetime.fromisoformat(self.query("SELECT now() AS t")[0]["t"].replace("Z", "+00:00"))

    def digest_claim(self, day: Any, recipient: str, now: datetime, stale_before: datetime) -> bool:
        clock = self._db_now()
        return super().digest_claim(day, recipient, clock, stale_before + (clock - now))

    def outbox_claim(self, outbox_id: int, now: datetime, stale_before: datetime) -> dict[str, Any] | None:
        clock = self._db_now()
        return super().outbox_claim(outbox_id, clock, stale_before + (clock - now))


if TYPE_CHECKING:  # mypy proves here that the PostgreSQL store satisfies every protocol

    def _implements(store: PostgresStore) -> Backend:
        return store
