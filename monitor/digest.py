"""The daily digest: the day's top stories by email, once per recipient per day.

Three layers, kept apart:
- deciding (pure): when a day's digest is due, which stories it holds and in what order,
  which headline each recipient reads, how long to wait before a retry;
- rendering: Jinja2 templates (plain text and HTML with inline CSS) into one
  multipart/alternative message; every string from a feed is reduced to plain text and
  escaped, and only http(s) links survive;
- delivering: a small state machine over the `digests` table (pending -> sending -> sent,
  or back to pending with a retry time, or failed), so that a restart never sends twice and
  a crash in the middle never loses a digest (it is sent again later, with the same
  Message-ID, so a mail client that did get the first copy folds the two).
"""

from __future__ import annotations

import email
import json
import logging
import math
import os
import re
import secrets
import smtplib
import ssl
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from monitor import metrics
from monitor.config import Config, normalize_language
from monitor.errors import ConfigError, MonitorError
from monitor.outlets import outlet_name
from monitor.parse import html_to_text
from monitor.store import Store
from monitor.threads import in_daemon_thread
from monitor.timeutil import iso, parse_iso, utcnow

log = logging.getLogger("monitor.digest")

DIGEST_KEYS = frozenset(
    {"time", "timezone", "from", "recipients", "max_stories", "smtp", "when_empty", "subject"}
)
RECIPIENT_KEYS = frozenset({"address", "languages", "tags"})
SMTP_KEYS = frozenset(
    {"host", "port", "security", "username", "password_env", "password_file", "timeout", "ca_file"}
)
SECURITY_PORTS = {"starttls": 587, "ssl": 465, "none": 25}

RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=24)  # after the due time: the next day's digest takes over
LEAD_CHARS = 280


class DigestError(MonitorError):
    """A digest could not be built or sent."""


# --- configuration ------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpConfig:
    host: str = "localhost"
    port: int = 587
    security: str = "starttls"  # 'starttls', 'ssl' or 'none'
    username: str | None = None
    password_env: str | None = None  # the name of an environment variable, never the password
    password_file: Path | None = None
    timeout: float = 30.0
    ca_file: Path | None = None  # PEM CA certificates to trust instead of the system's trust store


@dataclass(frozen=True)
class Recipient:
    address: str
    languages: tuple[str, ...] = ()  # preferred headline languages, in order
    tags: tuple[str, ...] = ()  # only stories with an article from feeds of these tags


@dataclass(frozen=True)
class DigestConfig:
    send_time: time = time(7, 0)
    timezone: str = "UTC"
    sender: str = "monitor <monitor@localhost>"
    recipients: tuple[Recipient, ...] = ()
    max_stories: int = 15
    when_empty: str = "send"  # 'send' a short digest that says so, or 'skip'
    subject: str = "News digest"
    smtp: SmtpConfig = field(default_factory=SmtpConfig)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


_ADDRESS_RE = re.compile(
    r"^[^@\s<>()\[\],;:\"\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*$"
)
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def address_problem(text: str) -> str | None:
    """None when `text` is one plain e-mail address (local@domain); else the reason."""
    if not isinstance(text, str) or not text.strip():
        return "an empty address"
    if any(ord(c) < 32 for c in text):
        return f"{text!r} holds control characters"
    if not _ADDRESS_RE.match(text.strip()):
        return f"{text!r} is not an e-mail address (like name@example.org)"
    return None


def _line(node: Any, key: Any) -> int | None:
    try:
        if isinstance(node, CommentedMap):
            return int(node.lc.key(key)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        pass
    return None


def _item_line(seq: Any, index: int) -> int | None:
    try:
        return int(seq.lc.item(index)[0]) + 1
    except (AttributeError, KeyError, TypeError, IndexError):
        return None


def _words(value: Any) -> list[str] | None:
    items = [value] if isinstance(value, (str, int)) else value
    if not isinstance(items, list) or not all(isinstance(i, (str, int)) and str(i).strip() for i in items):
        return None
    return [str(i).strip() for i in items]


def load_digest_config(config: Config) -> DigestConfig | None:
    """Validate the raw `digest:` section of feeds.yaml; None when there is none."""
    node = config.sections.get("digest")
    if node is None:
        return None
    return parse_digest_section(
        node,
        str(config.path),
        default_languages=config.settings.languages,
        default_timezone=config.settings.timezone,
    )


def parse_digest_section(
    node: Any, path: str, *, default_languages: tuple[str, ...] = (), default_timezone: str = "UTC"
) -> DigestConfig:
    """The `digest:` mapping -> DigestConfig; ConfigError(path, line, message) when unusable."""
    if not isinstance(node, Mapping):
        raise ConfigError(
            path, getattr(getattr(node, "lc", None), "line", None), "'digest' must be a mapping"
        )

    def fail(key: str, message: str, where: Any = node) -> ConfigError:
        return ConfigError(path, _line(where, key), f"digest.{key}: {message}")

    values: dict[str, Any] = {"timezone": default_timezone}
    for key, value in node.items():
        if key not in DIGEST_KEYS:
            raise fail(str(key), f"unknown key (expected one of: {', '.join(sorted(DIGEST_KEYS))})")
        if key == "time":
            match = _TIME_RE.match(str(value).strip()) if isinstance(value, (str, int)) else None
            if not match:
                raise fail(key, f'bad time {value!r}: use HH:MM in 24-hour form, like "07:00"')
            values["send_time"] = time(int(match.group(1)), int(match.group(2)))
        elif key == "timezone":
            try:
                ZoneInfo(str(value))
            except (ZoneInfoNotFoundError, ValueError):
                raise fail(key, f"unknown time zone {value!r} (e.g. UTC, Europe/Paris)") from None
            values["timezone"] = str(value)
        elif key == "from":
            if not isinstance(value, str):
                raise fail(key, 'must be an address, like "monitor <news@example.org>"')
            _name, addr = parseaddr(value)
            problem = address_problem(addr) if addr else address_problem(value)
            if problem:
                raise fail(key, problem)
            values["sender"] = value.strip()
        elif key == "subject":
            if not isinstance(value, str) or not value.strip() or "\n" in value:
                raise fail(key, "must be one line of text")
            values["subject"] = value.strip()
        elif key == "max_stories":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 200:
                raise fail(key, "must be a whole number from 1 to 200")
            values["max_stories"] = value
        elif key == "when_empty":
            if value not in ("send", "skip"):
                raise fail(key, "must be 'send' (a short digest that says so) or 'skip'")
            values["when_empty"] = value
        elif key == "recipients":
            values["recipients"] = _recipients(path, node, value, default_languages)
        elif key == "smtp":
            values["smtp"] = _smtp(path, node, value)
    return DigestConfig(**values)


def _recipients(
    path: str, parent: Any, value: Any, default_languages: tuple[str, ...]
) -> tuple[Recipient, ...]:
    if not isinstance(value, (list, CommentedSeq)):
        raise ConfigError(path, _line(parent, "recipients"), "digest.recipients: must be a list of addresses")
    recipients: list[Recipient] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        line = _item_line(value, index) or _line(parent, "recipients")
        if isinstance(item, str):
            item = {"address": item}
        if not isinstance(item, Mapping):
            raise ConfigError(path, line, "digest.recipients: each is an address or a mapping with 'address'")
        for key in item:
            if key not in RECIPIENT_KEYS:
                raise ConfigError(
                    path,
                    _line(item, key) or line,
                    f"digest.recipients: unknown key {key!r} "
                    f"(expected one of: {', '.join(sorted(RECIPIENT_KEYS))})",
                )
        address = item.get("address")
        problem = address_problem(address) if isinstance(address, str) else "a recipient without an 'address'"
        if problem:
            raise ConfigError(path, _line(item, "address") or line, f"digest.recipients: {problem}")
        address = str(address).strip()
        if address.lower() in seen:
            raise ConfigError(path, line, f"digest.recipients: {address} is listed twice")
        seen.add(address.lower())
        languages: tuple[str, ...] = default_languages
        if item.get("languages") is not None:
            codes = _words(item["languages"])
            normalized = [normalize_language(c) for c in codes] if codes is not None else [None]
            if not normalized or any(n is None for n in normalized):
                raise ConfigError(
                    path,
                    _line(item, "languages") or line,
                    "digest.recipients: languages must be a list of language codes, like [fr, en]",
                )
            languages = tuple(str(n) for n in normalized)
        tags: tuple[str, ...] = ()
        if item.get("tags") is not None:
            words = _words(item["tags"])
            if words is None:
                raise ConfigError(
                    path, _line(item, "tags") or line, "digest.recipients: tags must be a list of words"
                )
            tags = tuple(words)
        recipients.append(Recipient(address=address, languages=languages, tags=tags))
    return tuple(recipients)


def _smtp(path: str, parent: Any, value: Any) -> SmtpConfig:
    if not isinstance(value, Mapping):
        raise ConfigError(path, _line(parent, "smtp"), "digest.smtp: must be a mapping with at least 'host'")

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(path, _line(value, key) or _line(parent, "smtp"), f"digest.smtp.{key}: {message}")

    if "password" in value:
        raise fail(
            "password",
            "never write the password in feeds.yaml: name an environment variable with "
            "password_env, or a file with password_file",
        )
    values: dict[str, Any] = {}
    for key, item in value.items():
        if key not in SMTP_KEYS:
            raise fail(str(key), f"unknown key (expected one of: {', '.join(sorted(SMTP_KEYS))})")
        if key == "host":
            if not isinstance(item, str) or not item.strip() or any(c.isspace() for c in item.strip()):
                raise fail(key, "must be a host name or address")
            values["host"] = item.strip()
        elif key == "port":
            if not isinstance(item, int) or isinstance(item, bool) or not 1 <= item <= 65535:
                raise fail(key, "must be a port number from 1 to 65535")
            values["port"] = item
        elif key == "security":
            if item not in SECURITY_PORTS:
                raise fail(key, "must be starttls, ssl or none")
            values["security"] = item
        elif key == "username":
            if not isinstance(item, str) or not item.strip():
                raise fail(key, "must be text")
            values["username"] = item.strip()
        elif key == "password_env":
            if not isinstance(item, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", item.strip()):
                raise fail(key, "must be the name of an environment variable, like MONITOR_SMTP_PASSWORD")
            values["password_env"] = item.strip()
        elif key == "password_file":
            if not isinstance(item, str) or not item.strip():
                raise fail(key, "must be a file path")
            file = Path(item.strip()).expanduser()
            values["password_file"] = file if file.is_absolute() else Path(path).resolve().parent / file
        elif key == "timeout":
            if not isinstance(item, (int, float)) or isinstance(item, bool) or not 0 < item <= 600:
                raise fail(key, "must be a number of seconds from 1 to 600")
            values["timeout"] = float(item)
        elif key == "ca_file":
            if not isinstance(item, str) or not item.strip():
                raise fail(key, "must be the path of a PEM file of CA certificates")
            file = Path(item.strip()).expanduser()
            file = file if file.is_absolute() else Path(path).resolve().parent / file
            problem = _ca_file_problem(file)
            if problem:
                raise fail(key, problem)
            values["ca_file"] = file
    if "port" not in values:
        values["port"] = SECURITY_PORTS[values.get("security", "starttls")]
    if values.get("password_env") and values.get("password_file"):
        raise fail("password_file", "give password_env or password_file, not both")
    return SmtpConfig(**values)


def _ca_file_problem(file: Path) -> str | None:
    """None when OpenSSL can load CA certificates from `file`; else the reason."""
    try:
        tls_client_context(file)
    except ssl.SSLError as exc:
        return f"{file} holds no usable PEM certificate ({exc.reason or exc})"
    except OSError as exc:
        return f"cannot read {file}: {exc.strerror or exc}"
    return None


def tls_client_context(ca_file: Path | None) -> ssl.SSLContext:
    """A verifying client context (certificate chain and host name) trusting `ca_file` only,
    or the system's trust store when it is None."""
    return ssl.create_default_context(cafile=str(ca_file) if ca_file is not None else None)


def smtp_password(smtp: SmtpConfig, environ: Mapping[str, str]) -> str | None:
    """The SMTP password from its environment variable or file; DigestError when missing."""
    if smtp.password_env:
        value = environ.get(smtp.password_env)
        if not value:
            raise DigestError(
                f"the environment variable {smtp.password_env} (digest.smtp.password_env) is not set"
            )
        return value
    if smtp.password_file:
        try:
            return smtp.password_file.read_text(encoding="utf-8").strip("\r\n")
        except OSError as exc:
            raise DigestError(
                f"cannot read digest.smtp.password_file {smtp.password_file}: {exc.strerror}"
            ) from None
    return None


# --- when (pure) --------------------------------------------------------------------


def due_at(day: date, cfg: DigestConfig) -> datetime:
    """The UTC time the digest of `day` (a date in the digest's zone) is due."""
    return datetime.combine(day, cfg.send_time, tzinfo=cfg.zone).astimezone(UTC)


def digest_window(day: date, cfg: DigestConfig) -> tuple[datetime, datetime]:
    """The 24 hours a day's digest covers: up to its due time."""
    end = due_at(day, cfg)
    return end - timedelta(hours=24), end


def due_day(now: datetime, cfg: DigestConfig) -> date | None:
    """The day whose digest is due at `now`: today (in the digest's zone) once its time has come."""
    today = now.astimezone(cfg.zone).date()
    return today if now >= due_at(today, cfg) else None


def retry_delay(attempts: int) -> timedelta:
    """Backoff after `attempts` failed tries: 1 min, 2, 4, ... at most an hour."""
    delay = RETRY_FIRST * (1 << max(0, min(attempts - 1, 16)))
    return min(delay, RETRY_MAX)


# --- choosing and ranking (pure) ----------------------------------------------------


@dataclass(frozen=True)
class ArticleRow:
    """One article of a story, with what the digest needs of its feed."""

    id: int
    story_id: int
    title: str
    text: str
    url: str | None
    language: str | None
    published: datetime
    duplicate_of: int | None
    feed_id: int
    outlet: str  # the outlet's display name
    feed_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoryRow:
    id: int
    headline_article_id: int | None
    first_seen: datetime | None


@dataclass(frozen=True)
class Link:
    title: str
    outlet: str
    url: str | None  # only http(s); None when the article had no usable link
    published: datetime
    copies: tuple[str, ...] = ()  # outlets that ran the same copy


@dataclass(frozen=True)
class StoryView:
    """One story as a digest shows it."""

    id: int
    score: float
    headline: str
    headline_language: str | None
    lead: str
    languages: tuple[str, ...]
    outlets: int
    articles: int
    new_articles: int
    first_outlet: str
    first_published: datetime
    links: tuple[tuple[str, tuple[Link, ...]], ...]  # (language, links), biggest first
    continued: bool = False
    new_since: str = ""  # what is new since yesterday's digest, for a continuing story


@dataclass(frozen=True)
class DayFigures:
    feeds_polled: int = 0
    articles: int = 0
    stories: int = 0
    failing_feeds: int = 0


@dataclass(frozen=True)
class Digest:
    day: date
    start: datetime
    end: datetime
    timezone: str
    recipient: Recipient | None
    stories: tuple[StoryView, ...]
    figures: DayFigures
    candidates: int  # stories of the day before the cut to max_stories


def plain(text: str | None) -> str:
    """A feed string as one line of plain text (tags and scripts dropped, entities decoded)."""
    return " ".join(html_to_text(text or "").split())


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s) with a host, else None: no javascript:, data: or relative links."""
    if not url:
        return None
    url = url.strip()
    if any(ord(c) < 32 or c in "\"'<> \\`" for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def lead_of(text: str, limit: int = LEAD_CHARS) -> str:
    """About two lines from the start of an article: whole sentences when they fit."""
    text = plain(text)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "), cut.rfind("。"))
    if end >= limit // 3:
        return cut[: end + 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


def story_score(outlets: int, languages: int, new_articles: int, total_articles: int) -> float:
    """Rank: distinct outlets weigh most, then languages, then growth within the day."""
    growth = new_articles / total_articles if total_articles else 0.0
    return 3.0 * outlets + 2.0 * languages + math.log2(1 + new_articles) + growth


def _root(article: ArticleRow, by_id: Mapping[int, ArticleRow]) -> ArticleRow:
    """The original of a wire copy (following duplicate_of within the story)."""
    seen = {article.id}
    while (
        article.duplicate_of is not None
        and article.duplicate_of in by_id
        and article.duplicate_of not in seen
    ):
        article = by_id[article.duplicate_of]
        seen.add(article.id)
    return article


def pick_headline(story: StoryRow, articles: Sequence[ArticleRow], languages: Sequence[str]) -> ArticleRow:
    """The article whose title heads the story for a reader of `languages` (in order).

    In a preferred language: the central article (headline_article_id) when it is in that
    language, else the earliest in it. With none: the central article, else the earliest.
    """
    by_id = {a.id: a for a in articles}
    central = by_id.get(story.headline_article_id) if story.headline_article_id is not None else None
    ordered = sorted(articles, key=lambda a: (a.published, a.id))
    for language in languages:
        if central is not None and central.language == language and central.title.strip():
            return central
        in_language = [a for a in ordered if a.language == language and plain(a.title)]
        if in_language:
            originals = [a for a in in_language if a.duplicate_of is None]
            return (originals or in_language)[0]
    if central is not None:
        return central
    titled = [a for a in ordered if plain(a.title)]
    return (titled or ordered)[0]


def build_story(
    story: StoryRow,
    articles: Sequence[ArticleRow],
    start: datetime,
    languages: Sequence[str],
    previous: bool,
) -> StoryView:
    """One story's view for the window starting at `start` (articles are those before its end)."""
    by_id = {a.id: a for a in articles}
    ordered = sorted(articles, key=lambda a: (a.published, a.id))
    roots = [a for a in ordered if _root(a, by_id).id == a.id]
    outlets = {a.outlet for a in roots}
    langs = Counter(a.language or "und" for a in ordered)
    new = [a for a in ordered if a.published >= start]
    headline = pick_headline(story, ordered, languages)
    first = roots[0] if roots else ordered[0]
    copies: dict[int, list[str]] = defaultdict(list)
    for a in ordered:
        root = _root(a, by_id)
        if root.id != a.id and a.outlet != root.outlet and a.outlet not in copies[root.id]:
            copies[root.id].append(a.outlet)
    grouped: dict[str, list[Link]] = defaultdict(list)
    for a in roots:
        grouped[a.language or "und"].append(
            Link(
                title=plain(a.title) or "(untitled)",
                outlet=a.outlet,
                url=safe_url(a.url),
                published=a.published,
                copies=tuple(copies[a.id]),
            )
        )
    preferred = {lang: i for i, lang in enumerate(languages)}
    links = tuple(
        (lang, tuple(items))
        for lang, items in sorted(
            grouped.items(), key=lambda kv: (preferred.get(kv[0], len(preferred)), -len(kv[1]), kv[0])
        )
    )
    new_since = ""
    if previous:
        before = [a for a in roots if a.published < start]
        new_outlets = sorted({a.outlet for a in roots if a.published >= start} - {a.outlet for a in before})
        new_langs = sorted({a.language or "und" for a in new} - {a.language or "und" for a in before})
        parts = [f"{len(new)} new article{'s' if len(new) != 1 else ''}"]
        if new_outlets:
            parts.append("new outlets: " + ", ".join(new_outlets))
        if new_langs:
            parts.append("new languages: " + ", ".join(new_langs))
        new_since = "; ".join(parts)
    return StoryView(
        id=story.id,
        score=story_score(len(outlets), len(langs), len(new), len(ordered)),
        headline=plain(headline.title) or "(untitled)",
        headline_language=headline.language,
        lead=lead_of(headline.text),
        languages=tuple(lang for lang, _ in langs.most_common()),
        outlets=len(outlets),
        articles=len(ordered),
        new_articles=len(new),
        first_outlet=first.outlet,
        first_published=first.published,
        links=links,
        continued=previous,
        new_since=new_since,
    )


def select_stories(
    stories: Sequence[StoryRow],
    articles: Sequence[ArticleRow],
    start: datetime,
    end: datetime,
    recipient: Recipient | None,
    previous_ids: frozenset[int],
    max_stories: int,
    default_languages: Sequence[str] = (),
) -> tuple[list[StoryView], int]:
    """The day's top stories for one reader, best first, and how many qualified before the cut.

    A story qualifies when one of its articles was published in [start, end) and, for a
    reader with tags, one of its articles comes from a feed with one of those tags.
    """
    by_story: dict[int, list[ArticleRow]] = defaultdict(list)
    for a in articles:
        if a.published < end:
            by_story[a.story_id].append(a)
    languages = recipient.languages if recipient and recipient.languages else tuple(default_languages)
    tags = set(recipient.tags) if recipient else set()
    views = []
    for story in stories:
        items = by_story.get(story.id)
        if not items or not any(start <= a.published < end for a in items):
            continue
        if tags and not any(tags & set(a.feed_tags) for a in items):
            continue
        views.append(build_story(story, items, start, languages, story.id in previous_ids))
    views.sort(key=lambda v: (-v.score, -v.new_articles, -v.first_published.timestamp(), v.id))
    return views[:max_stories], len(views)


# --- reading the store --------------------------------------------------------------


def _article_row(row: Mapping[str, Any]) -> ArticleRow:
    published = parse_iso(row["published"])
    assert published is not None
    return ArticleRow(
        id=int(row["id"]),
        story_id=int(row["story_id"]),
        title=row["title"] or "",
        text=row["text"] or "",
        url=row["url"] or row["link"],
        language=row["language"],
        published=published,
        duplicate_of=row["duplicate_of"],
        feed_id=int(row["feed_id"]),
        outlet=outlet_name(row["feed_name"], row["feed_title"], row["feed_url"]),
        feed_tags=tuple(str(t) for t in json.loads(row["feed_tags"] or "[]")),
    )


def build_digest(
    store: Store,
    cfg: DigestConfig,
    day: date,
    recipient: Recipient | None,
    *,
    default_languages: Sequence[str] = (),
) -> Digest:
    """Read the day's stories from the store and choose this reader's digest."""
    start, end = digest_window(day, cfg)
    rows = store.digest_story_articles(start, end)
    articles = [_article_row(r) for r in rows]
    story_ids = sorted({a.story_id for a in articles})
    stories = [
        StoryRow(
            id=int(s["id"]),
            headline_article_id=s["headline_article_id"],
            first_seen=parse_iso(s["first_seen"]),
        )
        for s in store.digest_stories(story_ids)
    ]
    previous = frozenset(
        store.digest_previous_story_ids(day - timedelta(days=1), recipient.address if recipient else None)
    )
    views, candidates = select_stories(
        stories, articles, start, end, recipient, previous, cfg.max_stories, default_languages
    )
    figures = DayFigures(**store.digest_day_figures(start, end))
    return Digest(
        day=day,
        start=start,
        end=end,
        timezone=cfg.timezone,
        recipient=recipient,
        stories=tuple(views),
        figures=figures,
        candidates=candidates,
    )


# --- rendering ----------------------------------------------------------------------

LANGUAGE_NAMES = {
    "ar": "Arabic", "cs": "Czech", "de": "German", "el": "Greek", "en": "English", "es": "Spanish",
    "fa": "Persian", "fr": "French", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "it": "Italian",
    "ja": "Japanese", "ko": "Korean", "nl": "Dutch", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sv": "Swedish", "tr": "Turkish", "uk": "Ukrainian", "zh": "Chinese", "und": "Unknown",
}  # fmt: skip
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "yi", "ps"})
TEMPLATES = Path(__file__).parent / "templates"


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["language_name"] = lambda code: LANGUAGE_NAMES.get(code or "und", code or "?")
    env.filters["direction"] = lambda code: "rtl" if code in RTL_LANGUAGES else "ltr"
    return env


def subject_of(digest: Digest, cfg: DigestConfig) -> str:
    count = len(digest.stories)
    stories = "no new stories" if count == 0 else f"{count} stor{'y' if count == 1 else 'ies'}"
    return f"{cfg.subject} — {digest.day.isoformat()} — {stories}"


def render_digest(digest: Digest, cfg: DigestConfig) -> tuple[str, str]:
    """(plain text, HTML) of a digest."""
    zone = ZoneInfo(digest.timezone)

    def local(when: datetime) -> str:
        return when.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    context = {
        "digest": digest,
        "subject": subject_of(digest, cfg),
        "local": local,
        "zone": digest.timezone,
    }
    text = _environment(autoescape=False).get_template("digest.txt.j2").render(context)
    page = _environment(autoescape=True).get_template("digest.html.j2").render(context)
    return text, page


def compose_message(
    digest: Digest, cfg: DigestConfig, recipient: str, *, now: datetime, message_id: str | None = None
) -> EmailMessage:
    """The mail: multipart/alternative, text then HTML, UTF-8, with Date, Message-ID, Subject."""
    text, page = render_digest(digest, cfg)
    message = EmailMessage(policy=SMTP_POLICY)
    message["Subject"] = subject_of(digest, cfg)
    message["From"] = cfg.sender
    message["To"] = recipient
    message["Date"] = format_datetime(now.astimezone(UTC))
    domain = parseaddr(cfg.sender)[1].rpartition("@")[2] or "localhost"
    # Short enough to stay on one header line; unique per composed digest.
    message["Message-ID"] = message_id or f"<digest.{digest.day.isoformat()}.{secrets.token_hex(8)}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, charset="utf-8")
    message.add_alternative(page, subtype="html", charset="utf-8")
    return message


def write_digest_html(
    store: Store, config: Config, day: date | None, path: str | Path, *, recipient: str | None = None
) -> Path:
    """Write one day's digest as an HTML file (for `make demo` and `monitor digest --output`).

    `day` None: the digest that covers the newest story article (a replayed corpus's last day).
    """
    cfg = load_digest_config(config) or DigestConfig(timezone=config.settings.timezone)
    if day is None:
        day = latest_story_day(store, cfg)
    reader = recipient_for(cfg, recipient)
    digest = build_digest(store, cfg, day, reader, default_languages=config.settings.languages)
    _text, page = render_digest(digest, cfg)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return target


def latest_story_day(store: Store, cfg: DigestConfig) -> date:
    """The day whose digest covers the newest article of a story (today's date when none)."""
    newest = parse_iso(store.digest_latest_story_article())
    if newest is None:
        return utcnow().astimezone(cfg.zone).date()
    local = newest.astimezone(cfg.zone)
    return (
        local.date() + timedelta(days=1)
        if local.timetz().replace(tzinfo=None) >= cfg.send_time
        else local.date()
    )


def recipient_for(cfg: DigestConfig, address: str | None) -> Recipient | None:
    if address is None:
        return cfg.recipients[0] if cfg.recipients else None
    for r in cfg.recipients:
        if r.address.lower() == address.lower():
            return r
    problem = address_problem(address)
    if problem:
        raise DigestError(problem)
    return Recipient(address=address)


# --- sending ------------------------------------------------------------------------


@dataclass(frozen=True)
class SendOutcome:
    ok: bool
    error: str | None = None
    permanent: bool = False  # retrying will not help (the server refused the recipient)


def send_message(message: EmailMessage, smtp: SmtpConfig, password: str | None) -> SendOutcome:
    """One SMTP transaction; never raises for network or protocol trouble."""
    sender = parseaddr(str(message["From"]))[1]
    recipient = parseaddr(str(message["To"]))[1]
    try:
        context = tls_client_context(smtp.ca_file) if smtp.security != "none" else None
    except (OSError, ValueError) as exc:  # the CA file changed since the config was read
        reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
        return SendOutcome(False, f"cannot use digest.smtp.ca_file {smtp.ca_file}: {reason}")
    try:
        client: smtplib.SMTP
        if smtp.security == "ssl":
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        with client:
            client.ehlo()
            if smtp.security == "starttls":
                client.starttls(context=context)
                client.ehlo()
            if smtp.username:
                client.login(smtp.username, password or "")
            refused = client.send_message(message, from_addr=sender, to_addrs=[recipient])
        if refused:
            code, reason = next(iter(refused.values()))
            return SendOutcome(False, f"recipient refused: {code} {_text(reason)}", permanent=code >= 500)
        return SendOutcome(True)
    except smtplib.SMTPRecipientsRefused as exc:
        code, reason = next(iter(exc.recipients.values()), (0, b""))
        return SendOutcome(False, f"recipient refused: {code} {_text(reason)}", permanent=code >= 500)
    except smtplib.SMTPAuthenticationError as exc:
        return SendOutcome(
            False,
            f"SMTP server {smtp.host}:{smtp.port} refused the login as {smtp.username}: "
            f"{exc.smtp_code} {_text(exc.smtp_error)}",
        )
    except smtplib.SMTPResponseException as exc:
        return SendOutcome(False, f"SMTP server said {exc.smtp_code} {_text(exc.smtp_error)}")
    except smtplib.SMTPServerDisconnected as exc:
        if "timed out" in str(exc):
            return SendOutcome(
                False, f"SMTP server {smtp.host}:{smtp.port} did not answer within {smtp.timeout:g} s"
            )
        return SendOutcome(False, f"SMTP server closed the connection: {exc or 'no reason given'}")
    except smtplib.SMTPException as exc:
        return SendOutcome(False, f"SMTP error: {exc}")
    except TimeoutError:
        return SendOutcome(
            False, f"SMTP server {smtp.host}:{smtp.port} did not answer within {smtp.timeout:g} s"
        )
    except ssl.SSLCertVerificationError as exc:
        trusted = (
            f"digest.smtp.ca_file {smtp.ca_file}"
            if smtp.ca_file
            else "the system's trust store (digest.smtp.ca_file names another CA to trust)"
        )
        return SendOutcome(
            False,
            f"TLS with {smtp.host}:{smtp.port} failed: the server's certificate was refused: "
            f"{(exc.verify_message or str(exc.reason)).rstrip('.')}; checked against {trusted}",
        )
    except ssl.SSLError as exc:
        return SendOutcome(False, f"TLS with {smtp.host}:{smtp.port} failed: {exc.reason or exc}")
    except OSError as exc:
        return SendOutcome(False, f"cannot reach SMTP server {smtp.host}:{smtp.port}: {exc.strerror or exc}")
    except (UnicodeError, ValueError) as exc:
        return SendOutcome(False, f"SMTP server answered garbage: {exc}")


def _text(reason: bytes | str) -> str:
    if isinstance(reason, bytes):
        reason = reason.decode("utf-8", "replace")
    return " ".join(reason.split())[:300]


# --- the exactly-once state machine -------------------------------------------------


@dataclass(frozen=True)
class DigestJob:
    """A claimed (day, recipient): the stored message to send now."""

    day: date
    recipient: str
    attempts: int  # counting this one
    created: datetime  # when the digest was composed: retries stop GIVE_UP_AFTER later
    message: str


Sender = Callable[[EmailMessage, SmtpConfig, str | None], SendOutcome]


def lease_for(cfg: DigestConfig) -> timedelta:
    """How long a 'sending' row is held before it counts as a crash in mid-send."""
    return timedelta(seconds=cfg.smtp.timeout * 6 + 60)


def prepare_day(store: Store, config: Config, cfg: DigestConfig, day: date, now: datetime) -> list[str]:
    """Record a day's digest for each recipient not yet recorded: composed once, kept until sent."""
    notes: list[str] = []
    for recipient in cfg.recipients:
        if store.digest_row(day, recipient.address) is not None:
            continue
        digest = build_digest(store, cfg, day, recipient, default_languages=config.settings.languages)
        ids = [s.id for s in digest.stories]
        if not digest.stories and cfg.when_empty == "skip":
            store.digest_insert(day, recipient.address, due_at(day, cfg), None, None, ids, "skipped", now)
            log.info("event=digest_skipped day=%s recipient=%s reason=no_stories", day, recipient.address)
            notes.append(f"{day} {recipient.address}: no stories, skipped")
            continue
        message = compose_message(digest, cfg, recipient.address, now=now)
        store.digest_insert(
            day,
            recipient.address,
            due_at(day, cfg),
            str(message["Message-ID"]),
            message.as_string(),
            ids,
            "pending",
            now,
        )
    return notes


def claim_ready(store: Store, cfg: DigestConfig, now: datetime, day: date | None = None) -> list[DigestJob]:
    """Move each pending row whose time has come (or a stale 'sending' one) to 'sending'."""
    jobs = []
    stale = now - lease_for(cfg)
    listed = {r.address.lower() for r in cfg.recipients}
    for row in store.digest_ready(now, stale):
        if day is not None and row["day"] != day.isoformat():
            continue
        if row["recipient"] not in listed:
            continue  # taken off the list since: send nothing more
        if not store.digest_claim(row["day"], row["recipient"], now, stale):
            continue  # another process took it
        if row["state"] == "sending":
            log.warning(
                "event=digest_resend_after_crash day=%s recipient=%s attempts=%d",
                row["day"], row["recipient"], row["attempts"],
            )  # fmt: skip
        jobs.append(
            DigestJob(
                day=date.fromisoformat(row["day"]),
                recipient=row["recipient"],
                attempts=int(row["attempts"]) + 1,
                created=parse_iso(row["created"]) or now,
                message=row["message"] or "",
            )
        )
    return jobs


def deliver(job: DigestJob, cfg: DigestConfig, environ: Mapping[str, str], sender: Sender) -> SendOutcome:
    """Send a claimed job's stored message (blocking; the daemon runs it in a thread)."""
    try:
        password = smtp_password(cfg.smtp, environ)
    except DigestError as exc:
        return SendOutcome(False, str(exc))
    problem = address_problem(job.recipient)
    if problem:
        return SendOutcome(False, problem, permanent=True)
    if not job.message:
        return SendOutcome(False, "no composed message was recorded for this digest", permanent=True)
    message = email.message_from_string(job.message, _class=EmailMessage, policy=SMTP_POLICY)
    outcome = sender(message, cfg.smtp, password)
    if password and outcome.error and password in outcome.error:  # a server that echoes it back
        outcome = replace(outcome, error=outcome.error.replace(password, "********"))
    return outcome


def record_outcome(store: Store, job: DigestJob, outcome: SendOutcome, now: datetime) -> str:
    """Write what a send gave: sent, a retry time, or failed for good; return a one-line note."""
    day = job.day.isoformat()
    if outcome.ok:
        store.digest_mark_sent(job.day, job.recipient, now)
        metrics.record_digest_send("sent")
        log.info("event=digest_sent day=%s recipient=%s attempts=%d", day, job.recipient, job.attempts)
        return f"{day} {job.recipient}: sent"
    error = outcome.error or "unknown error"
    retry_at = now + retry_delay(job.attempts)
    if outcome.permanent or retry_at > job.created + GIVE_UP_AFTER:
        store.digest_mark_failed(job.day, job.recipient, error, now)
        metrics.record_digest_send("failed")
        log.error(
            "event=digest_failed day=%s recipient=%s attempts=%d error=%r",
            day,
            job.recipient,
            job.attempts,
            error,
        )
        return f"{day} {job.recipient}: failed: {error}"
    store.digest_mark_retry(job.day, job.recipient, error, retry_at, now)
    metrics.record_digest_send("retry")
    log.warning(
        "event=digest_send_error day=%s recipient=%s attempts=%d retry_at=%s error=%r",
        day, job.recipient, job.attempts, iso(retry_at), error,
    )  # fmt: skip
    return f"{day} {job.recipient}: not sent, retry at {iso(retry_at)}: {error}"


def run_due_digests(
    store: Store,
    config: Config,
    now: datetime | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    sender: Sender = send_message,
) -> list[str]:
    """Send whatever digest is due and not yet sent (idempotent; safe to call every minute).

    `now` fixes the clock (tests, replays); by default the wall clock.
    """
    cfg = _config_or_log(config)
    if cfg is None or not cfg.recipients:
        return []
    start = now or utcnow()
    day = due_day(start, cfg)
    notes = prepare_day(store, config, cfg, day, start) if day is not None else []
    for job in claim_ready(store, cfg, start):
        outcome = deliver(job, cfg, os.environ if environ is None else environ, sender)
        notes.append(record_outcome(store, job, outcome, now or utcnow()))
    return notes


async def run_due_digests_async(store: Store, config: Config) -> list[str]:
    """The daemon's form of run_due_digests: the database on the event loop, SMTP in a thread."""
    cfg = _config_or_log(config)
    if cfg is None or not cfg.recipients:
        return []
    now = utcnow()
    day = due_day(now, cfg)
    notes = prepare_day(store, config, cfg, day, now) if day is not None else []
    for job in claim_ready(store, cfg, now):
        outcome = await _in_daemon_thread(deliver, job, cfg, os.environ, send_message)
        notes.append(record_outcome(store, job, outcome, utcnow()))
    log.debug("event=digest_checked day=%s notes=%d", day, len(notes))
    return notes


async def _in_daemon_thread(
    deliver_one: Callable[[DigestJob, DigestConfig, Mapping[str, str], Sender], SendOutcome],
    job: DigestJob,
    cfg: DigestConfig,
    environ: Mapping[str, str],
    sender: Sender,
) -> SendOutcome:
    """Run one blocking send in a daemon thread: unlike asyncio.to_thread, a send stuck on
    a slow server cannot hold up the daemon's exit (the row stays 'sending' and is sent
    again after its lease, with the same Message-ID)."""

    def work() -> SendOutcome:
        try:
            return deliver_one(job, cfg, environ, sender)
        except Exception as exc:  # deliver() reports trouble as an outcome; this is a bug guard
            return SendOutcome(False, f"{type(exc).__name__}: {exc}")

    return await in_daemon_thread(work, "digest-smtp")


async def daemon_digest_job(daemon: Any) -> None:
    """What `monitor run` calls every minute, with its current store and config."""
    await run_due_digests_async(daemon.store, daemon.config)


def _config_or_log(config: Config) -> DigestConfig | None:
    try:
        return load_digest_config(config)
    except ConfigError as exc:
        log.error("event=digest_config_rejected error=%r", str(exc))
        return None


def send_digest_now(
    store: Store,
    config: Config,
    day: date,
    *,
    now: datetime | None = None,
    environ: Mapping[str, str] | None = None,
    sender: Sender = send_message,
) -> list[str]:
    """`monitor digest --send`: a day's digest to each recipient not yet served, now.

    Goes through the same records as the daemon, so a (day, recipient) is never sent twice;
    a digest waiting for a retry is tried at once.
    """
    cfg = load_digest_config(config)
    if cfg is None:
        raise DigestError(f"{config.path}: no 'digest:' section: nothing says whom to send to")
    if not cfg.recipients:
        raise DigestError(f"{config.path}: digest.recipients is empty: nobody to send to")
    now = now or utcnow()
    notes = prepare_day(store, config, cfg, day, now)
    for recipient in cfg.recipients:
        row = store.digest_row(day, recipient.address)
        if row is None:
            continue
        if row["state"] in ("sent", "failed"):
            when = row["sent_at"] if row["state"] == "sent" else row["updated_at"]
            notes.append(f"{day} {recipient.address}: already {row['state']} at {when}")
        elif row["state"] == "pending":
            store.digest_retry_now(day, recipient.address, now)
    for job in claim_ready(store, cfg, now, day):
        outcome = deliver(job, cfg, os.environ if environ is None else environ, sender)
        notes.append(record_outcome(store, job, outcome, now))
    return notes


def digest_problems(store: Store, limit: int = 20) -> list[str]:
    """Lines for `monitor stats`: digests waiting for a retry or failed for good."""
    lines = []
    for row in store.digest_errors(limit):
        what = "retrying" if row["state"] == "pending" else row["state"]
        when = (
            f", next try {row['next_attempt_at']}"
            if row["state"] == "pending" and row["next_attempt_at"]
            else ""
        )
        lines.append(
            f"digest {row['day']} to {row['recipient']}: {what} after {row['attempts']} attempts{when}: "
            f"{row['last_error']}"
        )
    return lines


__all__ = [
    "DayFigures",
    "Digest",
    "DigestConfig",
    "DigestError",
    "Recipient",
    "SendOutcome",
    "SmtpConfig",
    "StoryView",
    "build_digest",
    "compose_message",
    "daemon_digest_job",
    "digest_problems",
    "digest_window",
    "due_day",
    "load_digest_config",
    "render_digest",
    "retry_delay",
    "run_due_digests",
    "select_stories",
    "send_digest_now",
    "write_digest_html",
]
