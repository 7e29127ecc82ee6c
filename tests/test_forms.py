"""monitor.entities.forms: the shortcuts that keep the recogniser cheap give what the plain
computation gives."""

from __future__ import annotations

import itertools
import re
import string

from anyascii import anyascii
from hypothesis import given
from hypothesis import strategies as st

from monitor.entities import forms
from monitor.entities.forms import WordForms, name_form, name_forms

# Words the shortcut must handle: every ASCII word of up to three letters (each swap at a
# word's start), and words of other scripts, accents, hyphens and apostrophes.
_SHORT = ["".join(letters) for n in (1, 2, 3)
          for letters in itertools.product(string.ascii_lowercase, repeat=n)]
_OTHERS = ["путин", "путина", "macron", "makron", "ashiq", "ашік", "o'leary", "al-assad", "école",
           "phuket", "pkhali", "dzhon", "джон", "khan", "chán", "oolong", "eel", "ckx", "ماسك", "白沙瓦",
           "qatar", "katar", "wales", "vales", "yemen", "iemen", "thames", "tames", "dže", "pħa", "oö",
           "směr", "yⰳ", "cⲹ", "wő", "eé", "a\u0344", "o\u0344h"]


def test_word_forms_agree_with_every_form_worked_out() -> None:
    words = set(_OTHERS) | set(_SHORT[::37])
    every = {name_form(w) for w in words}
    probes = {name_form(w) for w in _SHORT} | every | {"", "zzz", "白沙瓦", "Путин"}
    for probe in sorted(probes):
        assert (probe in WordForms(words)) == (probe in every), probe


def test_word_forms_asked_in_turn_keep_their_answers() -> None:
    forms = WordForms({"survey", "trump", "phone", "ماسك"})
    assert "survei" in forms
    assert "trump" in forms
    assert "fone" in forms  # ph at the start: a word under p gives a form under f
    assert "ماسك" in forms
    assert "trumpa" not in forms
    assert "survei" in forms  # asked again
    assert "merkel" not in WordForms(set())


def test_the_letters_table_spells_what_anyascii_spells() -> None:
    for low, high in forms._TRANSLITERATED:
        for code in range(low, high + 1):
            letter = chr(code)
            expected = re.sub("[^a-z]", "", anyascii(letter.translate(forms._HACEK)).casefold())
            assert letter.translate(forms._ASCII_LETTERS) == expected, hex(code)


# Letters of every kind the forms meet: ASCII, accents and háčeks, ligatures that fold to
# ASCII, Greek (final sigma, ου), Cyrillic, Armenian, Georgian, combining marks, a Han
# character, numbers that are letters to the tokenizer, spaces, hyphens and apostrophes.
_LETTERS = ("abcdefghijklmnopqrstuvwxyzJKOHP-'’ šžčćśżßﬁéèüöäőűłœæøåçñ ΣσςουύΟΥπκλ"
            "мнжщъьыэюяПАДЖХ ու ძგლ\u0301\u0308\u0344中ᛒ²½Ⅻİıǅ")


@given(st.lists(st.text(alphabet=_LETTERS, max_size=8), max_size=8))
def test_forms_worked_out_together_are_each_words_form(words: list[str]) -> None:
    assert name_forms(words) == [name_form(w) for w in words]


@given(st.lists(st.text(alphabet=string.ascii_lowercase + "-'", min_size=1, max_size=10), max_size=12))
def test_forms_of_ascii_words_worked_out_together(words: list[str]) -> None:
    assert name_forms(words) == [name_form(w) for w in words]


@given(st.sets(st.text(alphabet=_LETTERS + "\n", min_size=1, max_size=6), max_size=12),
       st.lists(st.text(alphabet=_LETTERS, max_size=6), max_size=4))
def test_word_forms_answer_as_every_form_worked_out(words: set[str], others: list[str]) -> None:
    every = {name_form(w) for w in words}
    asked = WordForms(words)
    for probe in sorted(every | {name_form(w) for w in others}):
        assert (probe in asked) == (probe in every), probe
