"""The stories role: the later stages (dedup, embeddings, stories, watches, alerts recorded)
run in a thread on their own connection, soon after polls bring new articles; on
PostgreSQL by one process at a time, the sequencer, which holds an advisory lock."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from monitor.background import in_daemon_thread
from monitor.daemon.base import DaemonBase
from monitor.errors import MonitorError
from monitor.metrics import set_stories
from monitor.store import PostgresURL
from monitor.store.postgres import connect

log = logging.getLogger("monitor.daemon")

STAGES_EVERY = 30  # seconds between runs of the later stages, when there is new work
STAGES_DEBOUNCE = 2  # seconds from a poll with new articles to the later stages
# With several processes: how often a stories process runs the stages, or, when another is
# the sequencer, asks to take over (so a dead sequencer is replaced within seconds).
SHARED_STAGES_EVERY = 5
# pg_advisory_lock key of the stories sequencer: 'stories' read as a number.
STORIES_LOCK = int.from_bytes(b"stories", "big")


class Sequencing(DaemonBase):
    """The stories role: when the later stages run, and who runs them."""

    def _start_stages(self) -> None:
        if not self._does("stories"):
            return
        self.scheduler.add_job(
            self._track,
            "interval",
            seconds=SHARED_STAGES_EVERY if self.shared else STAGES_EVERY,
            args=[self._run_stages],
            id="stages",
            max_instances=1,
            # Soon after start: articles a previous run left without a story wait no longer.
            next_run_time=datetime.now(UTC) + timedelta(seconds=STAGES_DEBOUNCE),
        )

    def _wake_stages(self) -> None:
        """New articles: run the later stages soon (a few seconds, to batch a burst of polls).
        While they run, nothing is moved (APScheduler would skip the run and warn): the run
        that ends wakes them again when new work came meanwhile."""
        if self._stages_running.locked():
            return
        job = self.scheduler.get_job("stages")
        soon = datetime.now(UTC) + timedelta(seconds=STAGES_DEBOUNCE)
        if job is not None and job.next_run_time is not None and job.next_run_time > soon:
            job.modify(next_run_time=soon)

    def _lead_stories(self) -> bool:
        """Whether this process is the stories sequencer now (always, alone on SQLite)."""
        if not self.shared:
            return True
        if self._leader is not None:
            try:
                self._leader.execute("SELECT 1")
                return True
            except Exception:  # its connection is gone, and with it the lock
                log.warning("event=stories_leadership_lost worker=%s", self.worker)
                self._leader.close()
                self._leader = None
        assert isinstance(self.database, PostgresURL)
        conn = connect(self.database, application_name=f"monitor stories sequencer {self.worker}")
        if conn.execute("SELECT pg_try_advisory_lock(%s)", [STORIES_LOCK]).fetchone()[0]:
            self._leader = conn
            log.info("event=stories_leader worker=%s", self.worker)
            return True
        conn.close()
        return False

    async def _run_stages(self) -> None:
        if self.shared:
            # Other processes poll: their articles are seen in the database, not here.
            self._new_work = True
        if not self._new_work or not self.poller.stages:
            return
        self._new_work = False
        await in_daemon_thread(self._run_stages_led, "stages")
        if self._new_work and not self._stopping:
            self._wake_stages()

    def _run_stages_led(self) -> None:
        with self._stages_running:
            if self._stopping:
                return
            try:
                leading = self._lead_stories()
            except MonitorError as exc:
                log.error("event=stages_not_run error=%r", str(exc))
                return
            if leading:
                self._run_stages_now()

    def _run_stages_now(self) -> None:
        for stage in self.poller.stages:
            if self._stopping:
                return
            try:
                note = stage(self.stage_store)
            except MonitorError as exc:
                log.error("event=stage_failed stage=%s error=%r", getattr(stage, "__name__", stage), str(exc))
                self._new_work = True  # what it left undone is tried again at the next run
                continue
            if note:
                log.info("event=stage_done stage=%s note=%r", getattr(stage, "__name__", stage), note)
        set_stories(self.stage_store.count("stories"))
