"""Sending one message over SMTP (STARTTLS, TLS or plain), with the outcome in words."""

from __future__ import annotations

import smtplib
import socket
import ssl
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING

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


DEADLINE_FACTOR = 5  # the whole conversation may take this many times `timeout`


def conversation_deadline(smtp: SmtpConfig) -> float:
    """Seconds a whole SMTP conversation may take. `timeout` bounds each read only: a server
    that drips one byte a second would keep a send going for ever, and outlast the claim
    that keeps a second process from sending the same digest."""
    return smtp.timeout * DEADLINE_FACTOR


def send_message(message: EmailMessage, smtp: SmtpConfig, password: str | None) -> SendOutcome:
    """One SMTP transaction, over within conversation_deadline(); never raises for network
    or protocol trouble."""
    try:
        context = tls_client_context(smtp.ca_file) if smtp.security != "none" else None
    except (OSError, ValueError) as exc:  # the CA file changed since the config was read
        reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
        return SendOutcome(False, f"cannot use digest.smtp.ca_file {smtp.ca_file}: {reason}")
    client: smtplib.SMTP
    if smtp.security == "ssl":  # no host given: not connected yet (the deadline starts first)
        client = smtplib.SMTP_SSL(timeout=smtp.timeout, context=context)
    else:
        client = smtplib.SMTP(timeout=smtp.timeout)
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

    watchdog = threading.Timer(deadline, hang_up)
    watchdog.daemon = True
    watchdog.start()
    try:
        outcome = _converse(client, message, smtp, password, context)
    finally:
        watchdog.cancel()
    if expired.is_set() and not outcome.ok:
        return SendOutcome(
            False,
            f"SMTP server {smtp.host}:{smtp.port} did not finish within {deadline:g} s "
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
