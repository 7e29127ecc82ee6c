"""The `monitor` command: argument handling and calls, nothing else."""

from __future__ import annotations

import csv
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

from monitor import __version__
from monitor.config import Config, FeedConfig, add_feeds, remove_feed
from monitor.errors import MonitorError
from monitor.sections import load_checked_config
from monitor.store import Store
from monitor.terminal import json_text, one_line
from monitor.timeutil import parse_when, utcnow


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
    db_override: Path | None
    _config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_checked_config(self.config_path)
        return self._config

    @property
    def db_path(self) -> Path:
        return self.db_override or self.config.settings.database

    def reload(self) -> Config:
        self._config = None
        return self.config

    @contextmanager
    def store(self, *, readonly: bool = False) -> Iterator[Store]:
        store = Store.open(self.db_path, readonly=readonly)
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


class MonitorGroup(click.Group):
    """Turns MonitorError into a one-line message and exit status 1 (never a traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            click.echo(f"monitor: error: {exc}", err=True)
            ctx.exit(1)


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
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    envvar="MONITOR_DB",
    help="SQLite database file (overrides settings.database).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.version_option(__version__, prog_name="monitor")
@click.pass_context
def main(ctx: click.Context, config_path: Path, db_path: Path | None, verbose: int) -> None:
    """monitor: follow news feeds in many languages, grouped into stories.

    Reads feeds.yaml, polls the feeds into a SQLite database, and shows what it stored.
    """
    setup_logging(verbose)
    ctx.obj = Context(config_path=config_path, db_override=db_path)


@main.command()
@click.pass_obj
def init(obj: Context) -> None:
    """Create the database, or migrate it to the current schema (safe to repeat)."""
    with obj.store() as store:
        store.sync_feeds(obj.config.feeds)
        click.echo(
            f"database {store.path} at schema version {store.schema_version()}, {len(store.feeds())} feeds"
        )


@main.command()
@click.option(
    "--all",
    "all_feeds",
    is_flag=True,
    help="Poll every feed, not only those due (except one whose server asked, with Retry-After, to wait).",
)
@click.pass_obj
def poll(obj: Context, all_feeds: bool) -> None:
    """Poll the feeds that are due once, store new articles, run the later stages."""
    from monitor.pipeline import poll_once

    config = obj.config
    with obj.store() as store:
        tty = sys.stdout.isatty()
        bar: Any = None

        def on_start(total: int) -> None:
            nonlocal bar
            if tty and total:
                bar = click.progressbar(length=total, label="polling", file=sys.stdout)
                bar.__enter__()

        def progress(feed: Any, status: str) -> None:
            if bar is not None:
                bar.update(1)
            else:
                click.echo(f"{status:13} {feed.url}")

        waiting = store.waiting_feeds(utcnow()) if all_feeds else []
        try:
            report = poll_once(store, config, all_feeds=all_feeds, progress=progress, on_start=on_start)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
        click.echo(report.summary())
        for url, error in report.failures:
            click.echo(f"  failed: {url}: {error}")
        for feed in waiting:
            until = feed.retry_after.isoformat(timespec="seconds") if feed.retry_after else "?"
            click.echo(f"  not polled: {feed.url}: its server asked us to wait until {until}")
        for note in report.stage_notes:
            click.echo(note)


@main.command()
@click.pass_obj
def run(obj: Context) -> None:
    """Run the daemon: poll each feed as it falls due, until SIGTERM or SIGINT.

    Edits to feeds.yaml are picked up without a restart.
    """
    from monitor.daemon import Daemon

    obj.config  # noqa: B018 - refuse a bad config before starting
    Daemon(obj.config_path, obj.db_override).run()


# --- feeds -------------------------------------------------------------------------


@main.group()
def feeds() -> None:
    """List, add, remove, import and export feeds (feeds.yaml and the database in step)."""


@feeds.command("list")
@click.pass_obj
def feeds_list(obj: Context) -> None:
    """List the feeds of feeds.yaml."""
    for feed in obj.config.feeds:
        tags = f" [{', '.join(feed.tags)}]" if feed.tags else ""
        click.echo(f"{feed.language or '--':3} {feed.url}  {feed.name or ''}{tags}")
    click.echo(f"{len(obj.config.feeds)} feeds")


@feeds.command("add")
@click.argument("url")
@click.option("--name", help="A name to show.")
@click.option("--language", help="Language hint, like en or fr.")
@click.option("--interval", help="Poll interval, like 15m or 2h.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.pass_obj
def feeds_add(
    obj: Context,
    url: str,
    name: str | None,
    language: str | None,
    interval: str | None,
    tags: tuple[str, ...],
) -> None:
    """Add a feed to feeds.yaml and the database."""
    from monitor.config import normalize_language, parse_interval

    seconds = None
    if interval:
        try:
            seconds = parse_interval(interval)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--interval") from None
    from monitor.discover import feed_url_to_add

    url = feed_url_to_add(url, obj.config if obj.config_path.exists() else None)
    feed = FeedConfig(url=url, name=name, language=normalize_language(language), interval=seconds, tags=tags)
    added = add_feeds(obj.config_path, [feed])
    config = obj.reload()
    with obj.store() as store:
        store.sync_feeds(config.feeds)
        listed = config.feed(url)
        if listed is not None:
            store.revive_feed(listed.url)
    click.echo(f"added {url}" if added else f"already there: {url}")


@feeds.command("remove")
@click.argument("url")
@click.pass_obj
def feeds_remove(obj: Context, url: str) -> None:
    """Remove a feed from feeds.yaml; its stored articles stay."""
    if not remove_feed(obj.config_path, url):
        raise click.ClickException(f"no feed {url} in {obj.config_path}")
    config = obj.reload()
    with obj.store() as store:
        store.sync_feeds(config.feeds)
    click.echo(f"removed {url}")


@feeds.command("import-opml")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def feeds_import_opml(obj: Context, file: Path) -> None:
    """Add every feed of an OPML file (Miniflux, FreshRSS, other readers)."""
    from monitor.opml import parse_opml

    found = parse_opml(file.read_bytes(), str(file))
    added = add_feeds(obj.config_path, found)
    config = obj.reload()
    with obj.store() as store:
        store.sync_feeds(config.feeds)
    click.echo(f"{len(found)} feeds in {file}, {len(added)} added, {len(found) - len(added)} already there")


@feeds.command("export-opml")
@click.pass_obj
def feeds_export_opml(obj: Context) -> None:
    """Print the feeds as OPML 2.0."""
    from monitor.opml import to_opml

    click.echo(to_opml(obj.config.feeds), nl=False)


# --- reading -----------------------------------------------------------------------


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="JSON lines or CSV.",
)
@click.option(
    "--since", type=When(), help="Only articles published since: 2024-03-22, 2024-03-22T10:00Z, 6h, 2d."
)
@click.option("--text/--no-text", "with_text", default=False, help="Include the article text.")
@click.pass_obj
def export(obj: Context, fmt: str, since: datetime | None, with_text: bool) -> None:
    """Print one record per article (JSON lines or CSV): the stable export interface."""
    columns = [c for c in Store.EXPORT_COLUMNS if with_text or c != "text"]
    out = sys.stdout
    with obj.store(readonly=True) as store:
        rows = store.export_articles(since)
        if fmt == "jsonl":
            for row in rows:
                out.write(json_text({c: row[c] for c in columns}) + "\n")
        else:
            writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow({k: _csv_cell(v) for k, v in row.items()})


def _csv_cell(value: object) -> object:
    """A value as the CSV export writes it: booleans spelled as in the JSON lines, and text
    that a spreadsheet would run as a formula (`=HYPERLINK(...)` in a feed title) prefixed
    with an apostrophe, the spreadsheets' own mark for "this is text"."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


_FORMULA_STARTS = frozenset("=+-@\t\r")


@main.command()
@click.argument("query")
@click.option("--limit", default=20, show_default=True, help="How many results.")
@click.pass_obj
def search(obj: Context, query: str, limit: int) -> None:
    """Full-text search over titles and text (SQLite FTS5 syntax)."""
    with obj.store(readonly=True) as store:
        results = store.search(query, limit)
    for r in results:
        click.echo(f"{r['published']}  {r['language'] or '--':3} {one_line(r['title'])}")
        click.echo(f"    {one_line(r['feed_name'] or r['feed_url'])}  {one_line(r['url'])}")
        if r["snippet"]:
            click.echo(f"    {one_line(r['snippet'])}")
    click.echo(f"{len(results)} results")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def stats(obj: Context, as_json: bool) -> None:
    """Per feed: articles, last poll, last status, errors in a row, next due."""
    with obj.store(readonly=True) as store:
        rows = store.feed_stats()
        totals = {"feeds": len(rows), "articles": store.count("articles"), "stories": store.count("stories")}
        from monitor.digest import digest_problems

        digest_errors = digest_problems(store)
    if as_json:
        report = {"totals": totals, "feeds": rows, "digest_errors": digest_errors}
        click.echo(json_text(report, indent=2))
        return
    for r in rows:
        state = "gone" if r["gone"] else ("inactive" if not r["active"] else (r["last_status"] or "new"))
        name = one_line(r["name"] or r["url"])
        click.echo(
            f"{r['articles']:6} articles  {state:12} errors={r['error_count']:<3} "
            f"last={r['last_polled'] or '-':20} next={r['next_due'] or '-':20} {name}"
        )
        if r["error_count"] and r["last_error"]:
            click.echo(f"        {r['last_error_step']}: {one_line(r['last_error'], 300)}")
    click.echo(f"{totals['feeds']} feeds, {totals['articles']} articles, {totals['stories']} stories")
    for line in digest_errors:
        click.echo(line)


# --- commands of the later stages ----------------------------------------------------
# Each stage keeps its commands in its own module; register them here, one line each.
from monitor.cli_digest import digest as _digest_command  # noqa: E402

main.add_command(_digest_command)
from monitor.cli_web import serve as _serve_command  # noqa: E402

main.add_command(_serve_command)
from monitor.cli_stories import stories as _stories_command  # noqa: E402
from monitor.cli_stories import story as _story_command  # noqa: E402

main.add_command(_stories_command)
main.add_command(_story_command)
