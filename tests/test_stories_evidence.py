"""Places and names as evidence across languages, and a late language joining its event:
the pure decision and the assigner (no database, no model)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.stories.assigner import ArticleInput, StoryAssigner
from monitor.stories.decide import DecisionInputs, StoryParams, across_languages, decide, decide_thread
from monitor.stories.entities import evidence_keys
from tests.test_stories import check_batching

T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)
DEFAULTS = StoryParams()
PESHAWAR = [
    {"geonameid": 1168197, "name": "Peshawar", "country": "PK"},
    {"geonameid": 1168579, "name": "Pakistan", "country": "PK"},
]


def unit(*values: float) -> np.ndarray:
    v = np.asarray(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def at_cosine(cosine: float) -> np.ndarray:
    """A unit vector whose cosine with (1, 0, 0, 0) is `cosine`."""
    return unit(cosine, float(np.sqrt(1 - cosine**2)), 0, 0)


def article(i: int, vector: np.ndarray, hours: float, language: str, **kw: object) -> ArticleInput:
    return ArticleInput(
        id=i, published=T0 + timedelta(hours=hours), vector=vector, language=language, **kw  # type: ignore[arg-type]
    )


def with_places(places: list[dict[str, object]], names: list[dict[str, object]] = ()) -> dict[str, object]:  # type: ignore[assignment]
    labels = evidence_keys(places, names)
    return {"keys": frozenset(labels), "labels": labels}


# -- evidence keys ---------------------------------------------------------------------------
def test_a_city_gives_its_own_key_and_its_countrys_and_names_their_entity_key() -> None:
    keys = evidence_keys(
        [*PESHAWAR, {"geonameid": None, "name": "Punjab", "country": "pk"}, {"name": "?", "country": "P1"}],
        [{"key": "imran khan", "name": "Imran Khan"}, {"key": "", "name": "nobody"}],
    )
    assert keys == {
        "@1168197": "Peshawar",
        "@PK": "Pakistan",
        "@1168579": "Pakistan",
        "=imran khan": "Imran Khan",
    }
    # Whatever the script the article was written in, the keys are the same identifiers.
    assert evidence_keys([{"geonameid": 1168197, "name": "Пешавар", "country": "PK"}]).keys() == {
        "@1168197",
        "@PK",
    }


# -- the decision ----------------------------------------------------------------------------
def test_shared_places_and_names_lift_a_join_across_languages_and_name_themselves() -> None:
    base = DecisionInputs(similarity=0.85, gap_hours=1, shared_keys=0, cross_language=True)
    assert not decide(base, DEFAULTS).join  # 0.85 + 0.045 < 0.915
    carried = replace(
        base, shared_keys=3, shared_identities=3, places=("Peshawar", "Pakistan"), names=("Imran Khan",)
    )
    verdict = decide(carried, DEFAULTS)
    assert verdict.join
    each = DEFAULTS.entity_weight + DEFAULTS.identity_weight
    assert verdict.score == pytest.approx(decide(base, DEFAULTS).score + 3 * each)
    assert across_languages(verdict.reason) == (
        "plain similarity, shared places Peshawar, Pakistan, shared name Imran Khan"
    )
    # Within one language they are keys like the others, with no more weight.
    within = replace(carried, cross_language=False, similarity=0.90)
    assert decide(within, DEFAULTS).score == pytest.approx(0.90 + 3 * DEFAULTS.entity_weight)
    # Capped like every other key, and not named with the weight at 0.
    many = replace(carried, shared_keys=40, shared_identities=40, places=tuple(f"P{i}" for i in range(40)))
    six = replace(carried, shared_keys=6, shared_identities=6)
    assert decide(many, DEFAULTS).score == pytest.approx(decide(six, DEFAULTS).score)
    assert "shared places P0, P1, P2 and 37 more" in decide(many, DEFAULTS).reason
    off = replace(DEFAULTS, identity_weight=0.0)
    assert not decide(carried, off).join
    assert "shared place" not in decide(replace(carried, similarity=0.9), off).reason


def test_a_new_language_may_join_until_the_span_across_languages() -> None:
    inputs = DecisionInputs(similarity=0.95, gap_hours=10, shared_keys=0, span_hours=100, cross_language=True)
    assert decide(inputs, DEFAULTS).join
    assert "closed" in decide(replace(inputs, cross_language=False), DEFAULTS).reason
    assert "closed" in decide(replace(inputs, span_hours=170), DEFAULTS).reason
    # Never shorter than the span itself.
    assert decide(inputs, replace(DEFAULTS, max_span_across_hours=1.0, max_span_hours=120)).join


def test_a_new_language_may_continue_a_thread_for_30_days_its_own_for_14() -> None:
    inputs = DecisionInputs(similarity=0.95, gap_hours=22 * 24, shared_keys=1, cross_language=True)
    assert decide_thread(inputs, DEFAULTS).join
    assert "beyond the thread window" in decide_thread(replace(inputs, cross_language=False), DEFAULTS).reason
    assert "beyond the thread window" in decide_thread(replace(inputs, gap_hours=31 * 24), DEFAULTS).reason
    # The other checks hold as in its own language: a shared name or number, the score.
    assert "too few" in decide_thread(replace(inputs, shared_keys=0), DEFAULTS).reason
    assert "below" in decide_thread(replace(inputs, similarity=0.85), DEFAULTS).reason
    # Set shorter than the window in its own language, it is shorter.
    shorter = replace(DEFAULTS, thread_window_across_hours=50)
    assert not decide_thread(replace(inputs, gap_hours=100), shorter).join


# -- the assigner ----------------------------------------------------------------------------
def test_a_place_shared_across_scripts_carries_a_report_in_another_language() -> None:
    def run(places: bool) -> list[int]:
        assigner = StoryAssigner(DEFAULTS)
        evidence = with_places(PESHAWAR) if places else {}
        english = article(1, V, 0, "en", title="Suicide bombing in a Peshawar mosque", **evidence)
        portuguese = article(2, at_cosine(0.86), 1, "pt", title="Atentado em mesquita de Pexauar", **evidence)
        return [a.story_id for a in assigner.assign_all([english, portuguese])]

    assert run(places=False) == [1, 2]
    assert run(places=True) == [1, 1]


def test_a_late_language_joins_within_a_week_the_same_language_opens_a_thread() -> None:
    def event() -> tuple[StoryAssigner, int]:
        assigner = StoryAssigner(DEFAULTS)
        first = assigner.assign(article(1, V, 0, "en", keys=KEYS))
        assert not assigner.assign(article(2, V, 10, "en", keys=KEYS)).opened
        return assigner, first.story_id

    # Four days on, past the 72 h span: English is no longer news to the story, French is.
    assigner, story = event()
    english = assigner.assign(article(3, V, 100, "en", keys=KEYS))
    assert english.opened and english.follows == story
    assigner, story = event()
    french = assigner.assign(article(3, V, 100, "fr", keys=KEYS))
    assert (french.story_id, french.opened) == (story, False)
    assert "across languages" in french.reason
    # After a week, past the span across languages too: a German report opens a story,
    # threaded to the event's.
    german = assigner.assign(article(4, V, 180, "de", keys=KEYS))
    assert german.opened and german.thread_id == story
    # Three weeks on (22 days, the itn-dev Belarusian report of a World Cup final), beyond
    # the 14-day thread window: a language new to the event is still threaded to it; one of
    # its languages opens a story of its own. A restart from the known stories does the same.
    for late in (assigner, StoryAssigner(DEFAULTS, next_story_id=10, active=assigner.known_stories)):
        belarusian = late.assign(article(5, V, 22 * 24, "be", keys=KEYS))
        assert belarusian.opened and belarusian.follows == story
    assigner, story = event()
    english = assigner.assign(article(5, V, 22 * 24, "en", keys=KEYS))
    assert english.opened and english.follows is None


V = unit(1, 0, 0, 0)
KEYS = frozenset({"ptn"})


KEYS_DRAWN = ["ptn", "#59", "@1168197", "@PK", "=khan"]


@st.composite
def late_language_streams(draw: st.DrawFn) -> tuple[list[ArticleInput], list[int]]:
    """Articles over ten days in four languages with places, so that stories pass their span
    while new languages may still join them."""
    n = draw(st.integers(min_value=1, max_value=30))
    centers = [unit(1, 0, 0, 0), unit(0, 1, 0, 0), unit(0.7, 0.7, 0, 0)]
    arts = []
    for i in range(n):
        noise = np.asarray(draw(st.lists(st.floats(-0.2, 0.2), min_size=4, max_size=4)), dtype=np.float32)
        keys = frozenset(draw(st.lists(st.sampled_from(KEYS_DRAWN), max_size=3)))
        language = draw(st.sampled_from(["en", "fr", "pt", "ru"]))
        arts.append(
            article(
                i,
                (centers[draw(st.integers(0, 2))] + noise).astype(np.float32),
                draw(st.integers(0, 240)),
                language,
                keys=keys,
                labels={key: key[1:] for key in keys},
                mean_language=language if draw(st.booleans()) else None,
            )
        )
    cuts = sorted(set(draw(st.lists(st.integers(1, max(1, n - 1)), max_size=5))))
    return arts, cuts


@settings(max_examples=40, deadline=None)
@given(late_language_streams())
def test_late_languages_and_places_do_not_depend_on_batches_or_restarts(
    stream: tuple[list[ArticleInput], list[int]],
) -> None:
    params = replace(
        DEFAULTS,
        threshold=0.85,
        min_similarity=0.6,
        max_span_hours=24,
        max_span_across_hours=96,
        window_hours=72,
        identity_weight=0.05,
        center_min_articles=2,
        center_prior=1.0,
    )
    check_batching(stream, params)


@settings(max_examples=30, deadline=None)
@given(late_language_streams())
def test_a_longer_thread_window_for_a_new_language_does_not_depend_on_batches_or_restarts(
    stream: tuple[list[ArticleInput], list[int]],
) -> None:
    # Windows within the streams' ten days: stories pass from one to the other.
    params = replace(
        DEFAULTS,
        threshold=0.9,
        max_span_hours=12,
        max_span_across_hours=24,
        window_hours=24,
        thread_threshold=0.8,
        thread_window_hours=36,
        thread_window_across_hours=150,
        # Language means known early: a new language sharing a place is threaded by its
        # centered similarity, read from the means a restart restores.
        center_min_articles=2,
        center_prior=1.0,
    )
    check_batching(stream, params)
