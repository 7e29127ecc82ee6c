"""A watch's `countries:` and a digest recipient's `countries:`: checked in feeds.yaml with the
bad code and its line, and applied to articles whose places are stored in a real SQLite file."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.deliver.digest import build_digest
from monitor.deliver.rank import DailyWatch
from monitor.deliver.render import render_digest
from monitor.deliver.settings import DigestConfig, load_digest_config
from monitor.errors import ConfigError
from monitor.sections import load_checked_config
from monitor.watches.match import run_watch_stage
from monitor.watches.settings import WatchConfig, load_watches_config, parse_watches_section

from .watches_helpers import T0, Item, add, open_store

HEAD = """settings:
  database: monitor.db
feeds:
  - url: https://news.example/feed.xml
"""


def config_of(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    return path


def test_a_watch_takes_countries_in_any_case(tmp_path: Path) -> None:
    path = config_of(tmp_path, "watches:\n  - name: Grain\n    query: grain\n    countries: [ua, PL, UA]\n")
    watch = load_watches_config(load_checked_config(path)).watches[0]
    assert watch.countries == ("UA", "PL")
    one = config_of(tmp_path, "watches:\n  - name: Grain\n    query: grain\n    countries: ua\n")
    assert load_watches_config(load_checked_config(one)).watches[0].countries == ("UA",)


@pytest.mark.parametrize(
    ("value", "words"),
    [("[UA, XX]", ("'XX'", "ISO 3166-1")), ("[Ukraine]", ("Ukraine is UA",)), ("[]", ("like [UA, PL]",))],
)
def test_a_watch_with_a_bad_country_is_refused_with_its_line(
    tmp_path: Path, value: str, words: tuple[str, ...]
) -> None:
    path = config_of(tmp_path, f"watches:\n  - name: Grain\n    query: grain\n    countries: {value}\n")
    with pytest.raises(ConfigError) as caught:
        load_watches_config(load_checked_config(path))
    message = str(caught.value)
    assert caught.value.line == 8 and f"{path}:8:" in message and "watches.Grain.countries" in message
    for word in words:
        assert word in message, message


def test_a_watch_without_countries_keeps_its_fingerprint() -> None:
    # a watch stored before `countries` existed is not backfilled again for it
    plain = WatchConfig(name="Grain", query="grain")
    before = {"query": "grain", "names": [], "about": None, "threshold": None, "languages": [], "tags": [],
              "feeds": []}
    assert plain.fingerprint() == hashlib.sha256(json.dumps(before, sort_keys=True).encode()).hexdigest()[:16]
    assert WatchConfig(name="Grain", query="grain", countries=("UA",)).fingerprint() != plain.fingerprint()


def test_a_digest_recipient_with_a_bad_country_is_refused_with_its_line(tmp_path: Path) -> None:
    body = (
        "digest:\n  smtp: {host: mail.example.org}\n  recipients:\n    - address: a@example.org\n"
        "      countries: [pl, ua]\n    - address: b@example.org\n      countries: [UA, EU]\n"
    )
    path = config_of(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_digest_config(load_checked_config(path))
    assert caught.value.line == 11 and "'EU'" in str(caught.value), str(caught.value)
    good = config_of(tmp_path, body.replace("[UA, EU]", "[ua]"))
    cfg = load_digest_config(load_checked_config(good))
    assert cfg is not None and [r.countries for r in cfg.recipients] == [("PL", "UA"), ("UA",)]


NEWS = [
    # (feed, title, hours, story, countries named)
    (0, "Grain talks in Kyiv", 1, 1, ["UA"]),
    (1, "Grain: pourparlers à Kyiv", 2, 1, ["UA"]),
    (0, "Grain prices in Paris", 3, 2, ["FR"]),
    (2, "Grain harvest begins", 4, 3, None),  # its places not read yet
    (0, "Grain prices in Warsaw", 5, 4, ["PL", "UA"]),
]


def test_watches_and_digests_keep_to_their_countries(tmp_path: Path) -> None:
    with open_store(tmp_path / "monitor.db") as store:
        watches = parse_watches_section(
            [
                {"name": "Grain Ukraine", "query": "grain", "countries": ["ua"]},
                {"name": "Grain anywhere", "query": "grain"},
            ],
            "feeds.yaml",
            model="fake",
        )
        run_watch_stage(store, watches, None)  # the watches known before the news: live matches
        items = [Item(feed, title, "", "en", hours, story=sid) for feed, title, hours, sid, _ in NEWS]
        ids = add(store, items)
        ids_of = dict(zip((row[1] for row in NEWS), ids, strict=True))
        places = {"UA": 703448, "PL": 756135, "FR": 2988507}
        store.places_write(
            [
                (i, [{"geonameid": places[c], "name": c, "country": c} for c in row[4]])
                for i, row in zip(ids, NEWS, strict=True)
                if row[4] is not None
            ]
        )
        run_watch_stage(store, watches, None)
        rows = store.query(
            "SELECT w.name, m.article_id FROM watch_matches m JOIN watches w ON w.id = m.watch_id"
        )
        matched: dict[str, set[int]] = {}
        for row in rows:
            matched.setdefault(str(row["name"]), set()).add(int(row["article_id"]))
        assert matched["Grain Ukraine"] == {
            ids_of["Grain talks in Kyiv"],
            ids_of["Grain: pourparlers à Kyiv"],
            ids_of["Grain prices in Warsaw"],
        }
        assert len(matched["Grain anywhere"]) == 5

        cfg = parse_digest_config(tmp_path)
        ukraine, poland, everyone = cfg.recipients
        day = T0.date()
        now = T0 + timedelta(days=2)
        titles = {
            r.address: {s.headline for s in build_digest(store, cfg, day, r, now=now).stories}
            for r in (ukraine, poland, everyone)
        }
        # Each story's countries in the mail, as its page shows them; in the watch's section too.
        digest = build_digest(store, cfg, day, everyone, now=now, watches=[DailyWatch("Grain Ukraine")])
        text, html = render_digest(digest, cfg)
    assert titles["ua@example.org"] == {"Grain talks in Kyiv", "Grain prices in Warsaw"}
    assert titles["pl@example.org"] == {"Grain prices in Warsaw"}
    assert len(titles["all@example.org"]) == 4
    countries = {story.headline: story.countries for story in digest.stories}
    assert countries["Grain prices in Warsaw"] == ("PL", "UA") and countries["Grain harvest begins"] == ()
    assert [s.countries for s in digest.watches[0].stories] == [("UA",), ("PL", "UA")]
    assert text.count("   Countries: Ukraine\n") == 2 and text.count("   Countries: Poland, Ukraine\n") == 2
    assert "   Countries: France\n" in text
    assert html.count('<p class="countries"') == 5 and ">Countries: Poland, Ukraine</p>" in html


def parse_digest_config(tmp_path: Path) -> DigestConfig:
    path = config_of(
        tmp_path,
        "digest:\n  smtp: {host: mail.example.org}\n  recipients:\n"
        "    - {address: ua@example.org, countries: [UA]}\n"
        "    - {address: pl@example.org, countries: [pl]}\n"
        "    - all@example.org\n",
    )
    cfg = load_digest_config(load_checked_config(path))
    assert cfg is not None
    return cfg
