"""The `breaking:` section of feeds.yaml: where every breaking story is sent (mail, webhook),
and which ones (languages, feed tags, countries), checked with the file and line of a bad
value. The targets are checked as a watch's `notify:` targets are (the same code)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedSeq

from monitor.config import Config, normalize_language, shown
from monitor.config import item_line as _item_line
from monitor.config import line_of as _line
from monitor.entities.countries import CountryCodeError, country_code
from monitor.errors import ConfigError
from monitor.watches.settings import EmailAlert, WebhookAlert, _Checker, _email, _targets, _webhook

BREAKING_KEYS = frozenset({"email", "webhook", "languages", "tags", "countries"})


@dataclass(frozen=True)
class BreakingAlertsConfig:
    """Where breaking stories go, and the filters a story must pass (each that is given)."""

    email: EmailAlert | None = None
    webhook: WebhookAlert | None = None
    languages: tuple[str, ...] = ()  # an article of the story in one of them
    tags: tuple[str, ...] = ()  # an article from a feed with one of these tags
    countries: tuple[str, ...] = ()  # a place of one of its articles in one of these (ISO alpha-2)
    line: int | None = None

    def channels(self) -> list[tuple[str, str]]:
        """(channel, target) pairs, as a watch's: the webhook, each mail address."""
        out: list[tuple[str, str]] = []
        if self.webhook is not None:
            out.append(("webhook", self.webhook.url))
        if self.email is not None:
            out += [("email", address.lower()) for address in self.email.to]
        return out


def load_breaking_config(
    config: Config, environ: Mapping[str, str] | None = None
) -> BreakingAlertsConfig | None:
    """The `breaking:` section, checked against the rest of the file (mail needs the digest's
    SMTP server, tags must be some feed's); None when there is none."""
    node = config.sections.get("breaking")
    if node is None:
        return None
    return parse_breaking_section(node, str(config.path), config=config, environ=environ)


def parse_breaking_section(
    node: Any, path: str, *, config: Config | None = None, environ: Mapping[str, str] | None = None
) -> BreakingAlertsConfig:
    """The `breaking:` mapping -> BreakingAlertsConfig; ConfigError(path, line, message) when
    unusable. With `config`, the targets and tags are checked against the file too."""
    line = _line(node)
    if not isinstance(node, Mapping) or not node:
        raise ConfigError(path, line, "'breaking' must be a mapping with email: and/or webhook:")
    checker = _Checker(path, None, _targets(config, environ))
    for key in node:
        if key not in BREAKING_KEYS:
            raise checker.fail(
                node,
                key,
                f"breaking: unknown key {shown(key)} (expected one of: {', '.join(sorted(BREAKING_KEYS))})",
            )
    values: dict[str, Any] = {"line": line}
    if node.get("email") is not None:
        mail = node["email"]
        if isinstance(mail, Mapping) and mail.get("mode", "immediate") != "immediate":
            raise checker.fail(
                mail,
                "mode",
                f"breaking.email.mode: {shown(mail.get('mode'))}: a breaking story is mailed as it is "
                "flagged (immediate); the daily digest already lists the day's stories",
                line,
            )
        if isinstance(mail, Mapping) and "min_gap" in mail:
            raise checker.fail(
                mail,
                "min_gap",
                "breaking.email.min_gap: each breaking story is its own mail, sent once",
                line,
            )
        values["email"] = _email(checker, node, "breaking.email", line)
    if node.get("webhook") is not None:
        values["webhook"] = _webhook(checker, node, "breaking.webhook", line)
    if "email" not in values and "webhook" not in values:
        raise ConfigError(path, line, "breaking: needs an email: or a webhook: to send breaking stories to")
    known_tags = {t for f in config.feeds for t in f.tags} if config is not None else None
    for key in ("languages", "tags", "countries"):
        if node.get(key) is not None:
            values[key] = _filter(path, node, key, known_tags)
    return BreakingAlertsConfig(**values)


def _filter(path: str, node: Any, key: str, known_tags: set[str] | None) -> tuple[str, ...]:
    """One filter list, each item checked with its own line."""
    value = node[key]
    where = _line(node, key)
    examples = {"languages": "[en, fr]", "tags": "[world, politics]", "countries": "[FR, DE, US]"}
    items = [value] if isinstance(value, (str, int)) and not isinstance(value, bool) else value
    if not isinstance(items, (list, CommentedSeq)) or not items:
        raise ConfigError(path, where, f"breaking.{key}: must be a list, like {examples[key]}")
    out: list[str] = []
    for index, item in enumerate(items):
        at = (_item_line(items, index) if isinstance(items, CommentedSeq) else None) or where
        text = str(item).strip() if isinstance(item, (str, int)) and not isinstance(item, bool) else ""
        if not text:
            raise ConfigError(path, at, f"breaking.{key}: {shown(item)} is not a word, like {examples[key]}")
        if key == "languages":
            code = normalize_language(text)
            if code is None:
                raise ConfigError(
                    path, at, f"breaking.languages: {shown(item)} is not a language code (like en, fr)"
                )
            text = code
        elif key == "countries":
            try:
                text = country_code(text)
            except CountryCodeError as exc:
                raise ConfigError(path, at, f"breaking.countries: {exc}") from None
        elif known_tags is not None and text not in known_tags:
            listed = ", ".join(sorted(known_tags)) or "none"
            raise ConfigError(
                path, at, f"breaking.tags: {shown(item)} is no feed's tag (the feeds' tags: {listed})"
            )
        out.append(text)
    return tuple(dict.fromkeys(out))
