"""The pool of stories a new story may continue (`assigner._ThreadPool`): stories older than
the same-language thread window are searched only by an article in a language new to them,
and the result is the brute-force top k of the stories that article could continue."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.stories.assigner import StorySnapshot, _ThreadPool

T0 = datetime(2024, 5, 1, tzinfo=UTC)
YOUNG_HOURS = 336.0


def story(story_id: int, vector: np.ndarray, hours_ago: float, languages: list[str]) -> StorySnapshot:
    when = T0 - timedelta(hours=hours_ago)
    return StorySnapshot(story_id, when, when, vector.astype(np.float32), 1, languages=Counter(languages))


def unit(rng: np.random.Generator) -> np.ndarray:
    vector = rng.standard_normal(16)
    return vector / np.linalg.norm(vector)


def test_old_stories_of_the_articles_language_are_not_searched() -> None:
    rng = np.random.default_rng(1)
    vector = unit(rng)
    known = {
        1: story(1, vector, 400, ["en"]),  # old, English: no English article may continue it
        2: story(2, vector, 400, ["fr"]),  # old, French: an English article may
        3: story(3, vector, 10, ["en"]),  # young: any article may
    }
    pool = _ThreadPool(YOUNG_HOURS)
    for item in known.values():
        pool.put(item)
    pool.age(T0, known)
    assert {sid for sid, _ in pool.nearest(vector, 8, "en")} == {2, 3}
    assert {sid for sid, _ in pool.nearest(vector, 8, "fr")} == {1, 3}
    assert {sid for sid, _ in pool.nearest(vector, 8, None)} == {3}


def test_a_story_moves_to_the_old_part_just_past_the_window() -> None:
    vector = unit(np.random.default_rng(2))
    known = {1: story(1, vector, YOUNG_HOURS, ["en"])}
    pool = _ThreadPool(YOUNG_HOURS)
    pool.put(known[1])
    pool.age(T0, known)  # exactly at the window: still young
    assert [sid for sid, _ in pool.nearest(vector, 8, "en")] == [1]
    pool.age(T0 + timedelta(seconds=1), known)
    assert pool.nearest(vector, 8, "en") == []
    pool.remove(1)
    assert pool.nearest(vector, 8, "fr") == []


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["en", "fr", "de", None]), st.integers(1, 8))
def test_nearest_is_the_top_k_of_the_stories_the_article_may_continue(
    seed: int, language: str | None, k: int
) -> None:
    rng = np.random.default_rng(seed)
    known: dict[int, StorySnapshot] = {}
    for story_id in range(1, 40):
        languages = list(rng.choice(["en", "fr", "de"], size=int(rng.integers(1, 3)), replace=False))
        known[story_id] = story(story_id, unit(rng), float(rng.uniform(0, 700)), languages)
    pool = _ThreadPool(YOUNG_HOURS)
    for item in known.values():
        pool.put(item)
    pool.age(T0, known)
    vector = unit(rng)
    limit = T0 - timedelta(hours=YOUNG_HOURS)
    could = [
        s for s in known.values()
        if s.last_published >= limit or (language is not None and language not in s.languages)
    ]
    expected = sorted(
        ((s.id, float(np.dot(s.vector_sum, vector.astype(np.float32)))) for s in could),
        key=lambda pair: (-pair[1], pair[0]),
    )[:k]
    found = pool.nearest(vector.astype(np.float32), k, language)
    assert [sid for sid, _ in found] == [sid for sid, _ in expected]
