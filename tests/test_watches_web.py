"""Watch pages and API on a real `monitor serve`: JSON, CSV, Atom, the home page's list, and
the page in Debian's headless Chromium at 1280 and 390 px."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from defusedxml import ElementTree

from monitor.watches.match import run_watch_stage
from monitor.watches.settings import parse_watches_section

from .browser import Page, chromium, requires_chromium
from .test_web import WebServer
from .test_web_browser import Dom, assert_payload_inert
from .watches_helpers import FEEDS, Item, add, open_store

EVIL = 'Climate <img src=x onerror="document.body.dataset.pwned=1">'


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebServer, Path]]:
    folder = tmp_path_factory.mktemp("watchweb")
    feeds = "\n".join(f"  - url: {f.url}\n    name: {f.name}" for f in FEEDS)
    config = folder / "feeds.yaml"
    config.write_text(
        f"settings:\n  database: monitor.db\nfeeds:\n{feeds}\nwatches:\n"
        "  - name: Climate talks\n    query: climat*\n"
        "  - name: Cup\n    query: cup\n"
        "  - name: Elections\n    query: election*\n    names: [Jane Doe]\n    languages: [en]\n",
        encoding="utf-8",
    )
    with open_store(folder / "monitor.db") as store:
        add(
            store,
            [
                Item(0, "Climate summit opens", "", "en", 0, story=1),
                Item(1, "Le sommet sur le climat", "", "fr", 2, story=1),
                Item(0, EVIL, "", "en", 26),
                Item(0, "Cup final", "", "en", 27),
                Item(2, "Климат: переговоры", "", "ru", 50),
                # a day later than the rest: 26 more matches of "Cup", two pages of them
                *(Item(0, f"Cup round {n}", "", "en", 36 + n / 2) for n in range(26)),
            ],
        )
        watches = parse_watches_section(
            [{"name": "Climate talks", "query": "climat*"}, {"name": "Cup", "query": "cup"}],
            "x",
            model="fake",
        )  # Elections is in feeds.yaml only: it has not run
        run_watch_stage(store, watches, None)
    server = WebServer(config, folder / "monitor.db")
    try:
        yield server, folder
    finally:
        server.stop()


NAME = "Climate%20talks"


def test_api_and_csv(site: tuple[WebServer, Path]) -> None:
    server, _ = site
    data = httpx.get(f"{server.base}/api/watches/{NAME}?days=3").json()
    assert data["name"] == "Climate talks" and data["matches"] == 3 + 0  # Климат is not climat*
    assert [d["articles"] for d in data["attention"]["days"]] == [2, 1, 0]
    assert data["attention"]["days"][0]["share"] == 1.0 and data["attention"]["days"][1]["share"] == 0.5
    assert data["top_outlets"][0] == {"outlet": "English Daily", "articles": 2}
    assert data["top_stories"][0]["story_id"] == 1 and data["top_stories"][0]["matched_articles"] == 2
    attention = httpx.get(f"{server.base}/api/watches/{NAME}/attention?days=3").json()
    assert attention == data["attention"]
    response = httpx.get(f"{server.base}/watches/{NAME}.csv?days=3")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["day", "language", "articles", "stories", "all_articles", "share"]
    assert ["2025-03-01", "*", "2", "1", "2", "1.000000"] in rows and [
        "2025-03-01",
        "fr",
        "1",
        "1",
        "1",
        "1.000000",
    ] in rows
    missing = httpx.get(f"{server.base}/api/watches/nothing")
    assert missing.status_code == 404 and "no watch named" in missing.json()["error"]
    assert httpx.get(f"{server.base}/api/watches/{NAME}?days=0").status_code == 400


def test_atom(site: tuple[WebServer, Path]) -> None:
    server, _ = site
    response = httpx.get(f"{server.base}/watches/{NAME}.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert titles == [EVIL, "Le sommet sur le climat", "Climate summit opens"]
    assert "matched: terms climat*" in (root.find("a:entry/a:content", ns).text or "")  # type: ignore[union-attr]


@requires_chromium
@pytest.mark.parametrize("width", [1280, 390])
def test_watch_page_and_home_in_chromium(site: tuple[WebServer, Path], width: int) -> None:
    server, folder = site
    profile = folder / f"profile-{width}"
    size = f"--window-size={width},1000"
    result = chromium(
        profile, size, "--virtual-time-budget=3000", "--dump-dom", f"{server.base}/watches/{NAME}?days=7"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    dom = Dom(result.stdout)
    text = dom.all_text
    assert "Climate talks" in text and "3 matching articles" in text
    assert "English Daily" in text and "Climate summit opens" in text
    svg = dom.find("svg")
    assert svg and "attention" in (svg[0].get("class") or "")
    assert len(dom.find("rect")) == 7  # one bar per day
    assert_payload_inert(dom)
    assert not [
        a for a in dom.find("link") if (a.get("href") or "").startswith("http")
    ]  # nothing from elsewhere
    shot = folder / f"watch-{width}.png"
    result = chromium(
        profile, size, "--virtual-time-budget=3000", f"--screenshot={shot}", f"{server.base}/watches/{NAME}"
    )
    assert result.returncode == 0 and shot.stat().st_size > 3000
    home = chromium(
        profile, size, "--virtual-time-budget=3000", "--dump-dom", f"{server.base}/?day=2025-03-01"
    )
    dom = Dom(home.stdout)
    links = [a.get("href") for a in dom.find("a")]
    assert f"/watches/{NAME}" in links and "in 7 days" in dom.all_text


def test_watches_index_lists_every_watch_and_is_in_every_page_nav(site: tuple[WebServer, Path]) -> None:
    server, _ = site
    index = httpx.get(f"{server.base}/watches")
    assert index.status_code == 200
    names = re.findall(r'<a class="headline" href="/watches/([^"]+)">', index.text)
    assert names == ["Climate%20talks", "Cup", "Elections"]
    elections = index.text.split('href="/watches/Elections"')[1]
    assert "not run yet" in elections and "election*" in elections and "Jane Doe" in elections
    assert "not run yet" not in index.text.split('href="/watches/Cup"')[1].split("<li")[0]
    for path in ("/", "/feeds", "/watches", f"/watches/{NAME}", "/search?q=cup", "/docs"):
        page = httpx.get(f"{server.base}{path}")
        assert page.status_code == 200, path
        assert '<a href="/watches">Watches</a>' in page.text, path


def test_watch_not_run_yet_says_so(site: tuple[WebServer, Path]) -> None:
    server, _ = site
    page = httpx.get(f"{server.base}/watches/elections")  # names are case-insensitive
    assert page.status_code == 200
    assert "has not run yet" in page.text and "election*" in page.text and "Jane Doe" in page.text
    api = httpx.get(f"{server.base}/api/watches/Elections").json()
    assert (
        api
        == {
            "name": "Elections",
            "ran": False,
            "definition": api["definition"],
        }
        and api["definition"]["query"] == "election*"
    )
    assert httpx.get(f"{server.base}/api/watches/{NAME}").json()["ran"] is True
    csv_answer = httpx.get(f"{server.base}/watches/Elections.csv")
    assert csv_answer.status_code == 404 and "has not run yet" in csv_answer.text
    assert httpx.get(f"{server.base}/watches/Nobody").status_code == 404


def test_watch_page_shows_definition_and_matches_page_by_page(site: tuple[WebServer, Path]) -> None:
    server, _ = site
    first = httpx.get(f"{server.base}/watches/Cup")
    assert first.status_code == 200
    assert re.search(r"<dt>query</dt><dd>cup</dd>", first.text)
    titles = re.findall(r'<li class="match"[^>]*>.*?>([^<]+)</a>', first.text)
    assert len(titles) == 25 and titles[0] == "Cup round 25" and titles[24] == "Cup round 1"
    assert "27, newest first, page 1 of 2" in first.text and 'rel="next"' in first.text
    second = httpx.get(f"{server.base}/watches/Cup?page=2")
    rest = re.findall(r'<li class="match"[^>]*>.*?>([^<]+)</a>', second.text)
    assert rest == ["Cup round 0", "Cup final"] and 'rel="prev"' in second.text
    assert httpx.get(f"{server.base}/watches/Cup?page=3").status_code == 404


@requires_chromium
@pytest.mark.parametrize("width", [1280, 390])
def test_watches_index_and_pages_fit_in_chromium(site: tuple[WebServer, Path], width: int) -> None:
    """/watches, a watch's page with its matches, and one not run yet, at a laptop's and a
    phone's width: reached by the navigation, nothing cut off on the right."""
    server, folder = site
    with Page(folder / f"nav-{width}", width=width) as page:
        page.goto(f"{server.base}/feeds")
        page.follow('header nav a[href="/watches"]')
        assert page.eval("location.pathname") == "/watches"
        assert page.eval("document.querySelectorAll('ul.watch-index > li').length") == 3
        assert "not run yet" in str(page.eval("document.querySelector('ul.watch-index').innerText"))
        assert page.overflow() == 0, page.cut_off()
        page.follow('a[href="/watches/Cup"]')
        assert page.eval("document.querySelectorAll('ol.matches > li').length") == 25
        definition = " ".join(str(page.eval("document.querySelector('#watch-definition').innerText")).split())
        assert definition == "query cup looks back 30 days when added or edited"
        assert page.overflow() == 0, page.cut_off()
        page.follow('nav.pages a[rel="next"]')
        assert page.eval("document.querySelectorAll('ol.matches > li').length") == 2
        page.goto(f"{server.base}/watches/Elections")
        assert "has not run yet" in str(page.eval("document.querySelector('#not-run').innerText"))
        assert page.overflow() == 0, page.cut_off()


def test_a_definition_shows_notify_targets_by_kind_only() -> None:
    from monitor.web.watches import definition_rows

    rows = definition_rows(
        {
            "query": "climat*",
            "names": ["Guterres", "Simon Stiell"],
            "about": None,
            "languages": [],
            "min_outlets": 2,
            "backfill_days": 30,
            "email": {"to": ["me@example.org"], "mode": "immediate", "min_gap": 900},
            "webhook": {"url": "https://hooks.example.org/in?token=s3cret", "secret_env": "X"},
        }
    )
    assert rows == [
        ("query", "climat*"),
        ("names", "Guterres, Simon Stiell"),
        ("at least", "2 outlets per story"),
        ("looks back", "30 days when added or edited"),
        ("email", "immediate, at most one mail per 15 min"),
        ("webhook", "yes"),
    ]
    assert "s3cret" not in repr(rows) and "me@example.org" not in repr(rows)
    assert ("email", "daily, in the digest") in definition_rows({"email": {"mode": "daily", "to": ["a@b.c"]}})


# Issue 23: `names: [Putin]` matched six NFL articles about Peyton Manning, whose story
# (more articles, more outlets) topped the watch page; Merkel/Markle, Musk/Mask the same.
LOOK_ALIKES = (
    [Item(i % 3, f"Peyton Manning: game {i}", "Peyton threw.", "en", i, story=7) for i in range(6)]
    + [Item(0, "Meghan Markle at the premiere", "Markle and Harry.", "en", 7, story=8)]
    + [Item(1, "Mask mandates return", "A Mask for every face.", "en", 8, story=9)]
    + [
        Item(2, "Путин прибыл в Пекин", "Визит Путина в Китай.", "ru", 9, story=10),
        Item(0, "Merkel meets Musk in Berlin", "The former chancellor and Elon Musk.", "en", 10, story=11),
    ]
)  # fmt: skip


@pytest.mark.parametrize(
    ("watch", "mentioned"), [("Putin", ("Путин", "Путина")), ("Merkel", ("Merkel",)), ("Musk", ("Musk",))]
)
def test_a_watch_page_tops_with_the_name_not_a_look_alike(
    tmp_path: Path, watch: str, mentioned: tuple[str, ...]
) -> None:
    feeds = "\n".join(f"  - url: {f.url}\n    name: {f.name}" for f in FEEDS)
    config = tmp_path / "feeds.yaml"
    config.write_text(
        f"settings:\n  database: monitor.db\nfeeds:\n{feeds}\n"
        f"watches:\n  - name: {watch}\n    names: [{watch}]\n",
        encoding="utf-8",
    )
    with open_store(tmp_path / "monitor.db") as store:
        add(store, LOOK_ALIKES)
        config_section = [{"name": watch, "names": [watch]}]
        run_watch_stage(store, parse_watches_section(config_section, "x", model="fake"), None)
    server = WebServer(config, tmp_path / "monitor.db")
    try:
        data = httpx.get(f"{server.base}/api/watches/{watch}?days=7").json()
        page = httpx.get(f"{server.base}/watches/{watch}?days=7").text
    finally:
        server.stop()
    top = data["top_stories"]
    assert len(top) == 1 and data["matches"] == 1, top
    assert any(m in top[0]["headline"] for m in mentioned)
    assert top[0]["why"] == {"names": [watch]}
    assert "Peyton" not in page and "Markle" not in page and "Mask mandates" not in page
    assert top[0]["headline"] in page
