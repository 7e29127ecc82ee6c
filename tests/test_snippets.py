"""snippets.py: the words around a search hit, in time linear in the text; query bounds."""

from __future__ import annotations

import sys
from collections.abc import Callable

from monitor.store.snippets import query_terms, snippet


def test_snippet_marks_the_words_of_the_query_around_the_most_hits() -> None:
    text = "Le président de la Banque centrale a dit que les banques et le Bitcoin sont liés. Fin."
    assert snippet(text, "bitcoin BANQUES", width=6) == "…[banques] et le [Bitcoin] sont liés…"
    assert snippet(text, "presid* NOT euro", width=4) == "…[président] de la Banque…"  # diacritics folded
    assert snippet(text, "title:nothing", width=3) == "Le président de…"  # no hit: the start
    assert snippet("", "x") == ""


def test_query_terms_leave_operators_and_column_names_aside() -> None:
    assert query_terms('title:Genève AND "banks" OR bit* NEAR(a b)') == (
        frozenset({"geneve", "banks", "a", "b"}),
        ("bit",),
    )


def _calls(work: Callable[[], object]) -> int:
    """How many Python and C function calls `work` makes: a cost that does not depend on the
    machine's load."""
    seen = 0

    def count(frame: object, event: str, arg: object) -> None:
        nonlocal seen
        seen += 1

    sys.setprofile(count)
    try:
        work()
    finally:
        sys.setprofile(None)
    return seen


def test_a_query_repeating_a_common_word_is_cheap() -> None:
    """FTS5's snippet() took 23 s for 200 terms on a small corpus; ours costs about what one
    term costs, however often the query repeats it."""
    text = " ".join(["the cat sat on the mat and the dog"] * 2000)
    one = _calls(lambda: snippet(text, "the"))
    repeated = _calls(lambda: snippet(text, " OR ".join(["the"] * 200)))
    assert snippet(text, " OR ".join(["the"] * 200)) == snippet(text, "the")
    assert repeated < 1.2 * one, (one, repeated)
