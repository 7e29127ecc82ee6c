"""When is a feed next due? Pure functions of settings, history and the feed's hints."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_BACKOFF = 24 * 3600


@dataclass(frozen=True)
class PollHistory:
    """What the store knows of a feed's last polls."""

    error_count: int = 0  # failures in a row; 0 after a success
    ttl_seconds: int | None = None  # RSS <ttl>
    max_age_seconds: int | None = None  # Cache-Control: max-age
    retry_after: datetime | None = None  # from a 429/503 Retry-After


def jitter_fraction(key: str) -> float:
    """A stable number in [0, 1) per feed, to spread feeds and backoffs without randomness."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def poll_delay(
    interval: int,
    history: PollHistory,
    *,
    key: str = "",
    min_interval: int = 300,
    max_interval: int = 24 * 3600,
    max_backoff: int = MAX_BACKOFF,
) -> int:
    """Seconds from this poll to the next one.

    A healthy feed waits its interval, stretched (never shortened) by the feed's own
    caching hints, within [min_interval, max_interval]. A failing feed backs off
    exponentially (interval × 2^(errors-1), plus up to 25 % jitter), capped at max_backoff.
    """
    base = max(interval, min_interval)
    hints = [h for h in (history.ttl_seconds, history.max_age_seconds) if h]
    if hints:
        base = max(base, min(max(hints), max_interval))
    base = min(base, max(max_interval, interval))
    if history.error_count > 0:
        exponent = min(history.error_count - 1, 20)
        backoff = base * (2**exponent)
        backoff = int(backoff * (1 + 0.25 * jitter_fraction(f"{key}#{history.error_count}")))
        base = max(base, min(backoff, max_backoff))
    return base


def next_poll_at(
    polled_at: datetime,
    interval: int,
    history: PollHistory,
    *,
    key: str = "",
    min_interval: int = 300,
    max_interval: int = 24 * 3600,
    max_backoff: int = MAX_BACKOFF,
) -> datetime:
    """The time a feed polled at `polled_at` is next due (a Retry-After wins when later)."""
    due = polled_at + timedelta(
        seconds=poll_delay(
            interval,
            history,
            key=key,
            min_interval=min_interval,
            max_interval=max_interval,
            max_backoff=max_backoff,
        )
    )
    if history.retry_after is not None and history.retry_after > due:
        due = history.retry_after
    return due


def is_due(next_due: datetime | None, now: datetime) -> bool:
    return next_due is None or next_due <= now
