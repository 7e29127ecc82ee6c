"""Progress on long steps (loading the model, the stories stage): a bar on a terminal
(tqdm, on stderr), and where stderr is not a terminal (a daemon, cron, a pipe) one log line
every `every` seconds and one at the end, so that nothing long is ever silent."""

from __future__ import annotations

import logging
import sys
import time
from types import TracebackType
from typing import Any

log = logging.getLogger("monitor.progress")


class Progress:
    """`with Progress("stories", total=n, unit="articles") as p: ... p.update(k)`."""

    def __init__(self, label: str, total: int | None, unit: str = "", *, every: float = 10.0) -> None:
        self.label, self.total, self.unit, self.every = label, total, unit, every
        self.done = 0
        self._started = self._logged = time.monotonic()
        self._bar: Any = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=label, unit=f" {unit}" if unit else "it", leave=False)

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close(failed=kind is not None)

    def set_step(self, what: str) -> None:
        """Name what is being done now (shown beside the bar, or logged)."""
        if self._bar is not None:
            self._bar.set_postfix_str(what)
        else:
            log.info("event=progress step=%r doing=%r", self.label, what)

    def update(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.monotonic()
        if now - self._logged >= self.every:
            self._logged = now
            self._log("progress")

    def close(self, *, failed: bool = False) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif time.monotonic() - self._started >= self.every:
            self._log("failed" if failed else "done")

    def _log(self, event: str) -> None:
        elapsed = time.monotonic() - self._started
        of = f"/{self.total}" if self.total is not None else ""
        log.info(
            "event=%s step=%r done=%d%s %s elapsed=%.0fs",
            event,
            self.label,
            self.done,
            of,
            self.unit,
            elapsed,
        )
