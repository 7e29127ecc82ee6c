"""Progress on long steps: where stderr is no terminal, a line at least every `every` seconds
while work goes on (told by a clock the test moves, not by waiting)."""

from __future__ import annotations

import logging

import pytest

from monitor import progress as progress_module
from monitor.progress import Progress, set_interval


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "monitor.progress"]


def test_updates_log_a_line_once_every_seconds_have_passed(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="monitor.progress")
    clock = Clock()
    progress = Progress("stories", 100, "articles", every=2.0, clock=clock)
    progress.set_step("embedding and assigning")
    progress.update(10)
    clock.now += 1.9
    progress.update(10)
    assert len(lines(caplog)) == 1  # only the step: 1.9 s is not yet 2
    clock.now += 0.1
    progress.update(10)
    assert lines(caplog)[-1] == (
        "event=progress step='stories' done=30/100 articles doing='embedding and assigning' elapsed=2s"
    )
    clock.now += 1.0
    progress.update(70)
    progress.close()
    assert lines(caplog)[-1] == "event=done step='stories' done=100/100 articles elapsed=3s"
    assert len(lines(caplog)) == 3


def test_a_beat_tells_a_long_wait_with_nothing_to_count(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="monitor.progress")
    clock = Clock()
    with Progress("loading e5-small", 3, "steps", every=2.0, clock=clock) as progress:
        progress.update()
        progress.set_step("building the int8 graph (first use only)")
        for _ in range(10):  # a build of 10 s, beating every second
            clock.now += 1.0
            progress.beat()
    building = [line for line in lines(caplog) if "event=progress" in line and "done=1/3" in line]
    assert len(building) == 5
    assert building[0].endswith("doing='building the int8 graph (first use only)' elapsed=2s")


def test_the_interval_is_set_for_the_process_and_never_negative(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "_interval", progress_module.DEFAULT_INTERVAL)
    assert Progress("x", None).every == 10.0
    set_interval(2.0)
    assert Progress("x", None).every == 2.0
    assert Progress("x", None, every=0.5).every == 0.5
    with pytest.raises(ValueError, match="-1"):
        set_interval(-1)
