"""feeds.yaml edited while the daemon runs: read again in a thread (bounded in time), and
applied to every role; a bad edit is logged and the last good config kept."""

from __future__ import annotations

import asyncio
import logging

from monitor.background import in_daemon_thread
from monitor.daemon.base import DaemonBase
from monitor.errors import MonitorError
from monitor.pipeline import default_stages
from monitor.sections import load_checked_config

log = logging.getLogger("monitor.daemon")

RELOAD_EVERY = 5  # seconds between checks of feeds.yaml
RELOAD_TIMEOUT = 60.0  # seconds a reading of feeds.yaml may take (500,000 feeds: ~30 s)


class ConfigWatch(DaemonBase):
    """Looks at feeds.yaml every few seconds; reads and applies it when it changed."""

    _mtime: float  # feeds.yaml's as last read

    def _start_reload(self) -> None:
        self.scheduler.add_job(
            self._track,
            "interval",
            seconds=RELOAD_EVERY,
            args=[self._reload_if_changed],
            id="reload",
            max_instances=1,
        )

    def _config_mtime(self) -> float:
        try:
            return self.config_path.stat().st_mtime_ns / 1e9
        except OSError:
            return 0.0

    async def _reload_if_changed(self) -> None:
        mtime = self._config_mtime()
        if mtime == self._mtime:
            return
        self._mtime = mtime
        # Read in a thread, so that the loop goes on polling and hears SIGTERM; bounded in
        # time here, in memory by the loader's own limits (size, aliases, depth). A reading
        # that overruns is left to finish in its daemon thread, and ignored.
        path = self.config_path
        try:
            config = await asyncio.wait_for(
                in_daemon_thread(lambda: load_checked_config(path), "reload"), RELOAD_TIMEOUT
            )
        except MonitorError as exc:
            log.error("event=config_rejected error=%r (keeping the previous config)", str(exc))
            return
        except TimeoutError:
            log.error(
                "event=config_rejected error=%r (keeping the previous config)",
                f"{path}: not read within {RELOAD_TIMEOUT:g} s",
            )
            return
        except Exception as exc:  # a bug in a check: the daemon goes on with what it has
            log.exception("event=config_rejected error=%r (keeping the previous config)", repr(exc))
            return
        try:
            if self._does("poll"):
                self.store.sync_feeds(config.feeds)
        except MonitorError as exc:  # the database cannot take it now (a full disk): next tick
            self._mtime = -1.0  # differs from any real mtime: read again next tick
            log.error("event=config_not_applied error=%r (tried again in %d s)", str(exc), RELOAD_EVERY)
            return
        self.config = config
        self.poller.config = config
        # Edited watches (or stories settings) apply from the next run of the stages.
        if self._does("stories"):
            self.poller.stages = default_stages(config, stop=lambda: self._stopping, deliver_alerts=False)
        self._new_work = True
        if self._does("poll") and not self.shared:
            self._schedule_feeds()
        log.info("event=config_reloaded feeds=%d", len(config.feeds))
