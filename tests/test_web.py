"""`monitor serve`: every route over HTTP against a real server process on a real SQLite
file; bad input answers 4xx; pages keep answering while a writer works; Atom validates;
`monitor run` serves the daemon's metrics."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from monitor.config import FeedConfig, load_config
from monitor.entities.stage import run_names_stage
from monitor.errors import ConfigError
from monitor.feedserver import FeedServer
from monitor.ingest.parse import Entry
from monitor.metrics import metrics_address
from monitor.store import FeedState, PageWrite, Store
from monitor.timeutil import iso, utcnow
from monitor.web.app import serve_address
from monitor.web.reading import paragraphs, source_note
from monitor.web.views import (
    BadRequest,
    day_window,
    group_articles,
    hourly_counts,
    latest_window,
    marked,
    safe_url,
    story_timeline,
    why_line,
)

from .conftest import ROOT, free_port, ok_update, rss, run_monitor, write_config

DAY = "2024-03-22"
ZONE = "Europe/Paris"  # UTC+1 on that day: 08:30Z shows as 09:30
XSS_TITLE = (
    "<script>document.body.setAttribute('data-pwned','script')</script>Evil "
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\"> headline"
)

# What the article page of the Le Monde article shows: its page's text, as extract.py stores it.
PAGE_PARAGRAPHS = [
    "Les délégations réunies depuis lundi ont signé jeudi soir un accord sur la réduction des émissions, "
    "après trois nuits de négociations.",
    "Le texte prévoit un calendrier en quatre étapes et un contrôle confié à un comité indépendant.",
    "قال المتحدث باسم الوفد إن الاتفاق خطوة مهمة نحو تعاون أوسع.",
    "Le compte rendu complet est publié à l'adresse https://exemple.org/compte-rendu/"
    "reunion-finale-des-delegations-sur-la-reduction-des-emissions-annexes-et-calendrier-detaille.",
]


def at(hour: int, minute: int = 0, day: str = DAY) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:{minute:02d}:00+00:00")


def entry(guid: str, title: str, published: datetime, language: str, url: str | None = None) -> Entry:
    text = f"{title}. Body of {guid}."
    return Entry(
        guid=guid,
        url=url if url is not None else f"https://news.example/{guid}",
        link=url if url is not None else f"https://news.example/{guid}",
        title=title,
        text=text,
        html=f"<p>{text}</p>",
        published=published,
        published_estimated=False,
        language=language,
        language_source="feed",
        author=None,
        content_hash=hashlib.sha256(f"{guid}{title}".encode()).hexdigest(),
    )


def store_entries(store: Store, feed: FeedState, entries: list[Entry], *, error: str | None = None) -> None:
    """Store entries the way a poll does (record_poll), with a chosen outcome."""
    now = utcnow()
    update = ok_update(now)
    if error:
        update = replace(
            update, status="error", http_status=503, error_count=3, error=error, error_step="bad HTTP status"
        )
    store.record_poll(feed, update, entries, url=feed.url, duration_ms=120, size=1000)


@dataclass
class Built:
    db: Path
    config: Path
    ids: dict[str, int]


def build_database(folder: Path) -> Built:
    """Feeds, articles (stored as a poll stores them) and stories (rows as the stories
    stage writes them), covering every view: multi-language, copies, merged, XSS, failing."""
    config = folder / "feeds.yaml"
    feeds = [
        FeedConfig("https://lemonde.example/rss", name="Le Monde", language="fr", tags=("world", "france")),
        FeedConfig("https://bbc.example/rss", name="BBC", language="en", tags=("world", "uk")),
        FeedConfig("https://spiegel.example/rss", name="Der Spiegel", language="de", tags=("germany",)),
        FeedConfig("https://evil.example/rss", name="Evil <b>feed</b>", language="en", tags=("xss",)),
        FeedConfig("https://down.example/rss", name="Down feed", language="en"),
    ]
    write_config(
        config,
        [{"url": f.url, "name": json.dumps(f.name), "language": f.language} for f in feeds],
        timezone=ZONE,
        database="monitor.db",
    )
    db = folder / "monitor.db"
    recent = utcnow() - timedelta(hours=1)
    with Store.open(db) as store:
        store.sync_feeds(feeds)
        by_url = {f.url: f for f in store.feeds()}
        monde, bbc, spiegel, evil, down = (by_url[f.url] for f in feeds)
        store_entries(
            store,
            bbc,
            [
                entry("bbc-summit", "Summit in Geneva ends with an agreement", at(8, 30), "en"),
                entry("bbc-vote-1", "Local election: early results", at(11), "en"),
                entry("bbc-vote-2", "Local election: final results", at(15), "en"),
                entry("bbc-recent", "Storm reaches the coast", recent - timedelta(hours=1), "en"),
            ],
        )
        store_entries(
            store,
            monde,
            [
                entry("monde-summit", "Le sommet de Genève se conclut par un accord", at(9), "fr"),
                entry("monde-recent", "La tempête atteint la côte", recent, "fr"),
            ],
        )
        store_entries(
            store, spiegel, [entry("spiegel-summit", "Gipfel in Genf endet mit Einigung", at(10), "de")]
        )
        store_entries(
            store,
            evil,
            [
                entry("evil-copy", "Summit in Geneva ends with an agreement", at(12), "en"),
                entry(
                    "evil-xss", XSS_TITLE, at(13), "en", url="javascript:document.body.setAttribute('x','1')"
                ),
            ],
        )
        store_entries(store, down, [], error="503 Service Unavailable")
        art = {r["guid"]: r["id"] for r in store.query("SELECT id, guid FROM articles")}
        with store.transaction():
            columns = store.web_columns("articles")
            for column, kind in (("story_similarity", "REAL"), ("story_reason", "TEXT")):
                if column not in columns:  # as the stories stage may record them
                    store.db.execute(f"ALTER TABLE articles ADD COLUMN {column} {kind}")

            def story(articles: list[str], headline: str, merged_into: int | None = None) -> int:
                cursor = store.db.execute(
                    "INSERT INTO stories (first_seen, last_seen, headline_article_id, n_articles, "
                    "merged_into, entities) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        iso(at(8)),
                        iso(at(20)),
                        art[headline],
                        len(articles),
                        merged_into,
                        '["Geneva", "2024"]',
                    ],
                )
                sid = int(cursor.lastrowid or 0)
                for guid in articles:
                    store.db.execute("UPDATE articles SET story_id = ? WHERE id = ?", [sid, art[guid]])
                return sid

            summit = story(["bbc-summit", "monde-summit", "spiegel-summit", "evil-copy"], "bbc-summit")
            vote = story(["bbc-vote-1", "bbc-vote-2"], "bbc-vote-1")
            xss = story(["evil-xss"], "evil-xss")
            merged = story([], "bbc-summit", merged_into=summit)
            storm = story(["bbc-recent", "monde-recent"], "bbc-recent")
            store.db.execute(
                "UPDATE articles SET duplicate_of = ? WHERE id = ?", [art["bbc-summit"], art["evil-copy"]]
            )
            store.db.execute(
                "UPDATE articles SET story_similarity = 0.8123, story_reason = 'similarity 0.81, 2 shared' "
                "WHERE id = ?",
                [art["monde-summit"]],
            )
        # A page read for a teaser (full text, a paragraph in Arabic), and one that failed.
        store.record_pages(
            [
                PageWrite(art["monde-summit"], "\n".join(PAGE_PARAGRAPHS), "fr"),
                PageWrite(art["bbc-vote-2"], None, error="HTTP 404 Not Found"),
            ]
        )
        if store.web_has_table("names_pending"):  # the names stage, as the pipeline runs it
            run_names_stage(store)
        if store.web_has_table("digests"):  # one mail sent, as the digest stage records it
            with store.transaction():
                now = iso(utcnow())
                store.db.execute(
                    "INSERT INTO digests (day, recipient, state, due_at, created, updated_at) "
                    "VALUES (?, ?, 'sent', ?, ?, ?)",
                    [DAY, "analyst@example.org", now, now, now],
                )
    ids = {"summit": summit, "vote": vote, "xss": xss, "merged": merged, "storm": storm, **art}
    ids.update({f"feed:{f.name}": f.id for f in (monde, bbc, spiegel, evil, down)})
    return Built(db=db, config=config, ids=ids)


class WebServer:
    """A real `monitor serve` process on a free port; stopped with SIGTERM."""

    def __init__(self, config: Path, db: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "monitor",
                "-v",
                "--config",
                str(config),
                "--db",
                str(db),
                "serve",
                "--port",
                str(self.port),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {self.process.communicate()[0]}")
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError("server did not answer /healthz within 30 s")

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(self.base + path, timeout=10, follow_redirects=False, **kwargs)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            output, _ = self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
        return output


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebServer, Built]]:
    built = build_database(tmp_path_factory.mktemp("web"))
    server = WebServer(built.config, built.db)
    try:
        yield server, built
    finally:
        server.stop()


# --- pure parts --------------------------------------------------------------------------


def test_day_window_is_the_local_day_in_utc() -> None:
    window = day_window("2024-03-31", ZoneInfo(ZONE), utcnow())  # clocks change that night
    assert iso(window.start) == "2024-03-30T23:00:00Z"
    assert iso(window.end) == "2024-03-31T22:00:00Z"
    assert len(hourly_counts([], window)) == 23
    for bad in ("2024-13-45", "yesterday", "0001-01-01", "2024-02-30", "9999-12-31"):
        with pytest.raises(BadRequest):
            day_window(bad, ZoneInfo(ZONE), utcnow())


def test_the_default_window_is_the_last_24_hours_else_the_24_hours_to_the_newest() -> None:
    zone = ZoneInfo(ZONE)
    now = datetime.fromisoformat("2024-03-25T12:00:00.500+00:00")
    live = latest_window(now, now - timedelta(hours=3), zone)
    assert (
        live.rolling and iso(live.start) == "2024-03-24T12:00:01Z" and iso(live.end) == "2024-03-25T12:00:01Z"
    )
    assert latest_window(now, None, zone) == live  # nothing stored: the last 24 hours all the same
    old = latest_window(now, at(15), zone)
    assert iso(old.start) == "2024-03-21T15:00:01Z" and iso(old.end) == "2024-03-22T15:00:01Z"
    assert old.day.isoformat() == DAY and len(hourly_counts([], old)) == 24


def test_marked_text_splits_into_pieces_the_page_escapes() -> None:
    assert marked("a \x02Genf\x03 b <i>\x02x\x03") == [
        ("a ", False),
        ("Genf", True),
        (" b <i>", False),
        ("x", True),
    ]
    assert marked("stray \x03 end\x02") == [("stray  end", False)]
    assert marked(None) == []


def test_safe_url_keeps_only_web_links() -> None:
    assert safe_url("https://a.example/x?y=1") == "https://a.example/x?y=1"
    for bad in ("javascript:alert(1)", " JAVASCRIPT:alert(1)", "data:text/html,x", "//a.example", "", None):
        assert safe_url(bad) is None


def test_the_timeline_counts_per_hour_and_language_the_reader_s_languages_first() -> None:
    rows = [
        {"published": "2024-01-01T10:10:00Z", "language": "en"},
        {"published": "2024-01-01T10:50:00Z", "language": "fr"},
        {"published": "2024-01-01T12:05:00Z", "language": "en"},
        {"published": "2024-01-01T12:06:00Z", "language": "en"},
        {"published": None, "language": "de"},
    ]
    timeline = story_timeline(rows, ZoneInfo("UTC"), preferred=["fr"])
    assert [(r["code"], r["name"], r["counts"]) for r in timeline["rows"]] == [
        ("fr", "French", [1, 0, 0]),
        ("en", "English", [1, 0, 2]),
    ]
    assert timeline["start"] == "2024-01-01T10:00:00Z" and timeline["end"] == "2024-01-01T13:00:00Z"
    long = [{"published": f"2024-01-{d:02d}T00:00:00Z", "language": "en"} for d in range(1, 11)]
    spread = story_timeline(long, ZoneInfo("UTC"))
    assert spread["bins"] <= 48 and spread["step_hours"] == 5 and sum(spread["rows"][0]["counts"]) == 10
    assert story_timeline([], ZoneInfo("UTC"))["rows"] == []


def test_an_article_s_text_splits_into_paragraphs_and_says_where_it_came_from() -> None:
    text = "First  paragraph,\u00a0spaced.\r\n\n  \nSecond\x00 one \x1b[31m.\rThird\x85."
    assert paragraphs(text) == ["First paragraph, spaced.", "Second one [31m.", "Third."]
    assert paragraphs(None) == [] and paragraphs("\n \n") == []
    assert source_note("page", "done", None) == "Full text, read from the article's page."
    assert source_note("feed", "failed", "robots.txt: disallowed") == (
        "The feed's text: the article's page could not be read (robots.txt: disallowed)."
    )
    assert source_note("feed", "skipped", "past the budget") == (
        "The feed's text: the article's page was not read (past the budget)."
    )
    assert source_note("feed", "pending", None) == "The feed's text: the article's page is still to be read."
    assert source_note("feed", "waiting", "retry-after: HTTP 429") == (
        "The feed's text for now: its site asked to wait (retry-after: HTTP 429)."
    )
    assert source_note("feed", None, None) == "The text as the feed gave it."


def test_why_it_joined_says_each_figure_once() -> None:
    why = {"similarity": 0.8123, "score": 0.8123, "shared names/numbers": 2, "gap (hours)": 3.4}
    why |= {"reason": "similarity 0.81, 2 shared names/numbers, gap 3 h", "hours_after_first_report": 3.4}
    assert why_line(why) == [
        "similarity 0.81",
        "2 shared names or numbers",
        "gap 3 h",
        "3 h after the first report",
    ]
    opened = {
        "similarity": 0.0,
        "reason": "new story: no active story close enough",
        "hours_after_first_report": 0.0,
        "first_report": True,
    }
    assert why_line(opened) == ["new story: no active story close enough", "first report"]
    # Published in the same minute as the first report, but not it; gaps under an hour in minutes
    soon = {"similarity": 0.9, "score": 0.9, "gap (hours)": 0.25, "hours_after_first_report": 0.0}
    assert why_line(soon) == ["similarity 0.90", "gap 15 min", "0 min after the first report"]
    assert why_line(soon | {"hours_after_first_report": 0.2})[-1] == "12 min after the first report"
    merged = {
        "merged_from": 7,
        "reason": "new story: no active story close enough",
        "hours_after_first_report": 5,
    }
    assert why_line(merged) == [
        "came with story 7 when it merged into this one",
        "new story: no active story close enough",
        "5 h after the first report",
    ]
    # Across languages: what carried the join (the stage's reason says it).
    across = why | {
        "reason": "similarity 0.81, 2 shared names/numbers, gap 3 h; "
        "across languages: centered similarity, 1 shared number, 1 shared name"
    }
    assert why_line(across)[3] == "across languages by centered similarity, 1 shared number, 1 shared name"
    assert "across" not in " ".join(why_line(why))


def test_only_the_first_article_is_the_first_report() -> None:
    rows = [
        {"id": 1, "title": "a", "language": "en", "published": "2024-01-01T00:00:00Z", "duplicate_of": None},
        {"id": 2, "title": "b", "language": "fr", "published": "2024-01-01T00:00:00Z", "duplicate_of": None},
        {"id": 3, "title": "c", "language": "de", "published": "2024-01-01T00:03:00Z", "duplicate_of": None},
    ]
    lines = {
        a["id"]: why_line(a["why"]) for g in group_articles(rows, ZoneInfo("UTC")) for a in g["articles"]
    }
    assert lines == {
        1: ["first report"],
        2: ["0 min after the first report"],
        3: ["3 min after the first report"],
    }


def test_copies_fold_under_their_original_even_in_chains_and_cycles() -> None:
    zone = ZoneInfo("UTC")
    rows = [
        {"id": 1, "title": "a", "language": "en", "published": "2024-01-01T00:00:00Z", "duplicate_of": None},
        {"id": 2, "title": "b", "language": "en", "published": "2024-01-01T01:00:00Z", "duplicate_of": 1},
        {"id": 3, "title": "c", "language": "en", "published": "2024-01-01T02:00:00Z", "duplicate_of": 2},
        {"id": 4, "title": "d", "language": "fr", "published": "2024-01-01T03:00:00Z", "duplicate_of": 5},
        {"id": 5, "title": "e", "language": "fr", "published": "2024-01-01T04:00:00Z", "duplicate_of": 4},
    ]
    groups = group_articles(rows, zone, preferred=["fr"])
    assert [g["language"] for g in groups] == ["fr", "en"]
    en = groups[1]["articles"]
    assert [a["id"] for a in en] == [1] and [c["id"] for c in en[0]["copies"]] == [2, 3]
    assert sorted(a["id"] for a in groups[0]["articles"]) == [4, 5]  # a cycle stays flat
    assert en[0]["copies"][1]["why"]["hours_after_first_report"] == 2.0


def test_web_settings_are_checked(tmp_path: Path) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text("web:\n  port: 9000\n  metrics_port: 9100\n", encoding="utf-8")
    loaded = load_config(config)
    assert serve_address(loaded, None, None) == ("127.0.0.1", 9000)
    assert serve_address(loaded, "0.0.0.0", 8081) == ("0.0.0.0", 8081)
    assert metrics_address(loaded) == ("127.0.0.1", 9100)
    for text in ("web:\n  port: high\n", "web:\n  colour: blue\n", "web:\n  metrics_port: 70000\n"):
        config.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError):
            serve_address(load_config(config), None, None)
            metrics_address(load_config(config))


# --- pages -------------------------------------------------------------------------------


def test_stories_page_ranks_the_day_and_filters(site: tuple[WebServer, Built]) -> None:
    server, built = site
    response = server.get(f"/?day={DAY}")
    assert response.status_code == 200
    html = response.text
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert "script-src 'self';" in response.headers["content-security-policy"]
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/keys.js" defer>']  # ours only
    summit, vote, xss = (f'id="story-{built.ids[k]}"' for k in ("summit", "vote", "xss"))
    assert html.index(summit) < html.index(vote) < html.index(xss)  # ranked by outlets, then articles
    assert "Summit in Geneva ends with an agreement" in html
    assert "first: BBC" in html and ">2024-03-22 09:30 CET</time>" in html  # local time of 08:30Z
    assert '<span class="lang">de</span><span class="lang">en</span><span class="lang">fr</span>' in html
    assert f'id="story-{built.ids["merged"]}"' not in html
    assert "3 outlets" in html  # the copy of BBC counts once and "<polyline" in html

    only_fr = server.get(f"/?day={DAY}&lang=fr").text
    assert summit in only_fr and vote not in only_fr
    assert vote in server.get(f"/?day={DAY}&tag=uk").text
    combined = server.get(f"/?day={DAY}&tag=germany&lang=en&feed={built.ids['feed:BBC']}").text
    assert summit in combined and vote not in combined
    searched = server.get(f"/?day={DAY}&q=Genf").text
    assert summit in searched and vote not in searched
    # The query language of `monitor search`: what it cannot read is refused with its position
    # (it was searched as plain words, silently), what it can is answered.
    assert server.get(f"/?day={DAY}&q=a:b").status_code == 200
    assert server.get("/api/articles?q=a:b").status_code in (200, 404)
    for odd in ("%22unbalanced", "AND", "C%2B%2B", "NEAR(", "*"):
        for path in (f"/?day={DAY}&q={odd}", f"/api/articles?q={odd}"):
            refused = server.get(path)
            assert refused.status_code == 400 and "at position" in refused.text, path

    empty = server.get("/?day=2024-03-25")
    assert empty.status_code == 200 and "No stories on this day" in empty.text
    assert 'href="/?day=2024-03-22"' in empty.text  # points at the last day with stories


def test_the_home_page_leads_with_the_latest_news(site: tuple[WebServer, Built]) -> None:
    server, built = site
    home = server.get("/").text
    assert "<h1>Latest stories</h1>" in home and "The last 24 hours" in home
    assert f'id="story-{built.ids["storm"]}"' in home and f'id="story-{built.ids["summit"]}"' not in home
    today = datetime.now(ZoneInfo(ZONE)).date().isoformat()
    assert f'href="/?day={today}" id="calendar-day"' in home  # the calendar day, one click away
    # A feed whose news is days old (a feed's name on /feeds links here): its latest news, not nothing.
    spiegel = server.get(f"/?feed={built.ids['feed:Der Spiegel']}").text
    assert f'id="story-{built.ids["summit"]}"' in spiegel and "No stories" not in spiegel
    assert "nothing was published in the last 24 hours" in spiegel
    assert f'href="/?day={DAY}&amp;feed={built.ids["feed:Der Spiegel"]}" id="calendar-day"' in spiegel
    day = server.get(f"/?day={DAY}").text
    assert 'href="/" id="latest"' in day
    story = server.get(f"/stories/{built.ids['summit']}").text
    assert '<a href="/" id="back">' in story
    # Its people, organisations and places, one entry each with the spellings its articles use.
    names = re.search(r'<dd class="names" id="names">(.*?)</dd>', story)
    assert names is not None
    assert '<a href="/names/geneva">Geneva</a> <span class="variants">(Genève)</span>' in names.group(1)
    assert ">Genève</a>" not in names.group(1)


def test_search_covers_all_stored_news_grouped_by_story(site: tuple[WebServer, Built]) -> None:
    server, built = site
    html = server.get("/search?q=geneva").text
    summit = f'id="result-story-{built.ids["summit"]}"'
    assert summit in html and "2 matching articles in 1 story, all stored news" in html
    assert "2 matching of 4 articles" in html  # the BBC original and its copy, one story
    assert ">Summit in <mark>Geneva</mark> ends with an agreement</a>" in html
    assert ">Summit in <mark>Geneva</mark> ends with an agreement. Body of" in html  # the snippet
    both = server.get("/search?q=Genf OR tempête").text  # two stories, days apart
    assert summit in both and f'id="result-story-{built.ids["storm"]}"' in both
    later = server.get(
        f"/search?q=Genf OR tempête&from={(datetime.fromisoformat(DAY) + timedelta(days=1)).date()}"
    )
    assert summit not in later.text and f'id="result-story-{built.ids["storm"]}"' in later.text
    until = server.get(f"/search?q=Genf OR tempête&from={DAY}&to={DAY}").text
    assert summit in until and f"result-story-{built.ids['storm']}" not in until
    hostile = server.get("/search?q=evil OR headline").text
    assert "<script>document" not in hostile and "&lt;script&gt;" in hostile
    # Bad syntax is refused with its position, as by `monitor search` (issue 23), on the
    # search page, the home page's filter and the API alike.
    for path in ("/search?q=", f"/?day={DAY}&q=", "/api/articles?q="):
        unbalanced = server.get(path + "%22unbalanced")
        assert unbalanced.status_code == 400, path
        assert "a quote is opened and never closed at position 1" in unbalanced.text, path
    assert "at position 10" in server.get("/search?q=foo AND (").text
    assert "only NOT" in server.get("/search?q=NOT Biden").text
    # A long query (10,000+ characters, 1,000 terms, many of them outside ASCII: about 50 KB
    # percent-encoded) is answered.
    long = " OR ".join([*(f"Straßenbahn{i}" for i in range(999)), "geneva"])
    assert len(long) > 10_000
    answered = server.get(f"/search?q={long}")
    assert answered.status_code == 200 and summit in answered.text
    assert server.get("/search").status_code == 200
    bad = server.get(f"/search?q=x&from={DAY}&to=2024-03-01")
    assert bad.status_code == 400 and "after" in bad.text
    assert server.get("/search?q=x&from=yesterday").status_code == 400


def test_feed_strings_are_escaped(site: tuple[WebServer, Built]) -> None:
    server, built = site
    html = server.get(f"/?day={DAY}").text + server.get(f"/stories/{built.ids['xss']}").text
    assert "<script>document" not in html and "<img src=x" not in html
    assert "&lt;script&gt;document.body.setAttribute(" in html
    assert "javascript:" not in html  # the link is dropped, the title kept as text
    feeds = server.get("/feeds").text
    assert "Evil &lt;b&gt;feed&lt;/b&gt;" in feeds and "Evil <b>" not in feeds


def test_story_page_groups_by_language_folds_copies_and_says_why(site: tuple[WebServer, Built]) -> None:
    server, built = site
    response = server.get(f"/stories/{built.ids['summit']}")
    assert response.status_code == 200
    html = response.text
    assert 'id="headline" lang="en">Summit in Geneva ends with an agreement</h1>' in html
    assert "first reported by <strong>BBC</strong>" in html
    for code in ("en", "fr", "de"):
        assert f'id="lang-{code}"' in html
    copy = html.index(f'id="article-{built.ids["evil-copy"]}"')
    original = html.index(f'id="article-{built.ids["bbc-summit"]}"')
    details = html.index('<details class="copies">')
    assert original < details < copy and "1 copy" in html
    # Each figure once: the stage's reason text repeats the similarity it also records.
    why = html[html.index(f'id="article-{built.ids["monde-summit"]}"') :]
    why = why[why.index('<div class="why">') : why.index("</div>", why.index('<div class="why">'))]
    assert why == '<div class="why"><span>similarity 0.81</span><span>· 30 min after the first report</span>'
    assert "first report<" in html
    assert '<a href="/search?q=%22Geneva%22">Geneva</a>, <a href="/search?q=%222024%22">2024</a>' in html
    assert (
        'id="lede" lang="en">Summit in Geneva ends with an agreement. Body of bbc-summit.<footer>— BBC'
        in html
    )
    assert '<dd id="outlets">BBC <span class="count">1</span>' not in html  # a count only above one
    assert '<dd id="outlets">BBC, Le Monde, Der Spiegel, Evil &lt;b&gt;feed&lt;/b&gt;</dd>' in html
    languages = html[
        html.index('<dd id="languages">') : html.index("</dd>", html.index('<dd id="languages">'))
    ]
    assert [n for n in ("English", "German", "French") if n in languages] == ["English", "German", "French"]
    assert languages.index("English") < languages.index("German") < languages.index("French")
    timeline = html[html.index('id="timeline"') :]
    assert 'aria-label="English: 1 0 0 0 1"' in timeline and 'aria-label="French: 0 1 0 0 0"' in timeline
    assert "articles per hour" in timeline

    merged = server.get(f"/stories/{built.ids['merged']}")
    assert merged.status_code == 301 and merged.headers["location"] == f"/stories/{built.ids['summit']}"


def test_an_article_s_text_reads_on_its_own_page_with_a_link_to_the_original(
    site: tuple[WebServer, Built],
) -> None:
    server, built = site
    story = server.get(f"/stories/{built.ids['summit']}").text
    read = '<a class="read" href="/articles/{}">read the {} here</a>'
    assert read.format(built.ids["monde-summit"], "full text") in story
    assert read.format(built.ids["bbc-summit"], "feed's text") in story
    api = server.get(f"/api/stories/{built.ids['summit']}").json()
    sources = {a["id"]: a["text_source"] for g in api["groups"] for a in g["articles"]}
    assert sources[built.ids["monde-summit"]] == "page" and sources[built.ids["bbc-summit"]] == "feed"

    response = server.get(f"/articles/{built.ids['monde-summit']}")
    assert response.status_code == 200
    html = response.text
    assert 'id="headline" dir="auto" lang="fr">Le sommet de Genève se conclut par un accord</h1>' in html
    shown = re.findall(r'<p dir="auto">([^<]*)</p>', html)
    assert shown == [p.replace("'", "&#39;") for p in PAGE_PARAGRAPHS]  # each paragraph, in order
    assert "Full text, read from the article&#39;s page." in html
    assert '<a href="https://news.example/monde-summit" id="original" rel="noopener noreferrer">' in html
    assert f'href="/stories/{built.ids["summit"]}#article-{built.ids["monde-summit"]}" id="back"' in html
    assert "<img" not in html and html.count("<script") == 1  # ours, and nothing from the page

    failed = server.get(f"/articles/{built.ids['bbc-vote-2']}").text
    assert "the article&#39;s page could not be read (HTTP 404 Not Found)." in failed
    assert '<p dir="auto">Local election: final results. Body of bbc-vote-2.</p>' in failed

    hostile = server.get(f"/articles/{built.ids['evil-xss']}").text
    assert "<script>document" not in hostile and "<img src=x" not in hostile
    assert "&lt;script&gt;document.body.setAttribute(" in hostile
    assert "javascript:" not in hostile and 'id="original"' not in hostile  # no link but http(s)

    missing = server.get("/articles/999999")
    assert missing.status_code == 404 and "no article 999999" in missing.text
    assert server.get("/articles/0").status_code == 400
    assert server.get("/articles/nine").status_code == 400


def test_feeds_page_shows_health(site: tuple[WebServer, Built]) -> None:
    server, built = site
    html = server.get("/feeds").text
    row = html[html.index(f'id="feed-{built.ids["feed:Down feed"]}"') :]
    row = row[: row.index("</tr>")]
    assert 'class="failing"' in row
    assert "bad HTTP status: 503 Service Unavailable" in row
    assert '<td class="num" data-label="Errors in a row">3</td>' in row and "error (503)" in row
    assert "5 feeds, 1 failing" in html


def test_feeds_page_sorts_by_any_column_and_filters_the_failing(site: tuple[WebServer, Built]) -> None:
    server, built = site

    def order(query: str) -> list[int]:
        html = server.get("/feeds" + query).text
        return [int(x) for x in re.findall(r'<tr id="feed-(\d+)"', html)]

    ids = {
        name: built.ids[f"feed:{name}"]
        for name in ("Le Monde", "BBC", "Der Spiegel", "Evil <b>feed</b>", "Down feed")
    }
    by_name = [ids[n] for n in ("BBC", "Der Spiegel", "Down feed", "Evil <b>feed</b>", "Le Monde")]
    assert order("?sort=name") == by_name and order("?sort=name&order=desc") == by_name[::-1]
    assert order("")[0] == ids["Down feed"]  # the default: errors in a row, most first
    articles = order("?sort=articles")  # BBC 4, Le Monde 2, Evil 2, Spiegel 1, Down 0
    assert articles[0] == ids["BBC"] and articles[-1] == ids["Down feed"]
    assert articles.index(ids["Evil <b>feed</b>"]) < articles.index(ids["Le Monde"])  # a tie: by name
    assert order("?failing=1") == [ids["Down feed"]]
    html = server.get("/feeds?sort=articles").text
    assert 'aria-sort="descending"><a href="/feeds?sort=articles&amp;order=asc" id="sort-articles">' in html
    assert 'href="/feeds?sort=articles&amp;order=desc&amp;failing=1" id="failing-only"' in html
    for bad in ("?sort=colour", "?order=up", "?failing=maybe"):
        assert server.get("/feeds" + bad).status_code == 400, bad
    assert server.get("/static/style.css").headers["content-type"].startswith("text/css")
    assert server.get("/static/keys.js").headers["content-type"].startswith("text/javascript")


def test_tied_stories_come_in_the_same_order_in_the_cli_and_on_the_web(tmp_path: Path) -> None:
    built = build_database(tmp_path)
    with Store.open(built.db) as store, store.transaction():  # two stories alike in every figure
        for guid in ("bbc-vote-1", "bbc-vote-2"):
            store.db.execute("UPDATE articles SET story_id = NULL WHERE guid = ?", [guid])
        store.db.execute("UPDATE articles SET story_id = ? WHERE guid = 'bbc-vote-1'", [built.ids["vote"]])
        store.db.execute("UPDATE articles SET story_id = ? WHERE guid = 'bbc-vote-2'", [built.ids["xss"]])
        store.db.execute("UPDATE articles SET story_id = NULL WHERE guid = 'evil-xss'")
        store.db.execute("UPDATE articles SET published = ? WHERE guid = 'bbc-vote-1'", [iso(at(16))])
    server = WebServer(built.config, built.db)
    try:
        html = server.get(f"/?day={DAY}").text
    finally:
        server.stop()
    web = [int(x) for x in re.findall(r'<li class="story" id="story-(\d+)"', html)]
    cli = run_monitor("--config", str(built.config), "stories", "--since", DAY, "--json", cwd=tmp_path)
    assert cli.returncode == 0, cli.stderr
    ranked = [s["id"] for s in json.loads(cli.stdout) if s["id"] in (built.ids["vote"], built.ids["xss"])]
    assert web[1:] == ranked == [built.ids["vote"], built.ids["xss"]]  # the latest article first


# --- API ---------------------------------------------------------------------------------


def test_api_stories_story_articles_feeds(site: tuple[WebServer, Built]) -> None:
    server, built = site
    stories = server.get(f"/api/stories?day={DAY}&per_page=2").json()
    assert stories["total"] == 3 and stories["timezone"] == ZONE
    assert [s["id"] for s in stories["stories"]] == [built.ids["summit"], built.ids["vote"]]
    top = stories["stories"][0]
    assert top["languages"] == ["de", "en", "fr"] and top["n_outlets"] == 3  # copies count once
    assert (
        top["first_report"]["outlet"] == "BBC" and top["first_report"]["published"] == "2024-03-22T08:30:00Z"
    )
    assert sum(top["hourly"]) == 4 and top["hourly"][9] == 1  # 08:30Z is 09:xx in Paris
    page2 = server.get(f"/api/stories?day={DAY}&per_page=2&page=2").json()
    assert [s["id"] for s in page2["stories"]] == [built.ids["xss"]]

    story = server.get(f"/api/stories/{built.ids['summit']}").json()
    by_language = {g["language"]: g["articles"] for g in story["groups"]}
    assert by_language["en"][0]["copies"][0]["id"] == built.ids["evil-copy"]
    assert by_language["fr"][0]["why"]["similarity"] == 0.812
    redirect = server.get(f"/api/stories/{built.ids['merged']}")
    assert redirect.status_code == 301 and redirect.headers["location"].endswith(f"/{built.ids['summit']}")

    articles = server.get("/api/articles?lang=fr&per_page=1").json()
    assert articles["total"] == 2 and articles["articles"][0]["title"] == "La tempête atteint la côte"
    in_story = server.get(f"/api/articles?story={built.ids['vote']}").json()
    assert {a["id"] for a in in_story["articles"]} == {built.ids["bbc-vote-1"], built.ids["bbc-vote-2"]}
    assert server.get("/api/articles?q=Genève&since=2024-03-22&until=2024-03-23").json()["total"] == 1
    assert server.get("/api/articles?tag=xss").json()["articles"][0]["url"] is None  # javascript: dropped

    feeds = {f["name"]: f for f in server.get("/api/feeds").json()}
    assert feeds["Down feed"]["error_streak"] == 3 and feeds["Down feed"]["last_http_status"] == 503
    assert feeds["BBC"]["tags"] == ["world", "uk"] and len(feeds["BBC"]["daily"]) == 7

    spec = server.get("/openapi.json").json()
    assert {"/api/stories", "/api/stories/{story_id}", "/api/articles", "/api/feeds", "/stories.atom"} <= set(
        spec["paths"]
    )


def test_the_docs_page_lists_the_api_and_its_forms_lead_to_the_endpoints(
    site: tuple[WebServer, Built],
) -> None:
    server, built = site
    docs = server.get("/docs")
    assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")
    assert "<script" not in docs.text.replace('<script src="/static/keys.js" defer></script>', "")
    for path in ("/api/stories", "/api/stories/{story_id}", "/api/threads/{thread_id}", "/healthz"):
        assert f"{path}</code></h2>" in docs.text, path
    assert 'href="/docs">API</a>' in docs.text  # the nav's API link
    summit = built.ids["summit"]
    tried = server.get(f"/docs/try?endpoint=/api/stories/{{story_id}}&story_id={summit}")
    assert tried.status_code == 303 and tried.headers["location"] == f"/api/stories/{summit}"
    tried = server.get("/docs/try?endpoint=/api/articles&lang=fr&since=&nonsense=1")
    assert tried.status_code == 303 and tried.headers["location"] == "/api/articles?lang=fr"
    for bad, words in (
        ("endpoint=https://evil.example/", "no GET endpoint"),
        ("endpoint=/api/stories/{story_id}", "story_id is needed"),
    ):
        refused = server.get(f"/docs/try?{bad}")
        assert refused.status_code == 400 and words in refused.text, bad
    odd = server.get("/docs/try?endpoint=/api/stories/{story_id}&story_id=../../x")
    assert odd.headers["location"] == "/api/stories/..%2F..%2Fx"  # stays under the endpoint


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/stories/999999", 404, "no story 999999"),
        ("/stories/abc", 400, "story_id"),
        ("/stories/99999999999999999999999", 400, "story_id"),
        ("/stories/0", 400, "story_id"),
        ("/?day=2024-13-45", 400, "bad day"),
        ("/?day=yesterday", 400, "YYYY-MM-DD"),
        ("/?day=0001-01-01", 400, "year"),
        ("/?page=99999999999999", 400, "page"),
        ("/?page=-1", 400, "page"),
        (f"/?day={DAY}&page=7", 404, "past the last page"),
        ("/?lang=english!!", 400, "bad language"),
        ("/?lang=xx", 400, "not a language"),
        ("/api/stories?lang=und", 400, "not a language"),
        ("/api/articles?lang=XX", 400, "not a language"),
        ("/?feed=abc", 400, "feed"),
        ("/?q=a%01b", 400, "control characters"),
        ("/nowhere", 404, "nothing at /nowhere"),
        ("/api/stories/999999", 404, "no story"),
        ("/api/stories?per_page=100000", 400, "per_page"),
        ("/api/stories?day=2024-02-30", 400, "no such date"),
        ("/api/articles?since=the-other-day", 400, "bad since"),
        ("/api/articles?since=9999999999999999999h", 400, "an age of at most 100 years"),
        ("/api/articles?until=9999-12-31T23:59:59-23:00", 400, "bad until: bad time"),
        ("/api/articles?page=2", 404, "past the last page"),
        ("/stories.atom?lang=xx-long-code", 400, "bad language"),
    ],
)
def test_bad_input_is_a_clear_4xx(site: tuple[WebServer, Built], path: str, status: int, words: str) -> None:
    server, _ = site
    response = server.get(path)
    assert response.status_code == status, response.text
    assert words in response.text
    if path.startswith(("/api/", "/stories.atom")):
        assert words in response.json()["error"]
    else:
        assert response.headers["content-type"].startswith("text/html")


# --- Atom, health, metrics ---------------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"


def check_atom(document: bytes) -> list[ET.Element]:
    """The RFC 4287 rules a feed reader relies on (§4.1.1 feed, §4.1.2 entry, §3.3 dates)."""
    import re

    root = ET.fromstring(document)
    assert root.tag == ATOM + "feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(ATOM + name)) == 1, name
    assert re.match(RFC3339, root.findtext(ATOM + "updated") or "")
    assert root.find(ATOM + "author/" + ATOM + "name") is not None  # so entries need none
    assert any(link.get("rel") == "self" for link in root.findall(ATOM + "link"))
    entries = root.findall(ATOM + "entry")
    ids = [e.findtext(ATOM + "id") for e in entries]
    assert len(set(ids)) == len(ids)
    for e in entries:
        for name in ("id", "title", "updated"):
            assert len(e.findall(ATOM + name)) == 1, name
        assert re.match(RFC3339, e.findtext(ATOM + "updated") or "")
        assert (e.findtext(ATOM + "id") or "").startswith("http://127.0.0.1:")
        alternates = [
            link for link in e.findall(ATOM + "link") if link.get("rel", "alternate") == "alternate"
        ]
        assert len(alternates) == 1
        content = e.find(ATOM + "content")
        assert content is not None and content.get("type") == "html"
    return entries


def test_atom_feeds_parse_and_follow_rfc_4287(site: tuple[WebServer, Built]) -> None:
    server, built = site
    response = server.get("/stories.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    entries = check_atom(response.content)
    assert len(entries) == 1  # only the storm is in the last 24 hours
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo and parsed.version == "atom10"
    assert parsed.entries[0].title == "Storm reaches the coast"
    assert parsed.entries[0].link.endswith(f"/stories/{built.ids['storm']}")
    assert "2 articles from 2 outlets in en, fr" in parsed.entries[0].content[0].value

    for query, expected in (("?tag=world", 1), ("?tag=germany", 0), ("?q=tempête", 1), ("?q=Genf", 0)):
        feed = server.get("/stories.atom" + query)
        assert feed.status_code == 200
        assert len(check_atom(feed.content)) == expected, query
        assert not feedparser.parse(feed.content).bozo


def test_healthz_and_metrics(site: tuple[WebServer, Built]) -> None:
    server, _ = site
    health = server.get("/healthz").json()
    assert health["status"] == "ok" and health["schema_version"] >= 1
    text = server.get("/metrics").text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    value = {f.name: f.samples[0].value for f in families.values() if f.samples}
    assert value["monitor_db_up"] == 1 and value["monitor_db_articles"] == 9
    assert value["monitor_db_stories"] == 4  # the merged one does not count
    streaks = {s.labels["feed"]: s.value for s in families["monitor_feed_error_streak"].samples}
    assert streaks["https://down.example/rss"] == 3 and streaks["https://bbc.example/rss"] == 0
    polls = {s.labels["outcome"]: s.value for s in families["monitor_db_polls"].samples}
    assert polls == {"ok": 4, "error": 1}
    digests = {s.labels["state"]: s.value for s in families["monitor_db_digests"].samples}
    assert digests == {"sent": 1}
    requests = [s for s in families["monitor_web_requests"].samples if s.name.endswith("_total")]
    assert any(s.labels["route"] == "/healthz" and s.labels["status"] == "200" for s in requests)


def test_pages_answer_while_the_daemon_writes(tmp_path: Path) -> None:
    built = build_database(tmp_path)
    server = WebServer(built.config, built.db)
    stop = threading.Event()
    written = []

    def writer() -> None:
        with Store.open(built.db) as store:
            feed = store.feeds()[0]
            n = 0
            while not stop.is_set() and n < 400:
                n += 1
                entries = [entry(f"w{n}-{i}", f"Written {n} {i}", at(10), "fr") for i in range(5)]
                store_entries(store, feed, entries)
                with store.transaction():  # hold the write lock a while, as a long poll does
                    store.db.execute(
                        "UPDATE feeds SET last_polled = ? WHERE id = ?", [iso(utcnow()), feed.id]
                    )
                    time.sleep(0.02)
                written.append(n)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        statuses = []
        for _ in range(15):
            for path in (
                f"/?day={DAY}",
                f"/stories/{built.ids['summit']}",
                "/feeds",
                "/api/articles",
                "/metrics",
            ):
                statuses.append(server.get(path).status_code)
    finally:
        stop.set()
        thread.join(timeout=30)
        output = server.stop()
    assert written, "the writer stored nothing"
    assert set(statuses) == {200}, output
    with sqlite3.connect(built.db) as conn:  # and the server wrote nothing of its own
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 9 + 5 * len(written)


def test_serve_refuses_a_missing_database(tmp_path: Path) -> None:
    config = write_config(tmp_path / "feeds.yaml", [])
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(config), "serve", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "no database here" in result.stderr and "Traceback" not in result.stderr


def test_daemon_serves_its_metrics(tmp_path: Path, server: FeedServer, feed_dir: Path) -> None:
    (feed_dir / "a.xml").write_text(
        rss(
            [
                {
                    "title": "One",
                    "link": "https://n.example/1",
                    "guid": "g1",
                    "pubDate": "Fri, 22 Mar 2024 10:00:00 GMT",
                }
            ]
        ),
        encoding="utf-8",
    )
    port = free_port()
    config = write_config(tmp_path / "feeds.yaml", [{"url": server.url("a.xml")}])
    with config.open("a", encoding="utf-8") as handle:
        handle.write(f"web:\n  metrics_port: {port}\n")
    daemon = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(config), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        samples: dict[tuple[str, str], float] = {}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and samples.get(("monitor_polls_total", "ok"), 0) < 1:
            time.sleep(0.2)
            try:
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
            except httpx.HTTPError:
                continue
            samples = {
                (s.name, s.labels.get("outcome", s.labels.get("feed", ""))): s.value
                for f in text_string_to_metric_families(text)
                for s in f.samples
            }
        assert samples.get(("monitor_polls_total", "ok")) == 1, samples
        assert samples[("monitor_articles_stored_total", "")] == 1
        assert samples[("monitor_feed_error_streak", server.url("a.xml"))] == 0
        assert samples[("monitor_poll_duration_seconds_count", "")] == 1
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.communicate()


def test_systemd_units_verify(tmp_path: Path) -> None:
    """deploy/'s units parse as systemd reads them (paths pointed at this checkout)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    monitor = Path(sys.executable).parent / "monitor"
    for unit in ("monitor.service", "monitor-web.service"):
        text = (ROOT / "deploy" / unit).read_text(encoding="utf-8")
        assert "User=monitor" in text and "StateDirectory=monitor" in text and "Restart=on-failure" in text
        (tmp_path / unit).write_text(
            text.replace("/opt/monitor/.venv/bin/monitor", str(monitor)), encoding="utf-8"
        )
    result = subprocess.run(
        [
            analyze,
            "verify",
            "--man=no",
            *(str(tmp_path / u) for u in ("monitor.service", "monitor-web.service")),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    problems = [line for line in result.stderr.splitlines() if "monitor" in line]
    assert not problems, problems
