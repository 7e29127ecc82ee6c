"""Watch pages and their API: `/watches` (every watch, those not run yet too),
`/watches/{name}` (its definition, a server-side SVG chart of attention, top outlets and
stories, its matched articles page by page), `.csv`, `.atom`, `/api/watches/{name}` and
`/api/watches/{name}/attention`."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from html import escape
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from feedgen.feed import FeedGenerator

from monitor import __version__
from monitor.deliver.alertplan import why_text
from monitor.store import AnyStore
from monitor.timeutil import parse_iso
from monitor.watches.attention import Attention
from monitor.watches.records import (
    WatchNotFoundError,
    WatchRecord,
    watch_index,
    watch_record,
    watch_summaries,
)
from monitor.web.views import safe_url, sparkline_points
from monitor.wording import count

DaysQ = Annotated[int, Query(ge=1, le=3650, description="Days shown, ending with the newest stored day.")]
MATCHES_PER_PAGE = 25
MAX_PAGE = 10_000


def definition_rows(definition: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A watch's definition as the page lists it, (what, value) in the order of feeds.yaml's
    keys; empty keys left out. Notify targets say their kind and mode only: a webhook URL
    may carry a token and mail addresses are the readers' own."""
    rows: list[tuple[str, str]] = []

    def words(value: Any) -> str:
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        return str(value)

    for key, label in (
        ("query", "query"),
        ("names", "names"),
        ("about", "about"),
        ("threshold", "similarity threshold"),
        ("languages", "languages"),
        ("tags", "feed tags"),
        ("feeds", "feeds"),
        ("countries", "countries"),
    ):
        value = definition.get(key)
        if value not in (None, "", [], ()):
            rows.append((label, words(value)))
    min_outlets = definition.get("min_outlets")
    if isinstance(min_outlets, int) and min_outlets > 1:
        rows.append(("at least", f"{min_outlets} outlets per story"))
    if definition.get("backfill_days") is not None:
        rows.append(("looks back", f"{definition['backfill_days']} days when added or edited"))
    email = definition.get("email")
    if isinstance(email, Mapping):
        if email.get("mode") == "daily":
            rows.append(("email", "daily, in the digest"))
        else:
            gap = int(email.get("min_gap") or 0) // 60
            rows.append(("email", f"immediate, at most one mail per {gap} min" if gap else "immediate"))
    if isinstance(definition.get("webhook"), Mapping):
        rows.append(("webhook", "yes"))
    return rows


def match_rows(matches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Matched articles as the watch's page lists them: title, link, outlet, why in words."""
    return [
        {
            "id": m["id"],
            "title": m["title"] or "(no title)",
            "url": safe_url(m["url"] or m["link"]),
            "language": m["language"],
            "outlet": m["outlet"],
            "published": m["published"],
            "story_id": m["story_id"],
            "why": why_text(json.loads(m["why"] or "{}")),
        }
        for m in matches
    ]


def attention_svg(att: Attention, *, width: int = 720, height: int = 180) -> str:
    """Bars of matching articles per day, and a line of their share of all news that day.
    Plain SVG drawn here: nothing is loaded from elsewhere."""
    days = att.overall
    pad_left, pad_bottom, pad_top = 34, 22, 10
    inner_w, inner_h = width - pad_left - 8, height - pad_bottom - pad_top
    top = max((d.articles for d in days), default=0) or 1
    top_share = max((d.share for d in days), default=0.0) or 1.0
    step = inner_w / max(1, len(days))
    bar = max(1.0, step * 0.7)
    parts = [
        f'<svg class="attention" viewBox="0 0 {width} {height}" role="img" preserveAspectRatio="none" '
        f'aria-label="Matching articles per day, {att.first.isoformat()} to {att.last.isoformat()}">',
        "<title>Matching articles per day (bars) and their share of all news (line)</title>",
        f'<line x1="{pad_left}" y1="{pad_top + inner_h}" x2="{width - 8}" y2="{pad_top + inner_h}" '
        'class="axis"/>',
        f'<text x="{pad_left - 4}" y="{pad_top + 8}" class="label" text-anchor="end">{top}</text>',
        f'<text x="{pad_left - 4}" y="{pad_top + inner_h}" class="label" text-anchor="end">0</text>',
    ]
    points = []
    for i, day in enumerate(days):
        x = pad_left + i * step + (step - bar) / 2
        h = inner_h * day.articles / top
        y = pad_top + inner_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" class="bar">'
            f"<title>{day.day.isoformat()}: {count(day.articles, 'article')}, {count(day.stories, 'story')}, "
            f"{100 * day.share:.2f}% of {day.total}</title></rect>"
        )
        points.append(f"{x + bar / 2:.1f},{pad_top + inner_h - inner_h * day.share / top_share:.1f}")
    if points:
        parts.append(f'<polyline points="{" ".join(points)}" class="share"/>')
        parts.append(
            f'<text x="{pad_left}" y="{height - 6}" class="label">{escape(att.first.isoformat())}</text>'
            f'<text x="{width - 8}" y="{height - 6}" class="label" text-anchor="end">'
            f"{escape(att.last.isoformat())}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _csv(record: WatchRecord) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in record.attention.csv_rows():
        writer.writerow(row)
    return out.getvalue()


def _atom(base: str, self_url: str, record: WatchRecord, matches: list[dict[str, Any]]) -> bytes:
    """Atom 1.0 (RFC 4287): one entry per matching article, newest first, why in its summary."""
    fg = FeedGenerator()
    page = f"{base}/watches/{_quote(record.name)}"
    fg.id(page)
    fg.title(f"monitor watch: {record.name}")
    fg.author({"name": "monitor"})
    fg.generator("monitor", version=__version__)
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(href=page, rel="alternate", type="text/html")
    fg.updated(max((_dt(m["published"]) for m in matches), default=datetime(1970, 1, 1, tzinfo=UTC)))
    for match in reversed(matches):
        entry = fg.add_entry()
        entry.id(f"{page}#article-{match['id']}")
        entry.title(match["title"] or "(no title)")
        link = (
            match["url"]
            or match["link"]
            or (f"{base}/stories/{match['story_id']}" if match["story_id"] else page)
        )
        entry.link(href=link, rel="alternate")
        entry.published(_dt(match["published"]))
        entry.updated(_dt(match["published"]))
        why = json.loads(match["why"] or "{}")
        reasons = "; ".join(
            f"{k} {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in why.items()
        )
        summary = f"{escape(match['outlet'] or '')} · {escape(match['language'] or '?')}"
        summary += f" · matched: {escape(reasons)}"
        if match["story_id"]:
            summary += f' · <a href="{base}/stories/{match["story_id"]}">the story</a>'
        entry.content(summary, type="html")
    return bytes(fg.atom_str(pretty=True))


def _dt(text: str | None) -> datetime:
    return parse_iso(text) or datetime(1970, 1, 1, tzinfo=UTC)


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


class NotRunYet(Exception):
    """A watch of feeds.yaml that the matcher has not run yet: nothing is stored of it."""

    def __init__(self, name: str, definition: Mapping[str, Any]) -> None:
        super().__init__(f"watch {name!r} has not run yet")
        self.name = name
        self.definition = definition


def home_watches(store: AnyStore) -> list[dict[str, Any]]:
    """The watches of the home page: each with its last 7 days (a sparkline) and figures."""
    out = []
    for summary in watch_summaries(store, 7):
        counts = [int(d["articles"]) for d in summary["days"]]
        out.append(
            {
                **summary,
                "quoted": _quote(summary["name"]),
                "spark": sparkline_points(counts),
                "counts": counts,
            }
        )
    return out


def add_watch_routes(
    app: FastAPI,
    store: Callable[[], AbstractContextManager[AnyStore]],
    page: Callable[..., HTMLResponse],
    configured: Mapping[str, tuple[str, Mapping[str, Any]]],
) -> None:
    """The watch routes, on the app's read-only store and page renderer; `configured`: the
    watches of feeds.yaml (casefolded name -> name and definition), which a watch that has
    not run yet is known by."""

    def record_of(name: str, days: int, *, pending_ok: bool = False) -> WatchRecord:
        """The watch's record; a watch of feeds.yaml not run yet raises NotRunYet when the
        caller shows that (`pending_ok`), else it is a 404 that says so."""
        with store() as s:
            try:
                return watch_record(s, name, days)
            except WatchNotFoundError as exc:
                if name.casefold() not in configured:
                    raise HTTPException(404, str(exc)) from None
        if pending_ok:
            raise NotRunYet(*configured[name.casefold()])
        shown = configured[name.casefold()][0]
        raise HTTPException(404, f"watch {shown!r} has not run yet: nothing matched so far")

    @app.get("/watches", response_class=HTMLResponse, include_in_schema=False)
    def watches_page() -> HTMLResponse:
        with store() as s:
            watches = watch_index(s, list(configured.values()))
        for w in watches:
            counts = [int(d["articles"]) for d in w["days"]]
            w.update(quoted=_quote(w["name"]), counts=counts, spark=sparkline_points(counts))
            w["definition_rows"] = definition_rows(w["definition"])
        return page("watches.html", watches=watches)

    @app.get("/watches/{name}.csv", response_class=Response, tags=["watches"])
    def watch_csv(name: str, days: DaysQ = 30) -> Response:
        """Attention over time as CSV: day, language (`*` for all), articles, stories, all articles, share."""
        record = record_of(name, days)
        filename = "".join(c if c.isalnum() else "-" for c in record.name) or "watch"
        return Response(
            _csv(record),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )

    @app.get(
        "/watches/{name}.atom",
        response_class=Response,
        responses={200: {"content": {"application/atom+xml": {}}}},
        tags=["feeds out"],
    )
    def watch_atom(request: Request, name: str) -> Response:
        """The newest articles matching a watch as Atom 1.0, with why each matched."""
        record = record_of(name, 1)
        with store() as s:
            row = s.watch_row(record.name)
            matches = s.watch_recent_matches(int(row["id"]), 50) if row else []
        base = str(request.base_url).rstrip("/")
        return Response(
            _atom(base, str(request.url), record, matches), media_type="application/atom+xml; charset=utf-8"
        )

    @app.get("/watches/{name}", response_class=HTMLResponse, include_in_schema=False)
    def watch_page(
        name: str,
        days: DaysQ = 30,
        page_number: Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE)] = 1,
    ) -> HTMLResponse:
        try:
            record = record_of(name, days, pending_ok=True)
        except NotRunYet as pending:
            return page(
                "watch.html",
                pending=True,
                watch_name=pending.name,
                definition=definition_rows(pending.definition),
                quoted=_quote(pending.name),
            )
        with store() as s:
            row = s.watch_row(record.name)
            watch_id = int(row["id"]) if row else 0
            total = s.watch_match_count(watch_id)
            pages = max(1, math.ceil(total / MATCHES_PER_PAGE))
            if page_number > pages:
                raise HTTPException(404, f"page {page_number} is past the last page ({pages})")
            matches = s.watch_recent_matches(watch_id, MATCHES_PER_PAGE, (page_number - 1) * MATCHES_PER_PAGE)
        return page(
            "watch.html",
            pending=False,
            watch=record,
            definition=definition_rows(record.definition),
            totals=record.attention.totals(),
            chart=attention_svg(record.attention),
            languages=[(lang, record.attention.totals(lang)) for lang in record.attention.languages],
            days=days,
            quoted=_quote(record.name),
            matches=match_rows(matches),
            total_matches=total,
            page=page_number,
            pages=pages,
        )

    @app.get("/api/watches/{name}", tags=["watches"])
    def api_watch(name: str, days: DaysQ = 30) -> JSONResponse:
        """One watch: its definition, figures, attention per day and language, top outlets and
        stories. A watch of feeds.yaml that has not run yet answers `"ran": false` and its
        definition."""
        try:
            return JSONResponse({"ran": True, **record_of(name, days, pending_ok=True).as_dict()})
        except NotRunYet as pending:
            definition = {k: v for k, v in pending.definition.items() if v not in (None, [], (), "")}
            return JSONResponse({"name": pending.name, "ran": False, "definition": definition})

    @app.get("/api/watches/{name}/attention", tags=["watches"])
    def api_watch_attention(name: str, days: DaysQ = 30) -> JSONResponse:
        """Attention over time: per day, matching articles and stories and their share of all news."""
        return JSONResponse(record_of(name, days).attention.as_dict())
