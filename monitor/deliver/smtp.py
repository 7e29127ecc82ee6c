"""Sending one message over SMTP (STARTTLS, TLS or plain), with the outcome in words.

Once the final dot of the message has gone, the server may hold the message: a reply that
does not come is then an unknown outcome (`SendOutcome.unknown`), never a failure to retry.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from monitor.deliver.settings import SmtpConfig


def tls_client_context(ca_file: Path | None) -> ssl.SSLContext:
    """A verifying client context (certificate chain and host name) trusting `ca_file` only,
    or the system's trust store when it is None."""
    return ssl.create_default_context(cafile=str(ca_file) if ca_file is not None else None)


@dataclass(frozen=True)
class SendOutcome:
    ok: bool
    error: str | None = None
    permanent: bool = False  # retrying will not help (the server refused the recipient)
    # The final dot went and no reply told what became of the message: the server may have
    # taken it, so it must not be sent again unless a person decides so.
    unknown: bool = False


DEADLINE_FACTOR = 5  # the whole conversation may take this many times `timeout`
# RFC 5321 4.5.3.2.6: a client waits 10 minutes for the reply to the final dot (the server
# may be checking the message meanwhile). Tests pass a shorter wait to send_message.
FINAL_REPLY_WAIT = 600.0

# Called just before the final dot (from the sending thread): True to send it, False to hang
# up without it (the claim was lost, or the note that the data went could not be written).
BeforeFinalDot = Callable[[], bool]


class Sender(Protocol):
    def __call__(
        self,
        message: EmailMessage,
        smtp: SmtpConfig,
        password: str | None,
        *,
        before_final_dot: BeforeFinalDot | None = None,
    ) -> SendOutcome: ...


def conversation_deadline(smtp: SmtpConfig) -> float:
    """Seconds a whole SMTP conversation may take. `timeout` bounds each read only: a server
    that drips one byte a second would keep a send going for ever, and outlast the claim
    that keeps a second process from sending the same digest."""
    return smtp.timeout * DEADLINE_FACTOR


class _DataEnd(smtplib.SMTP):
    """smtplib's DATA, in two steps: the message, then its final dot, with a hook between
    them, a wait of its own for the reply, and a record of how far it went (`reached`)."""

    # 'before' the final dot; 'dot': sent, no reply yet; then 'accepted' (2xx) or 'refused'
    # (4xx, 5xx). Anything else in reply to the dot leaves it at 'dot'.
    reached = "before"
    before_final_dot: BeforeFinalDot | None = None
    at_final_dot: Callable[[], bool] = staticmethod(lambda: True)
    final_reply_wait = FINAL_REPLY_WAIT
    reply_timed_out = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        code, reply = self.docmd("data")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        body = msg.encode("ascii") if isinstance(msg, str) else bytes(msg)
        body = re.sub(rb"(?m)^\.", b"..", body)  # RFC 5321 4.5.2: a line's leading dot doubled
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        self.send(body)
        try:
            go = self.before_final_dot is None or self.before_final_dot()
        except Exception as exc:  # the note could not be written: as good as a no
            go, why = False, f": {exc}"
        else:
            why = ""
        if not go or not self.at_final_dot():
            # Hang up: without its final dot the server drops the message. (No QUIT: it would
            # be read as a line of the message.)
            self.close()
            raise _NotSent(f"the send was called off before the end of the message{why}")
        self.send(b".\r\n")  # raises when it could not go: the server cannot have the message
        self.reached = "dot"
        if self.sock is not None:
            self.sock.settimeout(self.final_reply_wait)
        try:
            code, reply = self.getreply()
        except smtplib.SMTPServerDisconnected as exc:
            self.reply_timed_out = "timed out" in str(exc)  # the socket's timeout, not the watchdog
            raise
        if 200 <= code < 300:
            self.reached = "accepted"
        elif 400 <= code < 600:
            self.reached = "refused"
        return code, reply


class _SslDataEnd(_DataEnd, smtplib.SMTP_SSL):
    pass


class _NotSent(smtplib.SMTPException):
    """Hung up before the final dot, on purpose."""


def send_message(
    message: EmailMessage,
    smtp: SmtpConfig,
    password: str | None,
    *,
    before_final_dot: BeforeFinalDot | None = None,
    final_reply_wait: float = FINAL_REPLY_WAIT,
) -> SendOutcome:
    """One SMTP transaction; never raises for network or protocol trouble. Up to the final
    dot it is over within conversation_deadline(); the reply to the dot then gets
    `final_reply_wait` of its own, and a missing one is an unknown outcome."""
    try:
        context = tls_client_context(smtp.ca_file) if smtp.security != "none" else None
    except (OSError, ValueError) as exc:  # the CA file changed since the config was read
        reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
        return SendOutcome(False, f"cannot use digest.smtp.ca_file {smtp.ca_file}: {reason}")
    client: _DataEnd
    if smtp.security == "ssl":  # no host given: not connected yet (the deadline starts first)
        client = _SslDataEnd(timeout=smtp.timeout, context=context)
    else:
        client = _DataEnd(timeout=smtp.timeout)
    # The name TLS checks the certificate against: smtplib sets it only when the constructor
    # connects, and connect() alone does not.
    client._host = smtp.host  # type: ignore[attr-defined]
    deadline = conversation_deadline(smtp)
    expired = threading.Event()

    def hang_up() -> None:
        """At the deadline: shut the socket, so that the read in progress ends at once."""
        expired.set()
        sock = client.sock
        if sock is not None:
            try:
                socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's, under TLS too
            except OSError:
                pass

    watchdogs = [threading.Timer(deadline, hang_up)]

    def at_final_dot() -> bool:
        """The conversation's deadline ends here (False when it has passed); the reply to the
        dot gets its own."""
        watchdogs[-1].cancel()
        if expired.is_set():
            return False
        watchdogs.append(threading.Timer(final_reply_wait, hang_up))
        watchdogs[-1].daemon = True
        watchdogs[-1].start()
        return True

    client.before_final_dot = before_final_dot
    client.at_final_dot = at_final_dot
    client.final_reply_wait = final_reply_wait
    watchdogs[0].daemon = True
    watchdogs[0].start()
    try:
        outcome = _converse(client, message, smtp, password, context)
    finally:
        watchdogs[-1].cancel()
    timed_out = expired.is_set() or client.reply_timed_out
    return judged(client.reached, outcome, timed_out, smtp, deadline, final_reply_wait)


def judged(
    reached: str, outcome: SendOutcome, expired: bool, smtp: SmtpConfig, deadline: float, reply_wait: float
) -> SendOutcome:
    """The outcome of a conversation from how far it got: before the final dot, any trouble
    is a failure (the server cannot have the message); after it and before a reply, trouble
    is an unknown outcome; a 250 to the dot is a success, whatever came after (QUIT)."""
    where = f"SMTP server {smtp.host}:{smtp.port}"
    if reached == "accepted":
        return SendOutcome(True)  # whatever came after (QUIT) changes nothing
    if reached == "dot":
        if expired:
            why = f"no reply to its end within {reply_wait:g} s"
        else:
            why = f"no usable reply to its end ({outcome.error or 'no reason given'})"
        return SendOutcome(
            False, f"{where} received the whole message, {why}: it may have been delivered", unknown=True
        )
    if expired and not outcome.ok:
        return SendOutcome(
            False,
            f"{where} did not finish within {deadline:g} s "
            f"(answering too slowly; each answer may take {smtp.timeout:g} s)",
        )
    return outcome


def _converse(
    client: smtplib.SMTP,
    message: EmailMessage,
    smtp: SmtpConfig,
    password: str | None,
    context: ssl.SSLContext | None,
) -> SendOutcome:
    sender = parseaddr(str(message["From"]))[1]
    recipient = parseaddr(str(message["To"]))[1]
    try:
        with client:
            client.connect(smtp.host, smtp.port)
            client.ehlo()
            if smtp.security == "starttls":
                client.starttls(context=context)
                client.ehlo()
            if smtp.username:
                client.login(smtp.username, password or "")
            refused = client.send_message(message, from_addr=sender, to_addrs=[recipient])
        if refused:
            code, reason = next(iter(refused.values()))
            return SendOutcome(False, f"recipient refused: {code} {_text(reason)}", permanent=code >= 500)
        return SendOutcome(True)
    except smtplib.SMTPRecipientsRefused as exc:
        code, reason = next(iter(exc.recipients.values()), (0, b""))
        return SendOutcome(False, f"recipient refused: {code} {_text(reason)}", permanent=code >= 500)
    except smtplib.SMTPAuthenticationError as exc:
        return SendOutcome(
            False,
            f"SMTP server {smtp.host}:{smtp.port} refused the login as {smtp.username}: "
            f"{exc.smtp_code} {_text(exc.smtp_error)}",
        )
    except smtplib.SMTPResponseException as exc:
        return SendOutcome(False, f"SMTP server said {exc.smtp_code} {_text(exc.smtp_error)}")
    except smtplib.SMTPServerDisconnected as exc:
        if "timed out" in str(exc):
            return SendOutcome(
                False, f"SMTP server {smtp.host}:{smtp.port} did not answer within {smtp.timeout:g} s"
            )
        return SendOutcome(False, f"SMTP server closed the connection: {exc or 'no reason given'}")
    except smtplib.SMTPException as exc:
        return SendOutcome(False, f"SMTP error: {exc}")
    except TimeoutError:
        return SendOutcome(
            False, f"SMTP server {smtp.host}:{smtp.port} did not answer within {smtp.timeout:g} s"
        )
    except ssl.SSLCertVerificationError as exc:
        trusted = (
            f"digest.smtp.ca_file {smtp.ca_file}"
            if smtp.ca_file
            else "the system's trust store (digest.smtp.ca_file names another CA to trust)"
        )
        return SendOutcome(
            False,
            f"TLS with {smtp.host}:{smtp.port} failed: the server's certificate was refused: "
            f"{(exc.verify_message or str(exc.reason)).rstrip('.')}; checked against {trusted}",
        )
    except ssl.SSLError as exc:
        return SendOutcome(False, f"TLS with {smtp.host}:{smtp.port} failed: {exc.reason or exc}")
    except OSError as exc:
        return SendOutcome(False, f"cannot reach SMTP server {smtp.host}:{smtp.port}: {exc.strerror or exc}")
    except (UnicodeError, ValueError) as exc:
        return SendOutcome(False, f"SMTP server answered garbage: {exc}")


def _text(reason: bytes | str) -> str:
    if isinstance(reason, bytes):
        reason = reason.decode("utf-8", "replace")
    return " ".join(reason.split())[:300]
