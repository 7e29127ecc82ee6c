"""Watches over articles in scripts without capitals, on real SQLite files: a hostile article
(a run of 100,000 Han characters, which FTS5 cuts inside a character) stops neither the
watches stage nor `monitor poll`; a backfill and `monitor watch test` find a name in every
script where live matching hears it (monitor.watches.prefilter offers those articles)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import main
from monitor.database import parse_target
from monitor.entities.sounds import sounded
from monitor.feedserver import FeedServer
from monitor.store import open_store as open_database
from monitor.store.watches import FTS_TOKEN_BYTES
from monitor.watches.match import candidate_ids, compile_all, run_watch_stage
from monitor.watches.prefilter import sounded_term_ranges, sounded_tokens
from monitor.watches.settings import WatchesConfig, parse_watches_section

from .conftest import rss, run_monitor, write_config
from .watches_helpers import FEEDS, Item, add, open_store

HAN_RUN = "中国" * 50_000  # no punctuation: one token of 300,000 bytes, cut by FTS5 at 32,768


def test_a_token_cut_inside_a_character_is_read_and_found_again(tmp_path: Path) -> None:
    with open_store(tmp_path / "monitor.db") as store:
        long_id, plain_id = add(
            store, [Item(1, "长文", HAN_RUN, "zh"), Item(0, "Putin in Beijing", "", "en", 1)]
        )
        vocabulary = store.watch_fts_vocabulary()
        assert vocabulary is not None and "putin" in vocabulary
        (cut,) = [t for t in vocabulary if t.startswith("中国")]
        assert len(cut.encode()) < FTS_TOKEN_BYTES and HAN_RUN.startswith(
            cut
        )  # the broken character left out
        assert store.watch_fts_ids([cut]) == {long_id}
        assert store.watch_fts_ids(["putin", cut]) == {long_id, plain_id}


def test_backfill_passes_an_article_whose_token_is_cut(tmp_path: Path) -> None:
    watches = parse_watches_section(
        [{"name": "Putin", "names": ["Putin"]}, {"name": "Beijing", "query": "beijing"}],
        "feeds.yaml",
        model="m",
    )
    with open_store(tmp_path / "monitor.db") as store:
        add(store, [Item(1, "长文", HAN_RUN, "zh"), Item(0, "Putin in Beijing", "", "en", 1)])
        run_watch_stage(store, WatchesConfig(model="m"), None)  # the news first
        report = run_watch_stage(store, watches, None)
        assert sorted((name, found) for name, _, found in report.backfilled) == [("Beijing", 1), ("Putin", 1)]


def test_poll_stays_green_after_a_hostile_chinese_article(
    tmp_path: Path, server: FeedServer, feed_dir: Path, backend_url: str
) -> None:
    """The product's own path, on SQLite and PostgreSQL: served, polled, stored, indexed,
    placed in a story, matched; a `names:` and a `query` watch added afterwards are backfilled
    over it, and the next poll passes too."""
    items = [
        {"title": "长文", "guid": "long", "pubDate": "Sat, 05 Dec 2026 08:00:00 GMT", "description": HAN_RUN},
        {
            "title": "Putin meets Xi in Beijing",
            "guid": "putin",
            "pubDate": "Sat, 05 Dec 2026 09:00:00 GMT",
            "description": "Vladimir Putin arrived in Beijing on Tuesday.",
        },
    ]
    (feed_dir / "zh.xml").write_text(rss(items), encoding="utf-8")
    config = write_config(tmp_path / "feeds.yaml", [{"url": server.url("zh.xml")}], database=backend_url)
    first = run_monitor("--config", str(config), "poll", "--all", cwd=tmp_path, timeout=600)
    assert first.returncode == 0, first.stderr
    with config.open("a", encoding="utf-8") as out:
        out.write("watches:\n  - name: Putin\n    names: [Putin]\n  - name: Beijing\n    query: beijing\n")
    for _ in range(2):  # the backfill, then a poll with nothing new
        again = run_monitor("--config", str(config), "poll", "--all", cwd=tmp_path, timeout=600)
        assert again.returncode == 0, again.stderr
        assert "Traceback" not in again.stderr
    with open_database(parse_target(backend_url)) as store:
        matched = store.query(
            "SELECT w.name, a.guid FROM watch_matches m JOIN watches w ON w.id = m.watch_id "
            "JOIN articles a ON a.id = m.article_id ORDER BY w.name"
        )
    assert [(r["name"], r["guid"]) for r in matched] == [("Beijing", "putin"), ("Putin", "putin")]


# Putin in eight scripts, and articles in those scripts on other people (Trump, a tram, the
# weather): the matcher hears the name where it is written as it sounds.
PUTIN = [
    Item(0, "Putin meets Xi in Beijing", "Vladimir Putin arrived on Tuesday.", "en", 0),
    Item(1, "普京抵达北京", "俄罗斯总统普京周二抵达北京，与习近平会谈。", "zh", 1),
    Item(1, "G20", "G20普京出席峰会。", "zh", 2),  # one index token `g20普京出席峰会`
    Item(2, "پوتین به پکن رفت", "ولادیمیر پوتین، رئیس‌جمهور روسیه، روز سه‌شنبه به پکن رسید.", "fa", 3),
    Item(0, "푸틴, 베이징 도착", "블라디미르 푸틴 러시아 대통령이 화요일 베이징에 도착했다.", "ko", 4),
    Item(1, "プーチン大統領が北京に到着", "ロシアのプーチン大統領は火曜日に北京に到着した。", "ja", 5),
    Item(2, "بوتين يصل إلى بكين", "وصل الرئيس الروسي فلاديمير بوتين إلى بكين يوم الثلاثاء.", "ar", 6),
    Item(0, "Путин прибыл в Пекин", "Президент России Владимир Путин прибыл во вторник.", "ru", 7),
]
OTHERS = [
    Item(1, "特朗普在白宫会见泽连斯基", "美国总统特朗普周一会见乌克兰总统。", "zh", 8),
    Item(2, "تراموا در تهران", "خط جدید تراموا در تهران افتتاح شد.", "fa", 9),
    Item(0, "서울 날씨", "오늘 서울은 맑겠습니다.", "ko", 10),
    Item(0, "Peyton Manning retires", "The quarterback said goodbye on Sunday.", "en", 11),
    Item(1, "Markets rise in Paris", "Shares closed higher.", "fr", 12),
]


def test_backfill_and_watch_test_find_what_live_matching_finds_in_every_script(tmp_path: Path) -> None:
    watches = parse_watches_section([{"name": "Putin", "names": ["Putin"]}], "feeds.yaml", model="m")
    latin = [Item(i % 3, f"Markets on day {i}", "Shares up.", "en", 13 + i) for i in range(20)]
    items = PUTIN + OTHERS + latin
    with open_store(tmp_path / "live.db") as store:
        run_watch_stage(store, watches, None)  # the watch first: every article matched live
        add(store, items)
        run_watch_stage(store, watches, None)
        live = {int(r["article_id"]) for r in store.query("SELECT article_id FROM watch_matches")}
    config = tmp_path / "feeds.yaml"
    feeds = "\n".join(f"  - url: {f.url}\n    name: {f.name}" for f in FEEDS)
    watch_lines = "watches:\n  - name: Putin\n    names: [Putin]\n"
    config.write_text(f"settings:\n  database: backfill.db\nfeeds:\n{feeds}\n{watch_lines}", encoding="utf-8")
    with open_store(tmp_path / "backfill.db") as store:
        ids = add(store, items)
        run_watch_stage(store, WatchesConfig(model="m"), None)  # the news first, then the watch
        (watch,) = compile_all(watches.watches, "m", None)
        candidates = candidate_ids(store, watch, "2000-01-01T00:00:00Z")
        run_watch_stage(store, watches, None)
        backfilled = {int(r["article_id"]) for r in store.query("SELECT article_id FROM watch_matches")}
    assert live == set(ids[: len(PUTIN)])  # the matcher's own findings: every script, no other
    assert backfilled == live
    # read: the articles in those scripts and the Latin and Cyrillic ones naming Putin, no other
    written = {ids[i] for i, item in enumerate(items) if sounded(item.title + item.text)}
    assert candidates == written | set(ids[: len(PUTIN)])
    tested = CliRunner().invoke(main, ["--config", str(config), "watch", "test", "Putin"])
    assert tested.exit_code == 0, tested.output
    assert f"{len(PUTIN)} articles in {len(PUTIN)} stories" in tested.output
    assert all(item.title in tested.output for item in PUTIN)


def test_every_letter_the_matcher_hears_starts_an_index_term_in_the_ranges() -> None:
    """The ranges are what SQLite's FTS5 (unicode61, as articles_fts) makes of those letters:
    folded case included (Georgian Ⴀ is indexed as ⴀ)."""
    letters = [chr(c) for c in range(0x110000) if sounded(chr(c))]
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE f USING fts5(t)")
    db.executemany("INSERT INTO f (rowid, t) VALUES (?, ?)", [(ord(c), f"x{c} {c}x") for c in letters])
    db.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, f, row)")
    terms = [str(row[0]) for row in db.execute("SELECT term FROM temp.v")]
    ranges = sounded_term_ranges()
    starting = [t for t in terms if any(low <= t < high for low, high in ranges)]
    assert len(starting) > 40_000 and len(ranges) < 40  # every letter, as a handful of ranges
    inside = set(sounded_tokens(terms))
    assert {t for t in terms if t[0] == "x" and len(t) == 2} <= inside  # `xa`: a letter after another
    assert set(starting) | inside | {"x"} == set(terms)  # none missed
    assert sounded_tokens(["putin", "путин", "普京", "g20普京"]) == ["g20普京"]
