"""When is a feed next due? Pure functions of settings, history and the feed's hints."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

MAX_BACKOFF = 24 * 3600


@dataclass(frozen=True)
class PollHistory:
    """What the store knows of a feed's last polls."""

    error_count: int = 0  # failures in a row; 0 after a success
    ttl_seconds: int | None = None  # RSS <ttl>
    max_age_seconds: int | None = None  # Cache-Control: max-age
    retry_after: datetime | None = None  # from a 429/503 Retry-After
    overflow_seconds: int | None = None  # FeedWindow.overflow_seconds: poll before it


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
    caching hints, within [min_interval, max_interval], and never longer than its window
    takes to overflow (not below min_interval: the floor wins). A failing feed backs off
    exponentially (interval × 2^(errors-1), plus up to 25 % jitter), capped at max_backoff.
    """
    base = max(interval, min_interval)
    hints = [h for h in (history.ttl_seconds, history.max_age_seconds) if h]
    if hints:
        base = max(base, min(max(hints), max_interval))
    base = min(base, max(max_interval, interval))
    if history.overflow_seconds is not None:
        # Items falling off the feed unseen are lost for good: this shortens the hints and a
        # feed's own interval alike.
        base = min(base, max(history.overflow_seconds, min_interval))
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


def plan_next_poll(
    now: datetime,
    window: FeedWindow | None,
    history: PollHistory,
    *,
    own_interval: int | None = None,
    interval: int = 1800,
    min_interval: int = 300,
    max_interval: int = 24 * 3600,
    max_backoff: int = MAX_BACKOFF,
    key: str = "",
    phase: float | None = None,
) -> datetime:
    """When a feed polled `now` is next due, from what its body listed (`window`: the one
    read now, else the last one). Pure.

    A feed without an interval of its own (`own_interval`) polls once per post at the pace
    its listed items show, `interval` (the settings') while they show too little. Every
    feed, its own interval or caching hints notwithstanding, is polled before as many new
    items as half its window could appear (min_interval aside: the floor wins). Failures
    back off, and a Retry-After holds, as in next_poll_at. A healthy feed's poll then moves
    to its slot (`phase`) in the interval, never past the overflow time.
    """
    chosen = own_interval or pace_interval(window, now, interval, min_interval, max_interval)
    floor = min(min_interval, chosen)  # a feed's own interval may lie below the floor
    overflow = window.overflow_seconds(now) if window is not None else None
    history = replace(history, overflow_seconds=overflow)
    due = next_poll_at(
        now,
        chosen,
        history,
        key=key,
        min_interval=floor,
        max_interval=max_interval,
        max_backoff=max_backoff,
    )
    if phase is not None and history.error_count == 0 and history.retry_after is None:
        ceiling = max(max_interval, chosen)
        if overflow is not None:
            ceiling = min(ceiling, max(overflow, floor))
        due = spread_due(due, now, int((due - now).total_seconds()), phase)
        # The slot may lie up to half an interval later: never past the ceiling, nor past
        # the time the window could overflow.
        due = min(due, now + timedelta(seconds=ceiling))
    return due


def is_due(next_due: datetime | None, now: datetime) -> bool:
    return next_due is None or next_due <= now


# --- politeness and health (issue 4) -------------------------------------------------

GONE_AFTER = 3  # 410 answers in a row before a feed is marked gone
MOVED_AFTER = 3  # polls in a row that end in the same permanent redirect before the URL moves


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


MIN_DATED_ITEMS = 2  # fewer posting times listed: too little history for a pace
WINDOW_MARGIN = 0.5  # poll before half as many new items as the feed lists could appear


@dataclass(frozen=True)
class FeedWindow:
    """What a feed's last read body listed: how many items (its window; older ones have
    fallen off), how many of them carried a date of their own, at how many distinct times
    (items posted together, or all stamped with the time the feed was built, share one),
    and the oldest such date."""

    listed: int
    dated: int = 0
    times: int = 0
    oldest: datetime | None = None

    @classmethod
    def of(cls, listed: int, published: Iterable[datetime], now: datetime) -> FeedWindow:
        """The window of a body listing `listed` items with these dates (a date in the
        future counts as now: it says nothing of a pace)."""
        dates = [min(p, now) for p in published]
        return cls(listed=listed, dated=len(dates), times=len(set(dates)), oldest=min(dates, default=None))

    def _span(self, now: datetime) -> float | None:
        """Seconds the dated items cover, or None with too little history (fewer than two
        posting times). They cover [oldest, now]: counting `now` as the end (not the newest
        item) slows the pace of a feed gone quiet, poll after poll."""
        if self.times < MIN_DATED_ITEMS or self.oldest is None:
            return None
        return max(0.0, (now - self.oldest).total_seconds())

    def gap(self, now: datetime) -> float | None:
        """Seconds between posting times at the pace the listed items show; None: unknown."""
        span = self._span(now)
        return None if span is None else span / self.times

    def overflow_seconds(self, now: datetime, margin: float = WINDOW_MARGIN) -> int | None:
        """Seconds until, at this pace, `margin` × as many new items as the feed lists have
        appeared: a later poll risks items that fell off the window unseen. None: unknown."""
        span = self._span(now)
        if span is None:
            return None
        return int(self.listed * span / self.dated * margin)


def pace_interval(
    window: FeedWindow | None, now: datetime, interval: int, min_interval: int, max_interval: int
) -> int:
    """The poll interval of a feed without one of its own: one poll per post at the pace its
    listed items show, within [min_interval, max_interval]; `interval` (the settings') while
    the feed has listed too few dated items to tell a pace."""
    gap = window.gap(now) if window is not None else None
    if gap is None:
        return interval
    return max(min_interval, min(max_interval, int(gap)))


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
