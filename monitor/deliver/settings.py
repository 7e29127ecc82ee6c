"""The `digest:` section of feeds.yaml: recipients and SMTP, checked with file and line in
its errors; the SMTP password from the environment or a file, never from feeds.yaml.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ruamel.yaml.comments import CommentedSeq

from monitor.config import Config, normalize_language, shown, zone_exists
from monitor.config import item_line as _item_line
from monitor.config import line_of as _line
from monitor.deliver.smtp import tls_client_context
from monitor.entities.countries import CountryCodeError, country_codes
from monitor.errors import ConfigError, MonitorError

DIGEST_KEYS = frozenset(
    {
        "time",
        "timezone",
        "from",
        "recipients",
        "max_stories",
        "smtp",
        "when_empty",
        "subject",
        "base_url",
        "versions",
    }
)


RECIPIENT_KEYS = frozenset({"address", "languages", "tags", "countries"})


SMTP_KEYS = frozenset(
    {"host", "port", "security", "username", "password_env", "password_file", "timeout", "ca_file"}
)


SECURITY_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class DigestError(MonitorError):
    """A digest could not be built or sent."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str = "localhost"
    port: int = 587
    security: str = "starttls"  # 'starttls', 'ssl' or 'none'
    username: str | None = None
    password_env: str | None = None  # the name of an environment variable, never the password
    password_file: Path | None = None
    timeout: float = 30.0
    ca_file: Path | None = None  # PEM CA certificates to trust instead of the system's trust store


@dataclass(frozen=True)
class Recipient:
    address: str
    languages: tuple[str, ...] = ()  # preferred headline languages, in order
    tags: tuple[str, ...] = ()  # only stories with an article from feeds of these tags
    countries: tuple[str, ...] = ()  # only stories about one of these (ISO 3166-1 alpha-2)


@dataclass(frozen=True)
class DigestConfig:
    send_time: time = time(7, 0)
    timezone: str = "UTC"
    sender: str = "monitor <monitor@localhost>"
    recipients: tuple[Recipient, ...] = ()
    max_stories: int = 15
    when_empty: str = "send"  # 'send' a short digest that says so, or 'skip'
    subject: str = "News digest"
    base_url: str | None = None  # where `monitor serve` is reached: each story links to its page
    versions: str = "preferred"  # one link per story and "+N more"; or 'all': every version
    smtp: SmtpConfig = field(default_factory=SmtpConfig)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


_ADDRESS_RE = re.compile(
    r"^[^@\s<>()\[\],;:\"\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*$"
)


_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def address_problem(text: str) -> str | None:
    """None when `text` is one plain e-mail address (local@domain); else the reason."""
    if not isinstance(text, str) or not text.strip():
        return "an empty address"
    if any(ord(c) < 32 for c in text):
        return f"{text!r} holds control characters"
    if not _ADDRESS_RE.match(text.strip()):
        return f"{text!r} is not an e-mail address (like name@example.org)"
    return None


def _words(value: Any) -> list[str] | None:
    items = [value] if isinstance(value, (str, int)) else value
    if not isinstance(items, list) or not all(isinstance(i, (str, int)) and str(i).strip() for i in items):
        return None
    return [str(i).strip() for i in items]


def _base_url(value: object, fail: Any) -> str:
    """`digest.base_url`: an http(s) address with a host and nothing after the path."""
    if not isinstance(value, str) or not value.strip():
        raise fail("base_url", 'must be the web pages\' address, like "https://news.example.org"')
    text = value.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or any(ord(c) <= 32 or c in "\"'<>\\`" for c in text)
    ):
        raise fail(
            "base_url",
            f"bad address {text[:80]!r}: use http(s)://host[:port][/path], like https://news.example.org",
        )
    return text.rstrip("/")


def load_digest_config(config: Config) -> DigestConfig | None:
    """Validate the raw `digest:` section of feeds.yaml; None when there is none."""
    node = config.sections.get("digest")
    if node is None:
        return None
    return parse_digest_section(
        node,
        str(config.path),
        default_languages=config.settings.languages,
        default_timezone=config.settings.timezone,
    )


def parse_digest_section(
    node: Any, path: str, *, default_languages: tuple[str, ...] = (), default_timezone: str = "UTC"
) -> DigestConfig:
    """The `digest:` mapping -> DigestConfig; ConfigError(path, line, message) when unusable."""
    if not isinstance(node, Mapping):
        raise ConfigError(
            path, getattr(getattr(node, "lc", None), "line", None), "'digest' must be a mapping"
        )

    def fail(key: str, message: str, where: Any = node) -> ConfigError:
        return ConfigError(path, _line(where, key), f"digest.{key}: {message}")

    values: dict[str, Any] = {"timezone": default_timezone}
    for key, value in node.items():
        if key not in DIGEST_KEYS:
            raise fail(str(key), f"unknown key (expected one of: {', '.join(sorted(DIGEST_KEYS))})")
        if key == "time":
            match = _TIME_RE.match(str(value).strip()) if isinstance(value, (str, int)) else None
            if not match:
                raise fail(key, f'bad time {shown(value)}: use HH:MM in 24-hour form, like "07:00"')
            values["send_time"] = time(int(match.group(1)), int(match.group(2)))
        elif key == "timezone":
            if not isinstance(value, str) or not zone_exists(value):
                raise fail(key, f"unknown time zone {shown(value)} (e.g. UTC, Europe/Paris)")
            values["timezone"] = value
        elif key == "from":
            if not isinstance(value, str):
                raise fail(key, 'must be an address, like "monitor <news@example.org>"')
            _name, addr = parseaddr(value)
            problem = address_problem(addr) if addr else address_problem(value)
            if problem:
                raise fail(key, problem)
            values["sender"] = value.strip()
        elif key == "subject":
            if not isinstance(value, str) or not value.strip() or "\n" in value:
                raise fail(key, "must be one line of text")
            values["subject"] = value.strip()
        elif key == "base_url":
            values["base_url"] = _base_url(value, fail)
        elif key == "max_stories":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 200:
                raise fail(key, "must be a whole number from 1 to 200")
            values["max_stories"] = value
        elif key == "when_empty":
            if value not in ("send", "skip"):
                raise fail(key, "must be 'send' (a short digest that says so) or 'skip'")
            values["when_empty"] = value
        elif key == "versions":
            if value not in ("preferred", "all"):
                raise fail(key, "must be 'preferred' (the reader's languages, the others counted) or 'all'")
            values["versions"] = value
        elif key == "recipients":
            values["recipients"] = _recipients(path, node, value, default_languages)
        elif key == "smtp":
            values["smtp"] = _smtp(path, node, value)
    return DigestConfig(**values)


def _recipients(
    path: str, parent: Any, value: Any, default_languages: tuple[str, ...]
) -> tuple[Recipient, ...]:
    if not isinstance(value, (list, CommentedSeq)):
        raise ConfigError(path, _line(parent, "recipients"), "digest.recipients: must be a list of addresses")
    recipients: list[Recipient] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        line = _item_line(value, index) or _line(parent, "recipients")
        if isinstance(item, str):
            item = {"address": item}
        if not isinstance(item, Mapping):
            raise ConfigError(path, line, "digest.recipients: each is an address or a mapping with 'address'")
        for key in item:
            if key not in RECIPIENT_KEYS:
                raise ConfigError(
                    path,
                    _line(item, key) or line,
                    f"digest.recipients: unknown key {shown(key)} "
                    f"(expected one of: {', '.join(sorted(RECIPIENT_KEYS))})",
                )
        address = item.get("address")
        problem = address_problem(address) if isinstance(address, str) else "a recipient without an 'address'"
        if problem:
            raise ConfigError(path, _line(item, "address") or line, f"digest.recipients: {problem}")
        address = str(address).strip()
        if address.lower() in seen:
            raise ConfigError(path, line, f"digest.recipients: {address} is listed twice")
        seen.add(address.lower())
        languages: tuple[str, ...] = default_languages
        if item.get("languages") is not None:
            codes = _words(item["languages"])
            normalized = [normalize_language(c) for c in codes] if codes is not None else [None]
            if not normalized or any(n is None for n in normalized):
                raise ConfigError(
                    path,
                    _line(item, "languages") or line,
                    "digest.recipients: languages must be a list of language codes, like [fr, en]",
                )
            languages = tuple(str(n) for n in normalized)
        tags: tuple[str, ...] = ()
        if item.get("tags") is not None:
            words = _words(item["tags"])
            if words is None:
                raise ConfigError(
                    path, _line(item, "tags") or line, "digest.recipients: tags must be a list of words"
                )
            tags = tuple(words)
        countries: tuple[str, ...] = ()
        if item.get("countries") is not None:
            codes = _words(item["countries"])
            where = _line(item, "countries") or line
            if not codes:
                raise ConfigError(
                    path, where, "digest.recipients: countries must be a list of country codes, like [UA, PL]"
                )
            try:
                countries = country_codes(codes)
            except CountryCodeError as exc:
                raise ConfigError(path, where, f"digest.recipients: countries: {exc}") from None
        recipients.append(
            Recipient(address=address, languages=languages, tags=tags, countries=countries)
        )
    return tuple(recipients)


def _smtp(path: str, parent: Any, value: Any) -> SmtpConfig:
    if not isinstance(value, Mapping):
        raise ConfigError(path, _line(parent, "smtp"), "digest.smtp: must be a mapping with at least 'host'")

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(path, _line(value, key) or _line(parent, "smtp"), f"digest.smtp.{key}: {message}")

    if "password" in value:
        raise fail(
            "password",
            "never write the password in feeds.yaml: name an environment variable with "
            "password_env, or a file with password_file",
        )
    values: dict[str, Any] = {}
    for key, item in value.items():
        if key not in SMTP_KEYS:
            raise fail(str(key), f"unknown key (expected one of: {', '.join(sorted(SMTP_KEYS))})")
        if key == "host":
            if not isinstance(item, str) or not item.strip() or any(c.isspace() for c in item.strip()):
                raise fail(key, "must be a host name or address")
            values["host"] = item.strip()
        elif key == "port":
            if not isinstance(item, int) or isinstance(item, bool) or not 1 <= item <= 65535:
                raise fail(key, "must be a port number from 1 to 65535")
            values["port"] = item
        elif key == "security":
            if item not in SECURITY_PORTS:
                raise fail(key, "must be starttls, ssl or none")
            values["security"] = item
        elif key == "username":
            if not isinstance(item, str) or not item.strip():
                raise fail(key, "must be text")
            values["username"] = item.strip()
        elif key == "password_env":
            if not isinstance(item, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", item.strip()):
                raise fail(key, "must be the name of an environment variable, like MONITOR_SMTP_PASSWORD")
            values["password_env"] = item.strip()
        elif key == "password_file":
            if not isinstance(item, str) or not item.strip():
                raise fail(key, "must be a file path")
            file = Path(item.strip()).expanduser()
            values["password_file"] = file if file.is_absolute() else Path(path).resolve().parent / file
        elif key == "timeout":
            if not isinstance(item, (int, float)) or isinstance(item, bool) or not 0 < item <= 600:
                raise fail(key, "must be a number of seconds from 1 to 600")
            values["timeout"] = float(item)
        elif key == "ca_file":
            if not isinstance(item, str) or not item.strip():
                raise fail(key, "must be the path of a PEM file of CA certificates")
            file = Path(item.strip()).expanduser()
            file = file if file.is_absolute() else Path(path).resolve().parent / file
            problem = _ca_file_problem(file)
            if problem:
                raise fail(key, problem)
            values["ca_file"] = file
    if "port" not in values:
        values["port"] = SECURITY_PORTS[values.get("security", "starttls")]
    if values.get("password_env") and values.get("password_file"):
        raise fail("password_file", "give password_env or password_file, not both")
    return SmtpConfig(**values)


def _ca_file_problem(file: Path) -> str | None:
    """None when OpenSSL can load CA certificates from `file`; else the reason."""
    try:
        tls_client_context(file)
    except ssl.SSLError as exc:
        return f"{file} holds no usable PEM certificate ({exc.reason or exc})"
    except OSError as exc:
        return f"cannot read {file}: {exc.strerror or exc}"
    return None


def smtp_password(smtp: SmtpConfig, environ: Mapping[str, str]) -> str | None:
    """The SMTP password from its environment variable or file; DigestError when missing."""
    if smtp.password_env:
        value = environ.get(smtp.password_env)
        if not value:
            raise DigestError(
                f"the environment variable {smtp.password_env} (digest.smtp.password_env) is not set"
            )
        return value
    if smtp.password_file:
        try:
            return smtp.password_file.read_text(encoding="utf-8").strip("\r\n")
        except OSError as exc:
            raise DigestError(
                f"cannot read digest.smtp.password_file {smtp.password_file}: {exc.strerror}"
            ) from None
    return None
