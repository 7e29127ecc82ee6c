"""Decoding article pages as a browser does (charset.py, issue 26's "bad or missing
charset"): declared charsets, wrong ones, and detection, on our own sentences in each script."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.ingest.charset import (
    DETECT_PREFIX,
    OTHER_SCRIPTS,
    codec_for,
    decode_page,
    symbols_in_words,
    text_sample,
)

# One news item written for these tests in each language (a harbour bridge to be rebuilt).
FIXTURE = Path(__file__).parent / "fixtures" / "charsets" / "sentences.json"
SENTENCES: dict[str, str] = json.loads(FIXTURE.read_text(encoding="utf-8"))
# (language, the charset the page is saved in) for pages that declare none.
UNDECLARED = [
    ("ja", "shift_jis"), ("ja", "euc_jp"), ("zh", "gb18030"), ("zh", "gbk"), ("zh-tw", "big5"),
    ("ko", "euc_kr"), ("ru", "cp1251"), ("ru", "koi8_r"), ("ru", "iso8859_5"), ("fr", "cp1252"),
    ("es", "cp1252"), ("es", "latin-1"), ("de", "cp1252"), ("en", "cp1252"), ("pl", "cp1250"),
    ("pl", "iso8859_2"), ("cs", "cp1250"), ("el", "cp1253"), ("el", "iso8859_7"), ("tr", "cp1254"),
    ("he", "cp1255"), ("ar", "cp1256"),
]  # fmt: skip


def page(text: str, head: str = "") -> str:
    """An ordinary news page around `text`: markup, a script and navigation in ASCII."""
    return (
        f"<!doctype html><html><head>{head}<title>Bridge</title><script>var ads = {{slot: 1}};</script>"
        "<link rel=stylesheet href=/site.css></head><body><nav><a href=/>Home</a> <a href=/world>World</a>"
        f"</nav><article><h1>Bridge</h1><p>{text}</p></article><footer>Copyright 2026</footer></body></html>"
    )


@pytest.mark.parametrize(("language", "charset"), UNDECLARED)
def test_a_page_that_declares_no_charset_is_read_in_its_own(language: str, charset: str) -> None:
    markup = page(SENTENCES[language])
    decoded = decode_page(markup.encode(charset), "text/html")
    assert decoded.text == markup, decoded.charset
    assert decoded.source == "detected"


def test_declared_charsets_are_used_the_header_s_first() -> None:
    markup = page(SENTENCES["ru"])
    assert decode_page(markup.encode("cp1251"), "text/html; charset=windows-1251").source == "http"
    in_meta = page(SENTENCES["ru"], '<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">')
    decoded = decode_page(in_meta.encode("koi8_r"), "text/html")
    assert (decoded.text, decoded.charset, decoded.source) == (in_meta, "koi8-r", "meta")
    both = page(SENTENCES["ja"], "<meta charset=euc-jp>").encode("shift_jis")
    assert decode_page(both, "text/html; charset=Shift_JIS").source == "http"


def test_a_byte_order_mark_wins() -> None:
    markup = page(SENTENCES["he"])
    decoded = decode_page(markup.encode("utf-16"), "text/html; charset=windows-1255")
    assert (decoded.text, decoded.source) == (markup, "bom")
    assert decode_page(b"\xef\xbb\xbf" + markup.encode()).text == markup


@pytest.mark.parametrize(
    ("label", "language", "saved_in"),
    [
        ("utf-8", "ja", "shift_jis"),  # a UTF-8 template around Shift_JIS text
        ("gb2312", "ru", "cp1251"),  # a label from another site
        ("euc-jp", "zh", "gb18030"),
        ("shift_jis", "ko", "euc_kr"),
        ("utf-16", "fr", "cp1252"),  # UTF-16 without a byte order mark or a NUL: no
    ],
)
def test_a_declared_charset_the_bytes_do_not_decode_in_falls_back_to_detection(
    label: str, language: str, saved_in: str
) -> None:
    markup = page(SENTENCES[language])
    decoded = decode_page(markup.encode(saved_in), f"text/html; charset={label}")
    assert (decoded.text, decoded.source) == (markup, "detected")


def test_utf8_under_an_old_label_is_utf8_and_a_wrong_header_leaves_the_meta() -> None:
    markup = page(SENTENCES["zh"], "<meta charset=gb2312>")
    assert decode_page(markup.encode()).text == markup
    assert decode_page(page(SENTENCES["pl"]).encode(), "text/html; charset=iso-8859-2").charset == "utf-8"
    # The header names a charset that does not decode the bytes, the page's <meta> one that does.
    in_meta = page(SENTENCES["zh"], "<meta charset=gbk>")
    decoded = decode_page(in_meta.encode("gbk"), "text/html; charset=utf-8")
    assert (decoded.text, decoded.charset, decoded.source) == (in_meta, "gb18030", "meta")


@pytest.mark.parametrize(("language", "charset"), UNDECLARED)
def test_a_servers_latin_1_label_yields_to_a_page_in_another_script(language: str, charset: str) -> None:
    markup = page(SENTENCES[language])
    decoded = decode_page(markup.encode(charset), "text/html; charset=ISO-8859-1")
    if codec_for(charset) in OTHER_SCRIPTS:
        assert (decoded.text, decoded.source) == (markup, "detected")
    else:  # a Latin page: read as it says, as a browser reads it (right for windows-1252 ones)
        assert (decoded.charset, decoded.source) == ("cp1252", "http")
        assert decoded.text == markup or charset not in ("cp1252", "latin-1")


def test_a_server_s_default_label_yields_to_the_page_s_meta() -> None:
    markup = page(SENTENCES["pl"], "<meta charset=windows-1250>")
    decoded = decode_page(markup.encode("cp1250"), "text/html; charset=iso-8859-1")
    assert (decoded.text, decoded.charset, decoded.source) == (markup, "cp1250", "meta")


def test_labels_are_read_as_browsers_read_them() -> None:
    assert [codec_for(x) for x in ("latin1", "ISO-8859-1", "us-ascii", "Shift_JIS", "x-sjis", "gb2312")] == [
        "cp1252", "cp1252", "cp1252", "cp932", "cp932", "gb18030",
    ]  # fmt: skip
    assert [codec_for(x) for x in ("euc-kr", "big5", "windows-874", "iso-8859-9", "bogus", "", None)] == [
        "cp949", "big5hkscs", "cp874", "cp1254", None, None, None,
    ]  # fmt: skip


def test_ascii_pages_and_unknown_labels_take_html_s_default() -> None:
    assert decode_page(b"<p>plain</p>", "text/html; charset=nonsense").text == "<p>plain</p>"
    cut = SENTENCES["fr"].encode("cp1252")
    decoded = decode_page(b"<meta charset=bogus-8>" + cut, "text/html; charset=nonsense")
    assert decoded.text.endswith(SENTENCES["fr"])


def test_symbols_inside_words_tell_a_wrong_code_page() -> None:
    assert symbols_in_words("zag³osowa³a za odbudow± mostu") == 2
    assert symbols_in_words("«ya era hora» ¿Quién? 40 € crème") == 0
    assert symbols_in_words("zagłosowała") == 0


def test_detection_looks_at_a_bounded_sample_near_the_first_non_ascii_byte() -> None:
    filler = b"<div><a href=/x>link</a></div>" * 100_000  # 3 MB of ASCII markup first
    text = SENTENCES["ru"].encode("cp1251")
    content = filler + b"<p>" + text + b"</p>" + filler
    sample = text_sample(content)
    assert text in sample and len(sample) <= DETECT_PREFIX
    assert decode_page(content).text.count(SENTENCES["ru"]) == 1


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from([None, "text/html", "charset=utf-16", "charset=gbk"]))
def test_any_bytes_decode_never_an_error(content: bytes, content_type: str | None) -> None:
    decoded = decode_page(content, content_type)
    assert isinstance(decoded.text, str)
    assert decoded.source in ("bom", "http", "meta", "utf-8", "detected", "default")
