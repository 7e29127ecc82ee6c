"""Running a blocking mail send from the event loop without waiting on its final reply.

RFC 5321 (4.5.3.2.6) gives a server 10 minutes to answer the final dot of a message. The
daemon must not stand still that long: the send runs in a daemon thread; once its final dot
has been noted in the store (`mark`, on the event loop), the caller goes on with its next
delivery, and the outcome is recorded when it comes (`late`, on the event loop). A stopping
daemon gives the replies still awaited (`awaiting`) its grace, as it gives its other work in
hand; a thread still waiting after that is left behind: its row stays past its final dot,
which is never sent again, and becomes 'unknown' once the wait is over.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from monitor.deliver.smtp import BeforeFinalDot, SendOutcome

log = logging.getLogger("monitor.deliver")

MARK_WAIT = 60.0  # seconds the sending thread waits for the event loop to note its final dot

Send = Callable[[BeforeFinalDot], SendOutcome]
# (send, mark, late) -> the outcome, or None when the reply is awaited in the background.
MailRunner = Callable[
    [Send, Callable[[], bool], Callable[[SendOutcome], None]], Awaitable[SendOutcome | None]
]


async def inline(send: Send, mark: Callable[[], bool], late: Callable[[SendOutcome], None]) -> SendOutcome:
    """Send in this thread and wait for the whole outcome (`monitor poll`, the CLI)."""
    return send(mark)


async def in_background(
    send: Send,
    mark: Callable[[], bool],
    late: Callable[[SendOutcome], None],
    name: str = "smtp",
    awaiting: set[asyncio.Future[Any]] | None = None,
) -> SendOutcome | None:
    """Send in a daemon thread; the outcome when it ends before the final dot goes, else None
    (the final dot was noted, `late` gets the outcome when the reply comes, and the reply is
    in `awaiting` until then)."""
    loop = asyncio.get_running_loop()
    sending: asyncio.Future[SendOutcome] = loop.create_future()
    dot = asyncio.Event()
    abandoned = threading.Event()

    async def note_dot() -> bool:
        if abandoned.is_set():
            return False
        noted = mark()
        if noted:
            dot.set()
        return noted

    def before_final_dot() -> bool:  # in the sending thread
        try:
            return asyncio.run_coroutine_threadsafe(note_dot(), loop).result(MARK_WAIT)
        except Exception:  # the loop is gone or busy, or the store failed: no final dot
            abandoned.set()
            return False

    def settle(outcome: SendOutcome) -> None:
        if not sending.done():
            sending.set_result(outcome)

    def run() -> None:
        try:
            outcome = send(before_final_dot)
        except Exception as exc:  # a bug guard: send_message reports trouble as an outcome
            outcome = SendOutcome(False, f"{type(exc).__name__}: {exc}", unknown=dot.is_set())
        try:
            loop.call_soon_threadsafe(settle, outcome)
        except RuntimeError:
            pass  # the loop is gone: the daemon stopped meanwhile

    threading.Thread(target=run, name=name, daemon=True).start()
    noted: asyncio.Future[bool] = asyncio.ensure_future(dot.wait())
    try:
        waiters: list[asyncio.Future[Any]] = [sending, noted]
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        sending.add_done_callback(lambda done: _record_late(done, late))
        raise
    finally:
        noted.cancel()
    if sending.done():
        return sending.result()
    sending.add_done_callback(lambda done: _record_late(done, late))
    if awaiting is not None:
        awaiting.add(sending)
        sending.add_done_callback(awaiting.discard)
    return None


def _record_late(done: asyncio.Future[SendOutcome], late: Callable[[SendOutcome], None]) -> None:
    try:
        late(done.result())
    except Exception:  # the store closed under it (the daemon stopping): the row settles later
        log.exception("event=mail_outcome_not_recorded")
