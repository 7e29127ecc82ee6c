"""The `monitor` command: the top-level group; each command group lives in its own module."""

from __future__ import annotations

from pathlib import Path

import click

from monitor import __version__
from monitor.cli.context import Context, MonitorGroup, setup_logging
from monitor.cli.db import db
from monitor.cli.digest import digest
from monitor.cli.feeds import feeds
from monitor.cli.poll import init, poll, run
from monitor.cli.read import export, search, stats
from monitor.cli.stories import stories, story, thread
from monitor.cli.watches import watch, watches
from monitor.cli.web import serve
from monitor.database import parse_target
from monitor.errors import MonitorError


@click.group(cls=MonitorGroup)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("feeds.yaml"),
    show_default=True,
    envvar="MONITOR_CONFIG",
    help="The feeds.yaml to read.",
)
@click.option(
    "--db",
    "db_path",
    default=None,
    envvar=["MONITOR_DB", "MONITOR_DATABASE_URL"],
    help="SQLite database file or postgresql:// URL (overrides settings.database).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.version_option(__version__, prog_name="monitor")
@click.pass_context
def main(ctx: click.Context, config_path: Path, db_path: str | None, verbose: int) -> None:
    """monitor: follow news feeds in many languages, grouped into stories.

    Reads feeds.yaml, polls the feeds into a SQLite database, and shows what it stored.
    """
    setup_logging(verbose)
    try:
        override = parse_target(db_path) if db_path else None
    except MonitorError as exc:
        raise click.BadParameter(str(exc), param_hint="--db") from None
    ctx.obj = Context(config_path=config_path, db_override=override)


COMMANDS: list[click.Command] = [init, poll, run, feeds, export, search, stats, digest, serve]
COMMANDS += [stories, story, thread, watches, watch, db]
for command in COMMANDS:
    main.add_command(command)
