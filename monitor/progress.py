"""Progress on long steps (loading the model, the stories stage): a bar on a terminal
(tqdm, on stderr), and where stderr is not a terminal (a daemon, cron, a pipe) one log line
at least every `every` seconds while work goes on, and one at the end, so that nothing long
is ever silent.

The command line sets how often (`set_interval`): a person waiting on `monitor poll` gets a
line every 2 s, the daemon's log one every 10 s."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

log = logging.getLogger("monitor.progress")

DEFAULT_INTERVAL = 10.0
_interval = DEFAULT_INTERVAL


def set_interval(seconds: float) -> None:
    """How many seconds may pass between two progress lines where stderr is not a terminal
    (0: a line at every step and every update). For the whole process, like logging's level."""
    global _interval
    if seconds < 0:
        raise ValueError(f"a progress interval is 0 s or more, not {seconds}")
    _interval = seconds


class Progress:
    """`with Progress("stories", total=n, unit="articles") as p: ... p.update(k)`.

    `beat()` says "still working" during a long wait with nothing to count (a build in a
    child process): the bar's clock moves on, and a line is logged when one is due."""

    def __init__(
        self,
        label: str,
        total: int | None,
        unit: str = "",
        *,
        every: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.total, self.unit = label, total, unit
        self.every = _interval if every is None else every
        self.done = 0
        self._clock = clock
        self._started = self._logged = clock()
        self._step = ""
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
        self._step = what
        if self._bar is not None:
            self._bar.set_postfix_str(what)
        else:
            self._logged = self._clock()
            log.info("event=progress step=%r doing=%r", self.label, what)

    def update(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        else:
            self._log_if_due()

    def beat(self) -> None:
        """Still at the current step: redraw the bar (its clock), or log a line when due."""
        if self._bar is not None:
            self._bar.refresh()
        else:
            self._log_if_due()

    def close(self, *, failed: bool = False) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._clock() - self._started >= self.every:
            self._log("failed" if failed else "done")

    def _log_if_due(self) -> None:
        now = self._clock()
        if now - self._logged >= self.every:
            self._logged = now
            self._log("progress")

    def _log(self, event: str) -> None:
        elapsed = self._clock() - self._started
        of = f"/{self.total}" if self.total is not None else ""
        doing = f" doing={self._step!r}" if self._step and event == "progress" else ""
        log.info(
            "event=%s step=%r done=%d%s %s%s elapsed=%.0fs",
            event,
            self.label,
            self.done,
            of,
            self.unit,
            doing,
            elapsed,
        )
