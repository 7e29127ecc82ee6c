"""`monitor feeds ...`: list, add, remove, import and export feeds (feeds.yaml and the database
in step)."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.cli.context import Context
from monitor.config import FeedConfig, add_feeds, remove_feed
from monitor.errors import MonitorError
from monitor.wording import count as _count


@click.group()
def feeds() -> None:
    """List, add, remove, import and export feeds (feeds.yaml and the database in step)."""


@feeds.command("list")
@click.pass_obj
def feeds_list(obj: Context) -> None:
    """List the feeds of feeds.yaml."""
    for feed in obj.config.feeds:
        tags = f" [{', '.join(feed.tags)}]" if feed.tags else ""
        click.echo(f"{feed.language or '--':3} {feed.url}  {feed.name or ''}{tags}")
    click.echo(_count(len(obj.config.feeds), "feed"))


@feeds.command("add")
@click.argument("url")
@click.option("--name", help="A name to show.")
@click.option("--language", help="Language hint, like en or fr.")
@click.option("--interval", help="Poll interval, like 15m or 2h.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--force", is_flag=True, help="Add the URL even when no feed can be read there now.")
@click.pass_obj
def feeds_add(
    obj: Context,
    url: str,
    name: str | None,
    language: str | None,
    interval: str | None,
    tags: tuple[str, ...],
    force: bool,
) -> None:
    """Add a feed to feeds.yaml and the database (refused where no feed can be read, unless --force)."""
    from monitor.config import normalize_language, parse_interval

    if language is not None and normalize_language(language) is None:
        raise click.BadParameter(
            f"bad language {language!r}: use a code like en or fr", param_hint="--language"
        )
    seconds = None
    if interval:
        try:
            seconds = parse_interval(interval)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--interval") from None
    from monitor.ingest.discover import feed_url_to_add

    url = feed_url_to_add(url, obj.config if obj.config_path.exists() else None, force=force)
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
        raise MonitorError(f"no feed {url} in {obj.config_path}")
    config = obj.reload()
    with obj.store() as store:
        store.sync_feeds(config.feeds)
    click.echo(f"removed {url}")


@feeds.command("import-opml")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def feeds_import_opml(obj: Context, file: Path) -> None:
    """Add every feed of an OPML file (Miniflux, FreshRSS, other readers)."""
    from monitor.ingest.opml import parse_opml

    found = parse_opml(file.read_bytes(), str(file))
    added = add_feeds(obj.config_path, found)
    config = obj.reload()
    with obj.store() as store:
        store.sync_feeds(config.feeds)
    click.echo(
        f"{_count(len(found), 'feed')} in {file}, {len(added)} added, {len(found) - len(added)} already there"
    )


@feeds.command("export-opml")
@click.pass_obj
def feeds_export_opml(obj: Context) -> None:
    """Print the feeds as OPML 2.0."""
    from monitor.ingest.opml import to_opml

    click.echo(to_opml(obj.config.feeds), nl=False)
