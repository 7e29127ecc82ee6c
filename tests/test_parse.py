"""parse.py: real feeds in several languages and encodings become sensible articles."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import nh3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.errors import ParseError
from monitor.ingest.parse import (
    _HTML_SPECIAL,
    _NEWLINES,
    _SPACES,
    _undeclared_single_byte,
    html_to_text,
    parse_feed,
    sanitize_html,
    tidy_spaces,
)
from monitor.timeutil import iso

from .conftest import FIXTURES, rss

REAL_FEEDS = sorted((FIXTURES / "feeds").glob("*/*.expect.json"))
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("expect_file", REAL_FEEDS, ids=lambda p: p.name.removesuffix(".expect.json"))
def test_real_feed_parses_as_expected(expect_file: Path) -> None:
    expect = json.loads(expect_file.read_text(encoding="utf-8"))
    feed_file = expect_file.with_name(expect_file.name.removesuffix(".expect.json"))
    parsed = parse_feed(feed_file.read_bytes(), url="https://feeds.example/" + feed_file.name, now=NOW)
    assert len(parsed.entries) == expect["entries"]
    assert parsed.language == expect["feed_language"]
    first = parsed.entries[0]
    wanted = expect["first_entry"]
    assert first.title == wanted["title"]
    assert first.link == wanted["link"]
    if wanted["published_utc"]:
        assert iso(first.published) == wanted["published_utc"]
        assert not first.published_estimated
    else:
        assert first.published_estimated and first.published == NOW
    assert first.language == wanted["language"]
    assert first.text  # every one of these feeds carries a summary
    assert "<" not in first.title


def test_sample_entries_decode_non_ascii_titles() -> None:
    checked = 0
    for expect_file in REAL_FEEDS:
        expect = json.loads(expect_file.read_text(encoding="utf-8"))
        sample = expect.get("sample_entry")
        if not sample:
            continue
        feed_file = expect_file.with_name(expect_file.name.removesuffix(".expect.json"))
        parsed = parse_feed(feed_file.read_bytes(), url="https://feeds.example/x", now=NOW)
        titles = {e.title for e in parsed.entries}
        assert sample["title"] in titles, expect_file.name
        checked += 1
    assert checked >= 1


def test_entry_fields_and_canonical_urls() -> None:
    body = rss(
        [
            {
                "title": "Quake &amp; aftershocks",
                "link": "HTTPS://News.Example:443/a/1?utm_source=rss&amp;id=7#top",
                "description": "&lt;p&gt;First.&lt;/p&gt;&lt;p&gt;Second &lt;b&gt;bold&lt;/b&gt;&lt;/p&gt;"
                "&lt;script&gt;alert(1)&lt;/script&gt;",
                "pubDate": "Tue, 10 Jun 2025 04:00:00 +0200",
            },
            {"title": "No link, no guid", "description": "Some text here"},
        ]
    ).encode()
    parsed = parse_feed(body, url="https://news.example/feed", now=NOW)
    first, second = parsed.entries
    assert first.title == "Quake & aftershocks"
    assert first.url == "https://news.example/a/1?id=7"
    assert first.guid == first.url  # no <guid>: the canonical URL
    assert first.text == "First.\nSecond bold"
    assert "script" not in first.html and "<p>" in first.html
    assert iso(first.published) == "2025-06-10T02:00:00Z"
    assert first.language == "en" and first.language_source == "feed"
    assert second.url is None and second.guid.startswith("urn:sha256:")
    assert second.published == NOW and second.published_estimated


@pytest.mark.parametrize(
    "date", ["Tue, 10 Jun 2031 04:00:00 GMT", "Mon, 01 Jan 1973 00:00:00 GMT", "not a date"]
)
def test_absurd_or_missing_dates_fall_back_to_first_seen(date: str) -> None:
    body = rss([{"title": "T", "link": "https://n.example/1", "pubDate": date}]).encode()
    entry = parse_feed(body, url="https://n.example/feed", now=NOW).entries[0]
    assert entry.published == NOW
    assert entry.published_estimated


def test_language_entry_then_hint_then_detection() -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id><updated>2025-01-01T00:00:00Z</updated>
    <entry xml:lang="de-AT"><title>Wahl in Wien</title><id>urn:1</id><link href="https://n.example/1"/>
      <updated>2025-01-01T00:00:00Z</updated><summary>Die Wahl ist vorbei.</summary></entry>
    <entry><title>La elecci\xc3\xb3n en Madrid termin\xc3\xb3 con una victoria clara del partido</title>
      <id>urn:2</id><link href="https://n.example/2"/><updated>2025-01-01T00:00:00Z</updated>
      <summary>Los votantes acudieron a las urnas durante todo el domingo en la capital.</summary></entry>
    </feed>"""
    detected = parse_feed(atom, url="https://n.example/feed", now=NOW)
    assert [(e.language, e.language_source) for e in detected.entries] == [
        ("de", "entry"),
        ("es", "detected"),
    ]
    hinted = parse_feed(atom, url="https://n.example/feed", feed_language="pt", now=NOW)
    assert [(e.language, e.language_source) for e in hinted.entries] == [("de", "entry"), ("pt", "feed")]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty body"),
        (b"   \n ", "empty body"),
        (b"<!DOCTYPE html><html><head><title>Home</title></head><body>hi</body></html>", "HTML page"),
        (b"\x00\x01\x02 binary garbage \xff\xfe", "not a feed"),
        (b"just some words", "not a feed"),
    ],
)
def test_not_a_feed_is_a_clear_parse_error(body: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_feed(body, url="https://n.example/feed", now=NOW)
    assert reason in str(info.value)
    assert info.value.step == "while parsing"
    assert info.value.url == "https://n.example/feed"


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut short</title><item><ti',
        b'<rss version="2.0"><channel><title>Cut short</title>',
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><ti',
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss><junk',
    ],
)
def test_ill_formed_xml_with_no_entries_is_an_error(body: bytes) -> None:
    """A body cut short (or an error page dressed as XML) yields no entries: an error, not an
    empty feed read fine."""
    with pytest.raises(ParseError) as info:
        parse_feed(body, url="https://n.example/feed", now=NOW)
    assert "not well-formed" in str(info.value) and info.value.step == "while parsing"


def test_an_empty_well_formed_feed_and_an_ill_formed_one_with_entries_are_read() -> None:
    empty = parse_feed(rss([]).encode(), url="https://n.example/feed", now=NOW)
    assert empty.entries == () and empty.warning is None
    # An undefined entity: not well-formed, yet the lenient reading finds the entry.
    recovered = parse_feed(
        b'<rss version="2.0"><channel><title>x &nbsp;</title><item><title>Kept</title>'
        b"<guid>k1</guid></item></channel></rss>",
        url="https://n.example/feed",
        now=NOW,
    )
    assert [e.title for e in recovered.entries] == ["Kept"] and recovered.warning


def test_wrong_declared_charset_still_yields_text() -> None:
    # Declared UTF-8, but the bytes are windows-1252: feedparser falls back; no exception.
    body = rss([{"title": "Caf\xe9 cr\xe8me", "link": "https://n.example/1"}]).encode("cp1252")
    parsed = parse_feed(body, url="https://n.example/feed", now=NOW)
    assert parsed.entries[0].title in ("Café crème", "Caf\ufffd cr\ufffdme")


def test_html_to_text_and_sanitize() -> None:
    assert html_to_text("<div>a<br>b</div><style>x{}</style><p>c &amp; d</p>") == "a\nb\nc & d"
    cleaned = sanitize_html('<a href="javascript:alert(1)" onclick="x()">go</a><img src=x onerror=y()>')
    assert "javascript:" not in cleaned and "onclick" not in cleaned and "onerror" not in cleaned


def test_atom_root_language_does_not_beat_the_users_hint() -> None:
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
    <title>t</title><id>urn:x</id><updated>2025-01-01T00:00:00Z</updated>
    <entry><title>Wahl in Wien</title><id>urn:1</id><updated>2025-01-01T00:00:00Z</updated></entry>
    <entry xml:lang="fr"><title>Vote</title><id>urn:2</id><updated>2025-01-01T00:00:00Z</updated></entry>
    </feed>"""
    hinted = parse_feed(atom, url="https://n.example/feed", feed_language="de", now=NOW)
    assert [(e.language, e.language_source) for e in hinted.entries] == [("de", "feed"), ("fr", "entry")]
    plain = parse_feed(atom, url="https://n.example/feed", now=NOW)
    assert [e.language for e in plain.entries] == ["en", "fr"]


UNDECLARED = [
    ("cp1251", "ru", "Президент России Владимир Путин провёл совещание с членами правительства в Кремле."),
    ("koi8-r", "ru", "Президент России Владимир Путин провёл совещание с членами правительства в Кремле."),
    ("cp1251", "uk", "Президент України провів нараду з міністрами у Києві щодо бюджету на наступний рік."),
    ("cp1253", "el", "Ο πρωθυπουργός συναντήθηκε με τους υπουργούς στην Αθήνα για την οικονομία της χώρας."),
    ("cp1256", "ar", "التقى رئيس الوزراء بالوزراء في القاهرة لمناقشة الاقتصاد والميزانية الجديدة"),
    ("cp1255", "he", "ראש הממשלה נפגש עם השרים בירושלים כדי לדון בתקציב של השנה הבאה ובכלכלה"),
    ("latin-1", "fr", "Le café crème à la française, déjà vu à Paris, était très apprécié des étudiants."),
]


@pytest.mark.parametrize(
    ("charset", "language", "text"), UNDECLARED, ids=[f"{c}-{lang}" for c, lang, _ in UNDECLARED]
)
def test_a_single_byte_charset_declared_nowhere_is_read_right(charset: str, language: str, text: str) -> None:
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
        f"<item><title>{text[:40]}</title><description>{text}</description>"
        "<link>https://n.example/1</link></item></channel></rss>"
    ).encode(charset)
    headers = {"Content-Type": "application/rss+xml"}  # no charset there either
    entry = parse_feed(body, url="https://n.example/rss", headers=headers).entries[0]
    assert entry.text == text and entry.title == text[:40].strip()
    assert entry.language == language


def test_a_realistic_undeclared_cyrillic_feed_and_latin_ones_left_alone() -> None:
    # Short headlines among links, GUIDs and dates (ASCII): the check must look at the text.
    headlines = ["Путин провёл совещание", "Курс рубля снизился", "В Москве выпал снег", "Новый мост открыт"]
    items = "".join(
        f"<item><title>{h} {n}</title><link>https://r.example/news/2026/11/{n}.html</link>"
        f"<guid>https://r.example/news/2026/11/{n}.html</guid>"
        f"<pubDate>Sun, 29 Nov 2026 {n:02d}:00:00 +0300</pubDate>"
        f"<description>{h}.</description></item>"
        for n, h in enumerate(headlines * 3)
    )
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Новости</title>{items}</channel></rss>'
    parsed = parse_feed(body.encode("cp1251"), url="https://r.example/rss")
    assert [e.title for e in parsed.entries[:2]] == ["Путин провёл совещание 0", "Курс рубля снизился 1"]
    # Latin-script text with no declaration, in the sets such feeds use: unchanged.
    for charset, text in [
        ("cp1252", "Les élèves ont été reçus à l'Élysée après la grève de décembre"),
        ("cp1250", "Zażółć gęślą jaźń: posłowie głosowali w Sejmie nad budżetem"),
        ("cp1254", "Türkiye'de seçim sonuçları açıklandı; İstanbul'da büyük kutlama"),
        ("iso-8859-2", "Vláda schválila rozpočet, poslanci o něm hlasují ve čtvrtek"),
    ]:
        latin = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
            f"<item><title>{text}</title><link>https://l.example/1</link></item></channel></rss>"
        ).encode(charset)
        assert _undeclared_single_byte(latin, None) is latin, charset


def test_nul_characters_are_dropped_from_what_is_stored() -> None:
    # PostgreSQL's text refuses NUL; a JSON feed can carry it ("\u0000") in any string.
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [{"id": "a\\u0000b", '
        b'"url": "https://n.example/1", "title": "Half\\u0000title", "content_text": "x\\u0000y", '
        b'"authors": [{"name": "Ann\\u0000"}], "date_published": "2024-03-22T10:00:00Z"}]}'
    )
    (entry,) = parse_feed(body, url="https://feeds.example/feed.json", now=NOW).entries
    stored = [entry.guid, entry.title, entry.text, entry.html, entry.author or "", entry.link or ""]
    assert not any("\x00" in value for value in stored)
    assert (entry.guid, entry.title, entry.text) == ("ab", "Halftitle", "xy")


@pytest.mark.parametrize(
    ("stamp", "utc"),
    [
        ("Tue, 02 Dec 2025 02:02:33 PM EST", datetime(2025, 12, 2, 19, 2, 33, tzinfo=UTC)),
        ("Tue, 02 Dec 2025 02:02:33 AM EST", datetime(2025, 12, 2, 7, 2, 33, tzinfo=UTC)),
        ("Tue, 02 Dec 2025 12:15 PM GMT", datetime(2025, 12, 2, 12, 15, tzinfo=UTC)),
        ("Tue, 02 Dec 2025 12:15 AM GMT", datetime(2025, 12, 2, 0, 15, tzinfo=UTC)),
        ("mar, 02 déc 2025 02:02:33 PM +0100", datetime(2025, 12, 2, 13, 2, 33, tzinfo=UTC)),
        ("Tue, 02 Dec 2025 14:02:33 EST", datetime(2025, 12, 2, 19, 2, 33, tzinfo=UTC)),
    ],
)
def test_a_twelve_hour_clock_keeps_its_pm(stamp: str, utc: datetime) -> None:
    """feedparser (and email.utils) read 'PM' as nothing, and lose the zone with it."""
    body = rss([{"title": "t", "link": "https://news.example/1", "pubDate": stamp}]).encode()
    (entry,) = parse_feed(body, url="https://news.example/feed", now=NOW).entries
    assert entry.published == utc and not entry.published_estimated


def test_a_pm_date_counts_as_the_newest_when_a_long_feed_is_trimmed() -> None:
    """The quick date reading that trims a feed far over max_entries reads PM too."""
    morning = [
        {"title": f"m{n}", "link": f"https://news.example/m{n}", "guid": f"m{n}",
         "pubDate": f"Tue, 02 Dec 2025 {3 + n // 60:02d}:{n % 60:02d}:00 AM EST"}
        for n in range(150)
    ]  # fmt: skip
    afternoon = {"title": "pm", "link": "https://news.example/pm", "guid": "pm",
                 "pubDate": "Tue, 02 Dec 2025 02:02:33 PM EST"}  # fmt: skip
    body = rss([afternoon, *morning]).encode()
    (entry,) = parse_feed(body, url="https://news.example/feed", now=NOW, max_entries=1).entries
    assert entry.guid == "pm" and entry.published == datetime(2025, 12, 2, 19, 2, 33, tzinfo=UTC)


def _nh3(markup: str) -> str:
    return nh3.clean(markup, url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")


def test_text_without_the_characters_nh3_changes_comes_back_as_nh3_gives_it_on_every_code_point() -> None:
    plain = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000 and not _HTML_SPECIAL.match(chr(c))]
    for start in range(0, len(plain), 4096):
        chunk = "a" + "".join(plain[start : start + 4096]) + "b"
        assert sanitize_html(chunk) == _nh3(chunk) == chunk, f"code points from {ord(plain[start]):#x}"
    for special in "<>&\r\x00\u00a0\ufeff":
        assert _nh3(special + "x") != special + "x"  # each one listed changes (so is needed)


@given(st.text(alphabet=st.sampled_from("ab <>&;\r\n\t\x00\u00a0\ufeff\"'=/é中")) | st.text())
def test_sanitize_html_is_nh3_on_any_text(markup: str) -> None:
    assert sanitize_html(markup) == (_nh3(markup) if markup else "")


@given(st.text(alphabet=st.sampled_from("ab \t\r\n\f\v\u00a0\u200b\u2028\x1c")) | st.text())
def test_tidy_spaces_gives_what_the_two_substitutions_gave(text: str) -> None:
    assert tidy_spaces(text) == _NEWLINES.sub("\n", _SPACES.sub(" ", text)).strip()
