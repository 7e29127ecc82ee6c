"""`monitor export`, `monitor search` and `monitor stats`: what the database holds."""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from typing import Any

import click

from monitor.cli.context import Context, When
from monitor.store import Store
from monitor.stories.records import stories_with_countries
from monitor.terminal import json_text, one_line
from monitor.timeutil import local_time
from monitor.watches.query import MAX_QUERY_LENGTH, MAX_TERMS, QuerySyntaxError, parse_query


def _count(n: int, noun: str) -> str:
    if n == 1:
        return f"{n} {noun}"
    return f"{n} {noun[:-1]}ies" if noun.endswith("y") else f"{n} {noun}s"


_TOTALS = (("feeds", "feed"), ("articles", "article"), ("stories", "story"))


@click.command()
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
@click.option(
    "--stories",
    is_flag=True,
    help="One record per story instead: id, thread_id, first_published, last_published, articles, "
    "outlets, languages (a list), breaking_at (null unless flagged breaking), countries (ISO codes, "
    "most covered first); --since keeps the stories with an article published since.",
)
@click.pass_obj
def export(obj: Context, fmt: str, since: datetime | None, with_text: bool, stories: bool) -> None:
    """Print one record per article (JSON lines or CSV): the stable export interface."""
    columns = [c for c in Store.EXPORT_COLUMNS if with_text or c != "text"]
    out = sys.stdout
    if stories:
        _export_stories(obj, fmt, since)
        return
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


STORY_COLUMNS = (
    "id",
    "thread_id",
    "first_published",
    "last_published",
    "articles",
    "outlets",
    "languages",
    "breaking_at",
    "countries",  # ISO 3166-1 alpha-2, most covered first (monitor.entities.countries)
)


def _export_stories(obj: Context, fmt: str, since: datetime | None) -> None:
    """`monitor export --stories`: one record per live story, by first report."""
    out = sys.stdout
    with obj.store(readonly=True) as store:
        rows = stories_with_countries(store, store.export_stories(since))
        if fmt == "jsonl":
            for row in rows:
                out.write(json_text({c: row[c] for c in STORY_COLUMNS}) + "\n")
            return
        writer = csv.DictWriter(out, fieldnames=list(STORY_COLUMNS), extrasaction="ignore")
        writer.writeheader()
        for row in rows:  # in CSV, the languages and countries as one cell each: "en fr", "UA PL"
            writer.writerow(
                {c: _csv_cell(" ".join(row[c]) if c in _SPACED else row[c]) for c in STORY_COLUMNS}
            )


_SPACED = frozenset({"languages", "countries"})


def _csv_cell(value: object) -> object:
    """A value as the CSV export writes it: booleans spelled as in the JSON lines, and text
    that a spreadsheet would run as a formula (`=HYPERLINK(...)` in a feed title) prefixed
    with an apostrophe, the spreadsheets' own mark for "this is text"."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return json_text(value)  # names, watches, places: a JSON list in one cell
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


_FORMULA_STARTS = frozenset("=+-@\t\r")


MAX_SEARCH_RESULTS = 1000


def _result_count(ctx: click.Context, param: click.Parameter, value: int) -> int:
    if not 1 <= value <= MAX_SEARCH_RESULTS:
        shown = str(value) if abs(value) < 10**12 else "a number that large"
        raise click.BadParameter(f"from 1 to {MAX_SEARCH_RESULTS} results, not {shown}")
    return value


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option(
    "--limit",
    default=20,
    show_default=True,
    callback=_result_count,
    help=f"How many results (1 to {MAX_SEARCH_RESULTS}).",
)
@click.pass_obj
def search(obj: Context, query: tuple[str, ...], limit: int) -> None:
    """Full-text search over titles and text: words, "phrases", prefix*, AND, OR, NOT,
    parentheses, as in a watch's query (up to {chars:,} characters and {terms:,} terms);
    every word given is part of the query: `monitor search bitcoin banks`."""
    text = " ".join(query)
    try:
        parse_query(text)
    except QuerySyntaxError as exc:
        raise click.BadParameter(exc.explain(text), param_hint="QUERY") from None
    with obj.store(readonly=True) as store:
        results = store.search(text, limit)
    zone = obj.zone
    for r in results:
        click.echo(f"{local_time(r['published'], zone)}  {r['language'] or '--':3} {one_line(r['title'])}")
        click.echo(f"    {one_line(r['feed_name'] or r['feed_url'])}  {one_line(r['url'])}")
        if r["snippet"]:
            click.echo(f"    {one_line(r['snippet'])}")
    click.echo(_count(len(results), "result"))


search.help = (search.help or "").format(chars=MAX_QUERY_LENGTH, terms=MAX_TERMS)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def stats(obj: Context, as_json: bool) -> None:
    """Per feed: articles, last poll, last status, errors in a row, next due, article pages
    read and failed (full text)."""
    with obj.store(readonly=True) as store:
        rows = store.feed_stats()
        totals = {"feeds": len(rows), "articles": store.count("articles"), "stories": store.count("stories")}
        from monitor.deliver.alerts import outbox_problems
        from monitor.deliver.digest import digest_problems

        digest_errors = digest_problems(store, obj.zone)
        alert_errors = outbox_problems(store, store.outbox_in_doubt(), obj.zone)
        workers, expired = _workers(store)
    if as_json:
        report: dict[str, Any] = {
            "totals": totals,
            "feeds": rows,
            "digest_errors": digest_errors,
            "alert_errors": alert_errors,
        }
        if workers is not None:
            report["workers"] = workers
            report["expired_claims"] = expired
        click.echo(json_text(report, indent=2))
        return
    zone = obj.zone
    if rows:
        click.echo(f"{'ARTICLES':>8}  {'STATE':12} {'ERRORS':>6}  {'LAST POLL':22}  {'NEXT DUE':22}  FEED")
    for r in rows:
        state = "gone" if r["gone"] else ("inactive" if not r["active"] else (r["last_status"] or "new"))
        name = one_line(r["name"] or r["url"])
        polled, due = local_time(r["last_polled"], zone) or "-", local_time(r["next_due"], zone) or "-"
        click.echo(f"{r['articles']:>8}  {state:12} {r['error_count']:>6}  {polled:22}  {due:22}  {name}")
        if r["error_count"] and r["last_error"]:
            click.echo(f"        {r['last_error_step']}: {one_line(r['last_error'], 300)}")
        if r["pages_read"] or r["page_failures"]:
            click.echo(
                f"        article pages: {r['pages_read']} read, {r['page_failures']} failed "
                "(the feed's text kept)"
            )
    click.echo(", ".join(_count(totals[k], noun) for k, noun in _TOTALS))
    for line in digest_errors + alert_errors:
        click.echo(line)
    if workers is not None:
        click.echo(f"workers ({sum(1 for w in workers if w['alive'])} alive):")
        for w in workers:
            state = "alive" if w["alive"] else "silent"
            click.echo(
                f"  {one_line(w['name'])}  {w['role']}  {state}  "
                f"last heartbeat {local_time(w['heartbeat_at'], zone)}  "
                f"since {local_time(w['started_at'], zone)}"
            )
        for c in expired or []:
            click.echo(
                f"  expired claim: {one_line(c['url'])} by {c['claimed_by']} "
                f"until {local_time(c['lease_until'], zone)}"
            )


def _workers(store: Any) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
    """PostgreSQL: the workers and their last heartbeats, the feeds whose claims expired."""
    from monitor.daemon import ALIVE_WITHIN
    from monitor.store import PostgresStore

    if not isinstance(store, PostgresStore):
        return None, None
    return store.workers_status(ALIVE_WITHIN), store.expired_claims()
