"""The daily digest: config, choosing and ranking, rendering, and exactly-once delivery
against a real SMTP server (aiosmtpd) that the test starts."""

from __future__ import annotations

import email
import hashlib
import socketserver
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email.message import Message
from email.policy import default as default_policy
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.cli import main
from monitor.config import Config, FeedConfig, load_config
from monitor.deliver.digest import (
    build_digest,
    claim_ready,
    digest_problems,
    run_due_digests,
    send_digest_now,
    write_digest_html,
)
from monitor.deliver.rank import (
    ArticleRow,
    DayFigures,
    Digest,
    Link,
    StoryRow,
    StoryView,
    digest_window,
    due_at,
    due_day,
    lead_of,
    one_link,
    pick_headline,
    retry_delay,
    safe_url,
    select_stories,
)
from monitor.deliver.render import compose_message, render_digest
from monitor.deliver.settings import DigestConfig, Recipient, load_digest_config
from monitor.errors import ConfigError
from monitor.ingest.parse import Entry, parse_feed
from monitor.metrics import DAEMON
from monitor.outlets import outlet_name
from monitor.store import FeedState, Store
from monitor.web.views import day_window

from .conftest import free_port, ok_update

SANITIZE = Path(__file__).parent / "fixtures" / "sanitize"
DAY = date(2026, 3, 9)  # the day covered; its digest is due at 07:00 Europe/Paris the next day
DUE = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
IN_DAY = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)


# --- a real SMTP server -------------------------------------------------------------


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps what it receives (and may refuse recipients)."""

    refuse: set[str] = field(default_factory=set)
    messages: list[tuple[Envelope, Message]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.messages.append((envelope, email.message_from_bytes(content, policy=default_policy)))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.mailbox = Mailbox()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


class _Garbage(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.sendall(b"\x00\xffHELLO? this is not SMTP at all\r\n")
        try:
            self.request.recv(1024)
            self.request.sendall(b"???\r\n")
        except OSError:
            pass


class _Silent(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.server.released.wait(10)  # type: ignore[attr-defined]


@pytest.fixture
def odd_server() -> Iterator[Callable[[type[socketserver.BaseRequestHandler]], int]]:
    """Start a TCP server on 127.0.0.1 with a handler that does not speak SMTP."""
    servers: list[socketserver.ThreadingTCPServer] = []

    def start(handler: type[socketserver.BaseRequestHandler]) -> int:
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        server.released = threading.Event()  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return int(server.server_address[1])

    yield start
    for server in servers:
        server.released.set()  # type: ignore[attr-defined]
        server.shutdown()
        server.server_close()


# --- building a store with stories --------------------------------------------------


def config_text(port: int, *, extra: str = "", recipients: str | None = None, smtp_extra: str = "") -> str:
    recipients = recipients or (
        "    - address: reader@example.org\n      languages: [fr, en]\n    - ar@example.org\n"
    )
    return (
        "settings:\n  database: monitor.db\n  allow_private_addresses: true\n"
        "feeds: []\n"
        "digest:\n"
        '  time: "07:00"\n'
        "  timezone: Europe/Paris\n"
        '  from: "monitor <digest@monitor.example>"\n'
        f"{extra}"
        "  recipients:\n"
        f"{recipients}"
        "  smtp:\n"
        "    host: 127.0.0.1\n"
        f"    port: {port}\n"
        "    security: none\n"
        "    timeout: 2\n"
        f"{smtp_extra}"
    )


def write(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


class World:
    """A real SQLite store in tmp_path with feeds, articles and stories made by the test."""

    def __init__(self, path: Path) -> None:
        self.store = Store.open(path)
        self.feeds: dict[str, FeedState] = {}
        self.counter = 0

    def feed(self, name: str, language: str, tags: tuple[str, ...] = ()) -> FeedState:
        if name not in self.feeds:
            url = f"https://{hashlib.sha1(name.encode()).hexdigest()[:8]}.example/feed"
            configs = [
                FeedConfig(url=f.url, name=n, language=f.language, tags=f.tags) for n, f in self.feeds.items()
            ]
            configs.append(FeedConfig(url=url, name=name, language=language, tags=tags))
            self.store.sync_feeds(configs)
            state = self.store.feed_by_url(url)
            assert state is not None
            self.feeds[name] = state
        return self.feeds[name]

    def article(
        self,
        outlet: str,
        language: str,
        title: str,
        published: datetime,
        *,
        text: str = "",
        url: str | None = None,
        tags: tuple[str, ...] = (),
    ) -> int:
        self.counter += 1
        feed = self.feed(outlet, language, tags)
        entry = Entry(
            guid=f"guid-{self.counter}",
            url=url if url is not None else f"https://{outlet.split()[0].lower()}.example/{self.counter}",
            link=None,
            title=title,
            text=text or f"{title}. More about it.",
            html="",
            published=published,
            published_estimated=False,
            language=language,
            language_source="feed",
            author=None,
            content_hash=hashlib.sha256(f"{self.counter}{title}".encode()).hexdigest(),
        )
        update = ok_update(published)
        self.store.record_poll(feed, update, [entry], url=feed.url, duration_ms=1, size=1)
        row = self.store.query("SELECT id FROM articles WHERE guid = ?", [entry.guid])
        return int(row[0]["id"])

    def story(self, article_ids: list[int], headline: int | None = None) -> int:
        story_id = int(
            self.store.db.execute(
                "INSERT INTO stories (first_seen, headline_article_id) VALUES (?, ?) RETURNING id",
                ["2026-03-01T00:00:00Z", headline or article_ids[0]],
            ).fetchone()[0]
        )
        marks = ",".join("?" * len(article_ids))
        self.store.db.execute(
            f"UPDATE articles SET story_id = ? WHERE id IN ({marks})", [story_id, *article_ids]
        )
        return story_id

    def copy_of(self, article_id: int, original_id: int) -> None:
        self.store.db.execute("UPDATE articles SET duplicate_of = ? WHERE id = ?", [original_id, article_id])


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path / "monitor.db")
    yield w
    w.store.close()


def three_stories(w: World) -> dict[str, int]:
    """A big multilingual story with a wire copy, a small one, and one from last week."""
    t = IN_DAY
    en = w.article(
        "Reuters",
        "en",
        "Earthquake hits the coast",
        t,
        text="A strong earthquake hit the coast. "
        "Hundreds were evacuated. Officials gave figures in the afternoon.",
    )
    copy = w.article("Daily Wire Copy", "en", "Earthquake hits the coast", t + timedelta(minutes=30))
    w.copy_of(copy, en)
    fr = w.article(
        "Le Monde — International",
        "fr",
        "Un séisme frappe la côte",
        t + timedelta(hours=1),
        text="Un fort séisme a frappé la côte. Des centaines de personnes ont été évacuées.",
    )
    fr2 = w.article("Libération", "fr", "Séisme : le bilan s'alourdit", t + timedelta(hours=3))
    ar = w.article("Al Jazeera", "ar", "زلزال يضرب الساحل", t + timedelta(hours=2))
    zh = w.article("Xinhua", "zh", "地震袭击海岸", t + timedelta(hours=2))
    ru = w.article("RIA", "ru", "Землетрясение на побережье", t - timedelta(hours=30))  # before the window
    quake = w.story([en, copy, fr, fr2, ar, zh, ru], headline=en)
    small = w.story([w.article("BBC News — World", "en", "Local election results", t + timedelta(hours=4))])
    old = w.story([w.article("BBC News — World", "en", "Last week's news", t - timedelta(days=6))])
    return {"quake": quake, "small": small, "old": old, "quake_fr": fr, "quake_en": en}


# --- configuration ------------------------------------------------------------------


def test_config_is_read_into_frozen_dataclasses(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        config_text(
            2525,
            extra="  max_stories: 5\n  when_empty: skip\n",
            smtp_extra="    username: me\n    password_env: MONITOR_SMTP_PASSWORD\n",
        ),
    )
    cfg = load_digest_config(config)
    assert cfg is not None
    assert cfg.send_time.hour == 7 and cfg.timezone == "Europe/Paris"
    assert cfg.max_stories == 5 and cfg.when_empty == "skip"
    assert cfg.recipients == (
        Recipient("reader@example.org", ("fr", "en"), ()),
        Recipient("ar@example.org", (), ()),
    )
    assert cfg.smtp.port == 2525 and cfg.smtp.security == "none" and cfg.smtp.username == "me"
    assert cfg.smtp.password_env == "MONITOR_SMTP_PASSWORD" and not hasattr(cfg.smtp, "password")


@pytest.mark.parametrize(
    ("mutate", "line", "words"),
    [
        (lambda t: t.replace('time: "07:00"', 'time: "25:00"'), 6, "bad time"),
        (lambda t: t.replace("Europe/Paris", "Mars/Olympus"), 7, "unknown time zone"),
        (lambda t: t.replace("reader@example.org", "not an address"), 10, "not an e-mail address"),
        (lambda t: t.replace("    - ar@example.org\n", "    - ar@@example\n"), 12, "not an e-mail address"),
        (lambda t: t.replace("    security: none\n", "    security: tls\n"), 16, "starttls, ssl or none"),
        (lambda t: t.replace("    timeout: 2\n", "    password: hunter2\n"), 17, "never write the password"),
        (lambda t: t.replace("  timezone:", "  colour: red\n  timezone:"), 7, "unknown key"),
        (lambda t: t.replace("languages: [fr, en]", "languages: [fr, 42x]"), 11, "language codes"),
        (lambda t: t.replace("  recipients:\n", "  max_stories: 0\n  recipients:\n"), 9, "from 1 to 200"),
    ],
)
def test_config_errors_name_the_line(
    tmp_path: Path, mutate: Callable[[str], str], line: int, words: str
) -> None:
    config = write(tmp_path, mutate(config_text(2525)))
    with pytest.raises(ConfigError) as caught:
        load_digest_config(config)
    assert caught.value.line == line, str(caught.value)
    assert words in caught.value.message
    assert "hunter2" not in str(caught.value)


def test_no_digest_section_means_no_digest(tmp_path: Path) -> None:
    config = write(tmp_path, "feeds: []\n")
    assert load_digest_config(config) is None


def test_password_comes_from_the_environment_or_a_file(tmp_path: Path) -> None:
    from monitor.deliver.settings import DigestError, smtp_password

    config = write(tmp_path, config_text(25, smtp_extra="    password_env: DIGEST_PW\n"))
    cfg = load_digest_config(config)
    assert cfg is not None
    assert smtp_password(cfg.smtp, {"DIGEST_PW": "s3cret"}) == "s3cret"
    with pytest.raises(DigestError, match="DIGEST_PW"):
        smtp_password(cfg.smtp, {})
    (tmp_path / "pw").write_text("from-file\n", encoding="utf-8")
    config = write(tmp_path, config_text(25, smtp_extra="    password_file: pw\n"))
    cfg = load_digest_config(config)
    assert cfg is not None and smtp_password(cfg.smtp, {}) == "from-file"


# --- pure decisions -----------------------------------------------------------------


def test_due_day_and_window_follow_the_configured_zone() -> None:
    cfg = DigestConfig(timezone="Europe/Paris")
    assert due_day(datetime(2026, 3, 10, 5, 59, tzinfo=UTC), cfg) is None
    assert due_day(datetime(2026, 3, 10, 6, 0, tzinfo=UTC), cfg) == DAY
    assert due_day(datetime(2026, 3, 10, 23, 30, tzinfo=UTC), cfg) is None  # 00:30 on the 11th in Paris
    start, end = digest_window(DAY, cfg)
    assert (start, end) == (datetime(2026, 3, 8, 23, 0, tzinfo=UTC), datetime(2026, 3, 9, 23, 0, tzinfo=UTC))
    # Summer time: midnight in Paris is 22:00 UTC the day before.
    assert digest_window(date(2026, 7, 1), cfg)[1] == datetime(2026, 7, 1, 22, 0, tzinfo=UTC)


def test_retry_backoff_doubles_up_to_an_hour() -> None:
    delays = [retry_delay(n).total_seconds() for n in range(1, 10)]
    assert delays[:4] == [60, 120, 240, 480]
    assert delays[-1] == 3600 and delays == sorted(delays)


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://news.example/a?b=1", True),
        ("http://news.example/", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox", False),
        ("/relative/path", False),
        ('https://x.example/"onmouseover="alert(1)', False),
        (None, False),
    ],
)
def test_only_http_links_survive(url: str | None, safe: bool) -> None:
    assert (safe_url(url) is not None) is safe


def test_outlet_names_fold_sections_and_editions() -> None:
    assert outlet_name("The Guardian — World", None, "https://x") == "The Guardian"
    assert outlet_name("Le Monde (ru)", None, "https://x") == "Le Monde"
    assert outlet_name(None, None, "https://rss.nytimes.com/x.xml") == "nytimes.com"


def test_lead_is_about_two_lines_of_whole_sentences() -> None:
    text = "First sentence is here. " * 30
    lead = lead_of(text)
    assert len(lead) <= 280 and lead.endswith(".")
    assert lead_of("<p>Short <b>one</b>.</p><script>evil()</script>") == "Short one."


def _row(i: int, lang: str, minutes: int, dup: int | None = None, title: str | None = None) -> ArticleRow:
    return ArticleRow(
        id=i,
        story_id=1,
        title=title or f"{lang} title {i}",
        text="",
        url=None,
        language=lang,
        published=IN_DAY + timedelta(minutes=minutes),
        duplicate_of=dup,
        feed_id=i,
        outlet=f"Outlet {i}",
    )


def test_headline_prefers_the_central_article_then_the_earliest_in_the_language() -> None:
    rows = [_row(1, "en", 0), _row(2, "fr", 10), _row(3, "fr", 5), _row(4, "de", 1)]
    central_en = StoryRow(1, headline_article_id=1, first_seen=None)
    central_fr = StoryRow(1, headline_article_id=2, first_seen=None)
    assert pick_headline(central_fr, rows, ["fr", "en"]).id == 2  # central and in French
    assert pick_headline(central_en, rows, ["fr", "en"]).id == 3  # earliest French
    assert pick_headline(central_en, rows, ["de"]).id == 4
    assert pick_headline(central_fr, rows, ["ja"]).id == 2  # none in Japanese: the central one
    assert pick_headline(central_fr, rows, []).id == 2


def test_ranking_counts_wire_copies_once_and_filters_by_tags() -> None:
    big = [_row(1, "en", 0), _row(2, "en", 1, dup=1), _row(3, "en", 2, dup=1), _row(4, "fr", 3)]
    wide = [
        ArticleRow(**{**_row(i, lang, i).__dict__, "story_id": 2})
        for i, lang in [(10, "en"), (11, "de"), (12, "es")]
    ]
    tagged = [ArticleRow(**{**_row(20, "en", 5).__dict__, "story_id": 3, "feed_tags": ("sport",)})]
    stories = [StoryRow(1, 1, None), StoryRow(2, 10, None), StoryRow(3, 20, None)]
    start, end = IN_DAY - timedelta(hours=6), IN_DAY + timedelta(hours=18)
    views, total = select_stories(stories, big + wide + tagged, start, end, None, frozenset(), 10)
    assert total == 3
    by_id = {v.id: v for v in views}
    assert by_id[1].outlets == 2  # four articles, two of them copies of the first
    assert by_id[1].links[0][1][0].copies == ("Outlet 2", "Outlet 3")
    assert [v.id for v in views][:2] == [2, 1]  # three outlets in three languages beat two
    sport = Recipient("s@example.org", tags=("sport",))
    views, total = select_stories(stories, big + wide + tagged, start, end, sport, frozenset(), 10)
    assert [v.id for v in views] == [3] and total == 1
    views, total = select_stories(stories, big + wide + tagged, start, end, None, frozenset(), 1)
    assert len(views) == 1 and total == 3


# --- building and rendering from the store ------------------------------------------


def test_digest_of_a_day_from_the_store(world: World) -> None:
    ids = three_stories(world)
    cfg = DigestConfig(timezone="Europe/Paris")
    reader = Recipient("reader@example.org", languages=("fr", "en"))
    digest = build_digest(world.store, cfg, DAY, reader)
    assert [s.id for s in digest.stories] == [ids["quake"], ids["small"]]  # last week's is out
    quake = digest.stories[0]
    assert quake.headline == "Un séisme frappe la côte"  # the earliest French article
    assert quake.lead.startswith("Un fort séisme a frappé la côte.")
    assert quake.outlets == 6  # the wire copy is folded into Reuters
    assert set(quake.languages) == {"en", "fr", "ar", "zh", "ru"}
    assert quake.first_outlet == "RIA"  # reported first, before the window
    assert quake.new_articles == 6
    assert [lang for lang, _ in quake.links] == ["fr"] and quake.other_versions == 5  # one link, 5 more
    every = build_digest(world.store, replace(cfg, versions="all"), DAY, reader).stories[0]
    assert [lang for lang, _ in every.links][:2] == ["fr", "en"]  # the reader's languages first
    english = dict(every.links)["en"]
    assert [(link.outlet, link.copies) for link in english] == [("Reuters", ("Daily Wire Copy",))]
    assert digest.figures.articles == 9 - 2  # published in the window
    assert digest.figures.stories == 2
    english_reader = build_digest(world.store, cfg, DAY, Recipient("e@example.org", languages=("en",)))
    assert english_reader.stories[0].headline == "Earthquake hits the coast"


def test_message_parts_headers_and_scripts(world: World) -> None:
    three_stories(world)
    cfg = DigestConfig(timezone="Europe/Paris", sender="monitor <digest@monitor.example>", versions="all")
    digest = build_digest(world.store, cfg, DAY, Recipient("ar@example.org", languages=("ar",)))
    now = datetime(2026, 3, 10, 6, 0, 5, tzinfo=UTC)
    raw = compose_message(digest, cfg, "ar@example.org", now=now).as_bytes()
    message = email.message_from_bytes(raw, policy=default_policy)
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())  # type: ignore[attr-defined]
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert "2026-03-09" in message["Subject"] and "2 stories" in message["Subject"]
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@monitor.example>")
    assert email.utils.parsedate_to_datetime(message["Date"]) == now
    text, page = parts[0].get_content(), parts[1].get_content()
    for headline in ("زلزال يضرب الساحل", "Local election results"):
        assert headline in text and headline in page
    assert 'dir="auto"' in page and "<script" not in page and "http" not in page.split("<body", 1)[0]
    assert "src=" not in page  # no images, fonts or scripts from elsewhere
    assert "Землетрясение на побережье" in text  # the Russian link, grouped under Russian
    assert "Russian:" in text and "地震袭击海岸" in page


def test_continuing_story_is_marked_with_what_is_new(world: World, tmp_path: Path, smtp: SmtpServer) -> None:
    ids = three_stories(world)
    config = write(tmp_path, config_text(smtp.port))
    run_due_digests(world.store, config, DUE)
    later = DUE + timedelta(days=1)
    world.store.db.execute(
        "UPDATE articles SET story_id = ? WHERE id = ?",
        [
            ids["quake"],
            # 22:00 in Paris on the next day
            world.article("Der Spiegel", "de", "Erdbeben an der Küste", later - timedelta(hours=9)),
        ],
    )
    cfg = load_digest_config(config)
    assert cfg is not None
    digest = build_digest(world.store, cfg, DAY + timedelta(days=1), cfg.recipients[0])
    assert [s.id for s in digest.stories] == [ids["quake"]]
    story = digest.stories[0]
    assert story.continued
    assert story.new_since == "1 new article; new outlets: Der Spiegel; new languages: de"
    text, page = render_digest(digest, cfg)
    assert "continued from yesterday" in text.lower() and "Continued from yesterday" in page


def test_a_day_without_stories(world: World, tmp_path: Path, smtp: SmtpServer) -> None:
    config = write(tmp_path, config_text(smtp.port))
    notes = run_due_digests(world.store, config, DUE)
    assert len(smtp.mailbox.messages) == 2 and all("sent" in n for n in notes)
    body = smtp.mailbox.messages[0][1].get_body(("plain",))
    assert body is not None and "No new stories" in body.get_content()
    assert "no new stories" in smtp.mailbox.messages[0][1]["Subject"]
    skip = write(tmp_path, config_text(smtp.port, extra="  when_empty: skip\n"))
    notes = run_due_digests(world.store, skip, DUE + timedelta(days=1))
    assert len(smtp.mailbox.messages) == 2
    assert notes == [
        f"{DAY + timedelta(days=1)} reader@example.org: no stories, skipped",
        f"{DAY + timedelta(days=1)} ar@example.org: no stories, skipped",
    ]


# --- delivery -----------------------------------------------------------------------


def test_sent_once_per_recipient_per_day_even_after_a_restart(
    world: World, tmp_path: Path, smtp: SmtpServer
) -> None:
    three_stories(world)
    config = write(tmp_path, config_text(smtp.port))
    assert run_due_digests(world.store, config, DUE - timedelta(minutes=1)) == []  # not yet due
    notes = run_due_digests(world.store, config, DUE + timedelta(seconds=30))
    assert sorted(notes) == [f"{DAY} ar@example.org: sent", f"{DAY} reader@example.org: sent"]
    assert sorted(env.rcpt_tos[0] for env, _ in smtp.mailbox.messages) == [
        "ar@example.org",
        "reader@example.org",
    ]
    assert run_due_digests(world.store, config, DUE + timedelta(minutes=1)) == []
    world.store.close()
    world.store = Store.open(tmp_path / "monitor.db")  # a restart: a new process, the same file
    assert run_due_digests(world.store, config, DUE + timedelta(minutes=2)) == []
    assert len(smtp.mailbox.messages) == 2
    rows = world.store.query("SELECT recipient, state, attempts, sent_at FROM digests ORDER BY recipient")
    assert [(r["state"], r["attempts"]) for r in rows] == [("sent", 1), ("sent", 1)]
    _, reader_mail = next(m for m in smtp.mailbox.messages if m[0].rcpt_tos == ["reader@example.org"])
    assert "Un séisme frappe la côte" in reader_mail["Subject"] or "Un séisme frappe la côte" in str(
        reader_mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    )


def sends(outcome: str) -> float:
    """The daemon's metric: digest sends with this outcome so far in this process."""
    return DAEMON.get_sample_value("monitor_digest_sends_total", {"outcome": outcome}) or 0.0


def test_server_down_is_retried_with_backoff_then_sent(world: World, tmp_path: Path) -> None:
    retries, sent = sends("retry"), sends("sent")
    three_stories(world)
    port = free_port()
    config = write(tmp_path, config_text(port, recipients="    - reader@example.org\n"))
    notes = run_due_digests(world.store, config, DUE)
    assert len(notes) == 1 and "retry at 2026-03-10 07:01 CET" in notes[0] and "cannot reach" in notes[0]
    problems = digest_problems(world.store)
    assert len(problems) == 1 and "retrying after 1 attempt, next try" in problems[0]
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "feeds.yaml"), "stats"])
    assert result.exit_code == 0 and "digest 2026-03-09 to reader@example.org: retrying" in result.output
    assert run_due_digests(world.store, config, DUE + timedelta(seconds=30)) == []  # backing off
    notes = run_due_digests(world.store, config, DUE + timedelta(minutes=1))
    assert "retry at 2026-03-10 07:03 CET" in notes[0]  # twice as long
    with SmtpServer(port) as server:
        notes = run_due_digests(world.store, config, DUE + timedelta(minutes=3))
        assert notes == [f"{DAY} reader@example.org: sent"]
        assert len(server.mailbox.messages) == 1
    row = world.store.digest_row(DAY, "reader@example.org")
    assert row is not None and row["state"] == "sent" and row["attempts"] == 3
    assert digest_problems(world.store) == []
    assert (sends("retry") - retries, sends("sent") - sent) == (2, 1)


def test_a_recipient_taken_off_the_list_gets_no_retry(world: World, tmp_path: Path) -> None:
    port = free_port()
    config = write(tmp_path, config_text(port))
    run_due_digests(world.store, config, DUE)  # server down: both wait for a retry
    config = write(tmp_path, config_text(port, recipients="    - reader@example.org\n"))
    with SmtpServer(port) as server:
        notes = run_due_digests(world.store, config, DUE + timedelta(minutes=5))
        assert notes == [f"{DAY} reader@example.org: sent"]
        assert [env.rcpt_tos for env, _ in server.mailbox.messages] == [["reader@example.org"]]


def test_refused_recipient_fails_for_good(world: World, tmp_path: Path, smtp: SmtpServer) -> None:
    smtp.mailbox.refuse.add("ar@example.org")
    config = write(tmp_path, config_text(smtp.port))
    notes = run_due_digests(world.store, config, DUE)
    assert f"{DAY} reader@example.org: sent" in notes
    assert any(n.startswith(f"{DAY} ar@example.org: failed: recipient refused: 550") for n in notes)
    assert run_due_digests(world.store, config, DUE + timedelta(hours=2)) == []
    assert any("ar@example.org: failed after 1 attempt:" in p for p in digest_problems(world.store))


@pytest.mark.parametrize(("handler", "words"), [(_Garbage, "SMTP"), (_Silent, "did not answer within 2 s")])
def test_garbage_or_a_hang_is_an_error_not_a_stuck_sender(
    world: World,
    tmp_path: Path,
    odd_server: Callable[[type[socketserver.BaseRequestHandler]], int],
    handler: type[socketserver.BaseRequestHandler],
    words: str,
) -> None:
    port = odd_server(handler)
    config = write(tmp_path, config_text(port, recipients="    - reader@example.org\n"))
    notes = run_due_digests(world.store, config, DUE)
    assert len(notes) == 1 and "retry at" in notes[0] and words in notes[0], notes
    row = world.store.digest_row(DAY, "reader@example.org")
    assert row is not None and row["state"] == "pending" and words in row["last_error"]


def test_crash_in_the_middle_of_a_send_sends_later_with_the_same_message_id(
    world: World, tmp_path: Path, smtp: SmtpServer
) -> None:
    three_stories(world)
    config = write(tmp_path, config_text(smtp.port, recipients="    - reader@example.org\n"))
    cfg = load_digest_config(config)
    assert cfg is not None
    # Record the digest and claim it, then "crash": the process dies before recording an outcome.
    from monitor.deliver.digest import prepare_day

    prepare_day(world.store, config, cfg, DAY, DUE)
    jobs = claim_ready(world.store, cfg, DUE)
    assert len(jobs) == 1
    message_id = world.store.digest_row(DAY, "reader@example.org")["message_id"]  # type: ignore[index]
    world.store.close()
    world.store = Store.open(tmp_path / "monitor.db")
    assert run_due_digests(world.store, config, DUE + timedelta(seconds=30)) == []  # may still be sending
    notes = run_due_digests(world.store, config, DUE + timedelta(minutes=10))
    assert notes == [f"{DAY} reader@example.org: sent"]
    assert len(smtp.mailbox.messages) == 1
    assert smtp.mailbox.messages[0][1]["Message-ID"] == message_id
    assert run_due_digests(world.store, config, DUE + timedelta(minutes=20)) == []


def test_cli_writes_html_and_sends_once(world: World, tmp_path: Path, smtp: SmtpServer) -> None:
    three_stories(world)
    write(tmp_path, config_text(smtp.port))
    base = [
        "--config",
        str(tmp_path / "feeds.yaml"),
        "--db",
        str(tmp_path / "monitor.db"),
        "digest",
        "--date",
        DAY.isoformat(),
    ]
    out = tmp_path / "out" / "digest.html"
    result = CliRunner().invoke(main, [*base, "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "Un séisme frappe la côte" in out.read_text(encoding="utf-8")
    result = CliRunner().invoke(main, base)
    assert result.exit_code == 0 and "Un séisme frappe la côte" in result.output and not smtp.mailbox.messages
    result = CliRunner().invoke(main, [*base, "--send"])
    assert result.exit_code == 0, result.output
    assert len(smtp.mailbox.messages) == 2
    result = CliRunner().invoke(main, [*base, "--send"])
    assert result.exit_code == 0 and "already sent" in result.output
    assert len(smtp.mailbox.messages) == 2
    result = CliRunner().invoke(main, [*base, "--date", "yesterday"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    result = CliRunner().invoke(main, [*base, "--output", str(out), "--send"])
    assert result.exit_code == 2


def test_cli_send_without_a_digest_section_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "feeds.yaml").write_text("settings:\n  database: monitor.db\nfeeds: []\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "feeds.yaml"), "digest", "--send"])
    assert result.exit_code == 1 and "no 'digest:' section" in result.output


def test_send_now_tries_a_digest_waiting_for_its_retry(world: World, tmp_path: Path) -> None:
    port = free_port()
    config = write(tmp_path, config_text(port, recipients="    - reader@example.org\n"))
    run_due_digests(world.store, config, DUE)  # server down: retry in a minute
    with SmtpServer(port) as server:
        notes = send_digest_now(world.store, config, DAY, now=DUE + timedelta(seconds=5))
        assert notes == [f"{DAY} reader@example.org: sent"] and len(server.mailbox.messages) == 1


def test_write_digest_html_for_the_demo(world: World, tmp_path: Path) -> None:
    three_stories(world)
    config = write(tmp_path, "settings:\n  database: monitor.db\n  languages: [en]\nfeeds: []\n")
    path = write_digest_html(world.store, config, DAY, tmp_path / "db" / "digest-demo.html")
    page = path.read_text(encoding="utf-8")
    assert "Earthquake hits the coast" in page  # no digest section: the settings' languages
    latest = write_digest_html(world.store, config, None, tmp_path / "latest.html")
    assert "Local election results" in latest.read_text(encoding="utf-8")  # the day of the newest story


# --- daemon -------------------------------------------------------------------------


def test_the_daemon_sends_once_across_a_restart(tmp_path: Path, smtp: SmtpServer) -> None:
    """`monitor run` sends the due digest at start, and a restarted daemon does not send it again."""
    now = datetime.now(UTC)
    earlier = (now - timedelta(minutes=5)).strftime("%H:%M")
    if now.strftime("%H:%M") < earlier:  # just after midnight UTC: pick 00:00
        earlier = "00:00"
    text = config_text(smtp.port, recipients="    - reader@example.org\n")
    text = text.replace('time: "07:00"', f'time: "{earlier}"').replace("Europe/Paris", "UTC")
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")

    def run_daemon(until: Callable[[list[str]], bool]) -> str:
        process = subprocess.Popen(
            [sys.executable, "-m", "monitor", "-vv", "--config", str(path), "run"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines: list[str] = []
        threading.Thread(target=lambda: lines.extend(process.stdout or []), daemon=True).start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not until(lines) and process.poll() is None:
            time.sleep(0.1)
        process.terminate()
        assert process.wait(timeout=15) == 0
        return "".join(lines)

    output = run_daemon(lambda _lines: len(smtp.mailbox.messages) >= 1)
    assert len(smtp.mailbox.messages) == 1, output
    # The second run: stop once its digest job has run (its debug log line says so).
    output = run_daemon(lambda lines: any("event=digest_checked" in line for line in lines))
    assert "event=digest_checked" in output, output
    assert len(smtp.mailbox.messages) == 1
    with sqlite3.connect(tmp_path / "monitor.db") as conn:
        assert conn.execute("SELECT state, attempts FROM digests").fetchall() == [("sent", 1)]


# --- hostile feed content -----------------------------------------------------------

ACTIVE_TAGS = frozenset(
    {
        "script",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "img",
        "link",
        "style",
        "base",
        "form",
        "input",
        "button",
        "svg",
        "math",
        "video",
        "audio",
        "source",
        "blink",
        "marquee",
        "noscript",
    }
)


URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "background", "lowsrc", "dynsrc"})


class ActiveContent(HTMLParser):
    """Collects what in an HTML page could run or call home."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.structure: list[tuple[str, tuple[str, ...]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.structure.append((tag, tuple(sorted(name for name, _ in attrs))))
        if tag in ACTIVE_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and not ({n for n, _ in attrs} <= {"charset", "name", "content"}):
            self.problems.append(f"<meta {attrs}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}=")
            if name in URL_ATTRIBUTES and not (value or "").startswith(("http://", "https://")):
                self.problems.append(f"{tag} {name}={value!r}")
            if name == "style" and any(
                w in (value or "").lower() for w in ("url(", "expression", "javascript")
            ):
                self.problems.append(f"{tag} style={value!r}")


def active_content(page: str) -> ActiveContent:
    checker = ActiveContent()
    checker.feed(page)
    checker.close()
    return checker


def sanitize_cases() -> list[Path]:
    return sorted(SANITIZE.glob("*.xml"))


def hostile_world(world: World) -> list[int]:
    """One story per feedparser sanitizer case, twice: as monitor parses it, and raw
    (feedparser's own sanitizer off), so the digest's escaping is tested on its own."""
    story_ids = []
    for case in sanitize_cases():
        content = case.read_bytes()
        parsed = parse_feed(content, url="https://hostile.example/feed.xml", now=IN_DAY)
        raw = feedparser.parse(content, sanitize_html=False)
        versions = []
        for entry in parsed.entries:
            versions.append((entry.title, entry.text, entry.url))
        for entry in raw.entries:
            body = (entry.get("content") or [{}])[0].get("value") or entry.get("summary") or ""
            versions.append((entry.get("title") or body, body, entry.get("link") or "javascript:alert(1)"))
        for title, text, url in versions:
            article = world.article("Hostile feed", "en", title or "untitled", IN_DAY, text=text, url=url)
            story_ids.append(world.story([article]))
    return story_ids


def test_hostile_feed_content_never_reaches_the_mail_active(world: World, tmp_path: Path) -> None:
    assert len(sanitize_cases()) > 150
    story_ids = hostile_world(world)
    stored = world.store.query("SELECT title, text, url FROM articles")
    # The store really holds the attacks (raw, as a careless parser would keep them).
    assert sum("<script" in (r["title"] + r["text"]).lower() for r in stored) > 20
    assert sum(" onload=" in (r["title"] + r["text"]).lower() for r in stored) >= 3
    assert any((r["url"] or "").startswith("javascript:") for r in stored)
    cfg = DigestConfig(timezone="Europe/Paris", max_stories=200)
    digest = build_digest(world.store, cfg, DAY, None)
    assert len(digest.stories) == min(len(story_ids), 200)
    raw = compose_message(digest, cfg, "reader@example.org", now=DUE).as_bytes()
    message = email.message_from_bytes(raw, policy=default_policy)
    page = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    checker = active_content(page)
    assert checker.problems == []
    for story in digest.stories:
        for _lang, links in story.links:
            assert all(link.url is None or link.url.startswith(("http://", "https://")) for link in links)


def test_the_checker_sees_active_content() -> None:
    """The check above can fail: it finds each kind of active content in a page."""
    page = (
        '<p onclick="x()">a</p><script>x()</script><a href="javascript:x()">b</a>'
        '<img src="https://t.example/pixel.gif"><div style="background:url(https://t.example/p)">c</div>'
    )
    assert len(active_content(page).problems) == 5


feed_strings = st.text(
    alphabet=st.sampled_from(list("<>\"'&=/ :;()abcjsvrtipxonlcker")), max_size=30
) | st.lists(
    st.sampled_from(
        [
            "<script>",
            "</script>",
            "javascript:",
            " onerror=",
            "<img src=x ",
            "]]>",
            "<!--",
            "&#x3C;",
            "<a href=",
            "https://x.example/",
            '"',
            "'",
            ">",
            "alert(1)",
            "word ",
        ]
    ),
    max_size=8,
).map("".join)


@settings(max_examples=40, deadline=None)
@given(title=feed_strings, text=feed_strings, url=feed_strings)
def test_feed_strings_never_change_the_markup(title: str, text: str, url: str) -> None:
    """Whatever a feed says, the HTML has the same tags and attributes as with plain words."""

    def page(t: str, body: str, link: str) -> list[tuple[str, tuple[str, ...]]]:
        row = ArticleRow(
            id=1,
            story_id=1,
            title=t,
            text=body,
            url=link,
            language="en",
            published=IN_DAY,
            duplicate_of=None,
            feed_id=1,
            outlet=t or "Outlet",
        )
        views, _ = select_stories(
            [StoryRow(1, 1, None)],
            [row],
            IN_DAY - timedelta(hours=1),
            IN_DAY + timedelta(hours=1),
            None,
            frozenset(),
            5,
        )
        from monitor.deliver.rank import DayFigures, Digest

        digest = Digest(DAY, IN_DAY, IN_DAY, "UTC", None, tuple(views), DayFigures(), 1)
        _text, html = render_digest(digest, DigestConfig())
        checker = active_content(html)
        assert checker.problems == []
        return checker.structure

    from monitor.deliver.rank import plain

    reference_url = "https://a.example/" if safe_url(url) else ""
    assert page(title, text, url) == page("plain", "words" if plain(text) else "", reference_url)


# --- first use: links to the web pages, failures cron can see, recipients --------------------


def test_each_story_links_to_its_web_page_when_base_url_is_set(world: World, tmp_path: Path) -> None:
    three_stories(world)
    config = write(tmp_path, config_text(1, extra='  base_url: "https://news.example.org/monitor/"\n'))
    cfg = load_digest_config(config)
    assert cfg is not None and cfg.base_url == "https://news.example.org/monitor"
    digest = build_digest(world.store, cfg, DAY, cfg.recipients[0])
    text, page = render_digest(digest, cfg)
    first = digest.stories[0].id
    assert f"   The story: https://news.example.org/monitor/stories/{first}\n" in text
    assert f'<a class="story-page" href="https://news.example.org/monitor/stories/{first}"' in page
    plain_text, plain_page = render_digest(digest, load_digest_config(write(tmp_path, config_text(1))))  # type: ignore[arg-type]
    assert "/stories/" not in plain_text and "story-page" not in plain_page


@pytest.mark.parametrize(
    "value",
    ["news.example.org", "ftp://news.example.org", "https://", "https://a.example/?x=1", "https://a.example/#x",
     '"https://a.example/ x"', "javascript:alert(1)", "42"],
)  # fmt: skip
def test_a_bad_base_url_is_refused_with_the_key(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match="base_url"):
        load_digest_config(write(tmp_path, config_text(1, extra=f"  base_url: {value}\n")))


def test_send_exits_non_zero_when_a_digest_was_not_sent(world: World, tmp_path: Path) -> None:
    three_stories(world)
    write(tmp_path, config_text(free_port(), recipients="    - reader@example.org\n"))  # nobody listens
    base = ["--config", str(tmp_path / "feeds.yaml"), "--db", str(tmp_path / "monitor.db"), "digest"]
    result = CliRunner().invoke(main, [*base, "--date", DAY.isoformat(), "--send"])
    assert result.exit_code == 1, result.output
    assert "reader@example.org: not sent, retry at" in result.output
    assert "monitor: error: 1 digest of" in result.output and "not sent" in result.output


def test_an_unknown_recipient_is_refused(world: World, tmp_path: Path) -> None:
    three_stories(world)
    write(tmp_path, config_text(1))
    base = ["--config", str(tmp_path / "feeds.yaml"), "--db", str(tmp_path / "monitor.db"), "digest"]
    result = CliRunner().invoke(main, [*base, "--date", DAY.isoformat(), "--recipient", "nobody@example.org"])
    assert result.exit_code == 2
    assert (
        "'nobody@example.org' is not in digest.recipients (listed: reader@example.org, ar@example.org)"
        in (result.output)
    )
    listed = CliRunner().invoke(main, [*base, "--date", DAY.isoformat(), "--recipient", "AR@example.org"])
    assert listed.exit_code == 0, listed.output


class DripSmtp:
    """An SMTP server on 127.0.0.1 that greets, then answers EHLO one byte every 0.1 s for a
    minute without ending its answer: every read gets a byte well within the client's
    timeout, yet the conversation does not end (issue 11: the digest held its claim past its
    lease and went out twice)."""

    def __init__(self, on_ehlo: Callable[[], object] | None = None) -> None:
        """`on_ehlo`: called once the client's EHLO is in, before any answer to it (the client
        is then in the middle of its conversation); what it returns is kept in `seen`."""
        import asyncio

        self.loop = asyncio.new_event_loop()
        self.connections = 0
        self.seen: list[object] = []
        ready = threading.Event()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            try:
                writer.write(b"220 drip.example ESMTP\r\n")
                await writer.drain()
                await reader.readline()
                if on_ehlo is not None:
                    self.seen.append(on_ehlo())
                for _ in range(60):  # a minute at most: a client without a deadline fails, not hangs
                    for byte in b"250-drip\r\n":
                        writer.write(bytes([byte]))
                        await writer.drain()
                        await asyncio.sleep(0.1)
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()

        async def start() -> None:
            self.server = await asyncio.start_server(handle, "127.0.0.1", 0)
            self.port = int(self.server.sockets[0].getsockname()[1])
            ready.set()

        self.thread = threading.Thread(
            target=lambda: (self.loop.run_until_complete(start()), self.loop.run_forever()), daemon=True
        )
        self.thread.start()
        assert ready.wait(10)

    def close(self) -> None:
        import asyncio

        async def shutdown() -> None:
            self.server.close()
            handlers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in handlers:
                task.cancel()
            await asyncio.gather(*handlers, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


def test_a_server_that_drips_is_cut_off_before_the_claim_lapses(world: World, tmp_path: Path) -> None:
    """The whole conversation has a deadline (5 x timeout) shorter than the claim's lease, so
    a second sender meanwhile finds the digest claimed, and the send ends as a retry, not as
    a 'sending' row that a later run would take for a crash and send again."""
    from monitor.deliver.digest import lease_for
    from monitor.deliver.smtp import conversation_deadline

    written: list[Config] = []

    def second_sender() -> object:
        """Another process's run while the first is in the middle of its conversation."""
        second = Store.open(tmp_path / "monitor.db")
        try:
            row = second.digest_row(DAY, "reader@example.org")
            return (row or {}).get("state"), run_due_digests(second, written[0], DUE + timedelta(seconds=1))
        finally:
            second.close()

    drip = DripSmtp(on_ehlo=second_sender)
    try:
        text = config_text(drip.port, recipients="    - reader@example.org\n")
        text = text.replace("timeout: 2", "timeout: 0.4")
        config = write(tmp_path, text)
        written.append(config)
        cfg = load_digest_config(config)
        assert cfg is not None and conversation_deadline(cfg.smtp) == 2.0
        assert lease_for(cfg).total_seconds() > cfg.smtp.timeout + conversation_deadline(cfg.smtp)
        # The drip never ends: only the conversation's deadline ends the send (said below).
        notes = run_due_digests(world.store, config, DUE)
        assert drip.connections == 1 and drip.seen == [("sending", [])]  # claimed meanwhile
        assert len(notes) == 1 and "did not finish within 2 s" in notes[0] and "retry at" in notes[0], notes
        row = world.store.digest_row(DAY, "reader@example.org")
        assert row is not None and row["state"] == "pending" and row["attempts"] == 1
    finally:
        drip.close()


# --- one day, the reader's languages ------------------------------------------------


def test_a_digest_covers_the_calendar_day_a_web_page_of_that_date_shows(world: World) -> None:
    cfg = DigestConfig(timezone="Europe/Paris")
    zone = ZoneInfo("Europe/Paris")
    for day in (DAY, date(2026, 3, 29), date(2026, 10, 25)):  # an ordinary day, and both clock changes
        window = day_window(day.isoformat(), zone, datetime(2026, 12, 1, tzinfo=UTC))
        assert digest_window(day, cfg) == (window.start, window.end)
    assert digest_window(date(2026, 3, 29), cfg)[1] - digest_window(date(2026, 3, 29), cfg)[0] == timedelta(
        hours=23
    )
    # Sent once the day is over, at `time` the next morning: never before the day's end.
    assert due_at(DAY, cfg) == DUE and due_at(DAY, cfg) > digest_window(DAY, cfg)[1]
    early = world.article(
        "BBC News — World", "en", "Just after midnight", datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
    )
    world.story([early])  # 00:30 on the 10th in Paris: the next day's digest, not this one
    assert [s.headline for s in build_digest(world.store, cfg, DAY, None).stories] == []
    assert [s.headline for s in build_digest(world.store, cfg, DAY + timedelta(days=1), None).stories] == [
        "Just after midnight"
    ]


def test_by_default_a_story_shows_one_link_and_counts_the_other_versions(
    world: World,
) -> None:
    ids = three_stories(world)
    cfg = DigestConfig(timezone="Europe/Paris", base_url="https://news.example.org")
    digest = build_digest(world.store, cfg, DAY, Recipient("reader@example.org", languages=("fr", "en")))
    quake = digest.stories[0]
    # One link, the headline's own version (Le Monde's, in French); the 5 others counted.
    assert [(lang, [link.outlet for link in links]) for lang, links in quake.links] == [("fr", ["Le Monde"])]
    assert quake.other_versions == 5
    assert quake.other_languages[:2] == ("fr", "en") and set(quake.other_languages) == {
        "fr",
        "en",
        "ar",
        "zh",
        "ru",
    }
    text, page = render_digest(digest, cfg)
    assert "Землетрясение на побережье" not in text and "地震袭击海岸" not in page
    assert "Séisme : le bilan s'alourdit" not in text and "Earthquake hits the coast" not in text
    assert "+ 5 more, in French, English, " in text and "Russian" in text.split("+ 5 more", 1)[1]
    assert f'href="https://news.example.org/stories/{ids["quake"]}"' in page.split("other-versions", 1)[1]
    # A reader of none of the story's languages gets the headline's language.
    german = build_digest(world.store, cfg, DAY, Recipient("de@example.org", languages=("de",))).stories[0]
    assert [lang for lang, _ in german.links] == [german.headline_language]
    assert german.other_versions == 5  # 1 more French, 1 each in en, ar, ru, zh
    # versions: all keeps every link.
    every = replace(cfg, versions="all")
    full = build_digest(world.store, every, DAY, Recipient("reader@example.org", languages=("fr", "en")))
    assert len(full.stories[0].links) == 5 and full.stories[0].other_versions == 0


def test_a_story_of_fourteen_articles_shows_one_link_and_13_more(world: World) -> None:
    """Issue 23: one story covered by 14 outlets in the reader's language gave 14 links."""
    ids = [
        world.article(f"Outlet {i}", "en", f"Summit ends, take {i}", IN_DAY + timedelta(minutes=i))
        for i in range(14)
    ]
    world.story(ids, headline=ids[3])
    cfg = DigestConfig(timezone="Europe/Paris")
    digest = build_digest(world.store, cfg, DAY, Recipient("reader@example.org", languages=("en",)))
    (story,) = digest.stories
    assert [(lang, [link.outlet for link in links]) for lang, links in story.links] == [("en", ["Outlet 3"])]
    assert (story.other_versions, story.other_languages) == (13, ("en",))
    text, page = render_digest(digest, cfg)
    assert text.count("https://outlet.example/") == 1 and page.count('href="https://outlet.example/') == 1
    assert "+ 13 more, in English" in text and "13 more</p>" not in page and "13 more, in English" in page


def test_one_link_is_the_headline_version_else_the_first_with_an_address() -> None:
    def link(outlet: str, url: str | None) -> Link:
        return Link(title=outlet, outlet=outlet, url=url, published=IN_DAY)

    groups = (
        ("fr", (link("A", None), link("B", "https://b.example/1"))),
        ("en", (link("C", "https://c.example/"),)),
    )
    shown, rest = one_link(groups, "https://c.example/", "C")
    assert shown == (("en", (groups[1][1][0],)),) and rest == (groups[0],)
    shown, rest = one_link(groups, None, "A")  # A has no address: B, the first that has one
    assert shown == (("fr", (groups[0][1][1],)),)
    assert rest == (("fr", (groups[0][1][0],)), groups[1])
    assert one_link((), None, "A") == ((), ())


def test_a_date_in_the_future_is_refused(world: World, tmp_path: Path) -> None:
    three_stories(world)
    write(tmp_path, config_text(free_port()))
    base = ["--config", str(tmp_path / "feeds.yaml"), "--db", str(tmp_path / "monitor.db"), "digest"]
    today = datetime.now(UTC).astimezone(ZoneInfo("Europe/Paris")).date()
    tomorrow = (today + timedelta(days=1)).isoformat()
    for extra in ([], ["--send"], ["--output", str(tmp_path / "d.html")]):
        result = CliRunner().invoke(main, [*base, "--date", tomorrow, *extra])
        assert result.exit_code == 2, result.output
        assert f"{tomorrow} is in the future" in result.output and "Europe/Paris" in result.output
    assert not (tmp_path / "d.html").exists()
    assert world.store.digest_row(today + timedelta(days=1), "reader@example.org") is None
    result = CliRunner().invoke(main, [*base, "--date", today.isoformat()])  # today so far: shown
    assert result.exit_code == 0, result.output


def test_figures_and_counts_in_the_digest_say_1_story_not_1_stories() -> None:
    view = StoryView(
        id=1, score=1.0, headline="One", headline_language="en", lead="", languages=("en",), outlets=1,
        articles=1, new_articles=1, first_outlet="BBC", first_published=IN_DAY, links=(), other_versions=1,
        other_languages=("fr",),
    )  # fmt: skip
    digest = Digest(DAY, IN_DAY, IN_DAY, "UTC", None, (view,), DayFigures(1, 1, 1, 1), 2)
    text, page = render_digest(digest, DigestConfig())
    for single in (
        "1 feed polled",
        "1 article",
        "1 story",
        "1 failing feed",
        "1 outlet ",
        "+ 1 more, in French",
    ):
        assert single in text, single
    assert "1 smaller story not shown" in text and "1 smaller story not shown" in page
    assert "1 feed polled · 1 article · 1 story · 1 failing feed" in page
    assert " 1 stories" not in text and "1 feeds" not in text and "1 articles" not in text


def test_a_preview_leads_with_the_latest_news_and_a_send_waits_for_the_day_to_end(
    world: World, tmp_path: Path
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    today = now.astimezone(ZoneInfo("Europe/Paris")).date()
    # Five minutes ago, but never before the digest zone's midnight: today's news, so far.
    midnight = datetime.combine(today, datetime.min.time(), ZoneInfo("Europe/Paris")).astimezone(UTC)
    published = max(now - timedelta(minutes=5), midnight)
    world.story([world.article("BBC News — World", "en", "Fresh news", published)])
    write(tmp_path, config_text(free_port()))
    base = ["--config", str(tmp_path / "feeds.yaml"), "digest"]
    result = CliRunner().invoke(main, base)
    assert result.exit_code == 0, result.output
    assert "Fresh news" in result.output and " so far, to " in result.output
    result = CliRunner().invoke(main, [*base, "--date", today.isoformat(), "--send"])
    assert result.exit_code == 1 and "is not over" in result.output
    assert world.store.digest_row(today, "reader@example.org") is None  # nothing recorded for the day
