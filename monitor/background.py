"""Blocking work off the event loop, in threads that never hold up the daemon's exit."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


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
