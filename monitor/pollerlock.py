"""One poller per database: `monitor run` and `monitor poll` take a lock on a file beside
the database, so that two of them never fetch the same feeds (each publisher would get
twice the requests the per-host limits promise).

The lock is flock(2) on `<database>.lock`: the kernel drops it when the process ends, however
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

from monitor.errors import MonitorError
from monitor.timeutil import iso, utcnow

RUN = "monitor run"
POLL = "monitor poll"


class PollerBusy(MonitorError):
    """Another process polls this database; the message names it and says what to do."""

    def __init__(self, database: Path, command: str, holder: str, holder_command: str) -> None:
        self.database = database
        self.holder = holder
        if command == POLL and holder_command == RUN:
            advice = (
                "a `monitor poll` now would fetch the same feeds a second time; the daemon polls "
                "each feed as it falls due (stop it to poll by hand)"
            )
        elif command == RUN and holder_command == RUN:
            advice = "one daemon per database: stop that one first, or give this one another database"
        else:
            advice = "try again when it is done"
        super().__init__(f"{holder} is polling {database}: {advice}")


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextmanager
def poller_lock(database: Path, command: str) -> Iterator[None]:
    """Hold the database's poller lock for the block; PollerBusy (naming the holder) when
    another process has it. `command` says who we are: RUN or POLL."""
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
