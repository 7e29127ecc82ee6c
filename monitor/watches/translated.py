"""A watched name found where another language translates it: `Supreme Court` as `Sąd
Najwyższy`, `Верховный суд`, `Върховният съд`; `Pope Francis` as `papież Franciszek` or
`Франциск`; `European Union` as `ЕС`. Pure: a name's words and a text's words in, yes or no.

The words come from monitor.entities.lexicon (institution words, titles, and the names of
persons that languages translate). A name is found:

- where each of its words other than links (`of`, `the`) stands, in any order, in a row of the
  text's words (with a short lower-case word where the name has a link: `Prawo i
  Sprawiedliwość` for `Law and Justice`): a word of the lexicon as a word that says the same
  in the article's language, another word as the matcher finds it (monitor.watches.names),
  one of them capitalized; a name of one word only if it is a person's (`God`: `Бог`; not
  `Government`, which would find every government), where no capitalized word follows;
- for a person's name all of whose words the lexicon translates, the last a person's (`Pope
  Francis`, `Jesus Christ`; not `Islamic State`), also by its last word alone, capitalized,
  where no capitalized word follows (`Franciszek powiedział`, not `František Novák`);
- for an organisation, by what languages write for its initials (`ЕС`, `UE`, `ООН`, `ONZ`),
  in capitals where the text does not shout, or as a word (`Евросоюз`); and by what scripts
  without capitals write for its English name or initials (`联合国`, `سازمان ملل` for `United
  Nations`; `الكومنولث` for `Commonwealth`: monitor.entities.orgnames).

`Supreme Court` is not `High Court` nor `Constitutional Court`: every word must be found.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from monitor.entities.forms import name_form
from monitor.entities.lexicon import PERSONS, concepts_of_name_word, concepts_of_word, short_names
from monitor.entities.orgnames import named_in, written_forms

_MAX_LINK = 3  # letters of a text's word read as a link inside a name (`i`, `на`, `pro`)

__all__ = ["TextConcepts", "Translation", "translated_in", "translation_of"]


@dataclass(frozen=True)
class Translation:
    """What of a watched name the lexicon translates."""

    concepts: tuple[frozenset[str], ...]  # per word other than links: its concepts, or {} (found as written)
    words: tuple[int, ...]  # per such word: its index among the name's words
    by_last_word: bool = False  # a person's name found by its last word alone
    short: frozenset[str] = frozenset()  # what languages write for an organisation's initials
    links: int = 0  # links inside the name (`Law and Justice`): short lower-case words the text may put there
    written: frozenset[str] = frozenset()  # the organisation as scripts without capitals write it (`联合国`)


def translation_of(
    words: Sequence[str], links: frozenset[str], organisation: bool, initials: str | None
) -> Translation | None:
    """The name's translation (see the module), or None when the lexicon holds none of it."""
    kept = [k for k, word in enumerate(words) if word.casefold() not in links or k in (0, len(words) - 1)]
    concepts = tuple(concepts_of_name_word(words[k]) for k in kept)
    short = short_names(initials) if initials else frozenset()
    written = written_forms(" ".join(words)) or (written_forms(initials) if initials else frozenset())
    if len(concepts) == 1 and concepts[0].isdisjoint(PERSONS):
        concepts = (frozenset(),)  # `Government` alone is not a name (lexicon.PERSONS)
    if not short and not written and not any(concepts):
        return None
    person = bool(concepts) and not organisation and not concepts[-1].isdisjoint(PERSONS)
    by_last_word = person and len(kept) > 1 and all(concepts)
    links_inside = len(words) - len(kept)
    return Translation(
        concepts if any(concepts) else (), tuple(kept), by_last_word, short, links_inside, written
    )


def written_in(written: frozenset[str], text: str) -> bool:
    """Whether the text holds one of an organisation's names as scripts without capitals write
    it (`Translation.written`), or that of an organisation it is part of, where no longer
    written name holds it (monitor.entities.orgnames)."""
    return named_in(written, text)


@dataclass
class TextConcepts:
    """A text's words as the lexicon reads them, once per article (see NameText)."""

    concepts_at: list[frozenset[str]]
    by_concept: dict[str, list[int]]
    words: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, words: Sequence[str], language: str | None) -> TextConcepts:
        concepts_at = [concepts_of_word(name_form(word), language) for word in words]
        by_concept: dict[str, list[int]] = {}
        for index, concepts in enumerate(concepts_at):
            for concept in concepts:
                by_concept.setdefault(concept, []).append(index)
        return cls(concepts_at, by_concept, frozenset(words))


def _cased(word: str) -> bool:
    first = word[0]
    return first.isupper() or first.istitle() or not (first.islower() or first.isupper())


def translated_in(
    translation: Translation,
    text: TextConcepts,
    words: Sequence[str],
    spaced: Sequence[bool],
    capitals: frozenset[str],
    same_word: Callable[[int, int], bool],
) -> bool:
    """Whether the text holds the name as the lexicon translates it (see the module).
    `words`, `spaced` and `capitals` are the text's (NameText); `same_word(index, k)` says
    whether the text's word at `index` is the name's word `k` as written."""
    if any(w in capitals or not w.isupper() for w in translation.short & text.words):
        return True
    concepts = translation.concepts
    if not concepts:
        return False
    size = len(concepts)

    def followed(index: int) -> bool:
        after = index + 1
        return after < len(words) and spaced[after] and _cased(words[after])

    anchors = sorted({i for named in concepts for c in named for i in text.by_concept.get(c, ())})
    if translation.by_last_word:
        last = concepts[-1]
        for index in anchors:
            if not last.isdisjoint(text.concepts_at[index]) and _cased(words[index]) and not followed(index):
                return True
    reach = size + translation.links
    for start in sorted({s for i in anchors for s in range(max(0, i - reach + 1), i + 1)}):
        unmatched = list(range(size))
        links = translation.links
        index, cased = start, False
        while unmatched and index < len(words) and (index == start or spaced[index]):
            k = next(
                (
                    k
                    for k in unmatched
                    if (concepts[k] and not concepts[k].isdisjoint(text.concepts_at[index]))
                    or (not concepts[k] and same_word(index, translation.words[k]))
                ),
                None,
            )
            if k is not None:
                unmatched.remove(k)
                cased = cased or _cased(words[index])
            elif links and index > start and words[index].islower() and len(words[index]) <= _MAX_LINK:
                links -= 1  # `Prawo i Sprawiedliwość`
            else:
                break
            index += 1
        if not unmatched and cased and not (size == 1 and followed(index - 1)):
            return True
    return False
