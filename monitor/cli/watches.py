"""`monitor watches list|backfill|prune|resolve` and `monitor watch show|test NAME`."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import click

from monitor.pipeline import story_settings
from monitor.stories.embed import load_embedder
from monitor.terminal import one_line as safe_line
from monitor.timeutil import local_time, utcnow
from monitor.watches.attention import sparkline
from monitor.watches.match import definition, run_watch_stage, try_watch
from monitor.watches.records import WatchNotFoundError, watch_record, watch_summaries
from monitor.watches.settings import WatchesConfig, load_watches_config
from monitor.wording import count

if TYPE_CHECKING:
    from monitor.cli.context import Context


def _watches(obj: Context) -> WatchesConfig:
    return load_watches_config(obj.config, model=story_settings(obj.config).model)


def why_text(why: dict[str, Any]) -> str:
    """{"terms": ["a"], "similarity": 0.9} -> "terms a; similarity 0.90"."""
    parts = []
    for key, value in why.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else f"{value:.2f}"
        parts.append(f"{key} {shown}")
    return "; ".join(parts)


@click.group()
def watches() -> None:
    """The watches of feeds.yaml and what they matched."""


@watches.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def list_watches(obj: Context, as_json: bool) -> None:
    """Every watch: its matches over the last 7 days, in all, and whether it was removed."""
    config = _watches(obj)
    with obj.store(readonly=True) as store:
        stored = {s["name"].casefold(): s for s in watch_summaries(store, 7)}
    rows = []
    for watch in config.watches:
        found = stored.pop(watch.name.casefold(), None)
        rows.append({"name": watch.name, "removed": False, "stored": found is not None, **(found or {})})
    rows += [{**s, "stored": True, "removed": True} for s in stored.values()]  # no longer in the file
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No watches: add a `watches:` section to feeds.yaml.")
        return
    for row in rows:
        days = [d["articles"] for d in row.get("days", [])]
        state = " (removed: `monitor watches prune` deletes it)" if row["removed"] else ""
        if not row["stored"]:
            state = " (not matched yet: runs with the next poll, or `monitor watches backfill`)"
        click.echo(
            f"{safe_line(row['name']):<24} {sparkline(days) if days else '':<8} "
            f"{row.get('articles', 0):>5} in 7 days  {row.get('matches_total', 0):>6} in all{state}"
        )


@watches.command()
@click.pass_obj
def backfill(obj: Context) -> None:
    """Match new and edited watches over the stored news now (with progress), then the pending articles."""
    config = _watches(obj)

    def progress(name: str, done: int, total: int) -> None:
        click.echo(f"\r{safe_line(name)}: {done}/{total} articles read", nl=done >= total, err=True)

    with obj.store() as store:
        report = run_watch_stage(store, config, lambda: load_embedder(config.model), progress=progress)
    click.echo(report.summary())


@watches.command()
@click.pass_obj
def prune(obj: Context) -> None:
    """Delete the watches no longer in feeds.yaml, with what they matched."""
    config = _watches(obj)
    with obj.store() as store:
        # The database learns first which watches the file no longer lists.
        store.watches_sync([(w.name, w.fingerprint(), definition(w)) for w in config.watches], utcnow())
        names = store.watches_prune()
    click.echo(f"Deleted {count(len(names), 'watch')}: {', '.join(names)}" if names else "Nothing to prune.")


@click.group()
def watch() -> None:
    """One watch: its attention over time, or what it would match."""


@watch.command()
@click.argument("name")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 3650), help="Days shown.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def show(obj: Context, name: str, days: int, as_json: bool) -> None:
    """Attention over time: matching articles per day, a sparkline per language, the share of all news."""
    with obj.store(readonly=True) as store:
        try:
            record = watch_record(store, name, days)
        except WatchNotFoundError:
            if _watches(obj).get(name) is None:
                raise
            raise WatchNotFoundError(
                f"watch {name!r} has not run yet: `monitor poll` or `monitor watches backfill`"
            ) from None
    if not record.removed and _watches(obj).get(name) is None:
        record = replace(record, removed=True)  # gone from the file; the next run records it
    if as_json:
        click.echo(json.dumps(record.as_dict(), ensure_ascii=False, indent=2))
        return
    att = record.attention
    totals = att.totals()
    click.echo(f"{safe_line(record.name)}{' (removed)' if record.removed else ''}: {att.first} to {att.last}")
    click.echo(
        f"  {totals['articles']} matching articles, {100 * totals['share']:.2f}% of all stored"
        + (f"; peak {totals['peak_articles']} on {totals['peak_day']}" if totals["peak_day"] else "")
    )
    width = max([3, *(len(lang) for lang in att.languages)])
    click.echo(f"  {'all':<{width}} {sparkline([d.articles for d in att.overall])}  {totals['articles']}")
    shares = sparkline([d.share for d in att.overall])
    click.echo(f"  {'%':<{width}} {shares}  share of the day's news")
    for lang in att.languages:
        series = att.series[lang]
        lang_totals = att.totals(lang)
        click.echo(
            f"  {lang:<{width}} {sparkline([d.articles for d in series])}  {lang_totals['articles']} "
            f"({100 * lang_totals['share']:.2f}% of {lang})"
        )
    if record.outlets:
        click.echo(
            "Top outlets: " + ", ".join(f"{safe_line(o['outlet'])} {o['articles']}" for o in record.outlets)
        )
    if record.stories:
        click.echo("Top stories:")
        for story in record.stories[:10]:
            why = why_text(story["why"])
            click.echo(
                f"  #{story['story_id']:<6} {story['matched_articles']:>3} matched, "
                f"{count(int(story['outlets'] or 0), 'outlet')}  "
                f"{safe_line(story['headline'] or '')}  [{safe_line(why)}]"
            )


@watch.command("test")
@click.argument("name")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="Articles shown.")
@click.pass_obj
def test_command(obj: Context, name: str, limit: int) -> None:
    """What the watch would match in the stored news of its window; nothing is saved."""
    config = _watches(obj)
    watch_config = config.get(name)
    if watch_config is None:
        raise WatchNotFoundError(f"no watch named {name!r} in {obj.config_path}")
    with obj.store(readonly=True) as store:
        found = try_watch(store, watch_config, config.model, lambda: load_embedder(config.model))
    stories = {row["story_id"] for row, _ in found}
    click.echo(
        f"{safe_line(watch_config.name)}: {count(len(found), 'article')} in {count(len(stories), 'story')} "
        f"over the last {watch_config.backfill_days} days of stored news (nothing saved)"
    )
    zone = obj.zone
    for row, why in list(reversed(found))[:limit]:
        reasons = why_text(why)
        click.echo(
            f"  {local_time(row['published'], zone)} {row['language'] or '?':<3} "
            f"{safe_line(row['title'] or '')}  [{safe_line(reasons)}]"
        )


@watches.command()
@click.argument("alert_id", metavar="ALERT", type=int)
@click.argument("decision", type=click.Choice(["sent", "resend"]))
@click.pass_obj
def resolve(obj: Context, alert_id: int, decision: str) -> None:
    """Settle an alert mail of unknown outcome (see `monitor stats`): it arrived (sent), or
    send it again (resend)."""
    from monitor.deliver.alerts import resolve_alert

    with obj.store() as store:
        click.echo(resolve_alert(store, alert_id, decision, utcnow()))
