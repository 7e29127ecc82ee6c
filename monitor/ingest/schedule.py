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


# --- politeness and health (issue 4) -------------------------------------------------

GONE_AFTER = 3  # 410 answers in a row before a feed is marked gone
MOVED_AFTER = 3  # polls in a row that end in the same permanent redirect before the URL moves
WEEK = 7 * 86400


def host_phases(urls_by_host: dict[str, list[str]]) -> dict[str, float]:
    """A phase in [0, 1) per feed URL: the feeds of one host evenly spread over their
    interval (in URL order), each host's sequence shifted by a stable per-host offset."""
    phases: dict[str, float] = {}
    for host, urls in urls_by_host.items():
        offset = jitter_fraction(f"host:{host}")
        ordered = sorted(set(urls))
        for index, url in enumerate(ordered):
            phases[url] = (offset + index / len(ordered)) % 1.0
    return phases


def spread_due(due: datetime, polled_at: datetime, interval: int, phase: float) -> datetime:
    """Move `due` to the nearest instant whose position in the interval is `phase`.

    Shifts by at most half an interval either way and never to less than half an interval
    after the poll, so a feed settles on its slot in one step and then keeps it."""
    if interval <= 0:
        return due
    epoch = due.timestamp()
    target = phase * interval
    shift = (target - epoch) % interval
    if shift > interval / 2:
        shift -= interval
    moved = due + timedelta(seconds=shift)
    earliest = polled_at + timedelta(seconds=interval / 2)
    return max(moved, earliest)


def adaptive_interval(
    posts_last_week: int | None, interval: int, min_interval: int, max_interval: int
) -> int:
    """The poll interval from a feed's observed posting frequency (one poll per expected
    post), within [min_interval, max_interval]; `interval` when nothing is known."""
    if not posts_last_week or posts_last_week <= 0:
        return interval  # no dated post in a week: no evidence, keep the configured interval
    return max(min_interval, min(max_interval, WEEK // posts_last_week))


@dataclass(frozen=True)
class StatusStreaks:
    """What the store remembers between polls about repeated answers."""

    last_http_status: int | None = None
    status_streak: int = 0  # polls in a row that got last_http_status
    redirect_target: str | None = None  # where the last poll's permanent redirects ended
    redirect_streak: int = 0  # polls in a row that ended at redirect_target


@dataclass(frozen=True)
class StatusDecision:
    streaks: StatusStreaks
    gone: bool = False  # stop polling: 410 too often
    move_to: str | None = None  # the feed's fetch URL becomes this


def plan_status(
    previous: StatusStreaks,
    http_status: int | None,
    permanent_redirect: str | None,
    *,
    gone_after: int = GONE_AFTER,
    moved_after: int = MOVED_AFTER,
) -> StatusDecision:
    """Count repeated statuses and permanent redirects; decide gone and moved. Pure."""
    if http_status is not None and http_status == previous.last_http_status:
        status_streak = previous.status_streak + 1
    else:
        status_streak = 1 if http_status is not None else 0
    if permanent_redirect is not None and permanent_redirect == previous.redirect_target:
        redirect_streak = previous.redirect_streak + 1
    else:
        redirect_streak = 1 if permanent_redirect is not None else 0
    # A 2xx/304 at the end of the chain is needed to trust the new place.
    settled = http_status is not None and (200 <= http_status < 300 or http_status == 304)
    move_to = permanent_redirect if (settled and redirect_streak >= moved_after) else None
    streaks = StatusStreaks(
        last_http_status=http_status,
        status_streak=status_streak,
        redirect_target=None if move_to else permanent_redirect,
        redirect_streak=0 if move_to else redirect_streak,
    )
    return StatusDecision(
        streaks=streaks,
        gone=http_status == 410 and status_streak >= gone_after,
        move_to=move_to,
    )
