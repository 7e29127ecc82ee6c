"""`monitor stories` and `monitor story ID`: the stories as the store holds them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import click

from monitor.cli.context import Country, When
from monitor.cli.stories_text import (
    format_stories,
    format_story,
    format_thread,
    format_threads,
    format_trends,
)
from monitor.config import normalize_language

if TYPE_CHECKING:
    from monitor.cli.context import Context


@click.command()
@click.option(
    "--since", type=When(), help="Stories seen since: 2024-03-22, 2024-03-22T10:00Z, 6h, 2d (default 24h)."
)
@click.option("--lang", "language", help="Only stories with an article in this language, like fr.")
@click.option(
    "--country",
    type=Country(),
    help="Only stories about this country: an ISO 3166-1 alpha-2 code, like UA (any case).",
)
@click.option("--limit", default=30, show_default=True, type=click.IntRange(min=1), help="How many stories.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--threads", is_flag=True, help="List threads instead: stories that follow one another on one subject."
)
@click.pass_obj
def stories(
    obj: Context,
    since: datetime | None,
    language: str | None,
    country: str | None,
    limit: int,
    as_json: bool,
    threads: bool,
) -> None:
    """List stories ranked by outlets × languages × recent growth (or, with --threads, threads)."""
    if language is not None and normalize_language(language) is None:
        raise click.BadParameter(f"bad language {language!r}: use a code like en or fr", param_hint="--lang")
    if threads and language is not None:
        raise click.BadParameter("--lang does not apply to --threads", param_hint="--lang")
    if threads and country is not None:
        raise click.BadParameter("--country does not apply to --threads", param_hint="--country")
    with obj.store(readonly=True) as store:
        if threads:
            text = format_threads(
                store, since=since, as_json=as_json, limit=limit, timezone=obj.config.settings.timezone
            )
        else:
            text = format_stories(
                store,
                since=since,
                language=normalize_language(language),
                country=country,
                as_json=as_json,
                limit=limit,
                timezone=obj.config.settings.timezone,
            )
    _show(text)


@click.command()
@click.argument("story_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def story(obj: Context, story_id: int, as_json: bool) -> None:
    """Show one story: its articles by language, with outlet, time and why each joined."""
    with obj.store(readonly=True) as store:
        text = format_story(store, story_id, as_json=as_json, timezone=obj.config.settings.timezone)
    _show(text)


@click.command()
@click.argument("thread_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def thread(obj: Context, thread_id: int, as_json: bool) -> None:
    """Show one thread: its stories over time, with their sizes and languages."""
    with obj.store(readonly=True) as store:
        text = format_thread(store, thread_id, as_json=as_json, timezone=obj.config.settings.timezone)
    _show(text)


@click.command()
@click.option(
    "--country",
    type=Country(),
    help="Only the names and places of stories about this country (as `stories --country`): an "
    "ISO 3166-1 alpha-2 code, like UA (any case).",
)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="How many names.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def trends(obj: Context, country: str | None, limit: int, as_json: bool) -> None:
    """Rising names: those of the last 48 hours' stories against the 14 days before."""
    with obj.store(readonly=True) as store:
        zone = obj.config.settings.timezone
        text = format_trends(store, as_json=as_json, limit=limit, timezone=zone, country=country)
    _show(text)


def _show(text: str) -> None:
    """Print a command's text with one final newline."""
    click.echo(text, nl=not text.endswith("\n"))
