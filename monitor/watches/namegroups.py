"""One person, one entry: the names stage's keys shown together (a story's names, the rows of
/names) grouped into entities across spellings, scripts, inflections and titles. Pure: keys
with their spellings in, {key: entity key} out.

Two keys are one entity when a watch written with a spelling of one finds a spelling of the
other (monitor.watches.names: `Vladimir Putin` finds `Путин`, `Putina`, `Путіна`, `Russian
President Vladimir Putin`; `Nigel Farage` finds `Nigelem Farage`), in either direction, their
last words find each other alone (`Donald Trump` finds `Trump Organization` by its first word,
which is no surname there), and, for two full names, a given name of one finds one of the
other's (`Ivana Trump`, or `Tour de Trump`, a slip of the recogniser's, are not Donald's). Full
names are compared by their full spellings (the bare `Clinton` among Hillary's would find
Bill). A name of two words or more in another alphabet is also one
with a name whose every word has its consonant skeleton (forms.skeletons): Belarusian `Алесь
Бяляцкі` and Ukrainian `Олесь Біляцький` respell the vowels.

Titles and roles in front (`President`, `Президент России`) are not a name's words: a key that
is a title and a surname (`President Biden`), or a surname alone (`Clinton`), joins the one
entity of full names it fits, or the one of them holding two thirds of their weight (as
people.fold_keys does), and stays apart where none does (Bill and Hillary Clinton) or it fits
none. A spelling in a script without capitals joins the Latin one it sounds like
(monitor.entities.sounds: `Vladimir Putin`, `پوتین`, `普京`; `Donald Trump`, `唐纳德·特朗普`).
Only keys whose last words share a consonant skeleton or their first two letters, or a sound
key (of the last word or the whole name) with one of them in such a script, are compared (a
block), so the work grows with the names of one family, not with the square of a page's. The
result does not depend on the order of the keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from monitor.entities.forms import ALL_ENDINGS, latin, name_form, skeletons, stems
from monitor.entities.sounds import sound_keys, sounded
from monitor.watches.names import NameText, WatchedName, watched_name
from monitor.watches.people import FOLD_SHARE

__all__ = ["Keyed", "entity_label", "entity_rows", "group_keys", "keyed_spellings"]

_HEARD = "~"  # a block of sound keys
MAX_SPELLINGS = 3  # of a key's spellings compared (the most used): bounds the work per pair
MAX_GROUPED = 200  # keys of a story grouped, those of the most articles: bounds a page's work
# Titles and roles written before a name, in the languages of the feeds (compared by stem, so
# inflected: `Президента`, `Prezydenta`); not those a person is named by (`Pope Francis`,
# `Prince Harry`, `Queen Elizabeth`). Words before the last of them are the title's too
# (`Russian President`); words after it are the name, maybe with a country (`Президент России`).
_TITLE_WORDS = """President Vice Prime Minister Premier Chancellor Secretary Senator Governor Mayor
    Minister Chairman Chairwoman Speaker Leader Commissioner Ambassador General Colonel Admiral
    Judge Justice Mr Mrs Ms Dr Sir Rep Sen Gov
    Präsident Bundeskanzler Kanzler Ministerpräsident Président Ministre Presidente Ministro
    Prezydent Premier Premiér Prezident Předseda Predseda Predsednik Predsjednik Predsjednica
    Ministr Minister Kanclerz Kancléř Президент Премьер Премьер-министр Министр Канцлер
    Председатель Глава Лидер Прем'єр Міністр Голова Президентът Премиерът Министър
    Председник Премијер Министар"""
_TITLES = frozenset(name_form(word) for word in _TITLE_WORDS.split())


@dataclass(frozen=True)
class Keyed:
    """A key of the names stage with its spellings as articles write them (most used first)
    and a weight (articles or mentions), which picks the entity's key and label."""

    key: str
    spellings: tuple[str, ...]
    weight: int = 1


def _stems(word: str) -> frozenset[str]:
    return stems(name_form(word), ALL_ENDINGS)


def _name_words(spelling: str) -> list[str]:
    """The words of a spelling after its title (`Russian President Vladimir Putin`: `Vladimir
    Putin`); all of them when the title would leave nothing."""
    words = spelling.split()
    last_title = max(
        (i for i, w in enumerate(words[:-1]) if not _TITLES.isdisjoint(_stems(w))),
        default=-1,
    )
    return words[last_title + 1 :]


def _full(keyed: Keyed) -> bool:
    """Whether a key names someone fully: two words or more besides a title."""
    return any(len(_name_words(s)) > 1 for s in keyed.spellings)


@lru_cache(maxsize=4096)
def _watch(spelling: str) -> WatchedName:
    return watched_name(spelling)


@lru_cache(maxsize=4096)
def _text(spelling: str) -> NameText:
    return NameText.of(spelling)


def _finds(a: str, b: str) -> bool:
    return _text(b).has(_watch(a))


def _same_skeletons(a: str, b: str) -> bool:
    """Names in another alphabet of as many words, each with a consonant skeleton of the other's."""
    wa, wb = _name_words(a), _name_words(b)
    if len(wa) < 2 or len(wa) != len(wb) or (latin(a.replace(" ", "")) and latin(b.replace(" ", ""))):
        return False
    return all(not skeletons(_stems(x)).isdisjoint(skeletons(_stems(y))) for x, y in zip(wa, wb, strict=True))


def _spellings_meet(a: str, b: str) -> bool:
    if _same_skeletons(a, b):
        return True
    if sounded(a) != sounded(b):
        return _heard_meet(b, a) if sounded(a) else _heard_meet(a, b)
    if not (_finds(a, b) or _finds(b, a)):
        return False
    words_a, words_b = _name_words(a), _name_words(b)
    if not _words_meet(words_a[-1:], words_b[-1:]):
        return False
    # Two full names: a given name of one is one of the other's too (`Tour de Trump` and
    # `Ivana Trump` are not Donald's, though a watch for either may find him).
    return len(words_a) < 2 or len(words_b) < 2 or _words_meet(words_a[:-1], words_b[:-1])


def _heard_meet(spelling: str, written: str) -> bool:
    """Whether a spelling in a script without capitals (`written`) is the name a Latin
    `spelling` sounds like: its full name (`唐纳德·特朗普`, `习近平`), or its surname where
    that is all it writes (`پوتین`, `普京`), not a surname after another given name (`بيل
    كلينتون`, Bill Clinton, is not Hillary's)."""
    heard = _watch(" ".join(_name_words(spelling))).heard
    hits = heard.find(written) if heard is not None else []
    whole = written.strip(" ·・")
    return any(h.full or written[h.start : h.end] == whole for h in hits)


def _words_meet(words_a: list[str], words_b: list[str]) -> bool:
    return any(_finds(x, y) or _finds(y, x) for x in words_a for y in words_b)


def _compared(k: Keyed) -> list[str]:
    """The spellings a key is compared by: its full ones (the surname alone among a full
    name's spellings, `Clinton` of Hillary's, would find Bill), else its own."""
    full = [s for s in k.spellings if len(_name_words(s)) > 1]
    return (full or list(k.spellings))[:MAX_SPELLINGS]


def _meet(a: Keyed, b: Keyed) -> bool:
    """Whether two keys are one entity: a spelling of one and of the other find each other."""
    return any(_spellings_meet(x, y) for x in _compared(a) for y in _compared(b))


def _blocks(keyed: Sequence[Keyed], heard: Sequence[bool]) -> dict[str, list[int]]:
    """The keys by the consonant skeletons and the first two letters of their spellings' last
    words, and by their sound keys where one of them (`heard`) is in a script without capitals."""
    blocks: dict[str, list[int]] = {}
    any_heard = any(heard)
    for index, k in enumerate(keyed):
        lasts = {s.split()[-1] for s in _compared(k) if s.split()}
        # A short word has no skeleton (`May`, `Мей`): its first letters stand for it.
        shapes = frozenset(shape for last in lasts for shape in skeletons(_stems(last)))
        shapes |= {name_form(last)[:2] for last in lasts}
        # and by the consonant classes of their sound (monitor.entities.sounds), where a spelling
        # is in a script without capitals: `Putin` and پوتین, 普京 (see `group_keys`)
        # (of the last word, and of the whole name: 习近平, 唐纳德·特朗普 are one word)
        if any_heard:
            sounding = lasts | {" ".join(_name_words(s)) for s in _compared(k)}
            shapes |= {_HEARD + key for spelling in sounding for key in sound_keys(spelling)}
        for shape in shapes:
            blocks.setdefault(shape, []).append(index)
    return blocks


def _rank(k: Keyed) -> tuple[bool, bool, int, str]:
    """Which key of an entity names it: a full name, in Latin letters, the most weighty."""
    first = k.spellings[0] if k.spellings else k.key
    return (_full(k), latin(first.replace(" ", "")), k.weight, k.key)


def group_keys(keys: Iterable[Keyed]) -> dict[str, str]:
    """{key: its entity's key} for these keys (see the module); the entity's key is its member
    key that is a full name, in Latin letters, of the most weight (then the greatest key)."""
    keyed = sorted({k.key: k for k in keys}.values(), key=lambda k: k.key)
    parent = list(range(len(keyed)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    full = [_full(k) for k in keyed]
    # A block of sound keys pairs a spelling in a script without capitals with another, not
    # two Latin ones (which their letters compare)
    heard = [any(sounded(spelling) for spelling in _compared(k)) for k in keyed]
    pairs = sorted(
        {
            (i, j)
            for shape, block in _blocks(keyed, heard).items()
            for i in block
            for j in block
            if i < j and (not shape.startswith(_HEARD) or heard[i] or heard[j])
        }
    )
    meeting = [(i, j) for i, j in pairs if _meet(keyed[i], keyed[j])]
    for i, j in meeting:  # full names first: they decide which entities there are
        if full[i] and full[j]:
            join(i, j)
    fits: dict[int, set[int]] = {i: set() for i in range(len(keyed)) if not full[i]}
    for i, j in meeting:
        for short, other in ((i, j), (j, i)):
            if short in fits and full[other]:
                fits[short].add(root(other))
    weight: dict[int, int] = {}
    for index, k in enumerate(keyed):
        if full[index]:
            weight[root(index)] = weight.get(root(index), 0) + k.weight
    placed: set[int] = set()
    for short, entities in fits.items():
        # The one entity it fits, or the one holding most of their weight (`Should Biden`, a
        # slip in one article, does not keep `President Biden` from Joe Biden's 19)
        best = max(entities, key=lambda e: (weight[e], -e), default=None)
        if best is not None and weight[best] >= FOLD_SHARE * sum(weight[e] for e in entities):
            join(short, best)
            placed.add(short)
    for i, j in meeting:  # surnames alone among themselves, when they fit the same entities
        if i in fits and j in fits and fits[i] == fits[j] and not placed & {i, j}:
            join(i, j)
    members: dict[int, list[Keyed]] = {}
    for index, k in enumerate(keyed):
        members.setdefault(root(index), []).append(k)
    out: dict[str, str] = {}
    for group in members.values():
        head = max(group, key=_rank).key
        for k in group:
            out[k.key] = head
    return out


def entity_label(spellings: Mapping[str, int]) -> str:
    """How an entity is shown: its most used spelling that is a full name without a title, in
    Latin letters if any (the pages are in English); else its most used spelling."""
    ranked = sorted(spellings, key=lambda s: (-spellings[s], s))
    latin_ones = [s for s in ranked if latin(s.replace(" ", ""))]
    full = [s for s in latin_ones if len(s.split()) > 1]
    untitled = [s for s in full if len(_name_words(s)) == len(s.split())]
    return next(iter(untitled + full + latin_ones + ranked), "")


def keyed_spellings(spellings: Mapping[str, Mapping[str, int]], weights: Mapping[str, int]) -> list[Keyed]:
    """Keys to group from their spellings' counts ({key: {spelling: n}}) and weights."""
    return [
        Keyed(key, tuple(sorted(spelled, key=lambda s: (-spelled[s], s))) or (key,), weights.get(key, 0))
        for key, spelled in spellings.items()
    ] + [Keyed(key, (key,), weight) for key, weight in weights.items() if key not in spellings]


def entity_rows(
    per_article: Mapping[int, Sequence[Mapping[str, Any]]], most: int = MAX_GROUPED
) -> dict[int, list[dict[str, Any]]]:
    """The articles' names (as the store keeps them: key, name, variants, mentions) by entity:
    each key replaced by its entity's, an article's rows of one entity made one (mentions
    summed, spellings joined), each named by the entity's label (`entity_label`). The `most`
    keys of the most articles are grouped; the rest stay entries of their own."""
    spellings: dict[str, Counter[str]] = {}
    articles: Counter[str] = Counter()
    for rows in per_article.values():
        for row in rows:
            spellings.setdefault(row["key"], Counter()).update(
                {v: int(row["mentions"]) for v in row["variants"] or [row["name"]]}
            )
            articles[row["key"]] += 1
    grouped = sorted(spellings, key=lambda k: (-articles[k], k))[:most]
    entity = {key: key for key in spellings}
    entity |= group_keys(keyed_spellings({k: spellings[k] for k in grouped}, articles))
    written: dict[str, Counter[str]] = {}
    for key, c in spellings.items():
        written.setdefault(entity[key], Counter()).update(c)
    labels = {head: entity_label(c) for head, c in written.items()}
    out: dict[int, list[dict[str, Any]]] = {}
    for article, rows in per_article.items():
        merged: dict[str, dict[str, Any]] = {}
        for row in rows:
            head = entity[row["key"]]
            into = merged.setdefault(head, {"key": head, "name": labels[head], "variants": [], "mentions": 0})
            into["mentions"] += int(row["mentions"])
            into["variants"] = list(dict.fromkeys([*into["variants"], *row["variants"]]))
        out[article] = sorted(merged.values(), key=lambda r: (-r["mentions"], r["key"]))
    return out


@dataclass(frozen=True)
class RankedEntity:
    """A row of /names: its key (the entity's, as `group_keys` heads it), its entries (those
    ranked first), all their keys of the names stage, and its spellings with their articles."""

    key: str
    entries: tuple[str, ...]
    keys: tuple[str, ...]
    spellings: Mapping[str, int]

    @property
    def merged(self) -> bool:
        """Whether it gathers several entries, so that its stories are counted again."""
        return len(self.entries) > 1


def joining_entries(shown: Iterable[str], entries: Iterable[str]) -> list[str]:
    """The entries that are not ranked but may join a ranked one's row: those that end with a
    ranked entry's last word (`president biden` with `joe biden`)."""
    ranked = set(shown)
    lasts = {entry.split()[-1] for entry in ranked}
    return sorted(e for e in entries if e not in ranked and e.split()[-1] in lasts)


def ranked_entities(
    shown: Iterable[str],
    keys_of: Mapping[str, Sequence[str]],
    weights: Mapping[str, int],
    spellings: Mapping[str, Mapping[str, int]],
) -> dict[str, RankedEntity]:
    """The rows of /names from one read: the ranked entries (`shown`) and those joining them
    (the other entries of `weights`, articles per entry), grouped into entities
    (`group_keys`) by their `spellings` ({entry: {spelling: articles}}); `keys_of` gives each
    entry's keys. Only an entity with a ranked entry makes a row: joining entries among
    themselves make none. Keyed by the entity's key."""
    ranked = set(shown)
    entity = group_keys(keyed_spellings(spellings, weights))
    members: dict[str, list[str]] = {}
    for entry in sorted(weights, key=lambda e: (e not in ranked, e)):
        members.setdefault(entity.get(entry, entry), []).append(entry)
    rows: dict[str, RankedEntity] = {}
    for key, entries in members.items():
        if entries[0] not in ranked:
            continue
        written: Counter[str] = Counter()
        for entry in entries:
            written.update(spellings.get(entry) or {})
        stage_keys = sorted({k for entry in entries for k in keys_of.get(entry, (entry,))})
        rows[key] = RankedEntity(key, tuple(entries), tuple(stage_keys), written)
    return rows


__all__ += ["RankedEntity", "joining_entries", "ranked_entities"]
