"""Countries where people look, on a real SQLite store with articles and their places: the
?country filters of the pages and the API, a story's countries, /places with its world map
and table, /places/XX, /api/places, on a real `monitor serve`; `monitor stories --country`
and `monitor export --stories` through the real command; the map in headless Chromium."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.cli.stories_text import format_stories, format_story
from monitor.store import Store
from monitor.stories.records import about_counts
from monitor.watches.rising import NameCounts

from .browser import Page, requires_chromium
from .conftest import run_monitor
from .test_web import WebServer
from .watches_helpers import FEEDS, Item, add, open_store


def place(country: str, name: str = "") -> dict[str, object]:
    ids = {"UA": 703448, "PL": 756135, "FR": 2988507, "DE": 2950159, "RU": 524901}
    return {"geonameid": ids[country], "name": name or country, "country": country}


# (feed, title, language, hours after T0, story, countries named by the article)
NEWS = [
    # Ukraine: four stories in the last 24 hours (to hour 200), one the days before
    (0, "Kyiv talks resume", "en", 199, 1, ["UA"]),
    (1, "Reprise des pourparlers à Kyiv", "fr", 198, 1, ["UA", "FR"]),
    (2, "Переговоры в Киеве", "ru", 197, 1, ["UA", "RU"]),
    (0, "Grain corridor reopens", "en", 190, 2, ["UA"]),
    (1, "Kharkiv power restored", "fr", 185, 3, ["UA"]),
    (0, "Border crossing from Poland busy", "en", 180, 4, ["UA", "PL"]),
    (2, "Lviv museum reopens", "ru", 100, 5, ["UA"]),
    # France: steady, three stories the days before and one now
    (1, "Grève à Paris", "fr", 50, 6, ["FR"]),
    (1, "Budget voté à Paris", "fr", 80, 7, ["FR"]),
    (1, "Marseille: nouveau port", "fr", 120, 8, ["FR"]),
    (1, "Lyon: le métro s'agrandit", "fr", 195, 9, ["FR"]),
    # named by no place
    (0, "Markets calm", "en", 196, 10, []),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebServer, Path, dict[int, int]]]:
    folder = tmp_path_factory.mktemp("placesweb")
    feeds = "\n".join(f"  - url: {f.url}\n    name: {f.name}" for f in FEEDS)
    config = folder / "feeds.yaml"
    config.write_text(f"settings:\n  database: monitor.db\nfeeds:\n{feeds}\n", encoding="utf-8")
    with open_store(folder / "monitor.db") as store:
        items = [Item(feed, title, "", lang, hours, story=sid) for feed, title, lang, hours, sid, _ in NEWS]
        ids = add(store, items)
        store.places_write(
            [(i, [place(c) for c in row[5]]) for i, row in zip(ids, NEWS, strict=True)]
        )
        story_of = {row[4]: int(store.query("SELECT story_id FROM articles WHERE id = ?", [i])[0]["story_id"])
                    for i, row in zip(ids, NEWS, strict=True)}
        # names as the names stage writes them (rising names count those of a story's articles)
        people = (("Zelensky", (1, 2, 3, 4)), ("Macron", (6, 7, 9)))
        named = {sid: name for name, sids in people for sid in sids}
        store.names_write({
            i: [{"key": named[row[4]].lower(), "name": named[row[4]], "variants": [], "mentions": 1}]
            for i, row in zip(ids, NEWS, strict=True) if row[4] in named
        })  # fmt: skip
    server = WebServer(config, folder / "monitor.db")
    try:
        yield server, folder, story_of
    finally:
        server.stop()


def story_ids(answer: dict[str, object], story_of: dict[int, int]) -> set[int]:
    back = {v: k for k, v in story_of.items()}
    stories = answer["stories"]
    assert isinstance(stories, list)
    return {back[s["id"]] for s in stories}


def test_api_stories_carry_their_countries_and_filter_by_one(
    site: tuple[WebServer, Path, dict[int, int]],
) -> None:
    server, _, story_of = site
    every = server.get("/api/stories").json()
    by_id = {s["id"]: s["countries"] for s in every["stories"]}
    # story 1: UA by its 3 outlets, FR and RU by one each (a third): most outlets first
    assert by_id[story_of[1]] == ["UA", "FR", "RU"]
    assert by_id[story_of[4]] == ["PL", "UA"] and by_id[story_of[10]] == []
    ukraine = server.get("/api/stories?country=ua").json()
    assert story_ids(ukraine, story_of) == {1, 2, 3, 4} and ukraine["total"] == 4
    assert story_ids(server.get("/api/stories?country=FR").json(), story_of) == {1, 9}
    for bad in ("XX", "Ukraine", "U"):
        answer = server.get(f"/api/stories?country={bad}")
        assert answer.status_code == 400 and repr(bad) in answer.json()["error"]
    assert "Ukraine is UA" in server.get("/api/stories?country=Ukraine").json()["error"]
    detail = server.get(f"/api/stories/{story_of[1]}").json()
    assert detail["countries"] == ["UA", "FR", "RU"]


def test_api_articles_filter_by_the_places_they_name(site: tuple[WebServer, Path, dict[int, int]]) -> None:
    server, _, _ = site
    answer = server.get("/api/articles?country=pl").json()
    assert [a["title"] for a in answer["articles"]] == ["Border crossing from Poland busy"]
    assert server.get("/api/articles?country=RU").json()["total"] == 1
    assert server.get("/api/articles?country=ZZ").status_code == 400


def test_pages_filter_and_show_countries(site: tuple[WebServer, Path, dict[int, int]]) -> None:
    server, _, story_of = site
    home = server.get("/?country=UA").text
    assert "Kyiv talks resume" in home and "Grain corridor reopens" in home
    assert "Lyon" not in home and "Markets calm" not in home
    assert 'href="/places/UA"' in home and "Only stories about Ukraine" in home
    assert server.get("/?country=QQ").status_code == 400
    story = server.get(f"/stories/{story_of[1]}").text
    assert 'id="countries"' in story and ">Ukraine</a>, <a href=\"/places/FR\">France</a>" in story
    found = server.get("/search?q=reopens+OR+agrandit&country=UA").text
    assert "Grain corridor" in found and "Lviv museum" in found and "Lyon" not in found
    assert "naming a place in Ukraine" in found
    france = server.get("/search?q=reopens+OR+agrandit&country=fr").text
    assert "Lyon" in france and "Grain corridor" not in france
    assert server.get("/search?q=reopens&country=XX").status_code == 400
    for path in ("/", "/feeds", "/trends", "/search", "/places", "/places/UA", "/watches"):
        assert '<a href="/places">Places</a>' in server.get(path).text, path


def test_places_page_map_and_table(site: tuple[WebServer, Path, dict[int, int]]) -> None:
    server, _, _ = site
    page = server.get("/places")
    assert page.status_code == 200
    html = page.text
    assert '<svg class="world"' in html and "<script" not in html.split("</header>")[1]
    assert "style=" not in html
    assert '<a href="/places/UA"><g class="land shade-5 rising"' in html
    assert '<a href="/places/FR">' in html and '<a href="/places/JP">' not in html
    rows = html.split('id="places"')[1]
    assert rows.index("place-UA") < rows.index("place-FR")
    data = server.get("/api/places").json()
    by = {c["country"]: c for c in data["countries"]}
    assert data["countries"][0]["country"] == "UA"
    assert (by["UA"]["recent"], by["UA"]["week"], by["UA"]["rising"]) == (4, 5, True)
    # France: story 1 (now, a third of its outlets) and Lyon now; three the days before
    assert (by["FR"]["recent"], by["FR"]["week"], by["FR"]["rising"]) == (2, 5, False)
    assert by["PL"]["recent"] == 1 and not by["PL"]["rising"]  # one story cannot rise
    assert data["at"] == "2025-03-09T19:00:01Z"  # the newest article: a replayed store


def test_a_country_page_lists_its_stories_and_rising_names(
    site: tuple[WebServer, Path, dict[int, int]],
) -> None:
    server, _, _ = site
    page = server.get("/places/UA").text
    assert "<h1" in page and "Ukraine" in page
    for title in ("Kyiv talks resume", "Grain corridor reopens", "Kharkiv power restored", "Lviv museum"):
        assert title in page
    assert "Lyon" not in page and "5 stories" in page
    trends = page.split('id="rising-names"')[1].split("</section>")[0]
    assert '<a href="/names/zelensky">Zelensky</a>' in trends and "Macron" not in trends
    france = server.get("/places/FR").text
    assert "Zelensky" not in france.split('id="rising-names"')[1].split("</section>")[0]
    lower = server.get("/places/ua")
    assert lower.status_code == 301 and lower.headers["location"] == "/places/UA"
    assert server.get("/places/XX").status_code == 400
    assert server.get("/places/UA?page=2").status_code == 404  # past the last page


def test_cli_stories_country_and_export_countries(site: tuple[WebServer, Path, dict[int, int]]) -> None:
    _, folder, story_of = site
    base = ("--config", str(folder / "feeds.yaml"))
    shown = run_monitor(*base, "stories", "--since", "2025-03-01", "--country", "ua", "--json")
    assert shown.returncode == 0, shown.stderr
    assert {s["id"] for s in json.loads(shown.stdout)} == {story_of[n] for n in (1, 2, 3, 4, 5)}
    bad = run_monitor(*base, "stories", "--country", "XX")
    assert bad.returncode == 2 and "'XX'" in bad.stderr and "--country" in bad.stderr
    lines = run_monitor(*base, "export", "--stories").stdout.splitlines()
    records = {r["id"]: r for r in map(json.loads, lines)}
    assert records[story_of[1]]["countries"] == ["UA", "FR", "RU"]
    assert records[story_of[10]]["countries"] == []
    assert list(records[story_of[1]])[-1] == "countries"  # a field added at the end
    # the text of `monitor stories` and `monitor story`, read in this process
    with Store.open(folder / "monitor.db", readonly=True) as store:
        since = datetime(2025, 3, 1, tzinfo=UTC)
        text = format_stories(store, since=since, country="PL", now=datetime(2025, 3, 10, tzinfo=UTC))
        one = format_story(store, story_of[1])
    assert "Border crossing" in text and "; PL UA; " in text and "Kyiv" not in text
    assert "countries: UA (Ukraine), FR (France), RU (Russia)" in one  # the CLDR's English name


@requires_chromium
def test_places_pages_fit_in_chromium_at_1280_and_390(site: tuple[WebServer, Path, dict[int, int]]) -> None:
    server, folder, _ = site
    page = Page(folder / "profile-places", width=1280, height=900)
    try:
        for width in (1280, 390):
            page.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=900,
                      deviceScaleFactor=1, mobile=False)
            for path in ("/places/UA", "/places"):
                page.goto(server.base + path)
                assert page.overflow() == 0, (width, path, page.cut_off())
            shot = page.call("Page.captureScreenshot", session=True, format="png")["data"]
            assert isinstance(shot, str)
            (folder / f"places-{width}.png").write_bytes(base64.b64decode(shot))
            box = page.eval("(() => { const r = document.querySelector('svg.world').getBoundingClientRect();"
                            " return [r.width, r.height]; })()")
            assert isinstance(box, list) and 300 < box[0] <= width and box[1] > box[0] / 3
        assert page.eval("document.querySelectorAll('svg.world a').length") == 4  # UA, FR, PL, RU
        # a click in the middle of Ukraine on the map leads to its page: links, no script
        centre = page.eval("(() => { const r = document.querySelector('svg.world g[data-country=UA]')"
                           ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        assert isinstance(centre, list)
        page.events.clear()
        for kind in ("mousePressed", "mouseReleased"):
            page.call("Input.dispatchMouseEvent", session=True, type=kind, x=centre[0], y=centre[1],
                      button="left", clickCount=1)
        page._wait_event("Page.loadEventFired")
        assert page.eval("location.pathname") == "/places/UA"
    finally:
        page.close()


def test_cli_trends_of_a_country(site: tuple[WebServer, Path, dict[int, int]]) -> None:
    _, folder, _ = site
    base = ("--config", str(folder / "feeds.yaml"))
    ukraine = run_monitor(*base, "trends", "--country", "ua")
    assert ukraine.returncode == 0, ukraine.stderr
    assert "rising names of stories about UA (Ukraine)" in ukraine.stdout
    assert "Zelensky  4 stories" in ukraine.stdout and "Macron" not in ukraine.stdout
    assert "rising places of stories about UA" in ukraine.stdout
    assert "rising countries" not in ukraine.stdout
    france = json.loads(run_monitor(*base, "trends", "--country", "FR", "--json").stdout)
    # Story 1 is about France too (one outlet of three names it), but one story does not rise.
    assert (france["names"], france["countries"]) == ([], [])
    bad = run_monitor(*base, "trends", "--country", "Ukraine")
    assert bad.returncode == 2 and "'Ukraine'" in bad.stderr and "Ukraine is UA" in bad.stderr


def test_trend_counts_of_a_country_keep_the_stories_about_it() -> None:
    rows = [
        {"story_id": 1, "recent": 1, "term": "zelensky"},
        {"story_id": 1, "recent": 1, "term": "biden"},
        {"story_id": 2, "recent": 1, "term": None},  # about it, names no one
        {"story_id": 3, "recent": 0, "term": "zelensky"},
        {"story_id": 4, "recent": 1, "term": "macron"},  # names a place there, not about it
    ]
    counts = about_counts(rows, {1, 2, 3})
    assert counts == NameCounts({"zelensky": 1, "biden": 1}, {"zelensky": 1}, 2, 1)
    assert about_counts(rows, set()) == NameCounts({}, {}, 0, 0)


@pytest.mark.parametrize("breaking", [False, True])
def test_atom_entries_carry_a_category_per_country(breaking: bool) -> None:
    import feedparser

    from monitor.web.atom import atom_feed
    from monitor.web.views import StoryFilters

    from .test_web import check_atom

    base = "http://127.0.0.1:8080"
    story = {
        "id": 7, "headline": "Grain corridor reopens", "first_published": "2025-03-09T10:00:00Z",
        "last_published": "2025-03-09T12:00:00Z", "breaking_at": "2025-03-09T11:00:00Z",
        "languages": ["en", "fr"], "countries": ["UA", "FR"], "n_articles": 3, "n_outlets": 2,
    }  # fmt: skip
    plain = {**story, "id": 8, "countries": []}
    filters = StoryFilters(country="UA")
    now = datetime(2025, 3, 9, tzinfo=UTC)
    body = atom_feed(base, f"{base}/stories.atom", filters, [story, plain], {}, now, breaking=breaking)
    check_atom(body)
    entries = {e.id: e for e in feedparser.parse(body).entries}  # as a feed reader reads it
    tags = [(t.term, t.scheme, t.label) for t in entries[f"{base}/stories/7"].tags]
    assert tags == [
        ("en", None, "English"), ("fr", None, "French"),
        ("UA", f"{base}/places/", "Ukraine"), ("FR", f"{base}/places/", "France"),
    ]  # fmt: skip
    assert [t.term for t in entries[f"{base}/stories/8"].tags] == ["en", "fr"]
    if not breaking:
        assert "about Ukraine" in feedparser.parse(body).feed.title
