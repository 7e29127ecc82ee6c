"""monitor.entities.forms: the shortcuts that keep the recogniser cheap give what the plain
computation gives."""

from __future__ import annotations

import itertools
import string

from monitor.entities.forms import WordForms, name_form

# Words the shortcut must handle: every ASCII word of up to three letters (each swap at a
# word's start), and words of other scripts, accents, hyphens and apostrophes.
_SHORT = ["".join(letters) for n in (1, 2, 3)
          for letters in itertools.product(string.ascii_lowercase, repeat=n)]
_OTHERS = ["путин", "путина", "macron", "makron", "ashiq", "ашік", "o'leary", "al-assad", "école",
           "phuket", "pkhali", "dzhon", "джон", "khan", "chán", "oolong", "eel", "ckx", "ماسك", "白沙瓦",
           "qatar", "katar", "wales", "vales", "yemen", "iemen", "thames", "tames", "dže", "pħa", "oö",
           "směr", "yⰳ", "cⲹ", "wő", "eé"]


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
