"""Blocking work off the event loop, in threads that never hold up the daemon's exit."""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[[], Any]]


async def in_daemon_thread(work: Callable[[], T], name: str) -> T:
    """Run `work` in a daemon thread and await its result.

    Unlike asyncio.to_thread, whose executor is joined at exit, a thread still busy when the
    daemon stops (a send to a hanging SMTP server, a batch of embeddings) is left behind:
    whatever it had not committed is rolled back and done again at the next start.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def run() -> None:
        result: T | None = None
        error: BaseException | None = None
        try:
            result = work()
        except BaseException as exc:  # handed to the awaiting coroutine
            error = exc
        try:
            loop.call_soon_threadsafe(settle, result, error)
        except RuntimeError:
            pass  # the loop is gone: the daemon stopped meanwhile

    threading.Thread(target=run, name=name, daemon=True).start()
    return await future


class DaemonThreads:
    """Daemon threads that run blocking work and then wait for more (a minute at most).

    A thread per call (in_daemon_thread) cost a cold poll a thread's start and its hand-over
    per feed parsed: 14 % of the event loop's samples. Here a new thread starts only when all
    are busy, so one stuck task still holds its own thread, never the others' work.
    """

    IDLE_SECONDS = 60.0

    def __init__(self, name: str) -> None:
        self.name = name
        self._queue: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0  # threads waiting for work and not yet promised to a call

    async def run(self, work: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            if self._idle:
                self._idle -= 1
                start = False
            else:
                start = True
        self._queue.put((loop, future, work))
        if start:
            threading.Thread(target=self._serve, name=self.name, daemon=True).start()
        return await future

    def _serve(self) -> None:
        while True:
            try:
                loop, future, work = self._queue.get(timeout=self.IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._idle:  # not promised meanwhile: this thread ends
                        self._idle -= 1
                        return
                continue
            result: Any = None
            error: BaseException | None = None
            try:
                result = work()
            except BaseException as exc:  # handed to the awaiting coroutine
                error = exc
            del work  # its inputs (a fetched body) are let go before the caller hears back
            with self._lock:  # free before the caller hears back: its next call finds this thread
                self._idle += 1
            try:
                loop.call_soon_threadsafe(_settle, future, result, error)
            except RuntimeError:
                pass  # the loop is gone: the daemon stopped meanwhile
            del loop, future, result, error


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
