"""One poller per database: `monitor run` and `monitor poll` take a lock on a file beside
the database, so that two of them never fetch the same feeds (each publisher would get
twice the requests the per-host limits promise).

On PostgreSQL the lock is a session advisory lock held by a connection of its own: the
server drops it when that connection ends, however the process ends; the holder is named by
its connection's application_name.

On SQLite the lock is flock(2) on `<database>.lock`: the kernel drops it when the process ends, however
it ends, so a killed daemon leaves nothing to clean up. The file holds the holder's pid and
command, so that a refusal can name it; the file itself stays (removing it would race with
the next taker).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from monitor.database import PostgresURL
from monitor.errors import MonitorError
from monitor.timeutil import iso, utcnow

RUN = "monitor run"
POLL = "monitor poll"
COPY = "monitor db copy"  # holds the lock of both databases, so that nothing polls meanwhile


class PollerBusy(MonitorError):
    """Another process polls this database; the message names it and says what to do."""

    def __init__(self, database: Path | PostgresURL, command: str, holder: str, holder_command: str) -> None:
        self.database = database
        self.holder = holder
        if command == POLL and holder_command == RUN:
            advice = (
                "a `monitor poll` now would fetch the same feeds a second time; the daemon polls "
                "each feed as it falls due (stop it to poll by hand)"
            )
        elif command == COPY:
            advice = (
                "a copy made while it writes would miss what it writes: wait for it to end, or "
                "stop it (`systemctl stop monitor`)"
            )
        elif command == RUN and holder_command == RUN:
            advice = "one daemon per database: stop that one first, or give this one another database"
        else:
            advice = "try again when it is done"
        super().__init__(f"{holder} is polling {database}: {advice}")


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


# pg_advisory_lock key of the poller lock: 'poller' read as a number.
_PG_POLLER_LOCK = int.from_bytes(b"poller", "big")


@contextmanager
def poller_lock(database: Path | PostgresURL, command: str) -> Iterator[None]:
    """Hold the database's poller lock for the block; PollerBusy (naming the holder) when
    another process has it. `command` says who we are: RUN or POLL."""
    if isinstance(database, PostgresURL):
        with _postgres_lock(database, command):
            yield
        return
    path = lock_path(database)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise MonitorError(f"cannot create the lock file {path}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fields = _fields(os.pread(fd, 1024, 0))
            holder_command = fields.get("command", "another monitor")
            since = f", since {fields['since']}" if "since" in fields else ""
            holder = f"{holder_command} (pid {fields.get('pid', '?')}{since})"
            raise PollerBusy(database, command, holder, holder_command) from None
        record = f"pid={os.getpid()}\ncommand={command}\nsince={iso(utcnow())}\n".encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, record, 0)
        yield
    finally:
        os.close(fd)  # and with it the lock


def _fields(data: bytes) -> dict[str, str]:
    """The lock file's `key=value` lines."""
    lines = data.decode("utf-8", "replace").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


@contextmanager
def _postgres_lock(database: PostgresURL, command: str) -> Iterator[None]:
    from monitor.store.postgres import connect

    since = iso(utcnow())
    conn: Any = connect(database, application_name=f"{command} pid={os.getpid()} since={since}")
    try:
        got = conn.execute("SELECT pg_try_advisory_lock(%s)", [_PG_POLLER_LOCK]).fetchone()[0]
        if not got:
            row = conn.execute(
                "SELECT a.application_name, a.client_addr FROM pg_locks l JOIN pg_stat_activity a "
                "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                "AND ((l.classid::bigint << 32) | l.objid::bigint) = %s LIMIT 1",
                [_PG_POLLER_LOCK],
            ).fetchone()
            name = str(row[0]) if row and row[0] else "another monitor"
            fields = dict(part.split("=", 1) for part in name.split()[2:] if "=" in part)
            words = [w for w in name.split() if "=" not in w]  # 'monitor db copy pid=12 since=…'
            holder_command = " ".join(words) if name.startswith("monitor ") else name
            where = f" on {row[1]}" if row and row[1] else ""
            since_text = f", since {fields['since']}" if "since" in fields else ""
            holder = f"{holder_command} (pid {fields.get('pid', '?')}{where}{since_text})"
            raise PollerBusy(database, command, holder, holder_command)
        yield
    finally:
        conn.close()  # and with it the lock
