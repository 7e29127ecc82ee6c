"""Language names shown to people (`monitor.languages`)."""

from __future__ import annotations

import pytest

from monitor.deliver.render import _environment
from monitor.languages import language_name


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("fr", "French"),
        ("EN", "English"),
        # Codes outside the short table are named from ISO 639 (pycountry): the languages of
        # Wikipedia's news blurbs, say, not only those of the big outlets.
        ("be", "Belarusian"),
        ("ka", "Georgian"),
        ("ckb", "Central Kurdish"),
        ("ne", "Nepali"),  # without pycountry's "(macrolanguage)"
        ("be-tarask", "Belarusian (tarask)"),
        ("zh-Hant", "Chinese (Hant)"),
        # What names no language stays as it is; no code is Unknown.
        ("zz", "zz"),
        ("xx-yy", "xx-yy"),
        ("a1", "a1"),
        ("abcd", "abcd"),
        ("", "Unknown"),
        (None, "Unknown"),
        ("und", "Unknown"),
    ],
)
def test_a_language_code_is_named_in_english(code: str | None, name: str) -> None:
    assert language_name(code) == name


def test_the_digest_names_languages_as_the_pages_do() -> None:
    names = _environment(autoescape=False).filters["language_name"]
    assert [names(code) for code in ("de", "ka", None)] == ["German", "Georgian", "Unknown"]
