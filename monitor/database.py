"""Which database a setting names: a file path (SQLite) or a postgresql:// URL (PostgreSQL).

A URL is checked part by part, so that a typo is named ('port "54x2" is not a number'), and
its password is never kept or printed: it comes from the environment (PGPASSWORD), a
.pgpass file, or a file named by `password_file`, never from feeds.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from monitor.errors import StoreError

SCHEMES = ("postgresql", "postgres")
# libpq connection parameters a URL may carry after '?' (the ones a deployment sets).
_OPTIONS = frozenset(
    {
        "sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "application_name",
        "passfile", "options", "target_session_attrs", "keepalives", "keepalives_idle",
        "gssencmode", "channel_binding", "service",
    }
)  # fmt: skip
_NAME = re.compile(r"^[A-Za-z0-9_.$-]+$")


@dataclass(frozen=True)
class PostgresURL:
    """A PostgreSQL database, without its password."""

    user: str | None
    host: str | None
    port: int | None
    dbname: str
    options: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        """The URL as shown to people (never a password)."""
        user = f"{self.user}@" if self.user else ""
        host = self.host or ""
        if ":" in host:
            host = f"[{host}]"
        port = f":{self.port}" if self.port else ""
        query = "&".join(f"{k}={v}" for k, v in self.options)
        return f"postgresql://{user}{host}{port}/{self.dbname}" + (f"?{query}" if query else "")

    def __str__(self) -> str:
        return self.label

    def conninfo(self, password: str | None = None) -> dict[str, str]:
        """The libpq connection parameters."""
        params = {"dbname": self.dbname, **dict(self.options)}
        if self.user:
            params["user"] = self.user
        if self.host:
            params["host"] = self.host
        if self.port:
            params["port"] = str(self.port)
        if password is not None:
            params["password"] = password
        return params


Target = Path | PostgresURL


def is_url(text: str) -> bool:
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text.strip()))


def parse_target(value: str | Path) -> Target:
    """A path, or a checked PostgresURL; StoreError names the part of a URL that is wrong."""
    if isinstance(value, Path):
        return value
    if not is_url(value):
        return Path(value)
    return parse_url(value.strip())


def parse_url(text: str) -> PostgresURL:
    """Check a postgresql:// URL part by part."""
    scheme = text.split("://", 1)[0]
    if scheme.lower() not in SCHEMES:
        raise StoreError(
            f"database URL: scheme {scheme!r} is not postgresql:// (a SQLite database is a file path)"
        )
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise StoreError(f"database URL: {exc}") from None
    if parts.password is not None:
        raise StoreError(
            "database URL: it holds a password; leave it out and give it in PGPASSWORD, a "
            ".pgpass file or settings.database_password_file (it is never kept in feeds.yaml)"
        )
    host = parts.hostname
    try:
        port = parts.port
    except ValueError:
        raw = parts.netloc.rsplit(":", 1)[-1]
        raise StoreError(f"database URL: port {raw!r} is not a number from 1 to 65535") from None
    if port == 0:
        raise StoreError("database URL: port 0 is not a number from 1 to 65535")
    if host is not None and not re.match(r"^[A-Za-z0-9._:%-]+$", host):
        raise StoreError(f"database URL: host {host!r} is not a host name or address")
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname:
        raise StoreError(
            "database URL: no database name after the host (postgresql://user@host:5432/monitor)"
        )
    if "/" in dbname or not _NAME.match(dbname):
        raise StoreError(f"database URL: database name {dbname!r} is not a plain name")
    if parts.fragment:
        raise StoreError(f"database URL: unexpected '#{parts.fragment}'")
    options = []
    for key, val in parse_qsl(parts.query, keep_blank_values=True):
        if key not in _OPTIONS:
            known = ", ".join(sorted(_OPTIONS))
            raise StoreError(f"database URL: unknown option {key!r} (known: {known})")
        if key == "password":
            raise StoreError("database URL: it holds a password")
        options.append((key, val))
    user = unquote(parts.username) if parts.username else None
    return PostgresURL(user=user, host=host, port=port, dbname=dbname, options=tuple(options))
