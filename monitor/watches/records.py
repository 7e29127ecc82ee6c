"""A watch as stored, for the CLI, the web pages and the API: its definition, its attention
over a period, its top outlets and stories (plain data, read through the store)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from monitor.errors import MonitorError
from monitor.store.protocols import WatchStore
from monitor.watches.attention import Attention, attention, period


class WatchNotFoundError(MonitorError):
    """No watch of that name, in the config or the database."""


@dataclass(frozen=True)
class WatchRecord:
    name: str
    definition: dict[str, Any]
    removed: bool
    attention: Attention
    outlets: list[dict[str, Any]]
    stories: list[dict[str, Any]]
    matches: int

    def as_dict(self) -> dict[str, Any]:
        definition = {k: v for k, v in self.definition.items() if v not in (None, [], (), "")}
        return {
            "name": self.name,
            "removed": self.removed,
            "definition": definition,
            "matches": self.matches,
            "totals": self.attention.totals(),
            "attention": self.attention.as_dict(),
            "top_outlets": self.outlets,
            "top_stories": self.stories,
        }


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def watch_record(store: WatchStore, name: str, days: int = 30) -> WatchRecord:
    """One watch over the `days` days ending with the newest stored article's day."""
    row = store.watch_row(name)
    if row is None:
        raise WatchNotFoundError(f"no watch named {name!r} (see `monitor watches list`)")
    definition = json.loads(row["definition"] or "{}")
    min_outlets = int(definition.get("min_outlets") or 1)
    last = _day(store.watch_latest_published()) or date.today()
    first, last = period(last, days)
    start, end = first.isoformat(), (last + timedelta(days=1)).isoformat()
    watch_id = int(row["id"])
    series = attention(
        store.watch_day_counts(watch_id, start, end, min_outlets),
        store.watch_day_totals(start, end),
        first,
        last,
    )
    stories = []
    for story in store.watch_stories(watch_id, start, end, min_outlets):
        stories.append(
            {
                "story_id": story["story_id"],
                "headline": story["headline"],
                "url": story["headline_url"],
                "matched_articles": story["matched"],
                "articles": story["n_articles"],
                "outlets": story["n_outlets"],
                "languages": json.loads(story["languages"] or "[]"),
                "first_match": story["first_match"],
                "last_match": story["last_match"],
                "why": json.loads(story["why"] or "{}"),
            }
        )
    outlets = [
        {"outlet": o["outlet"], "articles": o["articles"]}
        for o in store.watch_top_outlets(watch_id, start, end, min_outlets)
    ]
    matches = sum(d.articles for d in series.overall)
    return WatchRecord(
        name=str(row["name"]),
        definition=definition,
        removed=row["removed_at"] is not None,
        attention=series,
        outlets=outlets,
        stories=stories,
        matches=matches,
    )


def watch_summaries(store: WatchStore, days: int = 7) -> list[dict[str, Any]]:
    """Every watch with its last `days` days (the home page, `monitor watches list`)."""
    out = []
    for row in store.watches_rows():
        record = watch_record(store, str(row["name"]), days)
        out.append(
            {
                "name": record.name,
                "removed": record.removed,
                "matches_total": int(row["matches"]),
                "last_match": row["last_match"],
                "days": [d.as_dict() for d in record.attention.overall],
                "articles": record.attention.totals()["articles"],
            }
        )
    return out


def watch_index(
    store: WatchStore, configured: Sequence[tuple[str, Mapping[str, Any]]], days: int = 7
) -> list[dict[str, Any]]:
    """Every watch for the `/watches` page, by name: those that ran (with their last `days`
    days, as `watch_summaries`), and those defined in feeds.yaml (`configured`: name and
    definition) that have not run yet (`ran` false: nothing matched or counted so far)."""
    out = []
    for summary in watch_summaries(store, days):
        row = store.watch_row(summary["name"])
        definition = json.loads(row["definition"] or "{}") if row else {}
        out.append({**summary, "ran": True, "definition": definition})
    ran = {entry["name"].casefold() for entry in out}
    for name, definition in configured:
        if name.casefold() not in ran:
            out.append(
                {
                    "name": name,
                    "removed": False,
                    "matches_total": 0,
                    "last_match": None,
                    "days": [],
                    "articles": 0,
                    "ran": False,
                    "definition": dict(definition),
                }
            )
    out.sort(key=lambda entry: (entry["name"].casefold(), entry["name"]))
    return out
