"""The digest over TLS: STARTTLS and implicit TLS (`security: ssl`) with SMTP AUTH, against
a real aiosmtpd server that the test starts with a certificate it makes at run time (a
throw-away CA and server certificates, from the `openssl` command line)."""

from __future__ import annotations

import base64
import email
import logging
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from monitor.config import Config, load_config
from monitor.deliver.digest import run_due_digests
from monitor.deliver.settings import SmtpConfig, load_digest_config
from monitor.deliver.smtp import send_message
from monitor.errors import ConfigError
from monitor.store import Store

from .conftest import free_port

DAY = date(2026, 3, 9)  # its digest is due the next day
DUE = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)  # digest time 07:00 UTC
USER = "digest-user"
PASSWORD = "Tr0ub4dor&3 horse-staple"  # a test password, for the test server only
PASSWORD_ENV = "MONITOR_TEST_SMTP_PASSWORD"
ENVIRON = {PASSWORD_ENV: PASSWORD}

# aiosmtpd counts only STARTTLS as TLS; with `ssl_context` the session is TLS all along.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

# --- certificates made at run time -------------------------------------------------

OPENSSL_CONFIG = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = monitor test CA
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
subjectAltName = $ENV::SAN
"""


@dataclass(frozen=True)
class Certificates:
    ca: Path  # the CA certificate: what a client given ca_file trusts
    server: tuple[Path, Path]  # (certificate, key) for 127.0.0.1, signed by the CA
    wrong_host: tuple[Path, Path]  # (certificate, key) for mail.example.org, signed by the CA


def openssl(directory: Path, *args: str, san: str = "") -> None:
    subprocess.run(
        ["openssl", *args],
        cwd=directory,
        check=True,
        capture_output=True,
        env={"SAN": san or "DNS:unused.invalid", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command line is needed to make the test certificates")
    d = tmp_path_factory.mktemp("certs")
    (d / "openssl.cnf").write_text(OPENSSL_CONFIG, encoding="ascii")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl(d, "req", "-x509", "-config", "openssl.cnf", "-extensions", "ca", *ec,
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2")  # fmt: skip

    def server_cert(name: str, cn: str, san: str) -> tuple[Path, Path]:
        openssl(d, "req", "-new", "-config", "openssl.cnf", *ec, "-subj", f"/CN={cn}",
                "-keyout", f"{name}.key", "-out", f"{name}.csr")  # fmt: skip
        openssl(d, "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "2", "-extfile", "openssl.cnf", "-extensions", "server",
                "-out", f"{name}.pem", san=san)  # fmt: skip
        return d / f"{name}.pem", d / f"{name}.key"

    return Certificates(
        ca=d / "ca.pem",
        server=server_cert("server", "127.0.0.1", "IP:127.0.0.1, DNS:localhost"),
        wrong_host=server_cert("wrong-host", "mail.example.org", "DNS:mail.example.org"),
    )


# --- a real SMTP server with TLS and AUTH -------------------------------------------



def tls_version(server: SMTP) -> str | None:
    """The TLS version of the server's side of the connection; None when in the clear."""
    transport: Any = server.transport
    ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
    return str(ssl_object.version()) if ssl_object is not None else None


@dataclass
class TlsMailbox:
    """Handler and authenticator: keeps each login tried and each message, with the TLS
    version the server saw at that moment."""

    echo_password: bool = False  # a careless server that quotes the password in its refusal
    logins: list[tuple[str, str, str | None]] = field(default_factory=list)
    messages: list[tuple[str | None, Message]] = field(default_factory=list)

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password, tls_version(server)))
        if (login, password) == (USER, PASSWORD):
            return AuthResult(success=True)
        if self.echo_password:
            return AuthResult(success=False, handled=False, message=f"535 5.7.8 bad password {password}")
        return AuthResult(success=False, handled=False)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.messages.append((tls_version(server), email.message_from_bytes(content, policy=default_policy)))
        return "250 Message accepted for delivery"


class TlsSmtpServer:
    """aiosmtpd on 127.0.0.1: STARTTLS required ('starttls'), TLS from the first byte
    ('ssl'), or no TLS at all ('none'); AUTH required before mail unless in the clear."""

    def __init__(
        self, mode: str, cert: tuple[Path, Path] | None, *, echo_password: bool = False, port: int = 0
    ) -> None:
        self.port = port or free_port()
        self.mailbox = TlsMailbox(echo_password=echo_password)
        kwargs: dict[str, Any] = {}
        if mode != "none":
            assert cert is not None
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*cert)
            kwargs["authenticator"] = self.mailbox.authenticate
            kwargs["auth_required"] = True
            if mode == "starttls":
                kwargs.update(tls_context=context, require_starttls=True, auth_require_tls=True)
            else:
                # aiosmtpd counts only STARTTLS as TLS for auth_require_tls: on a socket
                # that is TLS from the start, AUTH is offered only with the check off.
                kwargs.update(ssl_context=context, auth_require_tls=False)
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> TlsSmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


# --- configuration and store --------------------------------------------------------


def config_text(port: int, security: str, *, ca_file: str | None = "certs/ca.pem", auth: bool = True) -> str:
    return (
        "settings:\n  database: monitor.db\nfeeds: []\n"
        "digest:\n"
        '  time: "07:00"\n'
        "  timezone: UTC\n"
        '  from: "monitor <digest@monitor.example>"\n'
        "  recipients:\n"
        "    - reader@example.org\n"
        "  smtp:\n"
        "    host: 127.0.0.1\n"
        f"    port: {port}\n"
        f"    security: {security}\n"
        "    timeout: 5\n"
        + (f"    username: {USER}\n    password_env: {PASSWORD_ENV}\n" if auth else "")
        + (f"    ca_file: {ca_file}\n" if ca_file is not None else "")
    )


def write(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


@pytest.fixture
def store(tmp_path: Path, certs: Certificates) -> Iterator[Store]:
    # The CA file sits beside the config, named by a relative path.
    (tmp_path / "certs").mkdir()
    shutil.copy(certs.ca, tmp_path / "certs" / "ca.pem")
    s = Store.open(tmp_path / "monitor.db")
    yield s
    s.close()


def the_row(store: Store) -> dict[str, Any]:
    row = store.digest_row(DAY, "reader@example.org")
    assert row is not None
    return row


def our_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The log records of monitor, without those of the test server (aiosmtpd's 'mail.log')."""
    return [r for r in caplog.records if not r.name.startswith("mail.log")]


def our_log(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() + (r.exc_text or "") for r in our_records(caplog))


def assert_no_password_kept(tmp_path: Path, store: Store, caplog: pytest.LogCaptureFixture) -> None:
    """Neither the password nor the AUTH PLAIN blob that carries it is in our logs, in the
    digests table, or anywhere in the database files (WAL included)."""
    plain_blob = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    secrets = (PASSWORD, plain_blob)
    ours = our_records(caplog)
    assert any(r.name.startswith("monitor") for r in ours)  # the check sees our log lines
    for record in ours:
        assert not any(s in record.getMessage() for s in secrets), record.getMessage()
    for row in store.query("SELECT * FROM digests"):
        assert not any(s in str(value) for value in row.values() for s in secrets)
    store.db.execute("PRAGMA wal_checkpoint(FULL)")
    for file in tmp_path.glob("monitor.db*"):
        data = file.read_bytes()
        assert not any(s.encode() in data for s in secrets), file


@pytest.fixture(autouse=True)
def debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)


# --- sending ------------------------------------------------------------------------


def test_starttls_with_auth_sends_over_an_encrypted_session(
    tmp_path: Path, store: Store, certs: Certificates, caplog: pytest.LogCaptureFixture
) -> None:
    with TlsSmtpServer("starttls", certs.server) as server:
        config = write(tmp_path, config_text(server.port, "starttls"))
        notes = run_due_digests(store, config, DUE, environ=ENVIRON)
    assert notes == [f"{DAY} reader@example.org: sent"]
    [(login, password, tls_at_login)] = server.mailbox.logins
    assert (login, password) == (USER, PASSWORD)
    assert tls_at_login is not None and tls_at_login.startswith("TLSv1.")
    [(tls_at_data, message)] = server.mailbox.messages
    assert tls_at_data is not None and tls_at_data.startswith("TLSv1.")
    assert message["To"] == "reader@example.org" and message["Subject"]
    row = the_row(store)
    assert (row["state"], row["attempts"], row["last_error"]) == ("sent", 1, None)
    assert_no_password_kept(tmp_path, store, caplog)


def test_ssl_mode_with_auth_sends_over_tls_from_the_first_byte(
    tmp_path: Path, store: Store, certs: Certificates, caplog: pytest.LogCaptureFixture
) -> None:
    with TlsSmtpServer("ssl", certs.server) as server:
        config = write(tmp_path, config_text(server.port, "ssl"))
        notes = run_due_digests(store, config, DUE, environ=ENVIRON)
    assert notes == [f"{DAY} reader@example.org: sent"]
    assert [(u, p) for u, p, _tls in server.mailbox.logins] == [(USER, PASSWORD)]
    assert all(tls is not None for _u, _p, tls in server.mailbox.logins)
    [(tls_at_data, _message)] = server.mailbox.messages
    assert tls_at_data is not None and tls_at_data.startswith("TLSv1.")
    assert the_row(store)["state"] == "sent"
    assert_no_password_kept(tmp_path, store, caplog)


@pytest.mark.parametrize("security", ["starttls", "ssl"])
@pytest.mark.parametrize(
    ("which_cert", "ca_file", "words"),
    [
        # No ca_file: the system's trust store does not know the test CA.
        ("server", None, "checked against the system's trust store"),
        # The CA is trusted, but the certificate names another host.
        ("wrong_host", "certs/ca.pem", "mismatch, certificate is not valid for '127.0.0.1'; checked"),
    ],
)
def test_a_certificate_not_trusted_is_a_recorded_error_retried_later(
    tmp_path: Path,
    store: Store,
    certs: Certificates,
    caplog: pytest.LogCaptureFixture,
    security: str,
    which_cert: str,
    ca_file: str | None,
    words: str,
) -> None:
    cert = certs.server if which_cert == "server" else certs.wrong_host
    port = free_port()
    with TlsSmtpServer(security, cert, port=port) as server:
        config = write(tmp_path, config_text(port, security, ca_file=ca_file))
        notes = run_due_digests(store, config, DUE, environ=ENVIRON)
        assert server.mailbox.logins == [] and server.mailbox.messages == []  # nothing said in the open
    [note] = notes
    assert "not sent, retry at 2026-03-10 07:01 UTC" in note
    row = the_row(store)
    assert (row["state"], row["attempts"], row["next_attempt_at"]) == ("pending", 1, "2026-03-10T07:01:00Z")
    error = row["last_error"]
    assert error.startswith(f"TLS with 127.0.0.1:{port} failed: the server's certificate was refused: ")
    assert words in error and "Traceback" not in error and "\n" not in error
    assert "Traceback" not in our_log(caplog) and not any(r.exc_info for r in our_records(caplog))
    assert any("event=digest_send_error" in r.getMessage() for r in caplog.records)

    # Not before its retry time; then, with the right certificate and CA, it goes out.
    with TlsSmtpServer(security, certs.server, port=port) as server:
        config = write(tmp_path, config_text(port, security))
        assert run_due_digests(store, config, DUE + timedelta(seconds=30), environ=ENVIRON) == []
        assert server.mailbox.messages == []
        notes = run_due_digests(store, config, DUE + timedelta(minutes=1), environ=ENVIRON)
    assert notes == [f"{DAY} reader@example.org: sent"] and len(server.mailbox.messages) == 1
    row = the_row(store)
    assert (row["state"], row["attempts"]) == ("sent", 2)
    assert_no_password_kept(tmp_path, store, caplog)


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_a_wrong_password_is_a_clear_recorded_error(
    tmp_path: Path, store: Store, certs: Certificates, caplog: pytest.LogCaptureFixture, security: str
) -> None:
    wrong = {PASSWORD_ENV: "not-the-password"}
    with TlsSmtpServer(security, certs.server) as server:
        config = write(tmp_path, config_text(server.port, security))
        [note] = run_due_digests(store, config, DUE, environ=wrong)
    assert server.mailbox.logins and all(p == "not-the-password" for _u, p, _t in server.mailbox.logins)
    assert server.mailbox.messages == []
    row = the_row(store)
    assert (row["state"], row["attempts"]) == ("pending", 1)  # retried: the password may be fixed
    assert row["last_error"] == (
        f"SMTP server 127.0.0.1:{server.port} refused the login as {USER}: "
        "535 5.7.8 Authentication credentials invalid"
    )
    assert row["last_error"] in note and "Traceback" not in our_log(caplog)


def test_a_server_that_echoes_the_password_does_not_get_it_recorded(
    tmp_path: Path, store: Store, certs: Certificates, caplog: pytest.LogCaptureFixture
) -> None:
    """The server's refusal quotes the password it got: the recorded error hides it."""
    with TlsSmtpServer("starttls", certs.server, echo_password=True) as server:
        # Accepts only PASSWORD; gets PASSWORD + "x", and says so in its 535 reply.
        config = write(tmp_path, config_text(server.port, "starttls"))
        run_due_digests(store, config, DUE, environ={PASSWORD_ENV: PASSWORD + "x"})
    assert server.mailbox.logins[0][1] == PASSWORD + "x"
    error = the_row(store)["last_error"]
    assert error.endswith("535 5.7.8 bad password ********")
    assert PASSWORD not in our_log(caplog) and "bad password ********" in our_log(caplog)


def test_starttls_is_never_skipped_when_the_server_does_not_offer_it(
    tmp_path: Path, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """A server (or a man in the middle) that hides STARTTLS gets neither mail nor password."""
    with TlsSmtpServer("none", None) as server:
        config = write(tmp_path, config_text(server.port, "starttls"))
        run_due_digests(store, config, DUE, environ=ENVIRON)
    assert server.mailbox.logins == [] and server.mailbox.messages == []
    row = the_row(store)
    assert row["state"] == "pending" and "STARTTLS extension not supported" in row["last_error"]
    assert_no_password_kept(tmp_path, store, caplog)


# --- configuration ------------------------------------------------------------------


def test_ca_file_is_read_relative_to_the_config(tmp_path: Path, store: Store) -> None:
    cfg = load_digest_config(write(tmp_path, config_text(2525, "starttls")))
    assert cfg is not None and cfg.smtp.ca_file == (tmp_path / "certs" / "ca.pem").resolve()
    cfg = load_digest_config(write(tmp_path, config_text(2525, "ssl", ca_file=None)))
    assert cfg is not None and cfg.smtp.ca_file is None  # the system's trust store


@pytest.mark.parametrize(
    ("ca_file", "words"),
    [
        ("certs/missing.pem", "missing.pem"),
        ("feeds.yaml", "holds no usable PEM certificate"),
        ("[a, b]", "must be the path of a PEM file"),
        ('""', "must be the path of a PEM file"),
    ],
)
def test_a_bad_ca_file_is_a_config_error_with_its_line(
    tmp_path: Path, store: Store, ca_file: str, words: str
) -> None:
    config = write(tmp_path, config_text(2525, "starttls", ca_file=ca_file))
    with pytest.raises(ConfigError) as caught:
        load_digest_config(config)
    assert caught.value.line == 17, str(caught.value)
    assert caught.value.message.startswith("digest.smtp.ca_file: ") and words in caught.value.message


def test_a_ca_file_gone_since_the_config_was_read_is_a_clear_outcome(tmp_path: Path) -> None:
    message = EmailMessage()
    message["From"], message["To"] = "digest@monitor.example", "reader@example.org"
    gone = tmp_path / "gone.pem"
    smtp = SmtpConfig(host="127.0.0.1", port=free_port(), security="starttls", ca_file=gone)
    outcome = send_message(message, smtp, PASSWORD)
    assert not outcome.ok and not outcome.permanent
    assert outcome.error == f"cannot use digest.smtp.ca_file {gone}: No such file or directory"
