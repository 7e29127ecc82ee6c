"""Atom feeds out (RFC 4287): the ranked stories of a view as entries."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html import escape
from typing import Any

from feedgen.feed import FeedGenerator

from monitor import __version__
from monitor.entities.countries import country_name
from monitor.languages import language_name
from monitor.timeutil import parse_iso
from monitor.web.views import (
    StoryFilters,
    safe_url,
)
from monitor.wording import count


def tags_of(text: str | None) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(t) for t in value] if isinstance(value, list) else []


def atom_feed(
    base: str,
    self_url: str,
    filters: StoryFilters,
    stories: list[dict[str, Any]],
    articles: dict[int, list[dict[str, Any]]],
    now: datetime,
    *,
    breaking: bool = False,
) -> bytes:
    """Atom 1.0 (RFC 4287): one entry per story, its id stable across fetches. `breaking`:
    the feed of breaking stories (/breaking.atom), each entry dated when it was flagged."""
    fg = FeedGenerator()
    what = [f"tag {filters.tag}" if filters.tag else ""]
    what += [f"in {language_name(filters.lang)}" if filters.lang else ""]
    what += [f"search “{filters.q}”" if filters.q else "", f"feed {filters.feed}" if filters.feed else ""]
    what += [f"about {country_name(filters.country)}" if filters.country else ""]
    label = ", ".join(w for w in what if w)
    if breaking:
        fg.id(f"{base}/breaking.atom")
        fg.title("monitor: breaking stories")
        fg.subtitle("Stories whose coverage grows unusually fast: new outlets and languages.")
    else:
        fg.id(f"{base}/stories.atom{filters.query()}")
        fg.title("monitor: top stories" + (f" ({label})" if label else ""))
        fg.subtitle("Stories of the last 24 hours, ranked by how many outlets and languages cover them.")
    fg.author({"name": "monitor"})
    fg.generator("monitor", version=__version__)
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(
        href=f"{base}/{filters.query()}",
        rel="alternate",
        type="text/html",
    )
    fg.updated(max((_dt(s["breaking_at" if breaking else "last_published"]) for s in stories), default=now))
    for story in reversed(stories):  # feedgen prepends: add the lowest rank first
        entry = fg.add_entry()
        entry.id(f"{base}/stories/{story['id']}")
        entry.title(story["headline"])
        entry.link(href=f"{base}/stories/{story['id']}", rel="alternate", type="text/html")
        entry.published(_dt(story["first_published"]))
        entry.updated(_dt(story["breaking_at"] if breaking else story["last_published"]))
        entry.content(atom_summary(story, articles.get(story["id"], [])), type="html")
        for code in story["languages"]:
            entry.category(term=code, label=language_name(code))
        # The countries it is about, as on its page; their own scheme (RFC 4287 §4.2.2), so
        # that a reader does not take FR the country for fr the language.
        for code in story.get("countries", ()):
            entry.category(term=code, scheme=f"{base}/places/", label=country_name(code))
    return bytes(fg.atom_str(pretty=True))


def _dt(text: str | None) -> datetime:
    return parse_iso(text) or datetime(1970, 1, 1, tzinfo=UTC)


def atom_summary(story: dict[str, Any], articles: list[dict[str, Any]]) -> str:
    """The entry's HTML: coverage figures and the articles as links (all text escaped)."""
    first = story.get("first_report") or {}
    lines = []
    if story.get("breaking"):
        lines.append(f"<p><strong>Breaking</strong>: {escape(story['breaking'])}.</p>")
    lines += [
        f"<p>{count(story['n_articles'], 'article')} from {count(story['n_outlets'], 'outlet')} in "
        f"{escape(', '.join(story['languages']) or 'no known language')}.",
    ]
    if first:
        outlet, when = escape(first.get("outlet") or "?"), escape(first.get("published") or "?")
        lines.append(f" First reported by {outlet} at {when}.</p>")
    else:
        lines.append("</p>")
    lines.append("<ul>")
    for a in articles[:20]:
        url = safe_url(a.get("url") or a.get("link"))
        title = escape(a.get("title") or "(no title)")
        link = f'<a href="{escape(url)}">{title}</a>' if url else title
        lines.append(
            f"<li>[{escape(a.get('language') or '--')}] {link} ({escape(a.get('outlet') or '')})</li>"
        )
    lines.append("</ul>")
    return "".join(lines)
