"""Regressions found by checking monitor from outside, as a user would use it."""

from __future__ import annotations

import email.utils
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.errors import ParseError
from monitor.feedserver import FeedServer
from monitor.ingest.parse import parse_feed
from monitor.pipeline import poll_once
from monitor.store import Store
from monitor.stories.e5onnx import _DropQuantizerAdvice

from .conftest import rss, write_config

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

JSON_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Asia & more",
    "home_page_url": "https://asia.example/",
    "items": [
        {
            "id": "zh1",
            "url": "https://asia.example/zh/1?utm_source=x",
            "title": "普京在巴黎会见马克龙",
            "content_text": "俄罗斯总统普京在巴黎会见了法国总统马克龙 <不是标签>。",
            "date_published": "2026-11-28T15:00:00+08:00",
            "language": "zh",
            "authors": [{"name": "新华"}],
        },
        {
            "id": 42,
            "external_url": "https://asia.example/hi/1",
            "title": "A & B",
            "content_html": "<p>पुतिन ने <b>पेरिस</b> में</p><script>alert(1)</script>",
            "date_modified": "2026-11-28T13:00:00+05:30",
        },
        {"id": "no-date", "title": "Undated", "summary": "no date at all"},
        "not an item",
    ],
}


def test_json_feed_is_read_like_the_other_formats() -> None:
    body = json.dumps(JSON_FEED, ensure_ascii=False).encode("utf-8")
    parsed = parse_feed(body, url="https://asia.example/feed.json", now=NOW)
    assert parsed.title == "Asia & more" and parsed.link == "https://asia.example/"
    zh, hi, undated = parsed.entries
    assert (zh.guid, zh.url) == ("zh1", "https://asia.example/zh/1")
    assert (zh.language, zh.language_source) == ("zh", "entry")
    assert zh.title == "普京在巴黎会见马克龙" and "<不是标签>" in zh.text  # plain text stays text
    assert zh.published == datetime(2026, 11, 28, 7, 0, tzinfo=UTC) and not zh.published_estimated
    assert zh.author == "新华"
    assert hi.guid == "42" and hi.url == "https://asia.example/hi/1" and hi.title == "A & B"
    assert hi.text == "पुतिन ने पेरिस में" and "script" not in hi.html
    assert hi.published == datetime(2026, 11, 28, 7, 30, tzinfo=UTC)
    assert undated.published == NOW and undated.published_estimated and undated.text == "no date at all"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"title": "no version", "items": []}', "JSON Feed version"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": [', "bad JSON"),
    ],
)
def test_json_that_is_not_a_json_feed_is_a_clear_parse_error(body: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse_feed(body, url="https://asia.example/feed.json", now=NOW)


def test_json_feed_polled_and_exported(tmp_path: Path, server: FeedServer) -> None:
    (server.root or tmp_path).joinpath("feed.json").write_text(json.dumps(JSON_FEED), encoding="utf-8")
    config = load_config(write_config(tmp_path / "feeds.yaml", [{"url": server.url("feed.json")}]))
    with Store.open(config.settings.database) as store:
        store.sync_feeds(config.feeds)
        report = poll_once(store, config, all_feeds=True)
        assert not report.failures
        guids = {row["guid"] for row in store.export_articles(None)}
    assert guids == {"zh1", "42", "no-date"}


@pytest.mark.parametrize(
    ("stamp", "utc"),
    [
        ("2026-11-28T10:00:00+0530", datetime(2026, 11, 28, 4, 30, tzinfo=UTC)),
        ("2026-11-28T10:00+0545", datetime(2026, 11, 28, 4, 15, tzinfo=UTC)),
        ("2026-11-28T10:00:00-0330", datetime(2026, 11, 28, 13, 30, tzinfo=UTC)),
        ("2026-11-28T10:00:00+05:30", datetime(2026, 11, 28, 4, 30, tzinfo=UTC)),
    ],
)
def test_iso_dates_with_an_offset_without_colon_keep_its_minutes(stamp: str, utc: datetime) -> None:
    body = rss([{"title": "t", "link": "https://news.example/1", "pubDate": stamp}]).encode()
    (entry,) = parse_feed(body, url="https://news.example/feed", now=NOW).entries
    assert entry.published == utc and not entry.published_estimated


def test_the_slot_of_a_quiet_feed_never_passes_max_interval(tmp_path: Path, server: FeedServer) -> None:
    now = datetime.now(UTC)
    twice = [
        {
            "title": f"Q{n}",
            "guid": f"q{n}",
            "pubDate": email.utils.format_datetime(now - timedelta(days=n), usegmt=True),
        }
        for n in (1, 3)
    ]
    body = rss(twice).encode()
    names = [f"quiet{n}" for n in range(8)]  # one host: their slots spread over the interval
    for name in names:
        (server.root or tmp_path).joinpath(name).write_bytes(body)
    config = load_config(
        write_config(tmp_path / "feeds.yaml", [{"url": server.url(n)} for n in names], max_interval="24h")
    )
    with Store.open(config.settings.database) as store:
        store.sync_feeds(config.feeds)
        poll_once(store, config, all_feeds=True)
        for name in names:
            feed = store.feed_by_url(server.url(name))
            assert feed and feed.next_due and feed.last_polled
            assert feed.next_due - feed.last_polled <= timedelta(hours=24)


def test_the_quantizer_chatter_is_dropped_but_its_warnings_kept() -> None:
    def record(level: int, message: str) -> logging.LogRecord:
        return logging.LogRecord("root", level, __file__, 1, message, None, None)

    quiet = _DropQuantizerAdvice()
    assert not quiet.filter(record(logging.INFO, 'Quantization parameters for tensor:"x0" not specified'))
    assert not quiet.filter(record(logging.WARNING, "Please consider pre-processing before quantization."))
    assert quiet.filter(record(logging.WARNING, "something else went wrong"))


def test_a_title_written_over_several_lines_is_one_line() -> None:
    item = {"title": "\n   Séisme au Japon :\n\t  pas de tsunami  \n", "link": "https://news.example/1"}
    (entry,) = parse_feed(rss([item]).encode(), url="https://news.example/feed", now=NOW).entries
    assert entry.title == "Séisme au Japon : pas de tsunami"


def test_detected_languages_are_iso_639_1_codes() -> None:
    from monitor.ingest.langid import detect_language

    assert detect_language("普京在巴黎会见马克龙 俄罗斯总统") == "zh"  # the model says 'wuu' (Wu)
    assert detect_language("UTF-16 headline about markets. Stock markets rose on Friday.") == "en"


def test_digest_output_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from monitor.cli import main

    config = write_config(tmp_path / "feeds.yaml", [], timezone="UTC")
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    target = tmp_path / "a-file" / "digest.html"  # its folder is a file: mkdir fails, even as root
    result = CliRunner().invoke(
        main, ["--config", str(config), "digest", "--date", "2026-11-28", "--output", str(target)]
    )
    assert result.exit_code == 1 and not isinstance(result.exception, OSError)
    assert f"cannot write {target}" in result.output and "Traceback" not in result.output
