"""The `monitor` command, run as a user runs it: a subprocess on real files and servers."""

from __future__ import annotations

import csv
import io
import json
import re
import socket
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.feedserver import FeedServer

from .conftest import FIXTURES, ROOT, rss, run_monitor, write_config

ITEMS_EN = [
    {
        "title": "Gunmen attack concert hall near Moscow",
        "link": "https://en.example/1?utm_source=rss",
        "guid": "en-1",
        "pubDate": "Fri, 22 Mar 2024 18:30:00 GMT",
        "description": "Gunmen opened fire at Crocus City Hall.",
    },
]
ITEMS_FR = [
    {
        "title": "Attaque dans une salle de concert près de Moscou",
        "link": "https://fr.example/1",
        "pubDate": "Fri, 22 Mar 2024 19:10:00 +0100",
        "description": "Des hommes armés ont ouvert le feu au Crocus City Hall.",
    },
]


def all_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found += all_commands(command, f"{prefix}{name} ")
    return found


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0
    for name, command in all_commands(main):
        assert command.help, f"monitor {name} has no help text"
        if " " not in name:
            assert name in top.output
        assert f"monitor {name}" in readme, f"README.md does not document `monitor {name}`"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"monitor {name} {param.opts[0]} has no help text"


def test_poll_then_export_end_to_end(tmp_path: Path, server: FeedServer, feed_dir: Path) -> None:
    (feed_dir / "en.xml").write_text(rss(ITEMS_EN, language="en"))
    (feed_dir / "fr.xml").write_text(rss(ITEMS_FR, language=None))
    config = write_config(
        tmp_path / "feeds.yaml",
        [
            {"url": server.url("en.xml"), "name": "English"},
            {"url": server.url("fr.xml"), "language": "fr"},
            {"url": server.url("gone.xml")},
        ],
    )
    init = run_monitor("--config", str(config), "init")
    assert init.returncode == 0, init.stderr
    poll = run_monitor("--config", str(config), "poll", "--all")
    assert poll.returncode == 0, poll.stderr  # one feed failing is not a failed run
    assert "3 feeds polled: 2 ok, 0 not modified, 1 failed; 2 new articles" in poll.stdout
    assert "gone.xml" in poll.stdout and "HTTP 404" in poll.stdout

    out = run_monitor("--config", str(config), "export")
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["language"] for r in records] == ["fr", "en"]  # by publication time
    fr, en = records
    assert en["url"] == "https://en.example/1" and en["guid"] == "en-1"
    assert en["published"] == "2024-03-22T18:30:00Z" and fr["published"] == "2024-03-22T18:10:00Z"
    assert fr["guid"] == "https://fr.example/1"
    # the places stage ran in the poll: Moscow (and Moscou) with GeoNames id and country
    moscow = {"geonameid": 524901, "name": "Moscow", "country": "RU"}
    assert en["places"] == [moscow] and fr["places"] == [moscow]
    for record in records:
        assert {
            "id",
            "feed_url",
            "url",
            "guid",
            "title",
            "language",
            "published",
            "story_id",
            "duplicate_of",
        } <= set(record)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["published"])

    as_csv = run_monitor("--config", str(config), "export", "--format", "csv", "--since", "2024-03-22T18:20Z")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["guid"] for r in rows] == ["en-1"]

    # The stories stage ran after the poll: the French and English reports are one story.
    assert records[0]["story_id"] is not None and records[0]["story_id"] == records[1]["story_id"]
    listed = run_monitor("--config", str(config), "stories", "--since", "2024-03-01", "--json")
    assert listed.returncode == 0, listed.stderr
    shown = run_monitor("--config", str(config), "story", str(records[0]["story_id"]))
    assert shown.returncode == 0, shown.stderr
    assert "Attaque dans une salle de concert" in shown.stdout and "Gunmen attack" in shown.stdout
    missing = run_monitor("--config", str(config), "story", "999999")
    assert missing.returncode == 1 and "no story 999999" in missing.stderr

    found = run_monitor("--config", str(config), "search", "Crocus")
    assert found.returncode == 0 and "2 results" in found.stdout
    stats = run_monitor("--config", str(config), "stats")
    assert stats.returncode == 0 and "3 feeds, 2 articles" in stats.stdout
    assert "bad HTTP status: HTTP 404 Not Found" in stats.stdout


def test_db_option_overrides_setting(tmp_path: Path) -> None:
    config = write_config(tmp_path / "feeds.yaml", [{"url": "https://a.example/rss"}])
    other = tmp_path / "elsewhere" / "x.db"
    assert run_monitor("--config", str(config), "--db", str(other), "init").returncode == 0
    assert other.exists() and not (tmp_path / "monitor.db").exists()


def test_bad_config_exits_non_zero_naming_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text("feeds:\n  - url: https://a.example/rss\n    intervall: 5m\n")
    result = run_monitor("--config", str(config), "poll")
    assert result.returncode == 1
    assert f"{config}:3: unknown key 'intervall'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "monitor.db").exists()  # refused before anything ran


def test_unusable_database_exits_non_zero(tmp_path: Path) -> None:
    config = write_config(tmp_path / "feeds.yaml", [{"url": "https://a.example/rss"}])
    (tmp_path / "monitor.db").write_bytes(b"garbage" * 500)
    result = run_monitor("--config", str(config), "poll")
    assert result.returncode == 1
    assert "not a usable SQLite database" in result.stderr and "Traceback" not in result.stderr


def test_feeds_add_remove_import_export(tmp_path: Path) -> None:
    config = write_config(tmp_path / "feeds.yaml", [{"url": "https://a.example/rss"}])
    base = ["--config", str(config)]
    added = run_monitor(
        *base, "feeds", "add", "https://b.example/atom", "--name", "B", "--language", "de", "--tag", "tech",
        "--force",  # no network here: no feed can be read at it
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    again = run_monitor(*base, "feeds", "add", "https://B.example/atom")
    assert "already there" in again.stdout
    bad = run_monitor(*base, "feeds", "add", "notaurl")
    assert bad.returncode != 0 and "bad URL" in bad.stderr
    imported = run_monitor(*base, "feeds", "import-opml", str(FIXTURES / "opml" / "miniflux-export.opml"))
    assert imported.returncode == 0 and "3 added" in imported.stdout
    listing = run_monitor(*base, "feeds", "list")
    assert "5 feeds" in listing.stdout and "de  https://b.example/atom  B [tech]" in listing.stdout
    removed = run_monitor(*base, "feeds", "remove", "https://a.example/rss")
    assert removed.returncode == 0
    missing = run_monitor(*base, "feeds", "remove", "https://a.example/rss")
    assert missing.returncode != 0
    exported = run_monitor(*base, "feeds", "export-opml")
    assert exported.stdout.count("xmlUrl=") == 4 and "a.example" not in exported.stdout
    stats = json.loads(run_monitor(*base, "stats", "--json").stdout)
    active = {f["url"] for f in stats["feeds"] if f["active"]}
    assert len(active) == 4 and "https://a.example/rss" not in active


def test_feeds_add_refuses_a_url_where_no_feed_is_read_unless_forced(
    tmp_path: Path, server: FeedServer, feed_dir: Path
) -> None:
    (feed_dir / "feed.xml").write_text(rss([{"title": "One", "link": "https://n.example/1"}]))
    (feed_dir / "page.html").write_text("<!DOCTYPE html><html><body>No feed here</body></html>")
    (feed_dir / "notes.txt").write_text("just some words")
    config = write_config(tmp_path / "feeds.yaml", [], allow_private_addresses=True, timeout=5)
    base = ["--config", str(config)]
    for name, reason in (("missing.xml", "404"), ("page.html", "HTML page"), ("notes.txt", "not a feed")):
        refused = run_monitor(*base, "feeds", "add", server.url(name))
        assert refused.returncode == 1, (name, refused.stdout, refused.stderr)
        assert f"monitor: error: no feed read at {server.url(name)}" in refused.stderr, refused.stderr
        assert reason in refused.stderr and "--force" in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr
    assert "http" not in config.read_text(encoding="utf-8")  # nothing added
    forced = run_monitor(*base, "feeds", "add", server.url("missing.xml"), "--force")
    assert forced.returncode == 0 and "adding it anyway" in forced.stderr, forced.stderr
    fine = run_monitor(*base, "feeds", "add", server.url("feed.xml"))
    assert fine.returncode == 0 and f"added {server.url('feed.xml')}" in fine.stdout, fine.stderr
    listed = run_monitor(*base, "feeds", "list").stdout
    assert server.url("missing.xml") in listed and server.url("feed.xml") in listed
    assert server.url("page.html") not in listed


def test_import_of_a_broken_opml_file_reports_the_parse_error(tmp_path: Path) -> None:
    config = write_config(tmp_path / "feeds.yaml", [])
    broken = tmp_path / "broken.opml"
    broken.write_text(
        '<?xml version="1.0"?>\n<opml version="2.0"><body>\n<outline xmlUrl="https://a.example/rss"\n'
    )
    result = run_monitor("--config", str(config), "feeds", "import-opml", str(broken))
    assert result.returncode == 1, result.stdout
    assert "monitor: error:" in result.stderr and "not a readable OPML file" in result.stderr
    assert "line 3" in result.stderr and "0 feeds" not in result.stdout


def test_a_database_path_that_is_not_a_file_is_a_clear_error(tmp_path: Path) -> None:
    config = write_config(tmp_path / "feeds.yaml", [])
    for target, kind in (("/dev/null", "a device"),):  # a directory: click refuses it already
        for command in ("stats", "init"):
            result = CliRunner().invoke(main, ["--config", str(config), "--db", target, command])
            assert result.exit_code == 1, (target, command, result.output)
            assert f"{target}: not a database file but {kind}" in result.output
            assert "monitor init" not in result.output and "I/O error" not in result.output


def test_serve_on_a_busy_port_fails_before_saying_serving(tmp_path: Path) -> None:
    config = write_config(tmp_path / "feeds.yaml", [])
    assert run_monitor("--config", str(config), "init").returncode == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_monitor("--config", str(config), "serve", "--port", str(port), timeout=30)
    assert result.returncode == 1
    assert "serving" not in result.stderr and "Traceback" not in result.stderr
    assert f"monitor: error: cannot listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr


def test_init_says_1_feed(tmp_path: Path) -> None:
    config = write_config(tmp_path / "feeds.yaml", [{"url": "https://a.example/rss"}])
    result = CliRunner().invoke(main, ["--config", str(config), "init"])
    assert result.exit_code == 0 and result.output.rstrip().endswith(", 1 feed"), result.output


@pytest.mark.parametrize("since", ["yesterday", "2024-13-45"])
def test_export_bad_since(tmp_path: Path, since: str) -> None:
    config = write_config(tmp_path / "feeds.yaml", [{"url": "https://a.example/rss"}])
    result = CliRunner().invoke(main, ["--config", str(config), "export", "--since", since])
    assert result.exit_code == 2 and "bad time" in result.output


def test_locked_database_exits_non_zero_without_partial_writes(
    tmp_path: Path, server: FeedServer, feed_dir: Path
) -> None:
    import sqlite3

    (feed_dir / "en.xml").write_text(rss(ITEMS_EN))
    config = write_config(tmp_path / "feeds.yaml", [{"url": server.url("en.xml")}])
    assert run_monitor("--config", str(config), "init").returncode == 0
    blocker = sqlite3.connect(tmp_path / "monitor.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        result = run_monitor("--config", str(config), "poll", "--all")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert result.returncode == 1
    assert "locked" in result.stderr and "Traceback" not in result.stderr
    export = run_monitor("--config", str(config), "export")
    assert export.returncode == 0 and export.stdout == ""


@pytest.mark.parametrize(
    ("section", "line", "message"),
    [
        ('digest:\n  time: "25:00"\n', 4, "time"),
        ("stories:\n  threshold: abc\n", 4, "threshold"),
    ],
)
def test_mistakes_in_other_sections_are_refused_before_anything_runs(
    tmp_path: Path, section: str, line: int, message: str
) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text("feeds:\n  - url: https://a.example/rss\n" + section)
    for command in (["poll"], ["feeds", "list"]):
        result = run_monitor("--config", str(config), *command)
        assert result.returncode == 1, result.stdout
        assert f"{config}:{line}: " in result.stderr and message in result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "monitor.db").exists()


def test_reading_commands_never_create_a_database(tmp_path: Path) -> None:
    config = write_config(tmp_path / "feeds.yaml", [{"url": "https://a.example/rss"}])
    for command in (["export"], ["search", "x"], ["stats"], ["stories"]):
        result = run_monitor("--config", str(config), "--db", str(tmp_path / "typo" / "m.db"), *command)
        assert result.returncode == 1 and "run `monitor init` first" in result.stderr, command
    assert not (tmp_path / "typo").exists()


def test_feed_text_cannot_drive_a_terminal_or_a_spreadsheet(
    tmp_path: Path, server: FeedServer, feed_dir: Path
) -> None:
    formula = '=HYPERLINK("http://127.0.0.1/x","click me")'
    items = [
        {"id": "1", "url": "https://x.example/1", "title": formula, "content_text": "Quarterly figures."},
        {
            "id": "2",
            "url": "https://x.example/2",
            "title": "Red \x1b[31mALERT\x1b[0m \x1b]0;pwned\x07 figures \u202eflipped",
            "content_text": "Quarterly figures, in red.",
        },
    ]
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "Hostile", "items": items}
    (feed_dir / "feed.json").write_text(json.dumps(document))
    config = write_config(tmp_path / "feeds.yaml", [{"url": server.url("feed.json")}])
    assert run_monitor("--config", str(config), "poll", "--all").returncode == 0

    as_csv = run_monitor("--config", str(config), "export", "--format", "csv")
    titles = {r["url"]: r["title"] for r in csv.DictReader(io.StringIO(as_csv.stdout))}
    assert titles["https://x.example/1"] == "'" + formula  # a spreadsheet shows it as text
    as_json = run_monitor("--config", str(config), "export")
    titles_json = {json.loads(line)["title"] for line in as_json.stdout.splitlines()}
    assert formula in titles_json  # JSON carries the value as is...
    assert any("\u202e" in title for title in titles_json)
    assert not any(ch in as_json.stdout for ch in "\x1b\x07\u202e")  # ...but escaped on the terminal

    found = run_monitor("--config", str(config), "search", "figures")
    assert "2 results" in found.stdout
    assert "Red ALERT figures flipped" in found.stdout
    assert not any(ch in found.stdout for ch in "\x1b\x07\u202e")


def test_a_since_date_is_midnight_in_the_configured_time_zone(tmp_path: Path) -> None:
    config = write_config(tmp_path / "feeds.yaml", [{"url": "https://a.example/rss"}], timezone="Asia/Tokyo")
    assert CliRunner().invoke(main, ["--config", str(config), "init"]).exit_code == 0
    result = CliRunner().invoke(main, ["--config", str(config), "stories", "--since", "2030-01-01"])
    assert result.exit_code == 0, result.output
    assert "since 2030-01-01 00:00 JST" in result.output  # not 09:00, UTC midnight there
    explicit = CliRunner().invoke(main, ["--config", str(config), "stories", "--since", "2030-01-01T00:00Z"])
    assert "since 2030-01-01 09:00 JST" in explicit.output


def test_first_use_rough_edges_of_feeds_and_stats(tmp_path: Path) -> None:
    config = write_config(tmp_path / "feeds.yaml", [{"url": "https://a.example/rss"}])
    base = ["--config", str(config)]
    # --language english was dropped without a word; stories --lang English is refused.
    english = run_monitor(*base, "feeds", "add", "https://c.example/rss", "--language", "english")
    assert english.returncode == 2 and "bad language 'english'" in english.stderr
    assert "c.example" not in config.read_text(encoding="utf-8")
    # remove said "Error:" where every other command says "monitor: error:".
    missing = run_monitor(*base, "feeds", "remove", "https://nowhere.example/rss")
    assert missing.returncode == 1
    assert missing.stderr.startswith("monitor: error: no feed https://nowhere.example/rss")
    listing = run_monitor(*base, "feeds", "list")
    assert listing.stdout.rstrip().endswith("\n1 feed")  # not "1 feeds"
    assert run_monitor(*base, "init").returncode == 0
    stats = run_monitor(*base, "stats")
    lines = stats.stdout.splitlines()
    assert lines[0].split() == ["ARTICLES", "STATE", "ERRORS", "LAST", "POLL", "NEXT", "DUE", "FEED"]
    assert lines[1].split()[:3] == ["0", "new", "0"] and lines[1].endswith("https://a.example/rss")
    assert lines[-1] == "1 feed, 0 articles, 0 stories"


def test_pyproject_license_is_an_spdx_string_with_a_setuptools_that_reads_it() -> None:
    # The table form (license = {text = ...}) made setuptools print three deprecation banners.
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "MIT"
    assert project["build-system"]["requires"] == ["setuptools>=77"]  # PEP 639 support came in 77


def stored_articles(db: Path, count: int, text: str) -> None:
    """`count` articles of one feed, stored straight into a real database."""
    from datetime import UTC, datetime, timedelta

    from monitor.config import FeedConfig
    from monitor.ingest.parse import Entry
    from monitor.store import Store

    from .conftest import ok_update

    now = datetime.now(UTC)
    entries = [
        Entry(
            guid=f"g{i}",
            url=f"https://a.example/{i}",
            link=None,
            title=f"Bitcoin and banks {i}",
            text=text,
            html="",
            published=now - timedelta(minutes=i),
            published_estimated=False,
            language="en",
            language_source=None,
            author=None,
            content_hash=str(i),
        )
        for i in range(count)
    ]
    store = Store.open(db)
    try:
        store.sync_feeds([FeedConfig(url="https://a.example/")])
        feed = store.feeds()[0]
        store.record_poll(feed, ok_update(now), entries, url=feed.url, duration_ms=1, size=1)
    finally:
        store.close()


def test_search_takes_every_word_and_checks_its_limit_and_size(tmp_path: Path) -> None:
    db = tmp_path / "monitor.db"
    stored_articles(db, 300, " ".join(["the cat sat on the mat and the dog"] * 60))
    runner = CliRunner()

    def search(*args: str) -> tuple[int, str]:
        config = str(tmp_path / "none.yaml")
        result = runner.invoke(main, ["--config", config, "--db", str(db), "search", *args])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result.exit_code, result.output

    code, output = search("bitcoin", "banks", "--limit", "3")
    assert code == 0 and output.endswith("3 results\n"), output
    assert "[cat]" not in output and "the cat sat" in output  # title hits: the text's start
    code, output = search("cat", "dog", "--limit", "1")
    assert code == 0 and "[cat]" in output and "[dog]" in output
    huge = "99999999999999999999"
    for limit, words in (("0", "not 0"), ("-1", "not -1"), (huge, "not a number that large")):
        code, output = search("cat", "--limit", limit)
        assert code == 2 and f"--limit': from 1 to 1000 results, {words}" in output, output
    # Long queries (issue 23): up to 1,000 terms, a common word repeated as well; the
    # speed on 200,000 articles is bench/search.py's.
    code, output = search(*" OR ".join(["the"] * 1000).split(), "--limit", "1000")
    assert code == 0 and output.endswith("300 results\n")
    code, output = search(*" OR ".join(f"w{i}" for i in range(999)).split(), "OR", "cat")
    assert code == 0 and output.endswith("20 results\n")
    code, output = search(*" OR ".join(["the"] * 1001).split())
    assert code == 2 and "more than 1000 terms at position 7001 of" in output, output
    # Bad syntax is an error with its position, as in a watch's query; so is a query of only
    # NOT, which would return nearly everything (it returned articles about Biden).
    for query, words in (
        ("foo AND (", "the query ends where a word was expected at position 10 of 'foo AND ('"),
        ("NOT Biden", "a query of only NOT terms would match nearly everything"),
        ("cat )", "a closing parenthesis without its opening one at position 5"),
        ('"cat', "a quote is opened and never closed at position 1"),
        ("cat NEAR dog", "unknown operator 'NEAR'"),
    ):
        code, output = search(query)
        assert code == 2 and words in output and "results" not in output, output


def test_times_people_read_are_in_the_configured_zone_and_json_stays_utc(tmp_path: Path) -> None:
    """search, stats and watch test print local times that name their zone (13:00 CET for
    12:00Z); --json keeps UTC."""
    from .watches_helpers import FEEDS, T0, Item, add, open_store

    feeds = "\n".join(f"  - url: {f.url}\n    name: {f.name}" for f in FEEDS)
    config = tmp_path / "feeds.yaml"
    config.write_text(
        f"settings:\n  database: monitor.db\n  timezone: Europe/Paris\nfeeds:\n{feeds}\n"
        "watches:\n  - name: Cup\n    query: cup\n",
        encoding="utf-8",
    )
    assert T0.isoformat() == "2025-03-01T12:00:00+00:00"
    with open_store(tmp_path / "monitor.db") as store:
        add(store, [Item(0, "Cup final tonight", "", "en", 0)])

    def run(*args: str) -> str:
        result = CliRunner().invoke(main, ["--config", str(config), *args])
        assert result.exit_code == 0, result.output
        return result.output

    assert run("search", "cup").startswith("2025-03-01 13:00 CET  en  Cup final tonight")
    stats = run("stats").splitlines()
    assert "LAST POLL" in stats[0]
    assert next(line for line in stats if "English Daily" in line).count("2025-03-01 13:00 CET") == 1
    assert '"last_polled": "2025-03-01T12:00:00Z"' in run("stats", "--json")
    assert "  2025-03-01 13:00 CET en  Cup final tonight  [terms cup]" in run("watch", "test", "Cup")
    listed = json.loads(run("stories", "--json", "--since", "2025-03-01"))
    assert listed[0]["first_published"] == "2025-03-01T12:00:00Z"
    assert "2025-03-01 13:00 CET - 2025-03-01 13:00 CET" in run("stories", "--since", "2025-03-01")


def test_poll_tells_the_stories_stage_progress_as_it_embeds(
    tmp_path: Path, server: FeedServer, feed_dir: Path
) -> None:
    """What `make demo` shows while the stories stage runs (stderr is no terminal here, so
    log lines; with --progress-every 0, one at every chunk of texts embedded)."""
    from monitor.stories.stage import EMBED_CHUNK

    topics = ["harbour", "election", "vaccine", "drought", "railway", "museum"]
    items = [
        {
            "title": f"Report {i} on the {topics[i % len(topics)]}",
            "guid": f"item-{i}",
            "pubDate": f"Fri, 22 Mar 2024 {10 + i // 60:02d}:{i % 60:02d}:00 GMT",
            "description": f"Officials in town {i} spoke about the {topics[i % len(topics)]} on day {i}.",
        }
        for i in range(EMBED_CHUNK + 8)
    ]
    (feed_dir / "en.xml").write_text(rss(items))
    config = write_config(tmp_path / "feeds.yaml", [{"url": server.url("en.xml")}])
    poll = run_monitor("--config", str(config), "--progress-every", "0", "poll", "--all")
    assert poll.returncode == 0, poll.stderr
    assert f"event=progress step='stories' done={EMBED_CHUNK}/{len(items)} articles" in poll.stderr
    assert f"event=done step='stories' done={len(items)}/{len(items)} articles" in poll.stderr
    assert f"stories: {len(items)} articles" in poll.stdout


def test_progress_lines_come_every_2_s_from_a_command_and_every_10_s_from_the_daemon() -> None:
    from monitor.cli.main import progress_interval

    assert progress_interval("poll", None) == 2.0
    assert progress_interval("db", None) == 2.0
    assert progress_interval("run", None) == 10.0
    assert progress_interval("run", 0.5) == 0.5
    result = CliRunner().invoke(main, ["--progress-every", "-1", "stats"])
    assert result.exit_code == 2 and "--progress-every" in result.output
