"""Pure decisions of alerting (no I/O): whether a matching story is alerted (again), the
idempotency key of an alert, when the next mail of a watch may leave, retry delays, the
webhook's signature, and which HTTP answers are worth retrying."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

GIVE_UP_AFTER = timedelta(hours=24)  # an alert not delivered by then is marked failed
ALERT_WINDOW = timedelta(days=2)  # stories matched (or alerted) this long before the newest news
SIGNATURE_HEADER = "X-Monitor-Signature"
KEY_HEADER = "Idempotency-Key"
MAX_ARTICLES = 50  # articles of a story in one webhook payload
MAIL_ARTICLES = 8  # articles listed under each story of a mail (watch and breaking alerts)


@dataclass(frozen=True)
class StorySize:
    """What decides a new alert of a story already alerted: its languages and outlets."""

    languages: frozenset[str]
    outlets: int


def alert_reason(previous: StorySize | None, now: StorySize) -> str | None:
    """'new' for a story never alerted on this channel; 'new language' or 'outlets doubled'
    when it grew materially since its last alert; None: nothing to say."""
    if previous is None:
        return "new"
    if now.languages - previous.languages:
        return "new language"
    if previous.outlets > 0 and now.outlets >= 2 * previous.outlets:
        return "outlets doubled"
    return None


def idempotency_key(watch: str, story_id: int, channel: str, target: str, size: StorySize) -> str:
    """One key per alert: the same (watch, story, channel, target) at the same size is the
    same alert, whoever computes it, so that a repeat is dropped by the store and receiver."""
    parts = [watch.casefold(), str(story_id), channel, target.lower(), ",".join(sorted(size.languages))]
    parts.append(str(size.outlets))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def mail_due(now: datetime, last_mail: datetime | None, min_gap: int) -> datetime:
    """When the next mail of a watch to a recipient may leave: at most one per `min_gap`."""
    if last_mail is None:
        return now
    return max(now, last_mail + timedelta(seconds=min_gap))


def retry_delay(attempts: int) -> timedelta:
    """After the `attempts`-th failure: 30 s, 1 min, 2 min... at most 1 h (24 h in all)."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def sign(secret: bytes, body: bytes) -> str:
    """The signature header's value: HMAC-SHA256 over the exact body sent."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, header: str) -> bool:
    """What a receiver does (and the tests): compare in constant time."""
    return hmac.compare_digest(sign(secret, body), header)


def status_outcome(status: int) -> str:
    """'sent' (2xx), 'retry' (5xx, 408, 425, 429, and anything odd) or 'failed' (other 4xx:
    the receiver refuses this alert, and would again)."""
    if 200 <= status < 300:
        return "sent"
    if 400 <= status < 500 and status not in (408, 425, 429):
        return "failed"
    return "retry"


def languages_of(values: Iterable[object]) -> frozenset[str]:
    return frozenset(str(v) for v in values if v)


def why_text(why: Mapping[str, Any]) -> str:
    """Why a story matched, in words: the query terms, the names, the `about` similarity."""
    parts = []
    if why.get("terms"):
        parts.append("terms " + ", ".join(map(str, why["terms"])))
    if why.get("names"):
        parts.append("names " + ", ".join(map(str, why["names"])))
    if why.get("similarity") is not None:
        parts.append(f"about (similarity {float(why['similarity']):.2f})")
    return "; ".join(parts) or "matched"


def story_head(story: Mapping[str, Any]) -> dict[str, Any]:
    """A story's id, headline and size as an alert's payload gives them (watch and breaking
    alerts alike); each kind adds its own fields after these."""
    return {
        "id": int(story["id"]),
        "headline": story.get("headline") or "",
        "url": story.get("headline_url"),
        "outlets": int(story["n_outlets"] or 0),
        "articles_count": int(story["n_articles"] or 0),
    }


def articles_part(articles: Iterable[Mapping[str, Any]], limit: int = MAX_ARTICLES) -> list[dict[str, Any]]:
    """A story's articles as an alert's payload lists them (watch and breaking alerts alike)."""
    return [
        {
            "title": a["title"],
            "url": a["url"] or a["link"],
            "language": a["language"],
            "outlet": a["outlet"],
            "published": a["published"],
        }
        for a in list(articles)[:limit]
    ]
