"""monitor.store.web's pure part: a window cut into whole UTC days and the pieces at its ends
(the days are read from daily counts, the pieces story by story)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from monitor.store.web import split_days

T0 = datetime(2025, 3, 1, tzinfo=UTC)


def test_a_window_is_its_whole_days_and_the_two_ends() -> None:
    split = split_days(T0 + timedelta(hours=5), T0 + timedelta(days=3, hours=2))
    assert (split.first_day, split.end_day) == (date(2025, 3, 2), date(2025, 3, 4))
    assert split.pieces == (
        (T0 + timedelta(hours=5), T0 + timedelta(days=1)),
        (T0 + timedelta(days=3), T0 + timedelta(days=3, hours=2)),
    )


def test_a_window_within_a_day_or_empty_has_no_whole_day() -> None:
    inside = split_days(T0 + timedelta(hours=1), T0 + timedelta(hours=23))
    assert inside.first_day is None
    assert inside.pieces == ((T0 + timedelta(hours=1), T0 + timedelta(hours=23)),)
    assert split_days(T0, T0) == split_days(T0, T0 - timedelta(hours=1))
    assert split_days(T0, T0).pieces == ()


def test_times_in_another_zone_are_cut_at_utc_midnight() -> None:
    kyiv = timezone(timedelta(hours=2))
    split = split_days(datetime(2025, 3, 2, 2, tzinfo=kyiv), datetime(2025, 3, 3, 2, tzinfo=kyiv))
    assert (split.first_day, split.end_day, split.pieces) == (date(2025, 3, 2), date(2025, 3, 3), ())


@given(st.integers(0, 24 * 60 * 40), st.integers(0, 24 * 60 * 40))
def test_the_days_and_pieces_cover_the_window_once(start_min: int, length_min: int) -> None:
    start = T0 + timedelta(minutes=start_min)
    end = start + timedelta(minutes=length_min)
    split = split_days(start, end)
    spans = list(split.pieces)
    if split.first_day is not None and split.end_day is not None:
        day = datetime.combine(split.first_day, datetime.min.time(), UTC)
        spans.append((day, datetime.combine(split.end_day, datetime.min.time(), UTC)))
    spans.sort()
    covered = sum((b - a for a, b in spans), timedelta())
    assert covered == end - start
    assert all(a < b for a, b in spans)
    assert all(b == c for (_, b), (c, _) in pairwise(spans))  # end to end, no gap, no overlap
    assert not spans or (spans[0][0], spans[-1][1]) == (start, end)
