"""`monitor run`: a real daemon process polling a real server; reloads; stops cleanly."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from monitor.daemon import CANCEL_GRACE, RELOAD_EVERY, SHUTDOWN_GRACE
from monitor.feedserver import FeedServer
from monitor.pollerlock import POLL, PollerBusy, poller_lock

from .conftest import rss, wait_for, write_config


def articles(db: Path, where: str = "1") -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return int(conn.execute(f"SELECT COUNT(*) FROM articles WHERE {where}").fetchone()[0])
    except sqlite3.Error:
        return 0


def start_daemon(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "monitor", "-v", "--config", str(config), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


# How long a stopped daemon may take before the test kills it: a guard against a hang, far
# beyond the exit's bound (SHUTDOWN_GRACE + CANCEL_GRACE, then closing). That bound is shown
# by what the daemon did (polls finished or cancelled), not by a clock a loaded machine slows.
STOP_GUARD = 60


def stop(process: subprocess.Popen[str], sig: int) -> tuple[int, float, str]:
    """Signal the daemon; its exit code (0: it ended by itself), the seconds it took, its output."""
    started = time.monotonic()
    process.send_signal(sig)
    try:
        output, _ = process.communicate(timeout=STOP_GUARD)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return process.returncode, time.monotonic() - started, output


def item(n: int) -> dict[str, str]:
    return {
        "title": f"Item {n}",
        "link": f"https://n.example/{n}",
        "guid": f"g{n}",
        "pubDate": "Sat, 22 Mar 2025 10:00:00 GMT",
    }


def test_daemon_polls_reloads_config_and_stops_cleanly(
    tmp_path: Path, server: FeedServer, feed_dir: Path
) -> None:
    """Polls, stories, a bad and a good edit, SIGTERM (SIGINT stops the daemon in the
    embedding-stop test, and while it imports, below)."""
    (feed_dir / "a.xml").write_text(rss([item(1), item(2)]))
    (feed_dir / "b.xml").write_text(rss([item(3)]))
    config = write_config(tmp_path / "feeds.yaml", [{"url": server.url("a.xml")}], interval="1m")
    db = tmp_path / "monitor.db"
    output = Output(start_daemon(config))
    try:
        assert wait_for(lambda: articles(db) == 2), "the daemon did not poll the feed"
        # The later stages run soon after, in the daemon: every article gets its story.
        assert wait_for(lambda: articles(db, "story_id IS NOT NULL") == 2), "no stories in the daemon"
        # A bad edit is refused and the daemon keeps running on the last good config.
        config.write_text(config.read_text() + "  - url: not a url\n")
        assert output.wait_for("event=config_rejected")
        assert output.process.poll() is None
        # A good edit is picked up without a restart.
        write_config(config, [{"url": server.url("a.xml")}, {"url": server.url("b.xml")}], interval="1m")
        assert wait_for(lambda: articles(db) == 3), "the daemon did not pick up the new feed"
    finally:
        code, _, text = output.stop(signal.SIGTERM)
    assert code == 0, text  # it ended by itself, nothing in hand to wait for or cancel
    assert "event=daemon_stopped" in text and "event=daemon_cancelled_polls" not in text
    assert "config_rejected" in text and "config_reloaded" in text
    assert "Traceback" not in text


def test_daemon_finishes_work_in_hand_when_stopped(
    tmp_path: Path, server: FeedServer, feed_dir: Path
) -> None:
    """A SIGTERM during a slow poll (its answer held until the daemon is stopping): the
    daemon finishes the poll in hand, stores it whole and exits 0."""
    from http.server import BaseHTTPRequestHandler

    from monitor.feedserver import send

    body = rss([item(1)]).encode()
    stopping = threading.Event()

    def slow(handler: BaseHTTPRequestHandler) -> bool:
        stopping.wait(STOP_GUARD)
        send(handler, 200, body, {"Content-Type": "application/rss+xml"})
        return True

    server.routes["/slow.xml"] = slow
    config = write_config(tmp_path / "feeds.yaml", [{"url": server.url("slow.xml")}], interval="1m")
    output = Output(start_daemon(config))
    try:
        assert wait_for(lambda: any(p == "/slow.xml" for p, _ in server.requests), timeout=20)
        # The daemon holds the database's poller lock: a `monitor poll` beside it is refused.
        busy = pytest.raises(PollerBusy, match=f"monitor run \\(pid {output.process.pid}, ")
        with busy, poller_lock(tmp_path / "monitor.db", POLL):
            pass
        output.process.send_signal(signal.SIGTERM)
        assert output.wait_for("event=daemon_stopping"), "the daemon did not hear SIGTERM"
    finally:
        stopping.set()  # the answer comes now, while the daemon stops
        code, _, text = output.stop(signal.SIGTERM)
    assert code == 0, text
    assert "event=daemon_cancelled_polls" not in text, text
    assert articles(tmp_path / "monitor.db") == 1, text  # the poll in hand was finished and stored


def test_a_poll_that_cannot_be_stored_is_tried_again_once_it_can(
    tmp_path: Path, server: FeedServer, feed_dir: Path
) -> None:
    """A full disk (here: the file size limit of the daemon's process): the daemon logs the
    poll that could not be stored, keeps running, and stores it once there is room again."""
    import resource

    (feed_dir / "a.xml").write_text(rss([item(1)]))
    text = "The council met again to discuss the budget for the roads of the north. " * 60
    (feed_dir / "big.xml").write_text(rss([{**item(n), "description": text} for n in range(10, 40)]))
    config = write_config(tmp_path / "feeds.yaml", [{"url": server.url("a.xml")}], interval="1h")
    db = tmp_path / "monitor.db"
    daemon = Output(start_daemon(config))
    process = daemon.process
    try:
        assert wait_for(lambda: articles(db, "story_id IS NOT NULL") == 1), "the daemon did not poll"
        # No room at all: the new feed in feeds.yaml cannot even be written down.
        unlimited = resource.RLIM_INFINITY
        largest = max(f.stat().st_size for f in tmp_path.glob("monitor.db*"))
        try:
            resource.prlimit(process.pid, resource.RLIMIT_FSIZE, (largest, unlimited))
        except (AttributeError, OSError) as exc:  # not Linux, or a sandbox that refuses it
            pytest.skip(f"cannot limit another process's file size here: {exc}")
        write_config(config, [{"url": server.url("a.xml")}, {"url": server.url("big.xml")}], interval="1h")
        assert daemon.wait_for("event=config_not_applied"), "the edit was not tried"
        assert not any(p == "/big.xml" for p, _ in server.requests) and process.poll() is None
        # Then 32 KiB of room: enough for the new feed's row (the edit is applied now), not
        # for the 30 long articles of its first poll.
        resource.prlimit(process.pid, resource.RLIMIT_FSIZE, (largest + 32 * 1024, unlimited))
        assert wait_for(lambda: sum(p == "/big.xml" for p, _ in server.requests) >= 1), "not polled"
        assert daemon.wait_for("event=poll_not_recorded"), "the poll was stored in 32 KiB?"
        assert process.poll() is None and articles(db) == 1  # nothing half-written
        resource.prlimit(process.pid, resource.RLIMIT_FSIZE, (unlimited, unlimited))
        assert wait_for(lambda: articles(db) == 31, timeout=40), "the poll was not tried again"
        assert wait_for(lambda: articles(db, "story_id IS NOT NULL") == 31), "no stories after"
    finally:
        code, _, output = daemon.stop(signal.SIGTERM)
    assert code == 0, output
    assert "event=config_not_applied" in output and "config_reloaded" in output
    assert "event=poll_not_recorded" in output and "retry_in=10s" in output
    assert "Traceback" not in output


def test_a_killed_daemon_loses_nothing_and_resumes(
    tmp_path: Path, server: FeedServer, feed_dir: Path
) -> None:
    """SIGKILL in the middle of the stories stage: what was committed stays, the database is
    sound, and the next start gives every article its story, each article once."""
    text = "Rescue teams searched the flooded valley for survivors on the second day. " * 8
    items = [
        {**item(n), "title": f"Report {n} on the valley floods", "description": f"{n} {text}"}
        for n in range(150)
    ]
    (feed_dir / "many.xml").write_text(rss(items))
    config = write_config(tmp_path / "feeds.yaml", [{"url": server.url("many.xml")}], interval="1h")
    config.write_text(config.read_text() + "stories:\n  batch_size: 20\n")  # many small commits
    db = tmp_path / "monitor.db"
    process = start_daemon(config)
    try:
        assert wait_for(lambda: articles(db) == 150), "the daemon did not poll"
        assert wait_for(lambda: articles(db, "story_id IS NOT NULL") > 0, timeout=60), "no stage"
    finally:
        process.kill()  # SIGKILL: no handler runs
        process.communicate()
    done = articles(db, "story_id IS NOT NULL")
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    process = start_daemon(config)
    try:
        assert wait_for(lambda: articles(db, "story_id IS NOT NULL") == 150, timeout=90), "not resumed"
    finally:
        code, _, output = stop(process, signal.SIGTERM)
    assert code == 0, output
    assert articles(db) == 150 and 0 < done < 150  # it was killed with work half done
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(DISTINCT guid) FROM articles").fetchone()[0] == 150
        members = conn.execute("SELECT COALESCE(SUM(n_articles), 0) FROM stories").fetchone()[0]
    assert members == 150  # each article counted in exactly one story


class Output:
    """A daemon's output read as it comes, in a thread: whether a line has shown up yet."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()

    def wait_for(self, text: str, timeout: float = 90) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: any(text in line for line in self.lines), timeout)

    def stop(self, sig: int) -> tuple[int, float, str]:
        started = time.monotonic()
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=STOP_GUARD)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        seconds = time.monotonic() - started
        self.thread.join()
        return self.process.returncode, seconds, "".join(self.lines)


def inconsistencies(db: Path) -> list[str]:
    """What is wrong in the stories the stage wrote: each of its batches is one transaction,
    so a stop never leaves a vector without its story, a story without its articles, or
    counts that disagree."""
    checks = {
        "integrity": "SELECT 1 FROM pragma_integrity_check WHERE integrity_check != 'ok'",
        "foreign keys": "SELECT 1 FROM pragma_foreign_key_check",
        "a vector without a story": (
            "SELECT id FROM articles WHERE embedding IS NOT NULL AND story_id IS NULL"
        ),
        "an article in no stored story": (
            "SELECT id FROM articles WHERE story_id IS NOT NULL "
            "AND story_id NOT IN (SELECT id FROM stories WHERE merged_into IS NULL)"
        ),
        "a story whose count is not its articles'": (
            "SELECT s.id FROM stories s WHERE s.merged_into IS NULL AND s.n_articles != "
            "(SELECT COUNT(*) FROM articles a WHERE a.story_id = s.id)"
        ),
    }
    with sqlite3.connect(db) as conn:
        return [what for what, sql in checks.items() if conn.execute(sql).fetchall()]


def test_a_stop_while_the_model_embeds_exits_0_and_writes_nothing_half(
    tmp_path: Path, server: FeedServer, feed_dir: Path
) -> None:
    """SIGTERM or SIGINT while ONNX Runtime embeds a long batch (the whole backlog in one):
    the stage stops between two chunks of texts, and the process exits 0, never with SIGABRT
    ("terminate called without an active exception": a thread still inside the runtime
    while the interpreter unwound), with nothing of the batch in hand written. Two stops in
    a row, early and late in the embedding, then a start that finishes the work."""
    words = random.Random(23)
    vocabulary = [f"{words.choice('bdfgklmnprstvz')}{words.choice('aeiou')}{n}" for n in range(5000)]
    for f in range(3):
        items = []
        for n in range(f * 1000, f * 1000 + 100):
            # Long texts of rare words: many tokens each, so embedding all 300 takes a while
            # (13 s and more: the last stop comes 4 s after the embedding began).
            text = " ".join(words.choice(vocabulary) for _ in range(220))
            items.append({**item(n), "title": f"Report {n} {vocabulary[n]}", "description": text})
        (feed_dir / f"f{f}.xml").write_text(rss(items))
    feeds: list[dict[str, object]] = [{"url": server.url(f"f{f}.xml")} for f in range(3)]
    config = write_config(tmp_path / "feeds.yaml", feeds, interval="1h")
    config.write_text(config.read_text() + "stories:\n  batch_size: 5000\n  max_words: 200\n")
    db = tmp_path / "monitor.db"
    for sig, after in [(signal.SIGTERM, 0.5), (signal.SIGINT, 4.0)]:
        output = Output(start_daemon(config))
        try:
            assert output.wait_for("doing='embedding and assigning'"), "the stage did not start embedding"
            time.sleep(after)
        finally:
            code, seconds, text = output.stop(sig)
        assert code == 0, text  # it ended by itself (the stage stopped between two chunks)
        print(f"{signal.Signals(sig).name} {after} s into the embedding: exit in {seconds:.1f} s")
        assert "terminate called" not in text and "Traceback" not in text, text
        assert "event=daemon_stopped" in text
        assert inconsistencies(db) == []
        assert articles(db) == 300 and articles(db, "story_id IS NOT NULL") == 0, text  # stopped mid-batch
    # The batch dropped at each stop is taken again. Its texts cut to 20 words: the same
    # articles, embedded in a fraction of the time the long texts took.
    config.write_text(config.read_text().replace("max_words: 200", "max_words: 20"))
    output = Output(start_daemon(config))
    try:
        assert wait_for(lambda: articles(db, "story_id IS NOT NULL") == 300, timeout=180), "not resumed"
    finally:
        code, _, text = output.stop(signal.SIGTERM)
    assert code == 0, text
    assert inconsistencies(db) == []


def test_a_stop_while_the_daemon_starts_exits_0_with_nothing_half_written(tmp_path: Path) -> None:
    """SIGTERM while `monitor run` still reads a big feeds.yaml and writes its feeds into a
    new database (before its event loop hears signals): exit 0, all feeds or none."""
    feeds: list[dict[str, object]] = [{"url": f"http://127.0.0.1:9/f{n}.xml"} for n in range(30_000)]
    config = write_config(tmp_path / "feeds.yaml", feeds, interval="1h")
    db = tmp_path / "monitor.db"
    process = start_daemon(config)
    try:
        # Polled every 0.2 s for as long as a loaded machine needs to read the file: the stop
        # comes at the first look that sees the database.
        assert wait_for(db.exists, timeout=STOP_GUARD), "the daemon did not open its database"
    finally:
        code, _, output = stop(process, signal.SIGTERM)
    assert code == 0, output
    assert "Traceback" not in output
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # A stop while the new database is still being made (its migrations are one
        # transaction) leaves it without tables: none stored either.
        made = conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'feeds'").fetchone()[0]
        stored = conn.execute("SELECT COUNT(*) FROM feeds").fetchone()[0] if made else 0
    assert stored in (0, 30_000), output
    print(f"feeds stored when stopped: {stored}; {output[-300:]}")


def test_the_start_line_names_the_feeds_the_roles_and_the_next_poll() -> None:
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from monitor.daemon import start_line

    now = datetime(2025, 3, 22, 18, 0, tzinfo=UTC)
    paris = ZoneInfo("Europe/Paris")
    line = start_line(feeds=80, role="all", first_due=now + timedelta(minutes=12), now=now, zone=paris)
    assert line == (
        "event=daemon_started feeds=80 roles=poll,stories,deliver "
        "next_poll=2025-03-22T19:12:00+01:00 (in 12 min)"
    )
    utc = ZoneInfo("UTC")
    overdue = start_line(feeds=2, role="poll", first_due=now - timedelta(days=3), now=now, zone=utc)
    assert overdue.endswith("roles=poll next_poll=2025-03-22T18:00:00+00:00 (now)")
    later_due = now + timedelta(hours=7, minutes=30)
    later = start_line(feeds=1, role="all", first_due=later_due, now=now, zone=paris)
    assert later.endswith("(in 7.5 h)")
    assert start_line(feeds=3, role="stories", first_due=None, now=now, zone=paris).endswith(
        "roles=stories next_poll=none (role stories does not poll)"
    )
    assert start_line(feeds=0, role="all", first_due=None, now=now, zone=paris).endswith(
        "next_poll=none (no feed to poll)"
    )


def test_monitor_run_says_one_line_at_start_and_is_quiet_otherwise(
    tmp_path: Path, server: FeedServer, feed_dir: Path
) -> None:
    """Without -v: the start line (feeds, roles, next poll), then nothing from a poll that
    goes well (only the progress of long steps, as before), and nothing at a clean stop."""
    (feed_dir / "a.xml").write_text(rss([item(1), item(2)]))
    feeds: list[dict[str, object]] = [{"url": server.url("a.xml")}, {"url": server.url("a.xml") + "?b"}]
    config = write_config(tmp_path / "feeds.yaml", feeds, interval="1h", timezone="Asia/Kolkata")
    db = tmp_path / "monitor.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(config), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert wait_for(lambda: articles(db, "story_id IS NOT NULL") == 2), "the daemon did not poll"
    finally:
        code, _, output = stop(process, signal.SIGTERM)
    assert code == 0, output
    said = [line for line in output.splitlines() if "logger=monitor.progress" not in line]
    assert len(said) == 1, output
    assert "event=daemon_started feeds=2 roles=poll,stories,deliver next_poll=" in said[0]
    assert "+05:30 (now)" in said[0] and f"db={db}" in said[0]


def test_a_job_the_busy_loop_made_late_runs_once_without_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """A loaded machine delays the daemon's loop past a job's time: APScheduler's default
    (1 s of grace, no coalescing) dropped each late run with a "was missed by" warning, which
    broke the quiet daemon's silence. The daemon's scheduler runs the job late, once. The
    lateness is made here, not waited for: the job's first run is 33 s in the past, its
    latest 3 s."""
    import asyncio
    import logging
    from datetime import UTC, datetime, timedelta

    from monitor.daemon.base import make_scheduler

    runs: list[datetime] = []

    async def main() -> None:
        ran = asyncio.Event()

        async def job() -> None:
            runs.append(datetime.now(UTC))
            ran.set()

        scheduler = make_scheduler()
        scheduler.add_job(
            job, "interval", seconds=5, id="late", max_instances=1,
            next_run_time=datetime.now(UTC) - timedelta(seconds=33),
        )  # fmt: skip
        scheduler.start()
        try:
            await asyncio.wait_for(ran.wait(), 60)
            await asyncio.sleep(0.2)  # room for any further (wrong) run of the seven passed
        finally:
            scheduler.shutdown(wait=False)

    with caplog.at_level(logging.WARNING, logger="apscheduler"):
        asyncio.run(main())
    assert len(runs) == 1
    assert [r.getMessage() for r in caplog.records if r.name.startswith("apscheduler")] == []


def test_the_daemon_is_split_by_role_with_no_class_over_300_lines() -> None:
    import ast

    import monitor.daemon

    folder = Path(monitor.daemon.__file__).parent
    sizes = {
        f"{path.name}:{node.name}": (node.end_lineno or node.lineno) - node.lineno + 1
        for path in sorted(folder.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
    }
    assert {"poll.py:Polling", "stories.py:Sequencing", "deliver.py:Delivering"} <= set(sizes)
    assert {name: lines for name, lines in sizes.items() if lines > 300} == {}


def test_retry_delay_doubles_from_ten_seconds_up_to_the_feeds_interval() -> None:
    from monitor.daemon import retry_delay

    assert [retry_delay(n, 3600) for n in range(1, 6)] == [10, 20, 40, 80, 160]
    assert retry_delay(12, 3600) == 3600 and retry_delay(500, 3600) == 3600
    assert retry_delay(3, 15) == 15  # a short interval caps it sooner
    assert retry_delay(0, 3600) == 10


def test_overdue_feeds_are_first_polled_one_after_the_other_at_the_pace() -> None:
    """100,000 due feeds at a start made 100,000 polls at once: the daemon's loop stalled for
    minutes and a SIGTERM took over a minute. The overdue ones are now spread at the pace."""
    from datetime import UTC, datetime, timedelta

    from monitor.daemon import spread_overdue
    from monitor.store import FeedState

    now = datetime(2026, 12, 2, 12, tzinfo=UTC)

    def feed(i: int, due: datetime | None) -> FeedState:
        return FeedState(
            id=i, url=f"https://a.example/{i}", name=None, language=None, tags=(), interval=None,
            active=True, gone=False, etag=None, last_modified=None, body_hash=None, ttl_seconds=None,
            max_age_seconds=None, retry_after=None, error_count=0, last_status=None, last_polled=None,
            next_due=due,
        )  # fmt: skip

    feeds = [feed(i, None) for i in range(1000)]
    feeds += [feed(1000, now - timedelta(days=2)), feed(1001, now + timedelta(hours=1)), feed(1002, now)]
    when = spread_overdue(feeds, now, pace=64)
    assert set(when) == {f.id for f in feeds}
    assert when[1001] == now + timedelta(hours=1)  # not due: its own time
    assert when[0] == now  # never polled counts as the longest overdue, then by due time
    assert when[1000] == now + timedelta(seconds=1000 / 64)
    per_second: dict[int, int] = {}
    for feed_id, at in when.items():
        if feed_id != 1001:
            second = int((at - now).total_seconds())
            per_second[second] = per_second.get(second, 0) + 1
    assert max(per_second.values()) == 64 and len(per_second) == -(-1002 // 64)
    assert when[1002] == max(at for i, at in when.items() if i != 1001)  # due just now: last


def test_hostile_edits_and_sigterm_under_the_worst_work_in_hand(
    tmp_path: Path, server: FeedServer, feed_dir: Path
) -> None:
    """An alias bomb written into feeds.yaml is refused and the daemon goes on; then, with a
    feed that drips one byte every 0.3 s in flight and the largest file the loader accepts
    being read (about 20 s of CPU, in a thread), SIGTERM ends the daemon well within 10 s."""
    from http.server import BaseHTTPRequestHandler

    from .test_config import alias_chain

    hung_up: list[bool] = []
    drip_ended = threading.Event()

    def drip(handler: BaseHTTPRequestHandler) -> bool:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.end_headers()
        try:
            for byte in rss([item(1)]).encode():  # 300 bytes: a minute and a half
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(0.3)
        except OSError:
            hung_up.append(True)  # the daemon hung up
        else:
            hung_up.append(False)
        drip_ended.set()
        return True

    server.routes["/drip.xml"] = drip
    (feed_dir / "a.xml").write_text(rss([item(2)]))
    feeds: list[dict[str, object]] = [{"url": server.url("a.xml")}, {"url": server.url("drip.xml")}]
    config = write_config(tmp_path / "feeds.yaml", feeds, interval="1h", timeout=120)  # drips on
    good = config.read_text()
    db = tmp_path / "monitor.db"
    daemon = Output(start_daemon(config))
    try:
        assert wait_for(lambda: articles(db) == 1), "the daemon did not poll"
        config.write_text(good + "stories:\n  model: " + alias_chain(10) + "\n")
        assert daemon.wait_for("event=config_rejected"), "the alias bomb was not refused"
        assert daemon.process.poll() is None
        # The slowest file the loader still reads: 99,000 values.
        languages = "  languages: [" + ",".join(["en"] * 99_000) + "]\n"
        config.write_text(good.replace("settings:\n", "settings:\n" + languages, 1))
        assert wait_for(lambda: any(p == "/drip.xml" for p, _ in server.requests), timeout=20)
        time.sleep(RELOAD_EVERY + 1)  # the reading has begun
    finally:
        code, seconds, output = daemon.stop(signal.SIGTERM)
    assert code == 0, output
    print(f"exit {seconds:.2f} s after SIGTERM (bound: {SHUTDOWN_GRACE + CANCEL_GRACE:g} s and closing)")
    assert "expand this file beyond" in output and "event=config_rejected" in output
    # The exit is bounded by the grace, not by the work in hand: the drip still in flight was
    # cancelled after it, and the daemon hung up long before the drip's end.
    assert "event=daemon_cancelled_polls count=" in output
    assert drip_ended.wait(STOP_GUARD) and hung_up == [True]
    # The big reload is usually still being read at SIGTERM; on a quick machine it may already
    # have been taken: either way nothing goes wrong.
    assert "Traceback" not in output


def test_new_work_while_the_stages_run_does_not_move_their_job() -> None:
    """A poll that brings articles while the later stages run must not move the running job
    (APScheduler skips the run and warns, "maximum number of running instances reached", on
    a daemon that should be quiet); the run that ends wakes them again."""
    import threading
    from datetime import UTC, datetime, timedelta

    from apscheduler.schedulers.background import BackgroundScheduler

    from monitor.daemon import Daemon

    scheduler = BackgroundScheduler(timezone=UTC)
    later = datetime.now(UTC) + timedelta(minutes=10)
    scheduler.add_job(print, "interval", seconds=30, id="stages", next_run_time=later)
    scheduler.start(paused=True)
    try:
        daemon = object.__new__(Daemon)
        daemon.scheduler = scheduler  # type: ignore[assignment]
        daemon._stages_running = threading.Lock()
        with daemon._stages_running:
            daemon._wake_stages()
            assert scheduler.get_job("stages").next_run_time == later
        daemon._wake_stages()
        moved = scheduler.get_job("stages").next_run_time
        assert moved < later - timedelta(minutes=9)
    finally:
        scheduler.shutdown(wait=False)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_while_python_still_imports_monitor_run_exits_0(sig: signal.Signals) -> None:
    """The first half second of `monitor run` is Python importing the command line, before
    `run` installs its handlers: a stop then exits 0 too, not 143 or "Aborted!". The signal
    comes as soon as the package's own code has run, before the rest is imported."""
    child = (
        "import os, signal, sys, time\n"
        # Python's own SIGINT handling, even where the test runs with SIGINT ignored (a
        # background job): the other program below must show it.
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "sys.argv = ['monitor', '--config', 'feeds.yaml', 'run']\n"
        "import monitor.cli\n"
        f"os.kill(os.getpid(), {int(sig)})\n"
        "time.sleep(10)\n"
        "sys.exit(3)\n"
    )
    result = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    # Any other program that imports the package keeps Python's own handling.
    other = child.replace("'run'", "'poll'")
    result = subprocess.run([sys.executable, "-c", other], capture_output=True, text=True, timeout=60)
    assert result.returncode == -sig, result.stderr
