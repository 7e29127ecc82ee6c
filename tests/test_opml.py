"""opml.py: subscription lists from the wild and from other readers import."""

from __future__ import annotations

import pytest

from monitor.ingest.opml import OPMLError, parse_opml, to_opml

from .conftest import FIXTURES

OPML = FIXTURES / "opml"


def test_real_awesome_rss_lists_import_despite_broken_xml() -> None:
    russia = parse_opml((OPML / "russia.opml").read_bytes())
    assert len(russia) == 13
    assert any(f.url == "https://www.kommersant.ru/RSS/main.xml" for f in russia)
    assert any(f.name == "Lenta.ru : Новости" for f in russia)
    france = parse_opml((OPML / "france-with-category.opml").read_bytes())
    assert len(france) >= 5 and all(f.url.startswith("http") for f in france)


def test_miniflux_and_freshrss_exports() -> None:
    miniflux = parse_opml((OPML / "miniflux-export.opml").read_bytes())
    assert [(f.name, f.tags) for f in miniflux] == [
        ("Example Wire", ("World",)),
        ("Le Quotidien", ("World",)),
        ("Gadgets", ("Tech",)),
    ]
    assert miniflux[1].url == "https://quotidien.example/feed?format=rss&lang=fr"
    fresh = parse_opml((OPML / "freshrss-export.opml").read_bytes())
    assert [(f.name, f.tags) for f in fresh] == [
        ("Diario Ejemplo", ("Noticias",)),
        ("Новости", ("Noticias",)),
    ]


def test_round_trip() -> None:
    feeds = parse_opml((OPML / "miniflux-export.opml").read_bytes())
    again = parse_opml(to_opml(feeds).encode())
    assert [(f.url, f.name, f.tags) for f in again] == [(f.url, f.name, f.tags) for f in feeds]


@pytest.mark.parametrize(
    "content", [b"", b"<html><body>no</body></html>", b"<opml><head/></opml>", b"not xml at all"]
)
def test_not_opml(content: bytes) -> None:
    with pytest.raises(OPMLError):
        parse_opml(content, "x.opml")


def test_entity_expansion_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b'<opml version="2.0"><body><outline text="&lol2;" xmlUrl="https://a.example/"/></body></opml>'
    )
    with pytest.raises(OPMLError, match="refused"):
        parse_opml(bomb)


def test_a_broken_file_with_no_readable_feed_reports_the_parse_error() -> None:
    truncated = (
        b'<?xml version="1.0"?>\n<opml version="2.0"><head><title>x</title></head><body>\n'
        b'<outline text="a" xmlUrl="https://a.example/feed"\n'
    )
    with pytest.raises(OPMLError, match=r"x.opml: not a readable OPML file: unclosed token: line 3"):
        parse_opml(truncated, "x.opml")
