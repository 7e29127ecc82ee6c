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
from monitor.cli.stories import stories, story, thread, trends
from monitor.cli.watches import watch, watches
from monitor.cli.web import serve
from monitor.database import parse_target
from monitor.errors import MonitorError
from monitor.progress import DEFAULT_INTERVAL, set_interval

# Seconds between progress lines on long steps where stderr is not a terminal: a person waits
# on a command (issue 23: no silent wait over 5 s); the daemon's log keeps the default.
COMMAND_PROGRESS_EVERY = 2.0


def progress_interval(command: str | None, given: float | None) -> float:
    """The --progress-every of a run of `monitor COMMAND`: as given, else 2 s, or 10 s for
    `monitor run` (a service's log, read later)."""
    if given is not None:
        return given
    return DEFAULT_INTERVAL if command == "run" else COMMAND_PROGRESS_EVERY


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
@click.option(
    "--progress-every",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help=f"On long steps, a progress line at least this often where stderr is not a terminal "
    f"(a terminal gets a bar). [default: {COMMAND_PROGRESS_EVERY:g}; monitor run: {DEFAULT_INTERVAL:g}]",
)
@click.version_option(__version__, prog_name="monitor")
@click.pass_context
def main(
    ctx: click.Context, config_path: Path, db_path: str | None, verbose: int, progress_every: float | None
) -> None:
    """monitor: follow news feeds in many languages, grouped into stories.

    Reads feeds.yaml, polls the feeds into a SQLite database, and shows what it stored.
    """
    setup_logging(verbose)
    set_interval(progress_interval(ctx.invoked_subcommand, progress_every))
    try:
        override = parse_target(db_path) if db_path else None
    except MonitorError as exc:
        raise click.BadParameter(str(exc), param_hint="--db") from None
    ctx.obj = Context(config_path=config_path, db_override=override)


COMMANDS: list[click.Command] = [init, poll, run, feeds, export, search, stats, digest, serve]
COMMANDS += [stories, story, thread, trends, watches, watch, db]
for command in COMMANDS:
    main.add_command(command)
