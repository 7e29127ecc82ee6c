"""`monitor db copy --from SOURCE --to TARGET`: the database as a whole."""

from __future__ import annotations

import click

from monitor.database import Target, parse_target
from monitor.errors import MonitorError, StoreError
from monitor.pollerlock import COPY, poller_lock
from monitor.store.copy import CopyResult, copy_database, refuse_same


def _target(option: str, value: str) -> Target:
    try:
        return parse_target(value)
    except MonitorError as exc:  # the value is not echoed: a URL may hold a password
        raise StoreError(f"{option}: {exc}") from None


def summary(result: CopyResult) -> list[str]:
    """The lines `monitor db copy` prints when it is done."""
    width = max(len(t.name) for t in result.tables)
    lines = [f"Copied {result.source} to {result.target}:"]
    for table in result.tables:
        lines.append(f"  {table.name:<{width}}  {table.rows:>9} rows  ({table.copied} copied now)")
    left_out = [f"{t.name}.{c}" for t in result.tables for c in t.left_out]
    if left_out:
        lines.append(f"Not copied (the target has no such column): {', '.join(left_out)}.")
    lines.append(f"Every table holds as many rows as the source's; {result.seconds:.1f} s.")
    return lines


@click.group()
def db() -> None:
    """The database as a whole: copy it to another database."""


@db.command("copy")
@click.option(
    "--from", "source", required=True, metavar="SOURCE", help="SQLite file or postgresql:// URL to copy."
)
@click.option(
    "--to",
    "target",
    required=True,
    metavar="TARGET",
    help="SQLite file or postgresql:// URL to copy into: created and migrated, empty or a copy interrupted.",
)
def copy(source: str, target: str) -> None:
    """Copy every feed, article, story, digest, watch and alert to another database (SQLite
    to PostgreSQL, or back), ids kept. Run it again to finish an interrupted copy."""
    ours, theirs = _target("--from", source), _target("--to", target)
    refuse_same(ours, theirs)
    with poller_lock(ours, COPY), poller_lock(theirs, COPY):  # nothing polls either meanwhile
        result = copy_database(ours, theirs)
    for line in summary(result):
        click.echo(line)
