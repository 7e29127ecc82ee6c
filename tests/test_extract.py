"""monitor/ingest/extract.py: page bytes -> article text, canonical URL, language."""

from __future__ import annotations

import logging

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.ingest import extract
from monitor.ingest.extract import MIN_CHARS, choose_text, contained_share, extract_page

URL = "https://news.example/2026/12/05/story.html"
PARAGRAPHS = [
    "The city council voted on Tuesday to rebuild the old harbour bridge, which has been closed "
    "to lorries since a survey found cracks in two of its steel piers last spring.",
    "Work is to start in March and last two years; the council expects the cost to reach forty "
    "million euros, a third of it paid by the regional government and the rest by a bond issue.",
    "Residents of the eastern quarter, who now drive twenty minutes round the estuary, welcomed "
    "the vote, while shop owners near the bridge asked for help during the works.",
    "The mayor said a temporary footbridge would keep the market reachable on foot.",
]


def page(body: str, head: str = "") -> bytes:
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Bridge</title>{head}</head>"
        f"<body>{body}</body></html>"
    ).encode()


def article(extra: str = "") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        "<nav><ul><li><a href=/>Home</a></li><li><a href=/world>World</a></li>"
        "<li><a href=/sport>Sport</a></li></ul></nav>"
        f"<main><article><h1>Council votes to rebuild the bridge</h1>{paragraphs}{extra}</article></main>"
        "<aside class=related><h2>Related</h2><ul><li><a href=/a>Ferry fares rise again in the "
        "winter timetable</a></li><li><a href=/b>New tram line opens to the airport</a></li></ul></aside>"
        "<footer>Copyright 2026 News Example. All rights reserved. Terms of use.</footer>"
    )


def test_article_text_without_navigation_related_or_footer() -> None:
    result = extract_page(page(article()), URL, "text/html; charset=utf-8")
    for paragraph in PARAGRAPHS:
        assert paragraph in result.text
    for boilerplate in ("Sport", "Ferry fares", "All rights reserved"):
        assert boilerplate not in result.text
    assert result.language == "en"
    assert result.method in ("trafilatura", "readability")


def test_hidden_elements_and_cookie_banners_left_out() -> None:
    body = (
        '<div id="cookie-consent">We use cookies to improve your experience. Accept all cookies '
        "or manage your preferences in the settings of this site.</div>"
        + article(
            '<p style="display:none">Subscribe now to read the hidden offer text here.</p>'
            "<p hidden>Secret tracking paragraph that nobody sees on the page.</p>"
        )
    )
    result = extract_page(page(body), URL)
    assert PARAGRAPHS[0] in result.text
    for hidden in ("cookies", "hidden offer", "Secret tracking"):
        assert hidden not in result.text


def test_canonical_link_kept_without_tracking() -> None:
    head = '<link rel="canonical" href="/2026/12/05/story.html?utm_source=rss&id=7#top">'
    result = extract_page(page(article(), head), URL)
    assert result.canonical_url == "https://news.example/2026/12/05/story.html?id=7"
    script = '<link rel=canonical href="javascript:alert(1)">'
    assert extract_page(page(article(), script), URL).canonical_url is None
    assert extract_page(page(article()), URL).canonical_url is None


def test_language_detected_on_the_page() -> None:
    text = (
        "Le conseil municipal a voté mardi la reconstruction du vieux pont du port, fermé aux "
        "camions depuis qu'une expertise a trouvé des fissures dans deux de ses piles d'acier. "
    )
    result = extract_page(page(f"<article><p>{text * 3}</p><p>{text}</p></article>"), URL)
    assert result.language == "fr"


def test_unreadable_pages_give_empty_text() -> None:
    for content in (
        b"",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj",
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20,
        page("<div id=app></div><script>render()</script>"),  # a JavaScript-only shell
        page("<form><input name=user><input type=password><button>Log in</button></form>"),
    ):
        result = extract_page(content, URL)
        assert len(result.text) < MIN_CHARS, content[:40]


def test_deep_nesting_is_refused_not_a_crash() -> None:
    deep = page("<div>" * 100_000 + "<p>" + " ".join(PARAGRAPHS) + "</p>" + "</div>" * 100_000)
    result = extract_page(deep, URL)
    assert result.text == ""
    assert result.note is not None and "nested" in result.note


def test_choose_text_first_over_threshold_unless_the_two_disagree_tellingly() -> None:
    first = " ".join(PARAGRAPHS[:2])
    whole = " ".join(PARAGRAPHS)
    assert choose_text(first, whole) == (whole, 1)  # the first was cut short
    other = "An unrelated text about the weather in the mountains this week. " * 10
    assert choose_text(first, other) == (first, 0)  # over the threshold, not contained
    assert choose_text("short", first) == (first, 1)  # under the threshold
    assert choose_text(first, "short") == (first, 0)
    assert choose_text("", "") == ("", 0)
    related = " ".join(f"Other story number {n} about something else entirely." for n in range(40))
    bloated = f"{whole}\n{related}"
    assert choose_text(bloated, whole) == (whole, 1)  # the first took in a list of other stories
    assert choose_text(whole + " " + PARAGRAPHS[0], whole) == (whole + " " + PARAGRAPHS[0], 0)
    assert contained_share(first, whole) == 1.0
    assert contained_share("", whole) == 0.0


def test_both_extractors_run_on_an_ordinary_page(caplog: pytest.LogCaptureFixture) -> None:
    """Neither library fails on a plain article (a failure is logged and costs its text)."""
    caplog.set_level(logging.INFO, logger="monitor.extract")
    root = lxml.html.document_fromstring(page(article()).decode())
    assert PARAGRAPHS[1] in extract._trafilatura(root, URL)
    assert PARAGRAPHS[1] in extract._readability(page(article()).decode())
    extract_page(page(article()), URL)
    assert not [r for r in caplog.records if "extract_failed" in r.getMessage()]


def test_a_poll_that_reads_no_page_loads_no_extractor() -> None:
    """lxml, trafilatura and readability-lxml are imported on the first page read: a `monitor
    poll` or a daemon whose feeds need no page starts as fast as before full text."""
    import subprocess
    import sys

    code = (
        "import sys, monitor.pipeline, monitor.cli.main, monitor.daemon; "
        "print(sorted(m for m in ('lxml.etree', 'lxml.html', 'trafilatura', 'readability') "
        "if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", loaded.stderr


def test_trafilatura_s_own_fallbacks_stay_unloaded() -> None:
    """trafilatura runs without its own fallbacks (readability-lxml is ours): jusText's stop
    words of every language, 150,000 words held for good once loaded, are never read."""
    import trafilatura.external

    for body in (article(), "<div><p>Short.</p><p>Two words.</p></div>", "<ul><li>a</li></ul>"):
        extract_page(page(body), URL)
    assert trafilatura.external.JT_STOPLIST is None


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=2000),
        st.lists(
            st.sampled_from(["<div>", "</div>", "<p>", "</p>", "<script>", "<!--", "-->", "&amp;", "&#0;",
                             "\x00", "<meta charset=utf-16>", "<html>", "<body hidden>", "text ", "é", "…"]),
            max_size=200,
        ).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass")),
    ),
    st.one_of(st.none(), st.sampled_from(["text/html", "text/html; charset=utf-16", "text/html; charset=x"])),
)
def test_any_bytes_give_a_page_text_never_an_error(content: bytes, content_type: str | None) -> None:
    result = extract_page(content, URL, content_type)
    assert result.method in ("trafilatura", "readability", "none")
    assert (result.text == "") == (result.method == "none")
