"""Watch pages and API on a real `monitor serve`: JSON, CSV, Atom, the home page's list, and
the page in Debian's headless Chromium at 1280 and 390 px."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from defusedxml import ElementTree

from monitor.watches.match import run_watch_stage
from monitor.watches.settings import parse_watches_section

from .browser import chromium, requires_chromium
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
        "  - name: Climate talks\n    query: climat*\n",
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
            ],
        )
        watches = parse_watches_section([{"name": "Climate talks", "query": "climat*"}], "x", model="fake")
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
