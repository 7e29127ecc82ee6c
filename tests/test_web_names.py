"""Who is in the news: the pure decisions (keys gathered into names, the score, spellings,
the watch lines), the store's counts on a real SQLite file, and `/names`, `/names/{key}`,
`/api/names` on a real `monitor serve`, looked at in headless Chromium at 1280 and 390 px."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml

from monitor.entities.stage import run_names_stage
from monitor.watches.names import NameText, watched_name
from monitor.watches.people import (
    counts_to_rank,
    daily_stories,
    display_name,
    fold_keys,
    in_the_news,
    spellings_by_language,
    watch_yaml,
)
from monitor.watches.settings import parse_watches_section
from monitor.web.charts import bar_chart

from .browser import Page, requires_chromium
from .test_web import WebServer
from .watches_helpers import FEEDS, T0, Item, add, open_store

# --- pure parts ------------------------------------------------------------------------------


def test_keys_gather_under_the_full_name_and_a_shared_surname_stays_apart() -> None:
    counts = {
        "vladimir putin": 10,
        "putin": 6,
        "rusian president vladimir putin": 2,
        "prezident rosi vladimir putin": 1,
        "bill clinton": 4,
        "hilary clinton": 3,
        "clinton": 5,
        "supreme court of pakistan": 2,
        "nato": 7,
    }
    fold = fold_keys(counts)
    assert fold["putin"] == fold["rusian president vladimir putin"] == "vladimir putin"
    assert fold["prezident rosi vladimir putin"] == "vladimir putin"
    assert fold["clinton"] == "clinton"  # 4 of 7: neither holds two thirds
    assert fold["bill clinton"] == "bill clinton" and fold["hilary clinton"] == "hilary clinton"
    assert fold["supreme court of pakistan"] == "supreme court of pakistan" and fold["nato"] == "nato"
    # With a dominant full name, the surname alone goes to it.
    assert fold_keys({"bill clinton": 9, "hilary clinton": 1, "clinton": 3})["clinton"] == "bill clinton"
    # A word far commoner alone than the one longer key ending with it: a slip, not its full name
    assert fold_keys({"kongres": 11, "vil kongres": 1})["kongres"] == "kongres"
    assert fold_keys({"trump": 10, "donald trump": 2})["trump"] == "donald trump"


def test_a_small_count_cannot_win_and_a_steady_name_ranks_below_a_rising_one() -> None:
    counts = {
        "vladimir putin": (20, 10),  # 20 stories today, 10 in the week before (1.4 a day)
        "jane roe": (2, 0),  # twice today, never before
        "olaf scholz": (6, 42),  # 6 a day, as every day
        "lone": (1, 0),  # once: below the floor
    }
    ranked = in_the_news(counts, n_recent=100, n_before=700, names={"vladimir putin": "Vladimir Putin"})
    assert [r.key for r in ranked] == ["vladimir putin", "jane roe", "olaf scholz"]
    assert ranked[0].name == "Vladimir Putin" and ranked[0].expected == pytest.approx(10 / 7, abs=0.01)
    assert ranked[2].score < 0.5  # as expected: not news


def test_entries_of_several_keys_are_counted_exactly_only_where_they_may_rank() -> None:
    rng = random.Random(7)
    exact_counts = {}
    bounds = {}
    for i in range(400):
        recent, before = rng.randint(0, 12), rng.randint(0, 40)
        several = i % 3 == 0  # a person named under two keys: the sums overcount
        exact_counts[f"e{i}"] = (recent, before)
        bounds[f"e{i}"] = (recent + rng.randint(0, 3) if several else recent, before, not several)
    asked: list[str] = []

    def exact(entry: str) -> tuple[int, int]:
        asked.append(entry)
        return exact_counts[entry]

    found = counts_to_rank(bounds, exact, 500, 3000, limit=20)
    every = {e: exact_counts[e] for e in bounds}
    assert in_the_news(found, 500, 3000, {}, 20) == in_the_news(every, 500, 3000, {}, 20)
    assert 0 < len(asked) < sum(1 for b in bounds.values() if not b[2]) / 2


def test_stories_per_day_count_a_story_once_in_the_local_day() -> None:
    zone = ZoneInfo("Europe/Paris")
    rows = [
        (datetime(2025, 3, 1, 22, 30, tzinfo=UTC), 1),  # 23:30 in Paris: 1 March
        (datetime(2025, 3, 1, 23, 30, tzinfo=UTC), 1),  # 00:30 in Paris: 2 March
        (datetime(2025, 3, 2, 8, tzinfo=UTC), 1),
        (datetime(2025, 3, 2, 9, tzinfo=UTC), 2),
        (datetime(2025, 3, 9, 9, tzinfo=UTC), 3),  # outside the days asked
    ]
    assert daily_stories(rows, zone, date(2025, 3, 1), 3) == [
        (date(2025, 3, 1), 1),
        (date(2025, 3, 2), 2),
        (date(2025, 3, 3), 0),
    ]


def test_spellings_are_listed_by_language_and_the_latin_one_names_the_entry() -> None:
    rows = [
        {"language": "ru", "name": "Владимир Путин", "variants": ["Владимир Путин", "Путина"]},
        {"language": "ru", "name": "Путин", "variants": '["Путин"]'},
        {"language": "en", "name": "Vladimir Putin", "variants": ["Vladimir Putin", "Putin"]},
    ]
    found = spellings_by_language(rows)
    assert [(s["language"], s["articles"]) for s in found] == [("ru", 2), ("en", 1)]
    assert found[0]["spellings"][0] == ("Владимир Путин", 1) and ("Путина", 1) in found[0]["spellings"]
    assert display_name({"Владимир Путин": 9, "Vladimir Putin": 2}) == "Vladimir Putin"
    assert display_name({"Владимир Путин": 9}) == "Владимир Путин"


@pytest.mark.parametrize(
    "name", ["Vladimir Putin", "True", "Null", "Ahmed: the return", 'O"Brien/#1', "Путин"]
)
def test_the_watch_lines_read_back_as_a_watch_of_that_name(name: str) -> None:
    lines = watch_yaml(name)
    parsed = yaml.safe_load("watches:\n" + lines)
    assert parsed["watches"][0]["names"] == [name]
    watch = parse_watches_section(parsed["watches"], "feeds.yaml", model="fake").watches[0]
    assert watch.names == (name,) and watch.name == (name if name != 'O"Brien/#1' else 'O"Brien 1')


def test_the_chart_is_inline_svg_without_script_or_style() -> None:
    days = [(date(2025, 3, 1) + timedelta(days=i), i % 3) for i in range(30)]
    svg = bar_chart(days, "Putin <b>: stories per day")
    assert svg.startswith("<svg") and 'aria-label="Putin &lt;b&gt;: stories per day"' in svg
    assert "<script" not in svg and "<style" not in svg and "style=" not in svg
    assert svg.count('class="bar"') == 30 and "<title>2025-03-02: 1 story</title>" in svg
    assert "31 Mar" not in svg and ">30 Mar<" in svg  # the last day is labelled


# --- the store and the pages -------------------------------------------------------------------

NEWEST = 24 * 8  # hours after T0 of the newest article: the pages' clock is just after it


def _items() -> list[Item]:
    now = NEWEST
    items = [
        # Putin: 4 stories in the last 24 hours, in three scripts and inflected; 1 the week before.
        Item(0, "Vladimir Putin meets envoys", "Talks with Vladimir Putin ended. Putin left.", "en", now - 1),
        Item(2, "Владимир Путин выступил", "Сегодня Владимир Путин заявил о переговорах.", "ru", now - 2),
        Item(2, "Речь в Кремле", "Сегодня выступил Владимир Путин. Все обсуждают речь Путина.", "ru", now - 3,
             story=9001),
        Item(0, "Envoys leave", "The talks with Putin ended late.", "en", now - 4),
        Item(1, "Vladimir Putin", "Le discours de Vladimir Putin.", "fr", now - 26 * 5),
        # Jane Roe: twice today, never before.
        Item(0, "Jane Roe wins", "A prize for Jane Roe today.", "en", now - 5),
        Item(1, "Jane Roe gagne", "Un prix pour Jane Roe.", "fr", now - 6),
        # Clinton: Bill and Hillary, and the surname alone.
        Item(0, "Bill Clinton speaks", "Former president Bill Clinton spoke.", "en", now - 7),
        Item(0, "Hillary Clinton writes", "A book by Hillary Clinton.", "en", now - 8),
        Item(0, "Memoirs", "A book that Clinton signed.", "en", now - 9),
        # A story of many copies names Olaf Scholz: one story.
        *(Item(0, f"Olaf Scholz visits {n}", "Chancellor Olaf Scholz came.", "en", now - 10, story=9002)
          for n in range(6)),
        Item(0, "Olaf Scholz in Paris", "Olaf Scholz arrived.", "en", now - 11),
        # Angela Merkel: her full name only the week before, her surname alone in two stories today
        Item(0, "Angela Merkel speaks", "Chancellor Angela Merkel spoke at length.", "en", now - 30),
        Item(0, "Talks end", "The talks with Merkel ended.", "en", now - 12),
        Item(1, "Fin des discussions", "Les discussions avec Merkel.", "fr", now - 13),
        # Ales Bialiatski in three spellings of two keys (Belarusian and Ukrainian respell him).
        Item(0, "Ales Bialiatski freed", "Today Ales Bialiatski spoke.", "en", now - 14),
        Item(2, "Алесь Бяляцкі", "Сёння Алесь Бяляцкі выступіў.", "be", now - 15),
        Item(2, "Олесь Біляцький", "Сьогодні Олесь Біляцький виступив.", "uk", now - 16),
        Item(2, "Заява", "Сьогодні Олесь Біляцький заявив.", "uk", now - 16.5),
        # ... and one story of his in the three spellings.
        Item(0, "Ales Bialiatski speaks again", "Ales Bialiatski spoke again.", "en", now - 20, story=9003),
        Item(2, "Алесь Бяляцкі зноў", "Сёння Алесь Бяляцкі зноў выступіў.", "be", now - 20.5, story=9003),
        Item(2, "Олесь Біляцький знову", "Сьогодні Олесь Біляцький знову виступив.", "uk", now - 21,
             story=9003),
        # Joe Biden twice, and once with his title: one row of three stories.
        Item(0, "Joe Biden speaks", "Today Joe Biden spoke.", "en", now - 17),
        Item(0, "Joe Biden travels", "Later Joe Biden left.", "en", now - 18),
        Item(0, "Talks", "The talks with President Biden ended.", "en", now - 19),
    ]
    # Olaf Scholz is named every day of the week before too.
    items += [
        Item(0, f"Olaf Scholz day {d}", "Olaf Scholz spoke.", "en", now - 24 * d - 2) for d in range(1, 8)
    ]
    return items


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebServer, Path]]:
    folder = tmp_path_factory.mktemp("names")
    feeds = "\n".join(f"  - url: {f.url}\n    name: {f.name}" for f in FEEDS)
    config = folder / "feeds.yaml"
    config.write_text(
        f"settings:\n  database: monitor.db\n  timezone: Europe/Paris\nfeeds:\n{feeds}\n", encoding="utf-8"
    )
    with open_store(folder / "monitor.db") as store:
        add(store, _items())
        run_names_stage(store)
    server = WebServer(config, folder / "monitor.db")
    try:
        yield server, folder
    finally:
        server.stop()


def test_the_store_counts_stories_not_copies(site: tuple[WebServer, Path]) -> None:
    _, folder = site
    at = T0 + timedelta(hours=NEWEST, seconds=1)
    since, recent, end = (
        f"{t:%Y-%m-%dT%H:%M:%SZ}" for t in (at - timedelta(days=8), at - timedelta(days=1), at)
    )
    with open_store(folder / "monitor.db") as store:
        counts = store.names_key_counts(since, recent, end)
        assert counts["olaf skholz"] == (2, 7, 14)  # six copies of one story and one more today, 7 before
        assert counts["vladimir putin"][:2] == (3, 1) and counts["putin"] == (1, 0, 1)
        assert store.names_entry_counts(["vladimir putin", "putin"], since, recent, end) == (4, 1)
        assert store.names_keys_ending("putin", since, end).keys() == {"vladimir putin", "putin"}
        assert store.names_keys_ending("%", since, end) == {}  # LIKE's wildcards are letters here


def test_names_page_ranks_who_is_in_the_news(site: tuple[WebServer, Path]) -> None:
    server, _ = site
    data = httpx.get(server.base + "/api/names").json()
    ranked = [(n["key"], n["name"], n["recent"], n["before"]) for n in data["names"]]
    assert ("vladimir putin", "Vladimir Putin", 4, 1) in ranked
    assert ("jane roe", "Jane Roe", 2, 0) in ranked
    keys = [r[0] for r in ranked]
    assert keys.index("jane roe") < keys.index("olaf skholz") and "putin" not in keys
    # an entry is labelled by its own key's commonest spelling, not by a gathered key's
    assert ("angela merkel", "Angela Merkel", 2, 1) in ranked
    assert len({r[1] for r in ranked}) == len(ranked)  # no two rows share a label
    # One row per person across scripts, respellings and titles, with its spellings.
    rows = {n["key"]: n for n in data["names"]}
    assert "oles biliatski" not in rows and "president biden" not in rows
    assert rows["ales bialiatski"]["recent"] == 5 and rows["ales bialiatski"]["name"] == "Ales Bialiatski"
    spelled = {"Ales Bialiatski", "Алесь Бяляцкі", "Олесь Біляцький"}
    assert set(rows["ales bialiatski"]["spellings"]) == spelled
    assert (rows["joe biden"]["name"], rows["joe biden"]["recent"]) == ("Joe Biden", 3)
    html = httpx.get(server.base + "/names").text
    assert '<a href="/names/vladimir%20putin">Vladimir Putin</a>' in html
    assert '<span class="variants">(Алесь Бяляцкі, Олесь Біляцький)</span>' in html
    assert '<a href="/names">Names</a>' in httpx.get(server.base + "/feeds").text  # every page's navigation


def test_a_name_page_shows_its_stories_spellings_and_the_lines_that_watch_it(
    site: tuple[WebServer, Path],
) -> None:
    server, _ = site
    data = httpx.get(server.base + "/api/names/vladimir%20putin").json()
    assert data["name"] == "Vladimir Putin" and data["keys"] == ["putin", "vladimir putin"]
    assert data["total"] == 5 and len(data["days"]) == 30 and sum(d["stories"] for d in data["days"]) == 5
    by_language = {s["language"]: dict(s["spellings"]) for s in data["spellings"]}
    assert by_language["ru"] == {"Владимир Путин": 2, "Путина": 1}
    assert by_language["en"]["Vladimir Putin"] == 1 and by_language["en"]["Putin"] == 2
    assert [s["title"] for s in data["stories"]][:3] == [
        "Vladimir Putin meets envoys", "Владимир Путин выступил", "Речь в Кремле"
    ]
    assert data["stories"][2]["url"] == "/stories/9001"
    # The lines read back as a watch, and that watch finds every article of the name.
    watch = parse_watches_section(yaml.safe_load(data["watch"]), "feeds.yaml", model="fake").watches[0]
    matcher = watched_name(watch.names[0])
    for title, text, language in [
        ("Речь", "Все обсуждают речь Путина.", "ru"),
        ("Envoys leave", "talks with Putin ended", "en"),
    ]:
        assert NameText.of(title, text, language=language).has(matcher), title
    html = httpx.get(server.base + "/names/vladimir%20putin").text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and "<script" not in html.split("<main>")[1]
    assert '<pre class="watch-yaml" id="watch-yaml">  - name: &#34;Vladimir Putin&#34;' in html


def test_a_surname_redirects_to_its_name_and_an_unknown_key_is_a_404(site: tuple[WebServer, Path]) -> None:
    server, _ = site
    response = httpx.get(server.base + "/names/putin")
    assert response.status_code == 302 and response.headers["location"] == "/names/vladimir%20putin"
    assert httpx.get(server.base + "/api/names/putin").headers["location"] == "/api/names/vladimir%20putin"
    assert httpx.get(server.base + "/names/klinton").status_code == 200  # Bill or Hillary: its own page
    # A title is no part of a key (`President Biden`: `biden`), the one person of that
    # surname: its page is his.
    titled = httpx.get(server.base + "/api/names/biden")
    assert titled.status_code == 302 and titled.headers["location"] == "/api/names/joe%20biden"
    assert httpx.get(server.base + "/api/names/president%20biden").status_code == 404
    joe = httpx.get(server.base + "/api/names/joe%20biden").json()
    assert joe["keys"] == ["biden", "joe biden"] and joe["total"] == 3
    missing = httpx.get(server.base + "/names/" + quote("nobody at all"))
    assert missing.status_code == 404 and "names &#39;nobody at all&#39;" in missing.text
    assert httpx.get(server.base + "/names/" + "x" * 201).status_code == 400
    assert httpx.get(server.base + "/names/%20%20").status_code == 404
    assert httpx.get(server.base + "/api/names/Jane%20%20ROE").json()["name"] == "Jane Roe"


def test_the_story_page_links_its_names_with_their_spellings(site: tuple[WebServer, Path]) -> None:
    server, _ = site
    (article,) = httpx.get(server.base + "/api/articles?story=9001").json()["articles"]
    assert article["names"][0] == {
        "key": "vladimir putin",
        "name": "Владимир Путин",
        "variants": ["Владимир Путин", "Путина"],
        "mentions": 2,
    }
    html = httpx.get(server.base + "/stories/9001").text
    names = html[html.find('id="names"') :][:400]
    link = '<a href="/names/vladimir%20putin">Владимир Путин</a> <span class="variants">(Путина)</span>'
    assert link in names, names
    # One entry for one person in three scripts' spellings, named in Latin letters.
    html = httpx.get(server.base + "/stories/9003").text
    names = html[html.find('id="names"') :].split("</dd>")[0]
    assert names.count("<a ") == 1, names
    assert '<a href="/names/ales%20bialiatski">Ales Bialiatski</a>' in names, names
    assert "Алесь Бяляцкі" in names and "Олесь Біляцький" in names, names


# The words of an element that the browser cut across two lines (a hyphen's break aside).
WORDS_CUT = """(() => { const cut = [], root = document.querySelector('%s');
  const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT); let node;
  while ((node = walk.nextNode())) { for (const m of node.data.matchAll(/[^\\s-]+/g)) {
    const range = document.createRange();
    range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
    if (new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1) cut.push(m[0]); } }
  return cut; })()"""


@requires_chromium
@pytest.mark.parametrize("width", [1280, 390])
def test_names_pages_fit_the_window(site: tuple[WebServer, Path], tmp_path: Path, width: int) -> None:
    server, _ = site
    with Page(tmp_path / "profile", width=width) as page:
        page.goto(server.base + "/names")
        assert page.overflow() <= 0 and page.cut_off() == []
        first = page.eval("[document.querySelector('#names a').getAttribute('href'),"
                          " document.querySelector('#names a').textContent]")
        page.eval("document.querySelector('#names a').textContent = 'Earthquake Recorded Near Healdsburg'")
        assert page.eval(WORDS_CUT % "#names") == []  # a long name gave "(expect / ed 0.0)" at 390 px
        page.follow("#names a")
        assert page.overflow() <= 0 and page.cut_off() == []
        state = page.eval(
            "({url: location.pathname, bars: document.querySelectorAll('svg.chart .bar rect').length,"
            " fill: getComputedStyle(document.querySelector('svg.chart .bar rect')).fill,"
            " height: document.querySelector('svg.chart').getBoundingClientRect().height,"
            " pre: document.querySelector('#watch-yaml').textContent})"
        )
    assert isinstance(state, dict)
    assert isinstance(first, list) and state["url"] == first[0] and state["bars"] == 30, (first, state)
    assert state["fill"] not in ("", "rgb(0, 0, 0)") and state["height"] > 60, state  # style.css colours it
    assert state["pre"].startswith(f'  - name: "{first[1]}"'), state
