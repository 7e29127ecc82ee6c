"""schedule.py: when a feed is next due is a pure function (no network, no clock)."""

from __future__ import annotations

import itertools
from bisect import bisect_right
from datetime import UTC, datetime, timedelta

import pytest

from monitor.ingest.schedule import (
    FeedWindow,
    PollHistory,
    is_due,
    jitter_fraction,
    next_poll_at,
    plan_next_poll,
    poll_delay,
)

T0 = datetime(2025, 3, 22, 12, 0, tzinfo=UTC)


def test_healthy_feed_waits_its_interval() -> None:
    assert poll_delay(1800, PollHistory()) == 1800
    assert next_poll_at(T0, 3600, PollHistory()) == T0 + timedelta(hours=1)


def test_min_interval_is_a_floor() -> None:
    assert poll_delay(60, PollHistory(), min_interval=300) == 300


def test_feed_hints_stretch_but_never_shorten() -> None:
    assert poll_delay(900, PollHistory(ttl_seconds=3600)) == 3600
    assert poll_delay(900, PollHistory(max_age_seconds=1200)) == 1200
    assert poll_delay(3600, PollHistory(ttl_seconds=600)) == 3600
    # A hint past the maximum interval is capped.
    assert poll_delay(900, PollHistory(ttl_seconds=7 * 86400), max_interval=86400) == 86400


def test_failures_back_off_exponentially_with_jitter_and_cap() -> None:
    delays = [poll_delay(600, PollHistory(error_count=n), key="k") for n in range(1, 12)]
    assert delays[0] >= 600 and delays[0] <= 750
    assert all(b >= a for a, b in itertools.pairwise(delays))
    assert 1200 <= delays[1] <= 1500 and 2400 <= delays[2] <= 3000
    assert delays[-1] == 24 * 3600
    # Deterministic: the same inputs give the same answer.
    assert poll_delay(600, PollHistory(error_count=3), key="k") == delays[2]


def test_retry_after_wins_when_later() -> None:
    later = T0 + timedelta(hours=5)
    assert next_poll_at(T0, 600, PollHistory(retry_after=later)) == later
    sooner = T0 + timedelta(seconds=10)
    assert next_poll_at(T0, 600, PollHistory(retry_after=sooner)) == T0 + timedelta(seconds=600)


def test_jitter_is_spread_and_stable() -> None:
    values = {jitter_fraction(f"https://f{i}.example/") for i in range(200)}
    assert len(values) == 200 and all(0 <= v < 1 for v in values)
    assert min(values) < 0.1 and max(values) > 0.9


def test_is_due() -> None:
    assert is_due(None, T0)
    assert is_due(T0, T0)
    assert not is_due(T0 + timedelta(seconds=1), T0)


# --- the pace and the window (issue 23) ------------------------------------------------------


def _window(times: list[datetime], now: datetime, listed: int | None = None) -> FeedWindow:
    return FeedWindow.of(len(times) if listed is None else listed, times, now)


def test_a_new_busy_feed_is_polled_at_the_pace_its_items_show() -> None:
    """The issue's feed: 20 items over the last 4 hours (one every 12 min) at the first poll.
    Dividing a week by them gave 8.4 h (7.5 h after the spread): 17 items lost."""
    times = [T0 - timedelta(minutes=12 * n) for n in range(20)]
    due = plan_next_poll(T0, _window(times, T0), PollHistory(), interval=1800)
    assert due - T0 <= timedelta(minutes=12)
    # With its slot among a host's feeds, never past the time half its window turns over.
    for phase in (0.0, 0.3, 0.6, 0.99):
        due = plan_next_poll(T0, _window(times, T0), PollHistory(), interval=1800, phase=phase)
        assert due - T0 <= timedelta(minutes=12 * 20 / 2)


def test_too_little_history_starts_at_the_settings_interval() -> None:
    assert plan_next_poll(T0, None, PollHistory(), interval=1800) == T0 + timedelta(minutes=30)
    one = _window([T0 - timedelta(minutes=1)], T0)
    assert plan_next_poll(T0, one, PollHistory(), interval=1800) == T0 + timedelta(minutes=30)
    undated = FeedWindow(listed=30)  # items without dates of their own: no pace
    assert plan_next_poll(T0, undated, PollHistory(), interval=1800) == T0 + timedelta(minutes=30)


def test_items_posted_together_count_as_one_posting_time() -> None:
    """A feed stamping every item with the time it was built shows no pace: the settings'
    interval, not min_interval forever. Items posted in batches: one poll per batch, yet
    the window's overflow counts items."""
    built = _window([T0 - timedelta(seconds=5)] * 20, T0)
    assert (built.dated, built.times) == (20, 1)
    assert plan_next_poll(T0, built, PollHistory(), interval=1800) == T0 + timedelta(minutes=30)
    # 10 items every hour: a poll an hour, and the 20 items listed overflow in 2 h (half: 1 h).
    batches = _window([T0 - timedelta(hours=1 + n // 10) for n in range(20)], T0)
    assert batches.gap(T0) == 3600 and batches.overflow_seconds(T0) == 3600
    own = plan_next_poll(T0, batches, PollHistory(), own_interval=86400)
    assert own - T0 == timedelta(hours=1)


def test_the_pace_stays_within_the_bounds_and_slows_as_a_feed_goes_quiet() -> None:
    every_minute = _window([T0 - timedelta(minutes=n) for n in range(50)], T0)
    assert plan_next_poll(T0, every_minute, PollHistory(), min_interval=300) == T0 + timedelta(minutes=5)
    weekly = _window([T0 - timedelta(days=7 * n) for n in range(10)], T0)
    assert plan_next_poll(T0, weekly, PollHistory(), max_interval=86400) == T0 + timedelta(days=1)
    hourly = [T0 - timedelta(hours=n) for n in range(1, 21)]
    later = T0 + timedelta(days=2)  # the same 20 items, two quiet days later (304s)
    assert plan_next_poll(T0, _window(hourly, T0), PollHistory()) - T0 <= timedelta(hours=1)
    assert plan_next_poll(later, _window(hourly, T0), PollHistory()) - later >= timedelta(hours=3)


def test_a_feed_s_own_interval_and_its_hints_yield_to_the_window() -> None:
    """A feed's own interval and its caching hints set how often it is read, unless its
    window would overflow before: then as often as that needs, down to min_interval."""
    ten_a_minute = _window([T0 - timedelta(minutes=n) for n in range(1, 11)], T0)  # 10 items in 10 min
    own = plan_next_poll(T0, ten_a_minute, PollHistory(), own_interval=2 * 3600, min_interval=60)
    assert own - T0 == timedelta(minutes=5)  # half the window's 10 minutes
    hinted = plan_next_poll(T0, ten_a_minute, PollHistory(ttl_seconds=86400), min_interval=60)
    assert hinted - T0 <= timedelta(minutes=5)
    assert plan_next_poll(T0, ten_a_minute, PollHistory(), own_interval=2 * 3600) - T0 == timedelta(minutes=5)
    slow = _window([T0 - timedelta(days=n) for n in range(30)], T0)  # a month of daily posts
    assert plan_next_poll(T0, slow, PollHistory(), own_interval=2 * 3600) - T0 == timedelta(hours=2)
    # Failures still back off, and a server's Retry-After still holds.
    failing = plan_next_poll(T0, ten_a_minute, PollHistory(error_count=4), key="k")
    assert failing - T0 >= timedelta(minutes=5 * 8)
    asked = T0 + timedelta(hours=3)
    assert plan_next_poll(T0, ten_a_minute, PollHistory(retry_after=asked)) == asked


def _listed(published: list[datetime], now: datetime, listed: int) -> list[datetime]:
    """What the feed lists at `now`: its newest `listed` items."""
    upto = bisect_right(published, now)
    return published[max(0, upto - listed) : upto]


def _replay(gap: int, listed: int, days: float, *, own_interval: int | None = None) -> tuple[int, int, int]:
    """A feed publishing every `gap` seconds (each gap 70-130 % of it, deterministically)
    and listing its newest `listed` items, polled whenever plan_next_poll says, over
    `days`: (polls, posts, items lost: published, gone from the feed, never seen)."""
    jitter = [0.7 + 0.6 * jitter_fraction(f"{gap}/{listed}/{n}") for n in range(4096)]
    start = T0 - timedelta(seconds=gap * (listed + 5))  # a full window before the first poll
    end = T0 + timedelta(days=days)
    published: list[datetime] = []
    at, n = start, 0
    while at <= end:
        published.append(at)
        at += timedelta(seconds=gap * jitter[n % len(jitter)])
        n += 1
    seen: set[datetime] = set()
    window: FeedWindow | None = None
    polls, now = 0, T0
    key = f"https://feed.example/{gap}/{listed}"
    while now <= end:
        polls += 1
        shown = _listed(published, now, listed)
        if not set(shown) <= seen:  # new items: a new body (else a 304: the last window holds)
            window = FeedWindow.of(len(shown), shown, now)
        seen.update(shown)
        now = plan_next_poll(
            now, window, PollHistory(), own_interval=own_interval, key=key, phase=jitter_fraction(key)
        )
    still_listed = set(_listed(published, end, listed))
    lost = sum(1 for p in published if T0 < p <= end and p not in seen and p not in still_listed)
    posts = sum(1 for p in published if T0 < p <= end)
    return polls, posts, lost


@pytest.mark.parametrize("listed", [10, 20, 50])
@pytest.mark.parametrize("gap", [60, 300, 900, 3600, 4 * 3600, 86400])
def test_replay_loses_no_item_and_polls_no_more_than_the_pace_needs(gap: int, listed: int) -> None:
    """Feeds at 1/min to 1/day with windows of 10-50 items, over simulated days.

    Needed: a poll before half the window turns over (no loss, with a margin for bursts),
    and, as the README promises, about one poll per post between min_interval (5 min) and
    max_interval (24 h). The bound allows that pace's count, plus a tenth for the pace
    estimate (it counts the time since the newest item, so it reads up to 1/listed fast)
    and for the slot moves of the spread, plus the first polls."""
    days = max(3.0, 30 * gap / 86400)
    polls, posts, lost = _replay(gap, listed, days)
    assert lost == 0
    pace = max(300, min(86400, gap))
    assert polls <= days * 86400 / pace * (1 + 1 / listed) * 1.1 + 3, (polls, posts)
    assert polls >= days * 86400 / 86400  # at least max_interval apart: not a stalled feed


@pytest.mark.parametrize("gap", [60, 600, 3600])
def test_replay_with_a_long_own_interval_loses_nothing(gap: int) -> None:
    """`interval: 1d` on a busy feed: the window rules, no item falls off unseen."""
    polls, posts, lost = _replay(gap, 10, 2.0, own_interval=86400)
    assert lost == 0 and polls <= 2 * 86400 / max(300, 5 * gap) * 1.3 + 3, (polls, posts)
