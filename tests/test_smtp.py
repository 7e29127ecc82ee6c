"""One SMTP send (deliver/smtp.py) against a real aiosmtpd server that answers the final dot
slowly: before the dot any trouble is a failure, after it the reply gets its own wait and a
missing one is an unknown outcome, never a failure to retry (issue 23)."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from monitor.deliver.settings import SmtpConfig
from monitor.deliver.smtp import conversation_deadline, send_message

from .slowsmtp import SlowReplies, SlowSmtp


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "monitor <digest@monitor.example>"
    mail["To"] = "reader@example.org"
    mail["Subject"] = "News digest"
    mail["Message-ID"] = "<digest.test@monitor.example>"
    mail.set_content("Line one.\n.a line that starts with a dot\nThe end.\n")
    return mail


def smtp_for(server: SlowSmtp, timeout: float = 2.0) -> SmtpConfig:
    return SmtpConfig(host="127.0.0.1", port=server.port, security="none", timeout=timeout)


def test_a_reply_dripped_past_the_conversation_deadline_is_waited_for() -> None:
    """The issue's server, scaled down: the reply to the final dot comes one byte every 0.1 s
    (each read well within `timeout`), 3 s in all, past the conversation's 2 s deadline."""
    with SlowSmtp(SlowReplies(interval=0.1)) as server:
        smtp = smtp_for(server, timeout=0.4)
        assert conversation_deadline(smtp) == 2.0 and len(server.handler.reply) * 0.1 > 2.0
        outcome = send_message(message(), smtp, None)
        assert outcome.ok and not outcome.unknown, outcome
        ((_envelope, got),) = server.messages
        assert ".a line that starts with a dot" in got.get_content()  # the leading dot undoubled


def test_no_reply_within_the_wait_is_an_unknown_outcome() -> None:
    with SlowSmtp(SlowReplies(hold={"reader@example.org"})) as server:
        outcome = send_message(message(), smtp_for(server), None, final_reply_wait=0.5)
        assert not outcome.ok and outcome.unknown and not outcome.permanent
        assert outcome.error is not None and "no reply to its end within 0.5 s" in outcome.error
        assert "may have been delivered" in outcome.error and str(server.port) in outcome.error
        assert len(server.messages) == 1  # the server has it


@pytest.mark.parametrize(
    ("handler", "words"),
    [
        (SlowReplies(hang_up=True), "no usable reply to its end"),
        (SlowReplies(reply="xyz what"), "no usable reply to its end"),
    ],
)
def test_a_hang_up_or_garbage_after_the_final_dot_is_an_unknown_outcome(
    handler: SlowReplies, words: str
) -> None:
    with SlowSmtp(handler) as server:
        outcome = send_message(message(), smtp_for(server), None)
        assert outcome.unknown and not outcome.ok and words in (outcome.error or ""), outcome
        assert len(server.messages) == 1


@pytest.mark.parametrize("reply", ["451 4.3.0 try again later", "554 5.6.0 message refused"])
def test_a_refusal_of_the_final_dot_is_a_failure_not_an_unknown(reply: str) -> None:
    with SlowSmtp(SlowReplies(reply=reply)) as server:
        outcome = send_message(message(), smtp_for(server), None)
        assert not outcome.ok and not outcome.unknown
        assert outcome.error is not None and reply.split()[0] in outcome.error


def test_trouble_after_the_250_does_not_undo_the_send() -> None:
    """A 250 to the final dot, then an odd answer to QUIT: sent (it used to be a retry)."""
    with SlowSmtp(SlowReplies(quit_reply="500 5.5.1 what?")) as server:
        outcome = send_message(message(), smtp_for(server), None)
        assert outcome.ok, outcome


def test_a_send_called_off_before_the_final_dot_leaves_nothing_at_the_server() -> None:
    with SlowSmtp() as server:
        calls: list[int] = []

        def refuse() -> bool:
            calls.append(1)
            return False

        outcome = send_message(message(), smtp_for(server), None, before_final_dot=refuse)
        assert calls == [1] and not outcome.ok and not outcome.unknown
        assert "called off before the end of the message" in (outcome.error or "")
        assert server.messages == []  # without its final dot the message was dropped
        assert send_message(message(), smtp_for(server), None, before_final_dot=lambda: True).ok
        assert len(server.messages) == 1


def test_a_note_that_cannot_be_written_calls_the_send_off() -> None:
    """The store fails just before the final dot: no dot, no message, a failure to retry."""
    with SlowSmtp() as server:

        def broken() -> bool:
            raise OSError("database is locked")

        outcome = send_message(message(), smtp_for(server), None, before_final_dot=broken)
        assert not outcome.ok and not outcome.unknown
        assert "called off before the end of the message: database is locked" in (outcome.error or "")
        assert server.messages == []
