"""Reading and validating feeds.yaml into frozen dataclasses.

Errors name the file and the line. The file is also edited (feeds add/remove/import)
through a round-trip loader, so that the user's comments and order survive.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from monitor.database import PostgresURL, is_url, parse_url
from monitor.errors import ConfigError, StoreError
from monitor.ingest.urls import canonical_url, url_problem
from monitor.yamlread import MAX_CONFIG_BYTES, read_document

DEFAULT_USER_AGENT = "monitor/0.1 (self-hosted news monitor)"
DEFAULT_MAX_ENTRIES = 500  # entries kept from one fetch of a feed (the newest)
FULL_TEXT_MODES = ("auto", "always", "never")
DEFAULT_PAGES_PER_POLL = 10  # article pages read per feed and poll, at most
FEED_KEYS = frozenset(
    {"url", "name", "language", "interval", "tags", "allow_private_addresses", "max_entries", "full_text"}
)
SETTINGS_KEYS = frozenset(
    {
        "database",
        "interval",
        "user_agent",
        "timezone",
        "allow_private_addresses",
        "concurrency",
        "timeout",
        "max_body_bytes",
        "min_interval",
        "max_interval",
        "languages",
        "per_host_concurrency",
        "per_host_delay",
        "gone_after",
        "moved_after",
        "max_backoff",
        "max_entries",
        "full_text",
        "pages_per_poll",
    }
)
# Sections owned by other stages; each validates its own content.
OTHER_SECTIONS = frozenset({"digest", "stories", "web", "watches", "breaking"})
TOP_KEYS = frozenset({"settings", "feeds"}) | OTHER_SECTIONS

_INTERVAL_RE = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$")
_LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")


def parse_interval(value: object) -> int:
    """'15m', '2h', '1h30m', '90s', '1d' or a number of seconds -> seconds.

    Raises ValueError with a readable reason.
    """
    if isinstance(value, bool):
        raise ValueError(f"bad interval {shown(value)}")
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, str) and value.strip():
        match = _INTERVAL_RE.match(value.lower())
        if not match or not any(match.groups()):
            raise ValueError(f"bad interval {shown(value)}: use a number and a unit, like 15m or 2h")
        d, h, m, s = (int(g) if g else 0 for g in match.groups())
        seconds = ((d * 24 + h) * 60 + m) * 60 + s
    else:
        raise ValueError(f"bad interval {shown(value)}: use a number and a unit, like 15m or 2h")
    if seconds < 60:
        raise ValueError(f"bad interval {shown(value)}: at least one minute")
    if seconds > 30 * 86400:
        raise ValueError(f"bad interval {shown(value)}: at most 30 days")
    return seconds


def zone_exists(name: str) -> bool:
    """Whether `name` is a time zone of the IANA database (Europe/Paris, UTC)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def format_interval(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def normalize_language(code: str | None) -> str | None:
    """'en-US' -> 'en', 'ZH_cn' -> 'zh'; None for empty or unusable codes."""
    if not code:
        return None
    code = code.strip()
    if not _LANGUAGE_RE.match(code):
        return None
    primary = re.split(r"[-_]", code)[0].lower()
    return primary if primary not in ("und", "mul", "xx") else None


@dataclass(frozen=True)
class FeedConfig:
    url: str
    name: str | None = None
    language: str | None = None
    interval: int | None = None  # seconds; None = the settings' default
    tags: tuple[str, ...] = ()
    allow_private_addresses: bool | None = None  # None = the settings' default
    line: int | None = None
    max_entries: int | None = None  # None = the settings' default
    full_text: str | None = None  # 'auto', 'always' or 'never'; None = the settings' default


@dataclass(frozen=True)
class Settings:
    database: Path | PostgresURL  # a SQLite file, or a PostgreSQL database
    interval: int = 30 * 60
    user_agent: str = DEFAULT_USER_AGENT
    timezone: str = "UTC"
    allow_private_addresses: bool = False
    concurrency: int = 16
    timeout: float = 20.0
    max_body_bytes: int = 10 * 1024 * 1024
    min_interval: int = 5 * 60
    max_interval: int = 24 * 3600
    languages: tuple[str, ...] = ()  # preferred languages for headlines, in order
    per_host_concurrency: int = 2  # requests at once to one host
    per_host_delay: float = 1.0  # seconds between two request starts to one host
    gone_after: int = 3  # 410 answers in a row before a feed is marked gone
    moved_after: int = 3  # polls ending at the same permanent redirect before the URL moves
    max_backoff: int = 24 * 3600  # the longest wait after failures
    max_entries: int = DEFAULT_MAX_ENTRIES  # entries kept from one fetch of a feed (the newest)
    full_text: str = "auto"  # read the article's page: 'auto' (for teasers), 'always', 'never'
    pages_per_poll: int = DEFAULT_PAGES_PER_POLL  # article pages read per feed and poll, at most


@dataclass(frozen=True)
class Config:
    path: Path
    settings: Settings
    feeds: tuple[FeedConfig, ...]
    sections: Mapping[str, Any] = field(default_factory=dict)  # digest:, stories:, web:

    @cached_property
    def _feeds_by_url(self) -> dict[str, FeedConfig]:
        return {canonical_url(f.url): f for f in self.feeds}

    def feed(self, url: str) -> FeedConfig | None:
        """The listed feed with this URL (any spelling of it), or None."""
        return self._feeds_by_url.get(canonical_url(url))


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def line_of(node: Any, key: Any = None) -> int | None:
    """1-based line of a mapping key (or of the node) in the YAML source."""
    try:
        if key is not None and isinstance(node, CommentedMap):
            return int(node.lc.key(key)[0]) + 1
        return int(node.lc.line) + 1
    except (AttributeError, KeyError, TypeError):
        return None


def shown(value: object, limit: int = 60) -> str:
    """A config value as an error message quotes it: a scalar's repr, cut to `limit`
    characters, and only the kind of a list or mapping (never its text, which aliases can
    make as large as they like)."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple, set)):
        return "a list"
    if value is None or isinstance(value, (str, int, float, bool)):
        text = repr(value) if not isinstance(value, int) or value.bit_length() < 200 else "a huge number"
        return text if len(text) <= limit else text[: limit - 1] + "…"
    return f"a {type(value).__name__}"


def _read_text(path: Path) -> str:
    """The file as text: at most MAX_CONFIG_BYTES of UTF-8 (an optional BOM); errors give
    the line and column of the first byte that is not UTF-8."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(str(path), None, "no such file (create it, or pass --config)") from None
    except IsADirectoryError:
        raise ConfigError(str(path), None, "a folder, not a file") from None
    except OSError as exc:
        raise ConfigError(str(path), None, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(
            str(path),
            None,
            f"larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MiB: not a feeds.yaml "
            "(a hundred thousand feeds take about 10 MiB)",
        )
    for bom, encoding in _OTHER_ENCODINGS:
        if data.startswith(bom):
            raise ConfigError(str(path), 1, f"column 1: the file is {encoding} text: save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[start : exc.start].decode("utf-8-sig" if start == 0 else "utf-8")) + 1
        raise ConfigError(
            str(path),
            line,
            f"column {column}: byte 0x{data[exc.start]:02X} is not UTF-8 text (save the file as UTF-8)",
        ) from None


# Byte-order marks of the encodings YAML allows besides UTF-8 (UTF-32 first: its
# little-endian mark begins with UTF-16's).
_OTHER_ENCODINGS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def _read_document(path: Path) -> Any:
    """The document for editing, through ruamel's round-trip loader, which keeps the
    user's comments. Only after load_config(path), which refused what is not a feeds.yaml
    (ruamel would expand an alias bomb)."""
    text = _read_text(path)
    try:
        return _yaml().load(text)
    except YAMLError as exc:  # the fast reader accepted it: a difference between the two
        raise ConfigError(str(path), None, f"not valid YAML: {exc}") from None


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and validate a feeds.yaml; raise ConfigError naming file and line."""
    path = Path(path)
    doc = read_document(path, _read_text(path))
    if doc is None:
        doc = CommentedMap()
    if not isinstance(doc, CommentedMap):
        raise ConfigError(str(path), 1, "the file must be a mapping with 'settings:' and 'feeds:'")
    for key in doc:
        if key not in TOP_KEYS:
            raise ConfigError(
                str(path),
                line_of(doc, key),
                f"unknown key {shown(key)} (expected one of: {', '.join(sorted(TOP_KEYS))})",
            )
    settings = _settings(path, doc.get("settings"), line_of(doc, "settings") if "settings" in doc else None)
    feeds = _feeds(path, doc.get("feeds"), line_of(doc, "feeds") if "feeds" in doc else None)
    sections = {k: doc[k] for k in OTHER_SECTIONS if k in doc}
    return Config(path=path, settings=settings, feeds=feeds, sections=sections)


def _settings(path: Path, node: Any, line: int | None) -> Settings:
    base = path.resolve().parent
    if node is None:
        return Settings(database=base / "db" / "monitor.db")
    if not isinstance(node, CommentedMap):
        raise ConfigError(str(path), line, "'settings' must be a mapping")
    values: dict[str, Any] = {}

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(str(path), line_of(node, key), f"settings.{key}: {message}")

    for key, value in node.items():
        if key not in SETTINGS_KEYS:
            raise ConfigError(
                str(path),
                line_of(node, key),
                f"unknown key {shown(key)} in settings (expected one of: {', '.join(sorted(SETTINGS_KEYS))})",
            )
        if key == "database":
            if not isinstance(value, str) or not value.strip():
                raise fail(key, "must be a file path or a postgresql:// URL")
            if is_url(value):
                try:
                    values[key] = parse_url(value.strip())
                except StoreError as exc:
                    raise fail(key, str(exc)) from None
                continue
            db = Path(os.path.expanduser(value))
            values[key] = db if db.is_absolute() else base / db
        elif key in ("interval", "min_interval", "max_interval", "max_backoff"):
            try:
                values[key] = parse_interval(value)
            except ValueError as exc:
                raise fail(key, str(exc)) from None
        elif key == "user_agent":
            if not isinstance(value, str) or not value.strip() or "\n" in value:
                raise fail(key, "must be one line of text")
            values[key] = value.strip()
        elif key == "timezone":
            if not isinstance(value, str) or not zone_exists(value):
                raise fail(key, f"unknown time zone {shown(value)} (e.g. UTC, Europe/Paris)")
            values[key] = value
        elif key == "allow_private_addresses":
            if not isinstance(value, bool):
                raise fail(key, "must be true or false")
            values[key] = value
        elif key in (
            "concurrency",
            "max_body_bytes",
            "per_host_concurrency",
            "gone_after",
            "moved_after",
            "max_entries",
            "pages_per_poll",
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise fail(key, "must be a positive whole number")
            values[key] = value
        elif key in ("timeout", "per_host_delay"):
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise fail(key, "must be a number of seconds")
            if key == "timeout" and value == 0:
                raise fail(key, "must be more than 0 seconds")
            values[key] = float(value)
        elif key == "full_text":
            if value not in FULL_TEXT_MODES:
                raise fail(key, f"must be one of {', '.join(FULL_TEXT_MODES)}, not {shown(value)}")
            values[key] = value
        elif key == "languages":
            codes = [value] if isinstance(value, str) else value
            if not isinstance(codes, list) or not all(
                isinstance(c, str) and normalize_language(c) for c in codes
            ):
                raise fail(key, "must be a list of language codes, like [en, fr]")
            values[key] = tuple(str(normalize_language(c)) for c in codes)
    values.setdefault("database", base / "db" / "monitor.db")
    settings = Settings(**values)
    if settings.min_interval > settings.max_interval:
        raise ConfigError(str(path), line, "settings: min_interval is larger than max_interval")
    return settings


def _feeds(path: Path, node: Any, line: int | None) -> tuple[FeedConfig, ...]:
    if node is None:
        return ()
    if not isinstance(node, CommentedSeq):
        raise ConfigError(str(path), line, "'feeds' must be a list of feeds, each with a url")
    seen: dict[str, int | None] = {}
    feeds = []
    for index, item in enumerate(node):
        feed_line = item_line(node, index)
        if isinstance(item, str):  # a bare URL is accepted as shorthand
            item = CommentedMap({"url": item})
        if not isinstance(item, CommentedMap):
            raise ConfigError(str(path), feed_line, "each feed must be a mapping with a 'url'")
        feed = _feed(path, item, feed_line)
        key = canonical_url(feed.url)
        if key in seen:
            raise ConfigError(
                str(path),
                feed_line,
                f"duplicate feed URL {feed.url!r} (first listed on line {seen[key]})",
            )
        seen[key] = feed_line
        feeds.append(feed)
    return tuple(feeds)


def item_line(seq: Any, index: int) -> int | None:
    try:
        return int(seq.lc.item(index)[0]) + 1
    except (AttributeError, KeyError, TypeError, IndexError):
        return None


def _feed(path: Path, item: CommentedMap, line: int | None) -> FeedConfig:
    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(str(path), line_of(item, key) or line, message)

    for key in item:
        if key not in FEED_KEYS:
            raise fail(
                key, f"unknown key {shown(key)} in feed (expected one of: {', '.join(sorted(FEED_KEYS))})"
            )
    if "url" not in item or item["url"] in (None, ""):
        raise ConfigError(str(path), line, "feed without a 'url'")
    url = item["url"]
    if not isinstance(url, str):
        raise fail("url", f"bad URL {shown(url)}: must be text")
    problem = url_problem(url)
    if problem:
        raise fail("url", problem)
    name = item.get("name")
    if name is not None and not isinstance(name, str):
        if not isinstance(name, (int, float)):  # a number is a name; a list or mapping is not
            raise fail("name", f"name must be text, not {shown(name)}")
        name = str(name)
    language = item.get("language")
    if language is not None:
        normalized = normalize_language(language) if isinstance(language, str) else None
        if normalized is None:
            raise fail("language", f"bad language {shown(language)}: use a code like en, fr or pt-BR")
        language = normalized
    interval = None
    if item.get("interval") is not None:
        try:
            interval = parse_interval(item["interval"])
        except ValueError as exc:
            raise fail("interval", str(exc)) from None
    tags_value = item.get("tags") or []
    if isinstance(tags_value, str):
        tags_value = [tags_value]
    if not isinstance(tags_value, list) or not all(isinstance(t, (str, int)) for t in tags_value):
        raise fail("tags", "tags must be a list of words, like [world, politics]")
    allow = item.get("allow_private_addresses")
    if allow is not None and not isinstance(allow, bool):
        raise fail("allow_private_addresses", "allow_private_addresses must be true or false")
    max_entries = item.get("max_entries")
    if max_entries is not None and (
        not isinstance(max_entries, int) or isinstance(max_entries, bool) or max_entries < 1
    ):
        raise fail("max_entries", f"max_entries must be a positive whole number, not {shown(max_entries)}")
    full_text = item.get("full_text")
    if full_text is not None and full_text not in FULL_TEXT_MODES:
        modes = ", ".join(FULL_TEXT_MODES)
        raise fail("full_text", f"full_text must be one of {modes}, not {shown(full_text)}")
    return FeedConfig(
        url=url.strip(),
        name=name,
        language=language,
        interval=interval,
        tags=tuple(str(t).strip() for t in tags_value if str(t).strip()),
        allow_private_addresses=allow,
        line=line,
        max_entries=max_entries,
        full_text=full_text,
    )


# --- editing the file (feeds add / remove / import-opml) ---------------------------


def _write_atomically(path: Path, doc: Any) -> None:
    """Replace the file in one step. A symlink's target is the file rewritten, and the file
    keeps its permissions (a daemon running as another user must still read it)."""
    target = path.resolve()
    try:
        before = target.stat()
    except OSError:
        before = None  # a new file (or an unusable folder, reported below)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".feeds-", suffix=".yaml", dir=target.parent)
    except OSError as exc:
        raise ConfigError(str(path), None, f"cannot write the file: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            _yaml().dump(doc, handle)
        if before is not None:
            os.chmod(tmp, stat.S_IMODE(before.st_mode))
            try:
                os.chown(tmp, before.st_uid, before.st_gid)
            except OSError:
                pass  # not allowed to give it away: the writer keeps it
        else:
            umask = os.umask(0o022)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ConfigError(str(path), None, f"cannot write the file: {exc.strerror or exc}") from None
        raise


def add_feeds(path: str | os.PathLike[str], feeds: Iterable[FeedConfig]) -> list[FeedConfig]:
    """Append feeds to the file (skipping URLs already there); return those added.

    The file is validated before and after; on any error it is left as it was.
    """
    path = Path(path)
    if path.exists():
        load_config(path)
        doc = _read_document(path) or CommentedMap()
    else:
        doc = CommentedMap()
    if doc.get("feeds") is None:
        doc["feeds"] = CommentedSeq()
    existing = {canonical_url(f["url"] if isinstance(f, Mapping) else str(f)) for f in doc["feeds"]}
    added = []
    for feed in feeds:
        problem = url_problem(feed.url)
        if problem:
            raise ConfigError(str(path), None, problem)
        key = canonical_url(feed.url)
        if key in existing:
            continue
        existing.add(key)
        entry = CommentedMap({"url": feed.url})
        if feed.name:
            entry["name"] = feed.name
        if feed.language:
            entry["language"] = feed.language
        if feed.interval:
            entry["interval"] = format_interval(feed.interval)
        if feed.tags:
            tags = CommentedSeq(feed.tags)
            tags.fa.set_flow_style()
            entry["tags"] = tags
        doc["feeds"].append(entry)
        added.append(feed)
    if added:
        _write_atomically(path, doc)
        load_config(path)
    return added


def remove_feed(path: str | os.PathLike[str], url: str) -> bool:
    """Remove the feed with this URL from the file; False when it was not there."""
    path = Path(path)
    load_config(path)
    doc = _read_document(path)
    feeds = doc.get("feeds") or []
    key = canonical_url(url)
    for index, item in enumerate(feeds):
        item_url = item.get("url") if isinstance(item, Mapping) else item
        if isinstance(item_url, str) and canonical_url(item_url) == key:
            del feeds[index]
            _write_atomically(path, doc)
            return True
    return False
