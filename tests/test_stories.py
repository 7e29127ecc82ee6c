"""Story assignment: the pure decision, the online assigner, and real multilingual news."""

from __future__ import annotations

import copy
import itertools
import json
import logging
import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.cli.stories_text import format_stories, format_story
from monitor.errors import MonitorError
from monitor.store import Store
from monitor.stories.assigner import ArticleInput, StoryAssigner, StorySnapshot
from monitor.stories.centering import LanguageMeans, confirmed_language, word_count
from monitor.stories.decide import (
    DecisionInputs,
    StoryParams,
    across_languages,
    core_named,
    decide,
    decide_thread,
    latest_year,
    params_for_model,
    years_conflict,
)
from monitor.stories.dedup import Deduplicator
from monitor.stories.embed import ModelLoadError, article_text, load_embedder
from monitor.stories.entities import extract_keys
from monitor.stories.records import StoryNotFoundError
from monitor.stories.settings import StorySettings
from monitor.stories.stage import _STATES, run_story_stage

FIXTURES = Path(__file__).parent / "fixtures" / "stories"
T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)
PARAMS = StoryParams(
    threshold=0.8,
    min_similarity=0.6,
    entity_weight=0.02,
    max_shared=5,
    cross_language_bonus=0.05,
    merge_threshold=0.95,
    window_hours=48,
)


def unit(*values: float) -> np.ndarray:
    v = np.asarray(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def article(i: int, vector: np.ndarray | None, hours: float = 0.0, **kw: object) -> ArticleInput:
    return ArticleInput(id=i, published=T0 + timedelta(hours=hours), vector=vector, **kw)  # type: ignore[arg-type]


# -- decide ----------------------------------------------------------------------------------
def test_similar_enough_joins() -> None:
    d = decide(DecisionInputs(similarity=0.85, gap_hours=2, shared_keys=0), PARAMS)
    assert d.join and d.score == pytest.approx(0.85)
    assert "0.85" in d.reason


def test_shared_names_and_numbers_lift_a_close_call() -> None:
    close = DecisionInputs(similarity=0.75, gap_hours=2, shared_keys=0)
    assert not decide(close, PARAMS).join
    lifted = DecisionInputs(similarity=0.75, gap_hours=2, shared_keys=3)
    assert decide(lifted, PARAMS).join


def test_shared_keys_are_capped() -> None:
    many = decide(DecisionInputs(similarity=0.7, gap_hours=0, shared_keys=50), PARAMS)
    assert many.score == pytest.approx(0.7 + 0.02 * 5)


def test_keys_never_join_below_the_similarity_floor() -> None:
    d = decide(DecisionInputs(similarity=0.55, gap_hours=0, shared_keys=50), PARAMS)
    assert not d.join and "floor" in d.reason


def test_cross_language_gets_its_bonus() -> None:
    same = decide(DecisionInputs(similarity=0.77, gap_hours=0, shared_keys=0), PARAMS)
    cross = decide(
        DecisionInputs(similarity=0.77, gap_hours=0, shared_keys=0, cross_language=True), PARAMS
    )
    assert not same.join and cross.join


def test_shared_numbers_count_more_across_languages() -> None:
    params = replace(PARAMS, number_weight=0.01, cross_language_bonus=0.0)
    across = DecisionInputs(0.75, gap_hours=1, shared_keys=2, shared_numbers=2, cross_language=True)
    assert decide(across, params).join  # 0.75 + 2 * 0.02 + 2 * 0.01 = 0.81
    assert across_languages(decide(across, params).reason) == "plain similarity, 2 shared numbers"
    assert not decide(replace(across, cross_language=False), params).join  # 0.79
    assert not decide(replace(across, shared_numbers=0), params).join  # two names: 0.79


def test_a_late_language_asks_less_for_its_lateness_than_the_same_language() -> None:
    params = replace(PARAMS, window_hours=168, gap_step=0.08, gap_step_across=0.0, cross_language_bonus=0.0)
    late = DecisionInputs(similarity=0.85, gap_hours=60, shared_keys=0, cross_language=True)
    assert decide(late, params).join
    assert not decide(replace(late, cross_language=False), params).join


def test_too_old_a_story_is_not_joined() -> None:
    d = decide(DecisionInputs(similarity=0.99, gap_hours=49, shared_keys=5), PARAMS)
    assert not d.join and "window" in d.reason


def test_the_latest_year_each_side_names_tells_events_apart() -> None:
    assert latest_year({"#2001", "#2005", "#45", "#2005.5", "ptn"}) == 2005
    assert latest_year({"#45", "#1850", "#2150"}) is None
    rahman = Counter({"#2001": 3, "#2005": 1, "rhmn": 4})
    assert years_conflict({"#2008", "#2012", "tmps"}, rahman)
    assert not years_conflict({"#2012", "#2005"}, rahman)  # recalls the story's latest year
    assert not years_conflict({"#2001"}, rahman)  # the story names the article's latest
    assert not years_conflict({"tmps", "#45"}, rahman)  # names no year: no conflict
    assert not years_conflict({"#2012"}, Counter({"rhmn": 4}))


def test_a_year_conflict_costs_its_penalty() -> None:
    params = replace(PARAMS, year_penalty=0.03)
    close = DecisionInputs(similarity=0.82, gap_hours=0, shared_keys=0)
    assert decide(close, params).join
    conflict = decide(replace(close, years_conflict=True), params)
    assert not conflict.join and conflict.score == pytest.approx(0.79)
    assert decide(replace(close, years_conflict=True), replace(params, year_penalty=0.0)).join


def test_core_named_is_the_share_of_the_keys_most_of_the_story_names() -> None:
    keys = Counter({"klts": 6, "rhmn": 5, "ibf": 3, "mnhm": 2, "lvs": 1})  # 6 articles
    # The core at a half: named by at least 3 articles: klts, rhmn, ibf.
    assert core_named({"klts", "tmps", "lvs"}, keys, 6, 0.5) == pytest.approx(1 / 3)
    assert core_named({"klts", "rhmn", "ibf"}, keys, 6, 0.5) == 1.0
    assert core_named({"klts"}, keys, 6, 0.5, lambda key: key != "klts") == 1.0  # the rest common
    assert core_named(set(), Counter({"klts": 1}), 1, 0.5) == 1.0  # one key in one article: no core
    assert core_named({"tmps"}, keys, 6, 0.9) == 0.0


def test_an_article_naming_little_of_the_storys_core_loses_score_within_one_language() -> None:
    params = replace(PARAMS, core_weight=0.04, core_share=0.5)
    close = DecisionInputs(similarity=0.82, gap_hours=0, shared_keys=0, core_named=0.0)
    assert decide(close, params).score == pytest.approx(0.78)
    assert decide(replace(close, core_named=0.25), params).score == pytest.approx(0.80)
    assert decide(replace(close, core_named=0.5), params).score == pytest.approx(0.82)
    across = replace(close, cross_language=True)  # keys are spelt apart: no loss
    assert decide(across, params).score == pytest.approx(0.82 + PARAMS.cross_language_bonus)


def test_look_alike_events_of_one_kind_stay_apart_by_their_core_and_years() -> None:
    rahman = frozenset({"klts", "rhmn", "ibf", "sap", "#2001"})
    thompson = frozenset({"klts", "tmps", "ibf", "#2012"})  # names 2 of the core's 5
    base = replace(PARAMS, threshold=0.94, entity_weight=0.0)
    for core_weight, year_penalty, apart in ((0.04, 0.01, True), (0.0, 0.0, False)):
        a = StoryAssigner(replace(base, core_weight=core_weight, year_penalty=year_penalty))
        first = [a.assign(article(i, unit(1, 0.05 * i, 0), keys=rahman, language="en")) for i in range(3)]
        assert len({r.story_id for r in first}) == 1
        # Cosine 0.946 to the story: 0.928 after the losses (0.008 for the core, 0.01 the year).
        newcomer = a.assign(article(9, unit(1, 0.4, 0), hours=1, keys=thompson, language="en"))
        assert newcomer.opened is apart, (core_weight, year_penalty)


# -- assigner --------------------------------------------------------------------------------
def test_assigner_joins_close_and_opens_far() -> None:
    a = StoryAssigner(PARAMS)
    r1 = a.assign(article(1, unit(1, 0, 0)))
    r2 = a.assign(article(2, unit(1, 0.1, 0), hours=1))
    r3 = a.assign(article(3, unit(0, 1, 0), hours=2))
    assert r1.opened and not r2.opened and r3.opened
    assert r2.story_id == r1.story_id != r3.story_id
    assert r2.similarity > 0.9 and r2.gap_hours == pytest.approx(1)


def test_story_ids_continue_from_the_given_start() -> None:
    a = StoryAssigner(PARAMS, next_story_id=41)
    assert a.assign(article(1, unit(1, 0))).story_id == 41


def test_stories_outside_the_window_are_dropped_from_the_index() -> None:
    a = StoryAssigner(PARAMS)
    first = a.assign(article(1, unit(1, 0, 0)))
    later = a.assign(article(2, unit(1, 0, 0), hours=72))
    assert later.opened and later.story_id != first.story_id
    assert [s.id for s in a.active_stories] == [later.story_id]


def test_article_without_vector_gets_its_own_story() -> None:
    a = StoryAssigner(PARAMS)
    a.assign(article(1, unit(1, 0)))
    lone = a.assign(article(2, None))
    after = a.assign(article(3, unit(1, 0)))
    assert lone.opened and "no vector" in lone.reason
    assert after.story_id == 1


def test_zero_vector_never_joins() -> None:
    a = StoryAssigner(PARAMS)
    a.assign(article(1, unit(1, 0)))
    assert a.assign(article(2, np.zeros(2, dtype=np.float32))).opened


def test_converging_stories_merge_into_the_older() -> None:
    params = StoryParams(
        threshold=0.9,
        min_similarity=0.0,
        entity_weight=0,
        cross_language_bonus=0,
        merge_threshold=0.91,
        window_hours=48,
    )
    a = StoryAssigner(params)
    s1 = a.assign(article(1, unit(1, 0.0))).story_id
    s2 = a.assign(article(2, unit(1, 0.6), hours=1)).story_id  # cos 0.857: a new story
    assert s1 != s2
    # An article between them joins the second (cos 0.969 vs 0.958), whose centroid then
    # comes within 0.915 of the first: the two merge, into the older id.
    r = a.assign(article(3, unit(1, 0.3), hours=2))
    assert r.story_id == s1
    assert a.resolve(s2) == s1
    assert [s.n_articles for s in a.active_stories] == [3]


def test_late_article_is_clustered_at_the_current_clock() -> None:
    a = StoryAssigner(PARAMS)
    a.assign(article(1, unit(1, 0), hours=100))
    late = a.assign(article(2, unit(1, 0), hours=0))
    assert not late.opened


def test_names_common_to_many_active_stories_are_not_evidence() -> None:
    params = replace(PARAMS, common_key_stories=3, common_key_share=0.3)
    assigner = StoryAssigner(params)
    # Six unrelated stories all mention "Monday" (key `mnd`); one also names "Putin".
    for i in range(6):
        keys = frozenset({"mnd", "ptn"} if i == 0 else {"mnd"})
        assigner.assign(article(i, unit(*[1.0 if j == i else 0.0 for j in range(8)]), keys=keys))
    # An article joining story 1 and sharing both its keys: only the rare one counts.
    close = unit(1, 0.3, 0, 0, 0, 0, 0, 0)
    result = assigner.assign(article(10, close, hours=1, keys=frozenset({"mnd", "ptn"})))
    assert result.shared_keys == 1
    # Once most of those stories have expired, "Monday" is rare again and counts.
    later = StoryAssigner(params, active=[s for s in assigner.active_stories if s.id <= 2])
    again = later.assign(article(11, close, hours=2, keys=frozenset({"mnd", "ptn"})))
    assert again.shared_keys == 2


def test_a_late_arrival_does_not_make_its_story_younger() -> None:
    # As after a restart, when the story's times come back from the database (its articles'
    # publication times): a late article is decided at the clock, but the story it joins
    # keeps the age of its newest article.
    a = article(1, unit(1, 0, 0), hours=0)
    b = article(2, unit(0, 1, 0), hours=47)  # moves the clock to 47 h
    late = article(3, unit(1, 0, 0), hours=-5)  # same story as `a`, published before it
    d = article(4, unit(1, 0, 0), hours=50)  # 50 h after the story's newest article
    one = StoryAssigner(PARAMS)
    assert [r.story_id for r in one.assign_all([a, b])] == [1, 2]
    joined = one.assign(late)
    assert joined.story_id == 1 and not joined.opened
    story = one.story(1)
    assert story is not None and story.first_published == late.published
    assert story.last_published == a.published
    assert one.assign(d).opened  # beyond the 48 h window of story 1's newest article


def test_rebuilt_from_snapshots_continues_the_same_way() -> None:
    vectors = [unit(1, 0, 0), unit(0, 1, 0), unit(1, 0.1, 0), unit(0, 1, 0.1), unit(0, 0, 1)]
    arts = [article(i, v, hours=i) for i, v in enumerate(vectors)]
    whole = StoryAssigner(PARAMS)
    expected = [r.story_id for r in whole.assign_all(arts)]
    first = StoryAssigner(PARAMS)
    got = [r.story_id for r in first.assign_all(arts[:2])]
    resumed = StoryAssigner(
        PARAMS, next_story_id=first.next_story_id, active=first.active_stories, clock=first.clock
    )
    got += [r.story_id for r in resumed.assign_all(arts[2:])]
    assert got == expected


# -- a story stays one event; later developments are threads --------------------------------
def test_a_story_takes_no_articles_once_its_span_is_over() -> None:
    p = replace(PARAMS, max_span_hours=72)
    assert decide(DecisionInputs(similarity=0.99, gap_hours=2, shared_keys=0, span_hours=71), p).join
    closed = decide(DecisionInputs(similarity=0.99, gap_hours=2, shared_keys=0, span_hours=73), p)
    assert not closed.join and "closed" in closed.reason


def test_an_article_long_after_the_story_needs_a_higher_score() -> None:
    p = replace(PARAMS, threshold=0.8, gap_grace_hours=24, gap_step=0.08)

    def joins(similarity: float, gap: float) -> bool:
        return decide(DecisionInputs(similarity=similarity, gap_hours=gap, shared_keys=0), p).join

    assert joins(0.81, 24) and not joins(0.81, 36)  # 12 h beyond the grace: 0.84 needed
    assert joins(0.85, 36) and not joins(0.87, 48)  # a day beyond: 0.88


def test_a_loose_story_asks_more_than_a_tight_one() -> None:
    # Two stories with the same centroid direction: one of two identical articles, one of
    # two articles 60 degrees apart (the mean of their vectors is 0.87 long).
    tight = StorySnapshot(1, T0, T0, 2 * unit(1, 0, 0), 2)
    loose = StorySnapshot(2, T0, T0, unit(1, 0.577, 0) + unit(1, -0.577, 0), 2)
    newcomer = article(3, unit(1, 0, 0), hours=1)
    p = replace(PARAMS, threshold=0.9, min_similarity=0.5, cohesion_power=1.0, merge_threshold=2.0)
    assert StoryAssigner(p, next_story_id=3, active=[loose]).assign(newcomer).story_id != 2
    assert StoryAssigner(p, next_story_id=3, active=[tight]).assign(newcomer).story_id == 1
    plain = replace(p, cohesion_power=0.0)
    assert StoryAssigner(plain, next_story_id=3, active=[loose]).assign(newcomer).story_id == 2


def test_decide_thread() -> None:
    p = replace(PARAMS, thread_threshold=0.7, thread_window_hours=336, thread_min_keys=1)
    assert decide_thread(DecisionInputs(similarity=0.75, gap_hours=100, shared_keys=1), p).join
    assert not decide_thread(DecisionInputs(similarity=0.75, gap_hours=100, shared_keys=0), p).join
    assert not decide_thread(DecisionInputs(similarity=0.65, gap_hours=100, shared_keys=2), p).join
    assert not decide_thread(DecisionInputs(similarity=0.95, gap_hours=400, shared_keys=2), p).join


def test_a_new_language_sharing_a_place_is_threaded_by_its_centered_similarity() -> None:
    p = replace(PARAMS, thread_threshold=0.9, thread_centered_places=1, entity_weight=0.005)
    # A Korean report of the Berlin marathon, ten days on: plain 0.88, centered 0.91.
    late = DecisionInputs(
        similarity=0.88, gap_hours=240, shared_keys=1, cross_language=True,
        centered_similarity=0.91, shared_place_ids=1,
    )  # fmt: skip
    threaded = decide_thread(late, p)
    assert threaded.join and "centered similarity 0.91" in threaded.reason
    assert not decide_thread(replace(late, shared_place_ids=0), p).join  # a country alone: no
    assert not decide_thread(replace(late, cross_language=False), p).join  # its own language: plain
    assert not decide_thread(late, replace(p, thread_centered_places=0)).join  # off
    assert not decide_thread(replace(late, centered_similarity=0.80), p).join  # the higher counts
    assert not decide_thread(replace(late, shared_keys=0), p).join  # still a name or number


def test_an_article_with_no_key_at_all_is_threaded_by_similarity_alone_at_a_higher_bar() -> None:
    p = replace(PARAMS, thread_threshold=0.9, thread_min_keys=1, entity_weight=0.005, max_shared=6)
    # A Mingrelian blurb: no capitals, no figure, no place found; nothing it could share.
    keyless = DecisionInputs(similarity=0.94, gap_hours=100, shared_keys=0, keyless=True)
    assert decide_thread(keyless, p).join
    assert not decide_thread(replace(keyless, similarity=0.92), p).join  # under 0.90 + 6 x 0.005
    assert not decide_thread(replace(keyless, keyless=False), p).join  # keys, none shared
    assert not decide_thread(replace(keyless, gap_hours=400), p).join  # beyond the window


def test_late_reports_with_no_key_or_in_a_new_language_sharing_a_place_are_threaded() -> None:
    # An event in English; nine days on (past every span), a report with no key at all, and
    # a Korean one sharing the city whose plain similarity is far (0.6) but centered close:
    # each opens a story, threaded to the event's.
    p = replace(
        PARAMS, threshold=0.95, thread_threshold=0.9, max_span_hours=72, max_span_across_hours=168,
        entity_weight=0.005, max_shared=6, center_min_articles=1, center_prior=0.0,
    )  # fmt: skip
    berlin = frozenset({"brln", "@2950159"})
    first = [
        article(1, unit(1, 0.1, 0, 0), keys=berlin, language="en", mean_language="en"),
        article(2, unit(1, 0.12, 0, 0), 1, keys=berlin, language="en", mean_language="en"),
        article(3, unit(0, 0.1, 1, 0), 2, keys=frozenset({"#7"}), language="en", mean_language="en"),
        article(4, unit(0, 0.5, 0, 0.87), 3, keys=frozenset({"#8"}), language="ko", mean_language="ko"),
    ]
    keyless = article(5, unit(1, 0.08, 0.02, 0), 24 * 9, language="en")
    korean = article(
        5, unit(0.6, 0.05, 0, 0.8), 24 * 9, keys=berlin | {"#25"}, language="ko", mean_language="ko"
    )
    for late in (keyless, korean):
        assert StoryAssigner(p).assign_all([*first, late])[-1].follows == 1
    # With a key shared with nothing, or without the shared place: a story of its own.
    unshared = replace(keyless, keys=frozenset({"xyzw"}))
    for alone in (unshared, replace(korean, keys=frozenset({"brln", "#25"}))):
        last = StoryAssigner(p).assign_all([*first, alone])[-1]
        assert last.opened and last.follows is None


def test_a_topic_covered_every_few_days_is_a_thread_of_stories() -> None:
    p = replace(PARAMS, threshold=0.8, max_span_hours=72, window_hours=168, thread_threshold=0.7)
    keys = frozenset({"bdn", "#2021"})
    arts = [
        article(1, unit(1, 0.1, 0), hours=0, keys=keys),
        article(2, unit(1, 0.15, 0), hours=2, keys=keys),
        article(3, unit(1, 0.2, 0), hours=80, keys=keys),  # the same subject, 3 days later
        article(4, unit(1, 0.22, 0), hours=81, keys=keys),
        article(5, unit(0, 0, 1), hours=82, keys=keys),  # another subject
    ]
    a = StoryAssigner(p)
    r = a.assign_all(arts)
    assert r[1].story_id == r[0].story_id
    assert r[2].opened and r[2].story_id != r[0].story_id
    assert r[2].thread_id == r[0].story_id and r[2].follows == r[0].story_id
    assert r[3].story_id == r[2].story_id
    assert r[4].opened and r[4].thread_id is None


def test_an_article_dated_long_before_opens_a_story_without_reviving_a_closed_one() -> None:
    p = replace(PARAMS, max_span_hours=72, window_hours=48)
    a = StoryAssigner(p)
    first = a.assign(article(1, unit(1, 0, 0), hours=0))
    a.assign(article(2, unit(0, 1, 0), hours=24 * 90))  # the clock moves three months on
    backlog = a.assign(article(3, unit(1, 0, 0), hours=1))  # dated next to story 1
    assert backlog.opened and backlog.story_id != first.story_id
    assert first.story_id not in {s.id for s in a.active_stories}


@st.composite
def article_streams(draw: st.DrawFn) -> tuple[list[ArticleInput], list[int]]:
    n = draw(st.integers(min_value=1, max_value=30))
    centers = [unit(*c) for c in ([1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0.7, 0.7, 0, 0])]
    arts = []
    for i in range(n):
        base = centers[draw(st.integers(0, len(centers) - 1))]
        noise = np.asarray(
            draw(st.lists(st.floats(-0.3, 0.3), min_size=4, max_size=4)), dtype=np.float32
        )
        vector = None if draw(st.integers(0, 9)) == 0 else (base + noise).astype(np.float32)
        hours = draw(st.integers(0, 120))
        keys = frozenset(
            draw(st.lists(st.sampled_from(["ptn", "#2011", "msk", "obm", "#1999"]), max_size=3))
        )
        language = draw(st.sampled_from(["en", "fr", "de", None]))
        arts.append(
            article(
                i,
                vector,
                hours=hours,
                keys=keys,
                language=language,
                mean_language=language if draw(st.booleans()) else None,
            )
        )
    cuts = sorted(set(draw(st.lists(st.integers(1, max(1, n - 1)), max_size=5))))
    return arts, cuts


@settings(max_examples=150, deadline=None)
@given(article_streams())
def test_result_does_not_depend_on_how_articles_were_split_into_batches(
    stream: tuple[list[ArticleInput], list[int]],
) -> None:
    check_batching(stream, PARAMS)


@settings(max_examples=60, deadline=None)
@given(article_streams())
def test_a_storys_core_and_years_do_not_make_it_depend_on_batches(
    stream: tuple[list[ArticleInput], list[int]],
) -> None:
    check_batching(stream, replace(PARAMS, core_weight=0.2, year_penalty=0.2, entity_weight=0.0))


@settings(max_examples=100, deadline=None)
@given(article_streams())
def test_centering_on_running_language_means_does_not_depend_on_batches_or_restarts(
    stream: tuple[list[ArticleInput], list[int]],
) -> None:
    # Means known after two articles, and centering that decides often: the running means
    # are state that a restart must carry (stored as rows, read back bit for bit).
    check_batching(stream, replace(PARAMS, center_min_articles=2, center_prior=1.0, center_scale=0.5))


def check_batching(stream: tuple[list[ArticleInput], list[int]], params: StoryParams) -> None:
    arts, cuts = stream
    ordered = sorted(arts, key=lambda a: (a.published, a.id))
    one = StoryAssigner(params)
    one_results = one.assign_all(ordered)
    one_ids = {r.article_id: r.story_id for r in one_results}
    one_threads = {r.article_id: r.thread_id for r in one_results if r.opened}
    batched = StoryAssigner(params)
    batch_ids: dict[int, int] = {}
    bounds = [0, *cuts, len(ordered)]
    for start, end in itertools.pairwise(bounds):
        # Each poll hands over its own articles, in any order; the assigner sorts them.
        batch = list(reversed(ordered[start:end]))
        batch_ids.update({r.article_id: r.story_id for r in batched.assign_all(batch)})
    assert {k: one.resolve(v) for k, v in one_ids.items()} == {
        k: batched.resolve(v) for k, v in batch_ids.items()
    }
    assert one.next_story_id == batched.next_story_id
    # The same again with a restart at every cut: a new assigner from the active stories'
    # snapshots, as the stage builds after a restart (the common-key counts included).
    # The snapshots include the recently closed stories (`known_stories`): new stories may
    # continue them as threads.
    restarted = StoryAssigner(params)
    restart_ids: dict[int, int] = {}
    restart_threads: dict[int, int | None] = {}
    merged: dict[int, int] = {}  # what the stage writes to the database, across restarts
    for start, end in itertools.pairwise(bounds):
        results = restarted.assign_all(ordered[start:end])
        restart_ids.update({r.article_id: r.story_id for r in results})
        restart_threads.update({r.article_id: r.thread_id for r in results if r.opened})
        merged.update(restarted.merged)
        restarted = StoryAssigner(
            params,
            next_story_id=restarted.next_story_id,
            active=[restored(s) for s in restarted.known_stories],
            clock=restarted.clock,
            means=LanguageMeans.from_rows(
                restarted.means.rows(),
                min_articles=params.center_min_articles,
                prior=params.center_prior,
            ),
        )

    def final(story_id: int) -> int:
        while story_id in merged:
            story_id = merged[story_id]
        return story_id

    assert {k: one.resolve(v) for k, v in one_ids.items()} == {k: final(v) for k, v in restart_ids.items()}
    assert one_threads == restart_threads


def restored(story: StorySnapshot) -> StorySnapshot:
    """A snapshot as the stage reads it back: its languages as a set (counts of one)."""
    again = copy.deepcopy(story)
    again.languages = Counter(set(story.languages))
    return again


# -- centering across languages ---------------------------------------------------------------
def test_language_means_fall_back_and_are_pulled_toward_the_overall_mean() -> None:
    means = LanguageMeans(min_articles=3, prior=2.0)
    assert means.mean("en") is None  # nothing seen: no centering
    for _ in range(3):
        means.add("en", unit(1, 0))
    assert np.allclose(means.mean("en"), [1, 0])
    means.add("fr", unit(0, 1))
    overall = np.asarray([0.75, 0.25])
    assert np.allclose(means.overall(), overall)
    assert np.allclose(means.mean("fr"), overall)  # one article: the overall mean
    assert np.allclose(means.mean("en"), (np.asarray([3, 0]) + 2 * overall) / 5)  # it moved too
    assert np.allclose(means.mean("xx"), overall) and np.allclose(means.mean(None), overall)
    for _ in range(2):
        means.add("fr", unit(0, 1))
    overall = np.asarray([0.5, 0.5])
    assert np.allclose(means.mean("fr"), (np.asarray([0, 3]) + 2 * overall) / 5)
    again = LanguageMeans.from_rows(means.rows(), min_articles=3, prior=2.0)
    assert again.counts == means.counts
    assert all(np.array_equal(again.sums[k], means.sums[k]) for k in means.sums)
    assert [r[0] for r in means.rows(changed_only=True)] == ["", "en", "fr"]
    assert means.rows(changed_only=True) == []
    with pytest.raises(ValueError, match="''"):
        means.add("", unit(1, 0))


@pytest.mark.parametrize(
    ("declared", "title", "text", "expected"),
    [
        ("ru", "Президент России выступил с обращением", "к гражданам страны в Москве", "ru"),
        # A feed that tags Ukrainian as Russian does not move the Russian mean.
        ("ru", "Президент України звернувся до громадян", "країни з приводу війни у Києві", None),
        ("be-tarask", "Прэзыдэнт Беларусі выступіў са зваротам", "да грамадзянаў у Менску", "be-tarask"),
        ("en", "Earthquake", "", None),  # one word
        # Chinese and Japanese are written without spaces: a sentence is many words.
        ("zh", "俄罗斯总统弗拉基米尔·普京宣布全国部分动员", "征召国内预备役人员前往乌克兰作战。", "zh"),
        ("ja", "東京で大きな地震が発生しました", "", "ja"),
        ("zh", "地震", "", None),  # one word
        ("xx", "Something written in a language with a tag", "that no detector knows about", None),
        (None, "An article whose feed declares no language at all", "", None),
    ],
)
def test_only_an_article_whose_text_confirms_its_language_moves_the_mean(
    declared: str | None, title: str, text: str, expected: str | None
) -> None:
    assert confirmed_language(declared, title, text) == expected
    # A language the ingest detected itself is not detected again.
    trusted = declared if expected is not None or len(f"{title} {text}".split()) >= 4 else None
    assert confirmed_language(declared, title, text, "detected") == trusted


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Earthquake hits the city", 4),
        ("地震", 1),  # one word, two characters
        ("世界人口已經突破80亿人", 6),  # ten characters and a number
        ("Putin 普京 said", 3),
        ("", 0),
    ],
)
def test_words_are_counted_in_scripts_written_without_spaces_too(text: str, words: int) -> None:
    assert word_count(text) == words


def test_centering_joins_a_report_in_another_language_that_the_plain_cosine_misses() -> None:
    # Each language adds its own direction to every vector (dimensions 4 and 5): reports of
    # one event in two languages are far apart until each language's mean is removed.
    def vec(event: int, language: str) -> np.ndarray:
        v = np.zeros(6, dtype=np.float32)
        v[event] = 1.0
        v[4 if language == "en" else 5] = 1.5
        return unit(*v)

    def stream() -> list[ArticleInput]:
        # English reports of events 0 and 1, French ones of events 2 and 3, twice each.
        arts = [
            article(i, vec(event, lang), hours=i * 0.1, language=lang, mean_language=lang)
            for i, (event, lang) in enumerate([(0, "en"), (1, "en"), (2, "fr"), (3, "fr")] * 2)
        ]
        arts.append(article(99, vec(0, "fr"), hours=5, language="fr", mean_language="fr"))
        return arts

    params = replace(PARAMS, center_min_articles=4, center_prior=1.0, center_scale=0.2, merge_threshold=2.0)
    plain = StoryAssigner(replace(params, center_scale=0.0))
    centered = StoryAssigner(params)
    plain_results = {r.article_id: r for r in plain.assign_all(stream())}
    centered_results = {r.article_id: r for r in centered.assign_all(stream())}
    assert plain_results[4].story_id == plain_results[0].story_id
    # Plain: the French report of event 0 opens a story of its own.
    assert plain_results[99].opened
    # Centered: it joins the English story of its event.
    assert centered_results[99].story_id == centered_results[0].story_id
    assert across_languages(centered_results[99].reason) == "centered similarity"
    assert across_languages(plain_results[4].reason) is None


# -- real multilingual news through the default model ----------------------------------------
def load(name: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in (FIXTURES / name).open(encoding="utf-8")]


def cluster_with_default_model(docs: list[dict[str, str]]) -> list[int]:
    embedder = load_embedder("e5-small")
    vectors = embedder.embed([article_text(d["title"], d["text"]) for d in docs])
    assigner = StoryAssigner(params_for_model(embedder.name))
    arts = [
        ArticleInput(
            id=i,
            published=datetime.fromisoformat(d.get("date") or "2024-05-01").replace(tzinfo=UTC),
            vector=vectors[i],
            keys=extract_keys(d["title"], d["text"]),
            language=d.get("language", "en"),
        )
        for i, d in enumerate(docs)
    ]
    labels = {r.article_id: r.story_id for r in assigner.assign_all(arts)}
    return [assigner.resolve(labels[i]) for i in range(len(docs))]


def same_partition(labels: list[int], gold: list[str]) -> bool:
    return all(
        (labels[i] == labels[j]) == (gold[i] == gold[j])
        for i in range(len(labels))
        for j in range(len(labels))
    )


def test_one_report_in_five_languages_is_one_story_and_two_reports_are_two() -> None:
    docs = load("wmt_two_stories.jsonl")
    assert {d["language"] for d in docs} == {"cs", "de", "en", "fr", "ru"}
    labels = cluster_with_default_model(docs)
    news = [label for label, d in zip(labels, docs, strict=True) if "33709" in d["cluster_id"]]
    opinion = [label for label, d in zip(labels, docs, strict=True) if "33713" in d["cluster_id"]]
    # The news report (Tymoshenko amendment) is one story in all five languages.
    assert len(set(news)) == 1
    # The commentary ("Libya's victory") is vaguer: its versions may split, but no version
    # joins the other story, and most of them stay together.
    assert not set(news) & set(opinion)
    assert max(opinion.count(label) for label in opinion) >= 3


def test_two_look_alike_events_stay_apart() -> None:
    docs = load("ecb_lookalike.jsonl")
    labels = cluster_with_default_model(docs)
    assert same_partition(labels, [d["subtopic"] for d in docs]), labels


# -- the stage, on a real database -----------------------------------------------------------
def make_store(path: Path) -> Store:
    return Store.open(path)


def add_feed(store: Store, n: int, language: str) -> int:
    store.db.execute(
        "INSERT INTO feeds (id, url, name, language, created) VALUES (?, ?, ?, ?, ?)",
        [n, f"https://feed{n}.example/rss", f"Outlet {n}", language, "2024-01-01T00:00:00Z"],
    )
    return n


def add_article(
    store: Store,
    article_id: int,
    feed_id: int,
    title: str,
    text: str,
    language: str | None,
    published: datetime,
) -> None:
    when = published.strftime("%Y-%m-%dT%H:%M:%SZ")
    store.db.execute(
        "INSERT INTO articles (id, feed_id, guid, title, text, language, published, first_seen, "
        "content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            article_id,
            feed_id,
            f"g{article_id}",
            title,
            text,
            language,
            when,
            when,
            f"h{article_id}",
        ],
    )


def corpus() -> list[dict[str, Any]]:
    """WMT's two stories (five languages), ECB's two look-alike events, a wire copy, junk."""
    items: list[dict[str, Any]] = []
    languages = {"cs": 1, "de": 2, "en": 3, "fr": 4, "ru": 5}
    for i, d in enumerate(load("wmt_two_stories.jsonl")):
        items.append(
            {
                "feed": languages[d["language"]],
                "title": d["title"],
                "text": d["text"],
                "language": d["language"],
                "gold": d["cluster_id"],
                "hours": i % 5,
            }
        )
    for i, d in enumerate(load("ecb_lookalike.jsonl")):
        items.append(
            {
                "feed": 6 + i,
                "title": d["title"],
                "text": d["text"],
                "language": "en",
                "gold": d["subtopic"],
                "hours": 30 + i,
            }
        )
    copies = {d["id"]: d for d in load("ecb_copies.jsonl")}
    for n, key in enumerate(["21_8ecb", "21_12ecb"]):
        d = copies[key]
        items.append(
            {
                "feed": 10 + n,
                "title": d["title"],
                "text": d["text"],
                "language": "en",
                "gold": "21",
                "hours": 40 + n,
            }
        )
    items.append(
        {"feed": 12, "title": "", "text": "", "language": None, "gold": "empty1", "hours": 50}
    )
    items.append(
        {"feed": 12, "title": "", "text": "", "language": None, "gold": "empty2", "hours": 51}
    )
    return items


def fill(store: Store, items: list[dict[str, Any]], ids: range) -> None:
    for feed in range(1, 13):
        if not store.query("SELECT 1 FROM feeds WHERE id = ?", [feed]):
            add_feed(store, feed, "en")
    for i in ids:
        item = items[i]
        add_article(
            store,
            i + 1,
            int(item["feed"]),
            str(item["title"]),
            str(item["text"]),
            item["language"],
            T0 + timedelta(hours=float(item["hours"])),
        )


def partition(store: Store) -> dict[int, int]:
    return {r["id"]: r["story_id"] for r in store.query("SELECT id, story_id FROM articles")}


def test_stage_groups_translations_finds_copies_and_records_stories(tmp_path: Path) -> None:
    items = corpus()
    with make_store(tmp_path / "m.db") as store:
        fill(store, items, range(len(items)))
        report = run_story_stage(store, StorySettings(preferred_languages=("fr",)))
        assert report.articles == len(items) and report.duplicates == 1
        assert "stories:" in report.summary()
        labels = partition(store)
        assert all(label is not None for label in labels.values())
        gold = {i + 1: item["gold"] for i, item in enumerate(items)}
        by_id = sorted(labels)
        # No story mixes two gold stories (the Libya commentary may split, see above).
        for a in by_id:
            for b in by_id:
                if labels[a] == labels[b]:
                    assert gold[a] == gold[b], (a, b)
        # The two empty articles got a story each.
        assert labels[len(items) - 1] != labels[len(items)]
        # The wire copy points at the original and joins its story; outlets count it once.
        copy = store.query(
            "SELECT id, duplicate_of, story_id FROM articles WHERE duplicate_of IS NOT NULL"
        )
        assert len(copy) == 1 and copy[0]["duplicate_of"] == copy[0]["id"] - 1
        story = store.query("SELECT * FROM stories WHERE id = ?", [copy[0]["story_id"]])[0]
        assert story["n_articles"] == 2 and story["n_outlets"] == 1
        # The Tymoshenko story: five languages, five outlets, a French headline by preference.
        tymoshenko = labels[1]
        row = store.query("SELECT * FROM stories WHERE id = ?", [tymoshenko])[0]
        assert row["n_articles"] == 5 and row["n_outlets"] == 5 and row["n_languages"] == 5
        headline = store.query(
            "SELECT language FROM articles WHERE id = ?", [row["headline_article_id"]]
        )
        assert headline[0]["language"] == "fr"
        assert row["model"] == "e5-small" and len(row["centroid"]) == 384 * 4
        assert any("ymo" in name or "ymoš" in name for name in json.loads(row["entities"]))
        # Each article is embedded once, with its model's name.
        models = store.query(
            "SELECT DISTINCT embedding_model FROM articles WHERE embedding IS NOT NULL"
        )
        assert [m["embedding_model"] for m in models] == ["e5-small"]
        why = store.query("SELECT story_similarity, story_reason FROM articles WHERE id = 2")[0]
        assert why["story_similarity"] > 0.8 and "similarity" in why["story_reason"]
        # Nothing left: a second run does nothing.
        assert run_story_stage(store).articles == 0


def test_a_copy_takes_its_originals_vector_instead_of_being_embedded(tmp_path: Path) -> None:
    wire = (
        "Rescue teams searched through the night for survivors after a ferry carrying 214 "
        "passengers capsized in heavy seas off the northern coast, the port authority said on "
        "Sunday, adding that 187 people had been pulled from the water and taken to hospitals "
        "in the provincial capital while navy divers were still checking the flooded hull."
    )
    with make_store(tmp_path / "m.db") as store:
        for feed in (1, 2, 3):
            add_feed(store, feed, "en")
        add_article(store, 1, 1, "Ferry capsizes off northern coast", wire, "en", T0)
        # The same wire story republished by another outlet an hour later, in the same batch.
        add_article(
            store,
            2,
            2,
            "Ferry capsizes off northern coast",
            wire + " More follows.",
            "en",
            T0 + timedelta(hours=1),
        )
        first = run_story_stage(store)
        assert first.articles == 2 and first.duplicates == 1 and first.embedded == 1
        # A third outlet's copy arrives in a later poll: its original's vector is in the database.
        add_article(store, 3, 3, "Ferry capsizes off the northern coast", wire, "en", T0 + timedelta(hours=2))
        second = run_story_stage(store)
        assert second.articles == 1 and second.duplicates == 1 and second.embedded == 0
        rows = store.query("SELECT id, embedding, duplicate_of, story_id FROM articles ORDER BY id")
        assert [r["duplicate_of"] for r in rows] == [None, 1, 1]
        assert rows[0]["embedding"] == rows[1]["embedding"] == rows[2]["embedding"] is not None
        assert rows[0]["story_id"] == rows[1]["story_id"] == rows[2]["story_id"]


def test_a_text_already_embedded_takes_that_vector(tmp_path: Path) -> None:
    """Headlines alone are too short to be called copies, yet one headline met again (another
    GUID, another outlet) is not embedded again: in the same batch or in a later one."""
    headline = "Ferry capsizes off the northern coast"
    with make_store(tmp_path / "m.db") as store:
        for feed in (1, 2, 3):
            add_feed(store, feed, "en")
        add_article(store, 1, 1, headline, "", "en", T0)
        add_article(store, 2, 2, headline, "", "en", T0 + timedelta(minutes=5))
        add_article(store, 3, 3, "Parliament passes the budget", "", "en", T0 + timedelta(minutes=6))
        first = run_story_stage(store)
        assert first.articles == 3 and first.duplicates == 0 and first.embedded == 2
        add_article(store, 4, 3, headline, "", "en", T0 + timedelta(hours=1))
        add_article(store, 5, 3, headline + "!", "", "en", T0 + timedelta(hours=1))
        second = run_story_stage(store)
        assert second.articles == 2 and second.duplicates == 0 and second.embedded == 1
        rows = store.query("SELECT id, embedding, duplicate_of FROM articles ORDER BY id")
        assert [r["duplicate_of"] for r in rows] == [None] * 5
        assert rows[0]["embedding"] == rows[1]["embedding"] == rows[3]["embedding"] is not None
        assert rows[4]["embedding"] not in (None, rows[0]["embedding"])


def test_restart_continues_the_same_way(tmp_path: Path) -> None:
    items = corpus()
    with make_store(tmp_path / "once.db") as store:
        fill(store, items, range(len(items)))
        run_story_stage(store)
        expected = partition(store)
    path = tmp_path / "twice.db"
    with make_store(path) as store:
        fill(store, items, range(7))
        run_story_stage(store, StorySettings(batch_size=3))
    with make_store(path) as store:  # a new process: the assigner is rebuilt from the tables
        fill(store, items, range(7, len(items)))
        run_story_stage(store, StorySettings(batch_size=4))
        assert partition(store) == expected


def test_a_batch_whose_write_fails_leaves_nothing_behind(tmp_path: Path) -> None:
    items = corpus()
    with make_store(tmp_path / "clean.db") as store:
        fill(store, items, range(len(items)))
        run_story_stage(store, StorySettings(batch_size=4))
        expected = store.query("SELECT id, story_id, duplicate_of FROM articles ORDER BY id")
        expected_stories = store.query("SELECT id, n_articles, keys, centroid FROM stories ORDER BY id")
    with make_store(tmp_path / "m.db") as store:
        fill(store, items, range(len(items)))
        # The database refuses the first batch's write, as a full disk would.
        store.db.execute(
            "CREATE TRIGGER refuse BEFORE UPDATE OF story_id ON articles "
            "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
        with pytest.raises(Exception, match="disk full"):
            run_story_stage(store, StorySettings(batch_size=4))
        assert store.count("stories") == 0
        store.db.execute("DROP TRIGGER refuse")
        # The same process tries again: it must not build on what the failed batch left in memory.
        run_story_stage(store, StorySettings(batch_size=4))
        assert store.query("SELECT id, story_id, duplicate_of FROM articles ORDER BY id") == expected
        stories = store.query("SELECT id, n_articles, keys, centroid FROM stories ORDER BY id")
        assert [(r["id"], r["n_articles"], json.loads(r["keys"])) for r in stories] == [
            (r["id"], r["n_articles"], json.loads(r["keys"])) for r in expected_stories
        ]


def test_a_stop_while_embedding_drops_the_batch_in_hand_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A daemon told to stop: the stage stops between two chunks of texts, writes nothing of
    the batch in hand, and the next run gives what a run never stopped gives."""
    import monitor.stories.stage as stage

    items = corpus()
    with make_store(tmp_path / "clean.db") as store:
        fill(store, items, range(len(items)))
        run_story_stage(store)
        expected = partition(store)
    monkeypatch.setattr(stage, "EMBED_CHUNK", 4)
    asked = []

    def stop() -> bool:  # asked before the batch, then before each chunk: the second chunk stops
        asked.append(1)
        return len(asked) >= 3

    with make_store(tmp_path / "m.db") as store:
        fill(store, items, range(len(items)))
        report = run_story_stage(store, stop=stop)
        assert len(asked) == 3 and report.articles == 0
        assert store.count("stories") == 0
        written = "SELECT id FROM articles WHERE story_id IS NOT NULL OR embedding IS NOT NULL"
        assert store.query(written) == []
        run_story_stage(store)  # the same process: nothing of the dropped batch stays in memory
        assert partition(store) == expected


def test_model_that_cannot_load_stops_before_writing(tmp_path: Path) -> None:
    with make_store(tmp_path / "m.db") as store:
        fill(store, corpus(), range(2))
        with pytest.raises(ModelLoadError):
            run_story_stage(store, StorySettings(model="st:/nowhere/model"))
        assert all(v is None for v in partition(store).values())


def test_settings_from_the_config_section() -> None:
    settings = StorySettings.from_section(
        {"model": "use", "threshold": 0.7, "duplicate_threshold": 0.9, "batch_size": 10},
        preferred_languages=["de"],
    )
    assert settings.model == "use" and settings.batch_size == 10
    assert settings.params is not None and settings.params.threshold == 0.7
    assert settings.params.cross_language_bonus == params_for_model("use-m3").cross_language_bonus
    assert settings.dedup.threshold == 0.9 and settings.preferred_languages == ("de",)
    with pytest.raises(MonitorError, match="unknown"):
        StorySettings.from_section({"treshold": 0.7})


@pytest.mark.parametrize(
    ("section", "reason"),
    [
        ({"threshold": "abc"}, "stories.threshold: must be a number"),  # was a TypeError mid-poll
        ({"threshold": True}, "stories.threshold: must be a number"),
        ({"candidates": 2.5}, "stories.candidates: must be a whole number"),
        ({"duplicate_threshold": "0.5x"}, "stories.duplicate_threshold: must be a number"),
        ({"batch_size": "10"}, "stories.batch_size: must be a whole number"),
        ({"batch_size": 0}, "stories.batch_size: must be at least 1"),  # clustered nothing, silently
        ({"threshold": 7}, "stories.threshold: 7.0 can never be reached"),  # nothing would ever join
        ({"min_similarity": 1.5}, "stories.min_similarity: must be a cosine similarity between -1 and 1"),
        ({"entity_weight": -0.1}, "stories.entity_weight: must be between 0 and 1"),
        ({"window_hours": 0}, "stories.window_hours: must be more than 0"),
        ({"duplicate_threshold": 1.5}, "stories.duplicate_threshold: must be a Jaccard similarity"),
        ({"max_words": 0}, "stories.max_words: must be at least 1"),
        ({"thread_window_across_hours": -1}, "stories.thread_window_across_hours: must be 0 or more"),
    ],
)
def test_settings_of_the_wrong_type_are_refused(section: dict[str, object], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        StorySettings.from_section(section)
    assert StorySettings.from_section({"threshold": 1, "batch_size": 10.0}).batch_size == 10


def test_cli_texts(tmp_path: Path) -> None:
    items = corpus()
    with make_store(tmp_path / "m.db") as store:
        fill(store, items, range(len(items)))
        run_story_stage(store)
        now = T0 + timedelta(days=3)
        listing = format_stories(store, since=T0 - timedelta(days=1), now=now)
        assert "5 outlets" in listing and "cs,de,en,fr,ru" in listing
        ranked = json.loads(
            format_stories(store, since=T0 - timedelta(days=1), now=now, as_json=True)
        )
        assert ranked[0]["outlets"] == 5
        only_ru = json.loads(
            format_stories(
                store, since=T0 - timedelta(days=1), now=now, language="ru", as_json=True
            )
        )
        assert only_ru and all("ru" in s["languages"] for s in only_ru)
        text = format_story(store, ranked[0]["id"], timezone="Europe/Paris")
        assert "[cs]" in text and "[ru]" in text and "similarity" in text
        assert json.loads(format_story(store, ranked[0]["id"], as_json=True))["articles"] == 5
        with pytest.raises(StoryNotFoundError):
            format_story(store, 9999)


# --- story records, computed incrementally, match a plain recomputation from the tables ---


def test_story_records_match_a_plain_recount(tmp_path: Path) -> None:
    """Names, spellings (the most used, the first seen on ties), times and outlets of every
    story record equal what a plain recount over its articles in publication order gives."""
    from collections import Counter

    from monitor.outlets import outlet_name
    from monitor.stories.entities import extract_names

    items = corpus()
    with make_store(tmp_path / "m.db") as store:
        fill(store, items, range(len(items)))
        run_story_stage(store, StorySettings(batch_size=2))
        stories = store.query("SELECT * FROM stories WHERE merged_into IS NULL AND n_articles > 0")
        assert len(stories) >= 4
        for story in stories:
            rows = store.query(
                "SELECT a.*, f.name AS feed_name FROM articles a JOIN feeds f ON f.id = a.feed_id "
                "WHERE story_id = ? ORDER BY published, a.id",
                [story["id"]],
            )
            names: Counter[str] = Counter()
            spelling: dict[str, Counter[str]] = {}
            for r in rows:
                for key, word in extract_names(r["title"], r["text"]).items():
                    names[key] += 1
                    spelling.setdefault(key, Counter())[word] += 1
            entities = [
                spelling[key].most_common(1)[0][0]
                for key, count in names.most_common(8)
                if count >= min(2, len(rows))
            ]
            assert json.loads(story["entities"]) == entities
            assert story["first_seen"] == rows[0]["published"]
            assert story["last_seen"] == max(r["published"] for r in rows)
            outlets = {outlet_name(r["feed_name"], None, "") for r in rows if r["duplicate_of"] is None}
            assert story["n_outlets"] == max(1, len(outlets))
            assert story["n_articles"] == len(rows)


def test_vectors_are_written_with_the_assignments(tmp_path: Path) -> None:
    """`stories_write` stores the batch's vectors in its transaction, also for an article it
    does not assign, and leaves other articles' vectors alone."""
    with make_store(tmp_path / "m.db") as store:
        add_feed(store, 1, "en")
        for n in (1, 2, 3):
            add_article(store, n, 1, f"Title {n}", "Some text", "en", T0)
        store.db.execute("INSERT INTO stories (id, model) VALUES (7, 'm')")
        blob = np.ones(4, dtype=np.float32).tobytes()
        store.stories_write(
            [
                {
                    "article_id": a,
                    "story_id": 7,
                    "duplicate_of": None,
                    "similarity": None,
                    "score": None,
                    "shared_keys": None,
                    "gap_hours": None,
                    "reason": "new story",
                }
                for a in (1, 2)
            ],
            [],
            [],
            now=T0,
            embeddings=[(1, blob, "m"), (3, blob, "m")],
        )
        rows = {
            r["id"]: r for r in store.query("SELECT id, story_id, embedding, embedding_model FROM articles")
        }
        assert [rows[n]["story_id"] for n in (1, 2, 3)] == [7, 7, None]
        assert [rows[n]["embedding_model"] for n in (1, 2, 3)] == ["m", None, "m"]
        assert rows[1]["embedding"] == blob and rows[2]["embedding"] is None


def test_a_stage_with_nothing_pending_loads_no_model_and_builds_no_state(tmp_path: Path) -> None:
    from monitor.stories import stage

    with make_store(tmp_path / "m.db") as store:
        fill(store, corpus(), range(2))
        run_story_stage(store)
        stage._STATES.pop(store, None)
        # A model that cannot load would raise if it were loaded; nothing is pending, so it is not.
        report = run_story_stage(store, StorySettings(model="st:/nowhere/model"))
        assert report.articles == 0 and report.summary() == "stories: nothing new"
        assert store not in stage._STATES


def copies(store: Store) -> dict[int, int | None]:
    return {r["id"]: r["duplicate_of"] for r in store.query("SELECT id, duplicate_of FROM articles")}


@pytest.mark.parametrize(
    "spoil",
    [
        "UPDATE articles SET minhash = NULL",  # a database from before signatures were stored
        # Stale: each article holds the signature of the next one (as after an edit of its text).
        "UPDATE articles SET minhash = (SELECT b.minhash FROM articles b WHERE b.id = articles.id % 15 + 1)",
        "UPDATE articles SET minhash = substr(minhash, 1, 200)",  # torn
        "UPDATE articles SET minhash = CAST(zeroblob(8) || substr(minhash, 9) AS BLOB)",  # other parameters
        "UPDATE articles SET minhash = zeroblob(8) || substr(minhash, 9)",  # not even a blob: text
    ],
)
def test_a_new_process_starts_from_stored_signatures_and_never_trusts_bad_ones(
    tmp_path: Path, spoil: str
) -> None:
    """Article 16 is a wire copy of 15: a restart between them finds it only through 15's
    signature, so a spoiled one that were trusted would change the result."""
    items = corpus()
    with make_store(tmp_path / "once.db") as store:
        fill(store, items, range(len(items)))
        run_story_stage(store)
        expected, expected_copies = partition(store), copies(store)
    assert expected_copies[16] == 15
    path = tmp_path / "twice.db"
    with make_store(path) as store:
        fill(store, items, range(15))
        run_story_stage(store, StorySettings(batch_size=4))
        stored = store.query("SELECT minhash FROM articles")
        assert all(r["minhash"] for r in stored)
        store.db.execute(spoil)
    with make_store(path) as store:  # a new process: the copy index comes from the signatures
        fill(store, items, range(15, len(items)))
        run_story_stage(store, StorySettings(batch_size=4))
        assert partition(store) == expected and copies(store) == expected_copies
        # What was spoiled was computed again and stored: the next start trusts it.
        dedup = Deduplicator()
        for row in store.query("SELECT minhash, content_hash FROM articles WHERE id <= 15"):
            assert dedup.signature_from(row["minhash"], row["content_hash"].encode())[0]


def test_stored_signatures_rebuild_the_same_index_as_the_texts(tmp_path: Path) -> None:
    from monitor.stories.stage import _rebuild_copy_index

    items = corpus()
    with make_store(tmp_path / "m.db") as store:
        fill(store, items, range(len(items)))
        run_story_stage(store)
        since = datetime(2000, 1, 1, tzinfo=UTC)
        from_signatures = Deduplicator()
        _rebuild_copy_index(store, from_signatures, since)
        from_texts = Deduplicator()
        for row in store.query("SELECT id, title, text, duplicate_of FROM articles ORDER BY id"):
            from_texts.add_known(row["id"], f"{row['title']}\n{row['text']}", row["duplicate_of"])
        assert len(from_signatures) == len(from_texts) > 0
        for article_id, signature in from_texts._hashes.items():
            assert list(from_signatures._hashes[article_id]) == list(signature)
        assert from_signatures._original == from_texts._original


def threads(store: Store) -> dict[int, int | None]:
    return {
        r["id"]: r["thread_id"]
        for r in store.query(
            "SELECT a.id, s.thread_id FROM articles a JOIN stories s ON s.id = a.story_id ORDER BY a.id"
        )
    }


def test_follow_ups_days_later_are_threaded_the_same_way_after_a_restart(tmp_path: Path) -> None:
    # The same reports again four days on (past a story's span): new stories, each threaded to
    # the earlier one it continues, never merged into it; a restart in the middle (a new
    # process, the assigner rebuilt from the tables) threads them the same way.
    items = corpus()
    items += [
        {**item, "feed": 12 - int(item["feed"]) % 3, "hours": float(item["hours"]) + 100} for item in items
    ]
    with make_store(tmp_path / "once.db") as store:
        fill(store, items, range(len(items)))
        run_story_stage(store)
        expected, expected_threads = partition(store), threads(store)
    half = len(items) // 2
    assert {expected[i + 1] for i in range(half)}.isdisjoint(expected[i + 1] for i in range(half, len(items)))
    linked = {t for t in expected_threads.values() if t is not None}
    assert linked, "no follow-up was threaded"
    for thread in linked:  # each thread holds stories from both periods
        members = [i for i, t in expected_threads.items() if t == thread]
        assert min(members) <= half < max(members)
    path = tmp_path / "twice.db"
    with make_store(path) as store:
        fill(store, items, range(half + 3))
        run_story_stage(store, StorySettings(batch_size=5))
    with make_store(path) as store:
        fill(store, items, range(half + 3, len(items)))
        run_story_stage(store, StorySettings(batch_size=4))
        assert partition(store) == expected
        assert threads(store) == expected_threads



def test_a_new_language_three_weeks_on_is_threaded_after_a_restart(tmp_path: Path) -> None:
    # The same reports 22 days on, past the 14-day thread window: in a language new to their
    # stories they continue them (a 30-day window), also when the stage starts afresh after
    # the clock has passed 14 days (it must load 30 days of stories); in their own language
    # they open stories of their own, continuing none of the earlier ones.
    first = [item for item in corpus() if item["language"]]
    n = len(first)
    middle = {**first[-1], "hours": 400.0}  # moves the clock on

    def run(language: str) -> tuple[set[int], list[int], list[int | None]]:
        again = [{**item, "language": language, "hours": float(item["hours"]) + 528} for item in first]
        items = [*first, middle, *again]
        for ids in (range(n), range(n, n + 1), range(n + 1, 2 * n + 1)):
            with make_store(tmp_path / f"{language}.db") as store:  # a new process each time
                fill(store, items, ids)
                run_story_stage(store)
                stories, linked = partition(store), threads(store)
        later = range(n + 2, 2 * n + 2)
        return {stories[i] for i in range(1, n + 1)}, [stories[i] for i in later], [linked[i] for i in later]

    earlier, later, linked = run("it")
    assert earlier.isdisjoint(later)  # new stories ...
    assert any(thread in earlier for thread in linked)  # ... continuing the earlier ones
    earlier, later, linked = run("en")
    assert earlier.isdisjoint(later) and not any(thread in earlier for thread in linked)


# Templated news, written the way real feeds write it (a previous run on real feeds merged the
# forecasts of 58 cities, the lottery draws of several provinces, and two matches of one club):
# the same headline with other names reports another event.
WEATHER = [("Москве", -3, -7), ("Казани", -6, -11), ("Самаре", -5, -9), ("Омске", -12, -18),
           ("Перми", -8, -13)]  # fmt: skip
LOTTERY = [("Córdoba", 4721, "Villa María"), ("Santa Fe", 1093, "Rosario"), ("Mendoza", 8350, "San Rafael"),
           ("Tucumán", 2276, "Tafí Viejo")]  # fmt: skip


def templated_items() -> list[tuple[str, str, str, str, float]]:
    """(gold, language, title, text, hours after T0)."""
    items = []
    for n, (city, day, night) in enumerate(WEATHER):
        items.append((
            f"weather-{n}", "ru", f"Погода в {city} на 3 декабря: облачно, до {day} градусов",
            f"В {city} в среду ожидается облачная погода, местами небольшой снег. Температура воздуха "
            f"днём составит {day} градусов, ночью до {night}. Ветер западный, 3-5 метров в секунду. "
            "Атмосферное давление 752 миллиметра ртутного столба, в течение дня будет расти.",
            0.1 * n,
        ))  # fmt: skip
    for n, (province, number, town) in enumerate(LOTTERY):
        items.append((
            f"lottery-{n}", "es", f"Quiniela de {province}: el resultado del sorteo nocturno del martes",
            f"La Lotería de {province} realizó este martes el sorteo de la Quiniela Nocturna. El número "
            f"ganador de la cabeza fue el {number}, vendido en una agencia de {town}. Los premios se "
            "pagan desde el miércoles en todas las agencias oficiales de la provincia.",
            2 + 0.1 * n,
        ))  # fmt: skip
    for n, (score, rival, line) in enumerate((
        ("2-1", "Chelsea", "Saka scored a late winner as Arsenal came from behind against Chelsea"),
        ("0-0", "Brentford", "Arsenal were held to a goalless draw by Brentford at the Emirates"),
    )):  # fmt: skip
        items.append((
            f"match-{n}", "en", f"Arsenal {score} {rival}: Premier League match report",
            f"{line} on Saturday in the Premier League. Mikel Arteta's side dominated possession "
            "and had most of the chances in front of a full stadium in north London.",
            4 + 50 * n,
        ))  # fmt: skip
    return items


def test_look_alike_templated_news_stays_apart(tmp_path: Path) -> None:
    items = templated_items()
    with make_store(tmp_path / "m.db") as store:
        add_feed(store, 1, "ru")
        add_feed(store, 2, "es")
        add_feed(store, 3, "en")
        for i, (_gold, language, title, text, hours) in enumerate(items, start=1):
            feed = {"ru": 1, "es": 2, "en": 3}[language]
            add_article(store, i, feed, title, text, language, T0 + timedelta(hours=hours))
        run_story_stage(store)
        stories = [r["story_id"] for r in store.query("SELECT story_id FROM articles ORDER BY id")]
    assert len(set(stories)) == len(items), list(zip([g for g, *_ in items], stories, strict=True))


def test_a_templated_title_about_other_names_is_a_conflict() -> None:
    from monitor.stories.decide import template_conflict, title_signature

    def sig(title: str, text: str) -> tuple[object, frozenset[str]]:
        keys = extract_keys(title, text)
        return title_signature(title, keys), keys

    paris, paris_keys = sig("Weather forecast for Paris on Monday", "Rain over Paris, 12 degrees.")
    lyon, lyon_keys = sig("Weather forecast for Lyon on Monday", "Sun over Lyon, 15 degrees.")
    update, update_keys = sig("Weather forecast for Paris on Monday: 14 degrees", "Paris, 14 degrees.")
    other, _ = sig("Putin meets Macron in Moscow", "The Kremlin said the talks in Moscow went well.")
    assert template_conflict(lyon, lyon_keys, [paris], paris_keys, 0.6)  # type: ignore[list-item, arg-type]
    assert not template_conflict(update, update_keys, [paris], paris_keys, 0.6)  # type: ignore[list-item, arg-type]
    assert not template_conflict(lyon, lyon_keys, [other], paris_keys, 0.6)  # type: ignore[list-item, arg-type]
    assert not template_conflict(lyon, lyon_keys, [paris], paris_keys, 1.1)  # type: ignore[list-item, arg-type]


def test_a_merge_note_keeps_the_reason_and_the_latest_merge_leads() -> None:
    from monitor.stories.decide import merge_note, merged_from

    assert merge_note(5, None) == "merged from story 5"
    twice = merge_note(12, merge_note(5, "similarity 0.91"))
    assert twice == "merged from story 12; merged from story 5; similarity 0.91"
    assert merged_from(twice) == (12, "merged from story 5; similarity 0.91")
    assert merged_from("similarity 0.91") == (None, "similarity 0.91")
    assert merged_from(None) == (None, None)
    assert merged_from("merged from story 7") == (7, None)
    assert merged_from("merged from story 7x") == (None, "merged from story 7x")


def test_the_stage_tells_its_progress_every_chunk_of_texts_embedded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make demo` must never sit silent for seconds: with progress lines allowed at any time
    (interval 0), the stage tells one at least every EMBED_CHUNK articles, within a batch too."""
    from monitor import progress
    from monitor.stories.stage import EMBED_CHUNK

    monkeypatch.setattr(progress, "_interval", 0.0)
    caplog.set_level(logging.INFO, logger="monitor.progress")
    topics = ["harbour", "election", "vaccine", "drought", "railway", "museum", "satellite", "wildfire"]
    total = 2 * EMBED_CHUNK + 7
    with make_store(tmp_path / "m.db") as store:
        add_feed(store, 1, "en")
        for i in range(total):
            topic = topics[i % len(topics)]
            add_article(
                store,
                i + 1,
                1,
                f"Report {i} on the {topic}",
                f"Officials in town {i} spoke about the {topic} on day {i}.",
                "en",
                T0 + timedelta(minutes=i),
            )
        report = run_story_stage(store, StorySettings(batch_size=EMBED_CHUNK + 10))
    assert report.articles == report.embedded == total
    told = [
        int(m[1])
        for r in caplog.records
        if (m := re.search(r"event=progress step='stories' done=(\d+)/", r.getMessage()))
    ]
    assert told[-1] == total
    steps = [b - a for a, b in itertools.pairwise([0, *told])]
    assert max(steps) <= EMBED_CHUNK, told
    # Within the first batch (42 articles), after its first chunk of 32 texts embedded.
    assert EMBED_CHUNK in told


def test_the_stage_keeps_its_language_means_in_the_database_and_a_restart_goes_on_from_them(
    tmp_path: Path,
) -> None:
    items = corpus()
    # A feed that tags Ukrainian as Russian, and a one-word English title: neither counts.
    items.append({"feed": 5, "title": "Президент України звернувся до громадян",
                  "text": "країни з приводу подій у Києві та Львові минулого тижня.",
                  "language": "ru", "gold": "ua", "hours": 3})
    items.append({"feed": 3, "title": "Earthquake", "text": "", "language": "en", "gold": "one", "hours": 4})
    params = replace(params_for_model("e5-small"), center_min_articles=2, center_prior=1.0)
    counted = Counter(
        str(item["language"])
        for item in items
        if confirmed_language(item["language"], str(item["title"]), str(item["text"]))
    )
    assert counted["ru"] == sum(1 for item in items if item["language"] == "ru") - 1
    with make_store(tmp_path / "once.db") as store:
        fill(store, items, range(len(items)))
        run_story_stage(store, StorySettings(params=params))
        expected = partition(store)
        means = store.stories_language_means("e5-small")
    assert {language: n for language, n, _ in means} == {"": sum(counted.values()), **counted}
    path = tmp_path / "twice.db"
    with make_store(path) as store:
        fill(store, items, range(9))
        run_story_stage(store, StorySettings(params=params, batch_size=4))
    _STATES.clear()  # a new process: the means come from the table
    with make_store(path) as store:
        fill(store, items, range(9, len(items)))
        run_story_stage(store, StorySettings(params=params, batch_size=5))
        assert partition(store) == expected
        assert store.stories_language_means("e5-small") == means


def test_an_article_whose_story_merged_within_its_batch_says_which_story_it_came_with() -> None:
    """Two stories that merge while one batch runs: the batch's articles of the dropped one go
    to the kept one and say so (as the store notes it of articles written before the merge);
    those of the kept one, and of stories that did not merge, are left as they are."""
    from monitor.stories.decide import merged_from
    from monitor.stories.stage import note_merges_in_batch

    assignments = [
        {"article_id": 1, "story_id": 4, "reason": "new story: no active story close enough"},
        {"article_id": 2, "story_id": 5, "reason": None},
        {"article_id": 3, "story_id": 9, "reason": "similarity 0.93"},
        {"article_id": 4, "story_id": 6, "reason": "similarity 0.91"},
    ]
    live = {5: 4, 6: 4}  # 6 went into 5, which went into 4
    note_merges_in_batch(assignments, lambda story: live.get(story, story))
    assert [a["story_id"] for a in assignments] == [4, 4, 9, 4]
    assert assignments[0]["reason"] == "new story: no active story close enough"
    assert merged_from(assignments[1]["reason"]) == (5, None)
    assert assignments[2]["reason"] == "similarity 0.93"
    assert merged_from(assignments[3]["reason"]) == (6, "similarity 0.91")
