"""The article page (/articles/<id>) shows what the entities and watches stages found in the
article: its people and organisations (with their spellings, linked to their name pages), its
places (linked to their country's page) and the watches it matched; names written right to
left are isolated so that a list of names in several scripts keeps its order. On a real
`monitor serve` over a real SQLite file, with the real names and watch stages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from monitor.entities.stage import run_names_stage
from monitor.watches.match import run_watch_stage
from monitor.watches.settings import parse_watches_section
from monitor.web.views import isolated

from .browser import Page, requires_chromium
from .test_web import WebServer
from .watches_helpers import FEEDS, Item, add, open_store

BEIJING = {"geonameid": 1816670, "name": "Beijing", "country": "CN"}
MOSCOW = {"geonameid": 524901, "name": "Moscow", "country": "RU"}


def test_a_name_written_right_to_left_is_isolated_and_escaped() -> None:
    assert str(isolated("فلاديمير بوتين")) == "<bdi>فلاديمير بوتين</bdi>"
    assert str(isolated("פוטין")) == "<bdi>פוטין</bdi>"
    assert str(isolated("Vladimir Putin")) == "Vladimir Putin"  # left to right: as it was
    assert str(isolated("Путин")) == "Путин" and str(isolated("普京")) == "普京"
    assert str(isolated("<b>بوتين</b>")) == "<bdi>&lt;b&gt;بوتين&lt;/b&gt;</bdi>"  # still escaped
    assert str(isolated("AT&T")) == "AT&amp;T"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebServer, list[int]]]:
    folder = tmp_path_factory.mktemp("reading")
    feeds = "\n".join(f"  - url: {f.url}\n    name: {f.name}" for f in FEEDS)
    config = folder / "feeds.yaml"
    config.write_text(f"settings:\n  database: monitor.db\nfeeds:\n{feeds}\n", encoding="utf-8")
    with open_store(folder / "monitor.db") as store:
        ids = add(
            store,
            [
                Item(0, "Vladimir Putin meets Xi Jinping in Beijing",
                     "Vladimir Putin arrived in Beijing. Putin and Xi Jinping signed a gas deal.", "en", 0,
                     story=1),
                Item(2, "Путин прибыл в Пекин", "Владимир Путин прибыл в Пекин. Путина встретили.", "ru", 1,
                     story=1),
                Item(0, "Markets", "Shares rose on Tuesday.", "en", 2),
            ],
        )
        run_names_stage(store)
        store.places_write([(ids[0], [BEIJING, MOSCOW]), (ids[1], [BEIJING]), (ids[2], [])])
        watches = parse_watches_section(
            [{"name": "Putin & Kremlin", "names": ["Putin"]}, {"name": "Gas", "query": "gas"}],
            "x",
            model="fake",
        )
        run_watch_stage(store, watches, None)
        found = store.article_names([ids[1]])[ids[1]]
    assert found, "the names stage found no name in the Russian article"
    server = WebServer(config, folder / "monitor.db")
    try:
        yield server, ids
    finally:
        server.stop()


def _block(html: str, element_id: str) -> str:
    start = html.find(f'id="{element_id}"')
    return html[start : html.find("</dd>", start)] if start >= 0 else ""


def test_the_article_page_shows_its_names_places_and_watches(site: tuple[WebServer, list[int]]) -> None:
    server, ids = site
    english, russian, plain = ids
    api = httpx.get(f"{server.base}/api/articles?story=1").json()["articles"]
    stored = {a["id"]: a["names"] for a in api}
    html = httpx.get(f"{server.base}/articles/{russian}").text
    names = _block(html, "names")
    for name in stored[russian]:  # every name the stage found, under its entity's page
        assert any(v in names for v in [name["name"], *name["variants"]]), (name, names)
    assert '<a href="/names/vladimir%20putin">' in names, names
    assert "Путина" in names  # an inflected spelling, shown as a variant
    assert '<dd id="places">Beijing <a href="/places/CN" title="China">CN</a></dd>' in html
    assert '<a href="/watches/Putin%20%26%20Kremlin">Putin &amp; Kremlin</a>' in _block(html, "watches")

    html = httpx.get(f"{server.base}/articles/{english}").text
    assert "Beijing <a href=\"/places/CN\"" in html and "Moscow <a href=\"/places/RU\"" in html
    watched = _block(html, "watches")
    assert "Putin &amp; Kremlin" in watched and '<a href="/watches/Gas">Gas</a>' in watched
    assert "Xi Jinping" in _block(html, "names")

    html = httpx.get(f"{server.base}/articles/{plain}").text  # nothing found: no empty headings
    assert 'id="found"' not in html and "People and organisations" not in html


def test_names_in_several_scripts_keep_their_order_on_the_story_page(tmp_path: Path) -> None:
    folder = tmp_path
    feeds = "\n".join(f"  - url: {f.url}\n    name: {f.name}" for f in FEEDS)
    config = folder / "feeds.yaml"
    config.write_text(f"settings:\n  database: monitor.db\nfeeds:\n{feeds}\n", encoding="utf-8")
    with open_store(folder / "monitor.db") as store:
        (article,) = add(store, [Item(0, "Talks", "Talks went on.", "en", 0, story=7)])
        store.names_write(
            {article: [{"key": "donald trump", "name": "Donald Trump", "mentions": 3,
                        "variants": ["Donald Trump", "ترامب", "دونالد ترامب", "Трамп"]}]}
        )
    server = WebServer(config, folder / "monitor.db")
    try:
        for page in ("/stories/7", f"/articles/{article}"):
            names = _block(httpx.get(server.base + page).text, "names")
            variants = names.split('class="variants">(')[1].split(")</span>")[0].split(", ")
            assert sorted(variants) == sorted(["<bdi>ترامب</bdi>", "<bdi>دونالد ترامب</bdi>", "Трамп"]), page
    finally:
        server.stop()


# Where the browser drew the first and the last character of an element's text.
ENDS = """(() => { const node = document.querySelector('%s').firstChild, range = document.createRange();
  const at = (i) => {
    range.setStart(node, i); range.setEnd(node, i + 1); return range.getBoundingClientRect().left; };
  return [at(0), at(node.data.length - 1)]; })()"""


@requires_chromium
def test_a_right_to_left_title_keeps_its_question_mark_at_its_end(tmp_path: Path) -> None:
    """And the story's lede its full stop."""
    folder = tmp_path
    feeds = "\n".join(f"  - url: {f.url}\n    name: {f.name}" for f in FEEDS)
    config = folder / "feeds.yaml"
    config.write_text(f"settings:\n  database: monitor.db\nfeeds:\n{feeds}\n", encoding="utf-8")
    title = "האם טראמפ ייפגש עם פוטין?"
    with open_store(folder / "monitor.db") as store:
        add(store, [Item(2, title, "הם ייפגשו השבוע.", "he", 0, story=5),
                    Item(0, "Talks", "Talks.", "en", 1, story=5)])
    server = WebServer(config, folder / "monitor.db")
    try:
        with Page(tmp_path / "profile", width=1280) as page:
            page.goto(server.base + "/stories/5")
            selectors = ['li.article a[lang="he"]', "blockquote#lede"]  # the Hebrew text came first
            if page.eval("document.querySelector('h1#headline').textContent") == title:
                selectors.append("h1#headline")  # the story's headline may be its English article's
            for selector in selectors:
                first, last = page.eval(ENDS % selector)  # type: ignore[misc]  # a list of two numbers
                assert last < first, (selector, first, last)  # read right to left: "?" on the left
    finally:
        server.stop()
