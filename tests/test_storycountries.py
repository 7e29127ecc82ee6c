"""A story's countries read from the kept rows, and from its articles while out of date (pure)."""

from __future__ import annotations

from typing import Any

from monitor.entities.storycountries import window_countries


def test_window_countries_kept_and_out_of_date() -> None:
    rows = [
        {"story_id": 1, "last": "2025-03-22T10:00:00Z", "dirty": 0, "country": "UA"},
        {"story_id": 1, "last": "2025-03-22T10:00:00Z", "dirty": 0, "country": "PL"},
        {"story_id": 2, "last": "2025-03-21T10:00:00Z", "dirty": 0, "country": None},  # none
        {"story_id": 3, "last": "2025-03-20T10:00:00Z", "dirty": 2, "country": "FR"},  # stale
        {"story_id": 4, "last": "2025-03-20T11:00:00Z", "dirty": 1, "country": None},
    ]
    asked: list[list[int]] = []

    def from_articles(ids: list[int]) -> list[dict[str, Any]]:
        asked.append(ids)
        # story 3: two outlets name Germany, one France; story 4 names none
        return [{"story_id": 3, "feed_id": f, "country": c} for f, c in ((1, "DE"), (2, "DE"), (3, "FR"))]

    last, about = window_countries(rows, from_articles)
    assert asked == [[3, 4]]
    assert last == {1: "2025-03-22T10:00:00Z", 2: "2025-03-21T10:00:00Z", 3: "2025-03-20T10:00:00Z",
                    4: "2025-03-20T11:00:00Z"}  # fmt: skip
    assert about == {1: ["UA", "PL"], 3: ["DE", "FR"]}


def test_nothing_out_of_date_reads_no_articles() -> None:
    def never(ids: list[int]) -> list[dict[str, Any]]:
        raise AssertionError(ids)

    assert window_countries([], never) == ({}, {})
