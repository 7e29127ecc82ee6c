"""A real SMTP server (aiosmtpd) on 127.0.0.1 that takes each message at its final dot and
then answers it slowly: one byte at a time, not at all until released, or by hanging up."""

from __future__ import annotations

import asyncio
import email
import threading
from dataclasses import dataclass, field
from email.message import Message
from email.policy import default as default_policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from .conftest import free_port


@dataclass
class SlowReplies:
    """An aiosmtpd handler: keeps each message (the server has it from its final dot on),
    then replies `reply` one byte every `interval` seconds; for a recipient in `hold`, only
    once `released` is set; with `hang_up`, never (the connection is closed instead)."""

    reply: str = "250 2.0.0 Ok: queued as 4F2A9C"
    interval: float = 0.0
    hold: set[str] = field(default_factory=set)
    hang_up: bool = False
    quit_reply: str | None = None  # what QUIT gets instead of 221
    released: threading.Event = field(default_factory=threading.Event)
    messages: list[tuple[Envelope, Message]] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.messages.append((envelope, email.message_from_bytes(content, policy=default_policy)))
        if self.hang_up:
            assert server.transport is not None
            server.transport.close()
            return "421 never read"
        while set(envelope.rcpt_tos) & self.hold and not self.released.is_set():
            await asyncio.sleep(0.02)
        writer = server._writer  # aiosmtpd's own: the reply goes out byte by byte
        for byte in self.reply.encode():
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(self.interval)
        return ""  # aiosmtpd ends the line: CRLF

    async def handle_QUIT(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        return self.quit_reply or "221 Bye"


class SlowSmtp:
    def __init__(self, handler: SlowReplies | None = None, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = handler or SlowReplies()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[tuple[Envelope, Message]]:
        return self.handler.messages

    def __enter__(self) -> SlowSmtp:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.handler.released.set()
        self.controller.stop()
