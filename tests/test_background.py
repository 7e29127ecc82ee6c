"""background.py: blocking work off the event loop, in daemon threads."""

from __future__ import annotations

import asyncio
import threading

import pytest

from monitor.background import DaemonThreads


def test_work_in_turn_reuses_one_thread_and_errors_reach_the_caller() -> None:
    threads = DaemonThreads("test")

    async def main() -> list[str]:
        names = [
            await threads.run(lambda: threading.current_thread().name + str(threading.get_ident()))
            for _ in range(20)
        ]
        with pytest.raises(ZeroDivisionError):
            await threads.run(lambda: 1 // 0)
        names.append(await threads.run(lambda: threading.current_thread().name + str(threading.get_ident())))
        return names

    names = asyncio.run(main())
    assert len(set(names)) == 1 and names[0].startswith("test")


def test_a_stuck_task_never_holds_up_the_others() -> None:
    threads = DaemonThreads("test")
    release = threading.Event()

    async def main() -> list[int]:
        stuck = asyncio.ensure_future(threads.run(lambda: release.wait(60)))
        await asyncio.sleep(0)  # the stuck one has its thread
        done = [await threads.run(lambda n=n: n) for n in range(5)]
        assert not stuck.done()
        release.set()
        assert await stuck is True
        return done

    assert asyncio.run(main()) == [0, 1, 2, 3, 4]
