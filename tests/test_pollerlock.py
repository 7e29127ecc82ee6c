"""pollerlock.py: one poller per database, refused with the holder's name; a killed holder
leaves no lock behind. Real processes, a real file lock."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from monitor.pollerlock import POLL, RUN, PollerBusy, lock_path, poller_lock

from .conftest import ROOT, run_monitor, write_config

HOLD = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from monitor.pollerlock import poller_lock\n"
    "with poller_lock(Path(sys.argv[1]), sys.argv[2]):\n"
    "    print('held', flush=True)\n"
    "    time.sleep(60)\n"
)


def hold_lock(db: Path, command: str) -> subprocess.Popen[str]:
    """A second process that takes the database's poller lock and keeps it."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db), command], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_a_second_daemon_or_a_poll_beside_one_is_refused_naming_it(tmp_path: Path) -> None:
    config = write_config(tmp_path / "feeds.yaml", [], interval="1m")
    db = tmp_path / "monitor.db"
    holder = hold_lock(db, RUN)
    try:
        second = run_monitor("--config", str(config), "run", timeout=60)
        assert second.returncode == 1
        assert f"monitor run (pid {holder.pid}, since " in second.stderr, second.stderr
        assert "one daemon per database" in second.stderr
        assert "Traceback" not in second.stderr

        poll = run_monitor("--config", str(config), "poll", timeout=60)
        assert poll.returncode == 1
        assert f"monitor run (pid {holder.pid}" in poll.stderr, poll.stderr
        assert "would fetch the same feeds a second time" in poll.stderr
        assert not db.exists()  # refused before touching anything
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # A killed holder leaves no lock: the next one takes it at once.
    with poller_lock(db, RUN):
        assert f"pid={__import__('os').getpid()}" in lock_path(db).read_text()


def test_two_polls_on_one_database_one_is_told_to_wait(tmp_path: Path) -> None:
    db = tmp_path / "monitor.db"
    holder = hold_lock(db, POLL)
    try:
        try:
            with poller_lock(db, POLL):
                raise AssertionError("the lock was given twice")
        except PollerBusy as exc:
            assert f"monitor poll (pid {holder.pid}" in str(exc)
            assert "try again when it is done" in str(exc)
        # Refused while the holder still holds it (for a minute): at once, not after a wait
        # (a waiting lock would have been given when the holder ended, and said so above).
        assert holder.poll() is None
    finally:
        holder.kill()
        holder.wait()
