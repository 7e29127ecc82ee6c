"""Each story's countries, kept in the store (`story_countries`), so that /places and the
country filters read them rather than every article of the week's stories. The rule stays
monitor.entities.countries'; triggers mark a story out of date when an article of it gains or
loses places, joins or leaves it, and `refresh_story_countries` (after the places and the
stories stages) writes them again. A story read while out of date is decided from its
articles, as before: the pages never show a stale country."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from monitor.entities.countries import countries_by_story

log = logging.getLogger("monitor.entities")

BATCH = 500
PER_RUN = 20_000  # stories in one run: the backlog after the migration goes on next run


class StoryCountryReads(Protocol):
    def story_country_rows(self, story_ids: Sequence[int]) -> list[dict[str, Any]]: ...

    def story_countries_kept(self, story_ids: Sequence[int]) -> tuple[dict[int, list[str]], list[int]]: ...


class StoryCountryStore(StoryCountryReads, Protocol):
    def story_countries_pending(self, limit: int) -> list[tuple[int, int]]: ...

    def story_countries_write(self, found: Sequence[tuple[int, int, Sequence[str]]]) -> int: ...


def refresh_story_countries(
    store: StoryCountryStore, *, stop: Callable[[], bool] | None = None, limit: int = PER_RUN
) -> int:
    """Write again the countries of the stories out of date, a batch at a time, up to `limit`
    stories; returns how many were kept (a story that changed meanwhile waits for the next)."""
    read = kept = 0
    while read < limit and not (stop and stop()):
        pending = store.story_countries_pending(min(BATCH, limit - read))
        if not pending:
            break
        about = countries_by_story(store.story_country_rows([story_id for story_id, _ in pending]))
        kept += store.story_countries_write(
            [(story_id, version, about.get(story_id, [])) for story_id, version in pending])
        read += len(pending)
        if len(pending) < BATCH:
            break
    if read:
        log.info("event=story_countries stories=%d kept=%d", read, kept)
    return kept


def countries_of(store: StoryCountryReads, story_ids: Sequence[int]) -> dict[int, list[str]]:
    """These stories' countries (most covered first; a story with none absent): kept ones as
    kept, those out of date from their articles."""
    kept, stale = store.story_countries_kept(story_ids)
    if stale:
        kept.update(countries_by_story(store.story_country_rows(stale)))
    return kept


def window_countries(
    rows: Sequence[dict[str, Any]], stale_rows: Callable[[list[int]], list[dict[str, Any]]]
) -> tuple[dict[int, str], dict[int, list[str]]]:
    """From `window_story_countries` rows: each story's latest publication in the window (ISO
    text) and its countries (stories with none left out); `stale_rows(ids)` gives the
    (story_id, feed_id, country) rows of the stories out of date."""
    last: dict[int, str] = {}
    about: dict[int, list[str]] = {}
    stale: list[int] = []
    for row in rows:
        story_id = int(row["story_id"])
        if story_id not in last:
            last[story_id] = str(row["last"])
            if row["dirty"]:
                stale.append(story_id)
        if not row["dirty"] and row["country"] is not None:
            about.setdefault(story_id, []).append(str(row["country"]))
    if stale:
        about.update(countries_by_story(stale_rows(stale)))
    return last, {story_id: found for story_id, found in about.items() if found}
