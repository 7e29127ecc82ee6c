"""What every command shares: the config and database it works on (`Context`), the --since
and --country parameter types, logging, and the one-line error handling. Imports no command."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from monitor.config import Config
from monitor.entities.countries import CountryCodeError, country_code
from monitor.errors import MonitorError
from monitor.sections import load_checked_config
from monitor.store import AnyStore, Target, open_store
from monitor.timeutil import parse_when


class When(click.ParamType):  # type: ignore[type-arg]
    """A --since value: a date, a time or an age, read by timeutil.parse_when."""

    name = "WHEN"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return parse_when(str(value), zone=_user_zone(ctx))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class Country(click.ParamType):  # type: ignore[type-arg]
    """A --country value: an ISO 3166-1 alpha-2 code in any case, upper-cased (the rule the
    web's `?country=` follows: monitor.entities.countries.country_code)."""

    name = "COUNTRY"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return country_code(str(value))
        except CountryCodeError as exc:
            self.fail(str(exc), param, ctx)


def _user_zone(ctx: click.Context | None) -> tzinfo:
    """The configured `timezone`, for dates given without an offset; UTC when no readable
    config is at hand (the command itself then reports what is wrong with it)."""
    obj = ctx.find_object(Context) if ctx is not None else None
    if obj is None or not obj.config_path.exists():
        return UTC
    try:
        return ZoneInfo(obj.config.settings.timezone)
    except (MonitorError, OSError, ValueError, KeyError):
        return UTC


@dataclass
class Context:
    config_path: Path
    db_override: Target | None
    _config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_checked_config(self.config_path)
        return self._config

    @property
    def database(self) -> Target:
        """The database: --db (or MONITOR_DB, MONITOR_DATABASE_URL), else settings.database."""
        return self.db_override or self.config.settings.database

    @property
    def zone(self) -> tzinfo:
        """Where people read times: `settings.timezone` (UTC with no readable config, as
        with --db alone)."""
        if not self.config_path.exists():
            return UTC
        try:
            return ZoneInfo(self.config.settings.timezone)
        except (MonitorError, OSError, ValueError, KeyError):
            return UTC

    def reload(self) -> Config:
        self._config = None
        return self.config

    @contextmanager
    def store(self, *, readonly: bool = False) -> Iterator[AnyStore]:
        store = open_store(self.database, readonly=readonly)
        try:
            yield store
        finally:
            store.close()


def setup_logging(verbosity: int) -> None:
    """One event per line on stderr: time, level, logger, then key=value fields."""
    level = logging.WARNING - 10 * verbosity
    logging.basicConfig(
        level=max(level, logging.DEBUG),
        format="%(asctime)s level=%(levelname)s logger=%(name)s %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # Long steps say how far they are even without -v (a terminal gets a bar instead).
    logging.getLogger("monitor.progress").setLevel(min(logging.INFO, level))
    # `monitor run` says in one line that it started (feeds, roles, next poll), -v or not.
    logging.getLogger("monitor.daemon.start").setLevel(min(logging.INFO, level))


class MonitorGroup(click.Group):
    """Turns MonitorError into a one-line message and exit status 1 (never a traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            click.echo(f"monitor: error: {exc}", err=True)
            ctx.exit(1)
