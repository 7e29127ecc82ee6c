"""Alerts of the `breaking:` section (issue 27, item 2): every story the stories stage flags
breaking, filtered by languages, feed tags and countries, goes once to each target (webhook,
mail) through the watches' outbox, which delivers, retries and settles it.

Once per story and target, across restarts and workers: the outbox row's idempotency key is
made of the story and the target only, and the outbox refuses a second row with the same
key (the insert and the check are one statement). A story's countries are those it is about,
as the pages and the digest's `countries:` decide them (monitor.entities.countries: named by
a third of the outlets that name a place). Only stories flagged within a day of the
newest news (and never later than now: a clock jump forward cannot hide one) are alerted, so
that a new section does not mail last month's breaking stories.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Set
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Protocol

from monitor.deliver.alertplan import GIVE_UP_AFTER, MAIL_ARTICLES, articles_part, story_head
from monitor.deliver.breaking_settings import BreakingAlertsConfig
from monitor.entities.storycountries import countries_of
from monitor.store.core import json_object
from monitor.store.protocols import AlertStore, BreakingAlertStore, WatchStore
from monitor.terminal import one_line
from monitor.timeutil import iso, local_time, parse_iso, utcnow
from monitor.wording import breaking_note, count

log = logging.getLogger("monitor.alerts")

BREAKING_ALERT_WINDOW = timedelta(hours=24)  # flagged this long before the newest news
BREAKING_EVENT = "story.breaking"  # the payload's `event`, webhook and mail alike


class BreakingStore(WatchStore, AlertStore, BreakingAlertStore, Protocol):
    """What breaking alerts read and write."""


def breaking_key(story_id: int, channel: str, target: str) -> str:
    """The one key of a story's breaking alert to a target: whoever computes it, whenever."""
    parts = ["breaking", str(story_id), channel, target.lower()]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def story_wanted(cfg: BreakingAlertsConfig, facts: Mapping[str, Set[str]]) -> bool:
    """Does a breaking story pass the section's filters? Each filter given must hold (one of
    its values among the story's); within a filter, any value will do."""
    wanted = (
        ("languages", cfg.languages),
        ("tags", cfg.tags),
        ("countries", cfg.countries),
    )
    return all(not values or set(values) & set(facts.get(key, ())) for key, values in wanted)


def is_breaking_row(row: Mapping[str, Any]) -> bool:
    """Is this outbox row a breaking alert (of no watch)?"""
    if row.get("watch_id") is not None:
        return False
    try:
        payload = json.loads(str(row.get("payload") or "{}"))
    except ValueError:
        return False
    return isinstance(payload, dict) and payload.get("event") == BREAKING_EVENT


def plan_breaking_alerts(store: BreakingStore, cfg: BreakingAlertsConfig, now: datetime | None = None) -> int:
    """Add to the outbox the breaking alerts not yet there; the number added. Safe to run at
    any time from several processes."""
    now = now or utcnow()
    latest = parse_iso(store.watch_latest_published())
    channels = cfg.channels()
    if latest is None or not channels:
        return 0
    since = iso(min(latest, now) - BREAKING_ALERT_WINDOW) or ""
    stories = store.breaking_alert_candidates(since)
    if not stories:
        return 0
    wanted = {(int(s["id"]), c, t): breaking_key(int(s["id"]), c, t) for s in stories for c, t in channels}
    held = store.outbox_keys(list(wanted.values()))
    open_ids = sorted({sid for (sid, _c, _t), key in wanted.items() if key not in held})
    if not open_ids:
        return 0
    facts = store.breaking_story_filters(open_ids)
    countries = countries_of(store, open_ids)
    for story_id, found in facts.items():
        found["countries"] = set(countries.get(story_id, ()))
    added = 0
    for story in stories:
        story_id = int(story["id"])
        if story_id not in facts or not story_wanted(cfg, facts[story_id]):
            continue
        part: dict[str, Any] | None = None
        for channel, target in channels:
            key = wanted[(story_id, channel, target)]
            if key in held:
                continue
            part = part or story_part(store, story, facts[story_id])
            entry = _outbox_entry(part, key, channel, now)
            if store.outbox_add(channel, target, entry, iso(now) or ""):
                added += 1
                log.info(
                    "event=breaking_alert_recorded story=%d channel=%s target=%s", story_id, channel, target
                )
    return added


def story_part(
    store: BreakingStore, story: Mapping[str, Any], facts: Mapping[str, Set[str]]
) -> dict[str, Any]:
    """The story as a breaking alert tells it: its size, when and why it was flagged, its
    countries, and its articles (the newest last)."""
    articles = store.watch_story_articles(int(story["id"]))
    why = json_object(story.get("breaking_why"))
    return {
        **story_head(story),
        "languages": sorted(facts.get("languages", ())),
        "countries": sorted(facts.get("countries", ())),
        "first_published": story.get("first_seen"),
        "breaking_at": story.get("breaking_at"),
        "breaking_why": why,
        "articles": articles_part(articles),
    }


def _outbox_entry(part: dict[str, Any], key: str, channel: str, now: datetime) -> dict[str, Any]:
    story = part if channel == "webhook" else {**part, "articles": part["articles"][:MAIL_ARTICLES]}
    return {
        "idempotency_key": key,
        "next_attempt_at": iso(now),
        "expires_at": iso(now + GIVE_UP_AFTER),
        "payload": {
            "event": BREAKING_EVENT,
            "idempotency_key": key,
            "reason": "breaking",
            "alerted_at": iso(now),
            "story": story,
        },
    }


def breaking_text(
    payload: Mapping[str, Any], base_url: str | None = None, zone: tzinfo = UTC
) -> tuple[str, str]:
    """(subject, plain text) of a breaking story's mail; times in `zone` (the digest's)."""
    story = payload.get("story") or {}
    headline = one_line(str(story.get("headline") or ""), 200)
    subject = f"Breaking: {one_line(str(story.get('headline') or ''), 110)}"
    langs = ", ".join(story.get("languages") or [])
    lines = [
        f"Breaking: {headline}",
        "",
        f"{count(int(story.get('outlets') or 0), 'outlet')}, "
        f"{count(int(story.get('articles_count') or 0), 'article')} ({langs})",
        f"flagged at {local_time(story.get('breaking_at'), zone)}: "
        f"{breaking_note(story.get('breaking_why'))}",
    ]
    if story.get("countries"):
        lines.append("countries: " + ", ".join(story["countries"]))
    if base_url:
        lines.append(f"{base_url}/stories/{story.get('id')}")
    elif story.get("url"):
        lines.append(str(story["url"]))
    lines.append("")
    for article in story.get("articles") or []:
        lines.append(
            f"- [{article.get('language') or '?'}] {one_line(article.get('outlet') or '', 40)}: "
            f"{one_line(article.get('title') or '', 160)}"
        )
        if article.get("url"):
            lines.append(f"  {article['url']}")
    return subject, "\n".join(lines) + "\n"
