"""The deliver role: digests as they fall due, and the alerts waiting in the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.daemon.base import DaemonBase
from monitor.daemon.stories import STAGES_DEBOUNCE
from monitor.deliver.alerts import daemon_alerts_job
from monitor.deliver.digest import daemon_digest_job

DIGEST_EVERY = 60  # seconds between looks for a digest that falls due
ALERTS_EVERY = 15  # seconds between deliveries of due alerts (the outbox)


class Delivering(DaemonBase):
    """The deliver role: two jobs, each claiming what it sends row by row."""

    def _start_delivery(self) -> None:
        if not self._does("deliver"):
            return
        self.scheduler.add_job(
            self._track,
            "interval",
            seconds=DIGEST_EVERY,
            args=[daemon_digest_job, self],
            id="digest",
            max_instances=1,
            next_run_time=datetime.now(UTC),
        )
        self.scheduler.add_job(
            self._track,
            "interval",
            seconds=ALERTS_EVERY,
            args=[daemon_alerts_job, self],
            id="alerts",
            max_instances=1,
            next_run_time=datetime.now(UTC) + timedelta(seconds=STAGES_DEBOUNCE),
        )
