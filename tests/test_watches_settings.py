"""The `watches:` section: every mistake refused at load time with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.errors import ConfigError
from monitor.sections import load_checked_config
from monitor.watches.settings import MAX_NAMES, load_watches_config, parse_watches_section, watch_name_of

N = "  - name: A\n    query: x1\n    notify:\n"  # a watch whose notify: follows
# after the watches (so that their lines stay put): mail goes through the digest's SMTP
DIGEST = "digest:\n  recipients: [me@example.org]\n  smtp: {host: mail.example.org}\n"
HEAD = """settings:
  database: monitor.db
feeds:
  - url: https://news.example/feed.xml
    name: Example News
watches:
"""


def load(tmp_path: Path, body: str, *, model: str = "e5-small") -> object:
    path = tmp_path / "feeds.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    config = load_checked_config(path)
    return load_watches_config(config, model=model)


def refused(tmp_path: Path, body: str, line: int, *words: str, model: str = "e5-small") -> str:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, body, model=model)
    message = str(caught.value)
    assert caught.value.line == line, message
    assert str(tmp_path / "feeds.yaml") + f":{line}:" in message
    for word in words:
        assert word in message, message
    return message


def test_a_full_watch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_SECRET", "s3cret")
    watches = load(
        tmp_path,
        """  - name: Climate
    query: climate AND (summit OR "COP30") NOT football*
    names: [Guterres, "Simon Stiell"]
    about: The UN climate conference and its negotiations.
    threshold: 0.8
    languages: [en, FR]
    tags: world
    feeds: [Example News]
    min_outlets: 2
    backfill_days: 7
    notify:
      email: {to: [me@example.org], mode: immediate, min_gap: 30m}
      webhook: {url: "https://hooks.example/in", secret_env: HOOK_SECRET}
  - name: Putin
    names: [Putin]
"""
        + DIGEST,
    )
    climate = watches.get("climate")  # type: ignore[attr-defined]
    assert climate.languages == ("en", "fr") and climate.tags == ("world",)
    assert climate.email.min_gap == 1800 and climate.email.mode == "immediate"
    assert climate.webhook.secret_env == "HOOK_SECRET" and not climate.webhook.allow_private_addresses
    assert climate.about_threshold("e5-small") == 0.8
    putin = watches.get("Putin")  # type: ignore[attr-defined]
    assert putin.backfill_days == 30 and putin.min_outlets == 1 and putin.query is None


def test_fingerprint_changes_with_what_matches_only(tmp_path: Path) -> None:
    one = load(tmp_path, "  - {name: A, query: x1, min_outlets: 1}\n").watches[0]  # type: ignore[attr-defined]
    two = load(tmp_path, "  - {name: A, query: x1, min_outlets: 3}\n").watches[0]  # type: ignore[attr-defined]
    three = load(tmp_path, "  - {name: A, query: x2}\n").watches[0]  # type: ignore[attr-defined]
    assert one.fingerprint() == two.fingerprint() != three.fingerprint()


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("  - name: A\n    query: 'climate \"peace'\n", 8, ("watches.A.query", "quote", "position 9")),
        ("  - name: A\n    query: '(climate OR summit'\n", 8, ("parenthesis", "position 1")),
        ("  - name: A\n    query: 'climate)'\n", 8, ("closing parenthesis", "position 8")),
        ("  - name: A\n    query: climate && summit\n", 8, ("unknown operator '&&'", "position 9")),
        ("  - name: A\n    query: climate NEAR/3 summit\n", 8, ("unknown operator 'NEAR/3'",)),
        ("  - name: A\n", 7, ("an empty watch",)),
        ("  - name: A\n    languages: [en]\n", 7, ("an empty watch",)),
        ("  - query: climate\n", 7, ("without a 'name'",)),
        ("  - name: A\n    query: x1\n  - name: a\n    query: x2\n", 9, ("two watches named 'a'", "line 7")),
        ("  - name: A\n    querry: x1\n", 8, ("unknown key 'querry'",)),
        ("  - name: a/b\n    query: x1\n", 7, ("bad name",)),
        ("  - name: A\n    names: [Li]\n", 8, ("too short",)),
        ("  - name: A\n    names: []\n", 8, ("watches.A.names", "a list of names")),
        ("  - name: A\n    names: Putin\n    threshold: 0.5\n", 9, ("applies to 'about'",)),
        ("  - name: A\n    about: x\n    threshold: 1.5\n", 9, ("cosine",)),
        ("  - name: A\n    about: ''\n", 8, ("one or two sentences",)),
        ("  - name: A\n    about: " + "word " * 200 + "\n", 8, ("at most 600",)),
        ("  - name: A\n    query: x1\n    languages: [english!]\n", 9, ("language codes",)),
        ("  - name: A\n    query: x1\n    feeds: [Other News]\n", 9, ("not a feed of this file",)),
        ("  - name: A\n    query: x1\n    min_outlets: 0\n", 9, ("from 1 to 1000",)),
        ("  - name: A\n    query: x1\n    backfill_days: -1\n", 9, ("from 0 to 3650",)),
        ("  - name: A\n    query: x1\n    notify: {sms: x}\n", 9, ("unknown key 'sms'",)),
        (N + "      email: {to: nobody}\n", 10, ("not an e-mail",)),
        (N + "      email: {to: a@b.org, mode: hourly}\n", 10, ("daily",)),
        (N + "      email: {to: a@b.org, min_gap: 5s}\n", 10, ("min_gap",)),
        (
            N + "      webhook: {url: 'https://h.example/', secret: s3}\n",
            10,
            ("never write the secret",),
        ),
        (N + "      webhook: {url: 'https://h.example/'}\n", 10, ("secret_env",)),
        (
            N + "      webhook: {url: 'ftp://h.example/', secret_env: S}\n",
            10,
            ("url",),
        ),
    ],
)
def test_bad_input_is_refused_with_its_line(
    tmp_path: Path, body: str, line: int, words: tuple[str, ...]
) -> None:
    refused(tmp_path, body, line, *words)


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        # a daily watch is a section of a digest recipient's digest
        (
            N + "      email: {to: other@example.org, mode: daily}\n" + DIGEST,
            10,
            ("not in digest.recipients",),
        ),
        (N + "      email: {to: me@example.org, mode: daily}\n", 10, ("add a digest: section",)),
        (N + "      email: me@example.org\n", 10, ("digest's SMTP",)),
        (N + "      webhook: {url: 'http://127.0.0.1:9/in', secret_env: HOOK_SECRET}\n", 10, ("private",)),
        (N + "      webhook: {url: 'http://[::1]/in', secret_env: HOOK_SECRET}\n", 10, ("private",)),
        (N + "      webhook: {url: 'http://10.1.2.3/in', secret_env: HOOK_SECRET}\n", 10, ("private",)),
        (N + "      webhook: {url: 'http://localhost:8080/', secret_env: HOOK_SECRET}\n", 10, ("private",)),
        (
            N + "      webhook: {url: 'javascript:alert(1)', secret_env: HOOK_SECRET}\n",
            10,
            ("http or https",),
        ),
        (N + "      webhook: {url: 'https://h.example/', secret_env: UNSET_SECRET}\n", 10, ("UNSET_SECRET",)),
        (N + "      webhook: {url: 'https://h.example/', secret_file: nowhere.key}\n", 10, ("cannot read",)),
        (N + "      webhook: {url: 'https://h.example/', secret_file: empty.key}\n", 10, ("is empty",)),
    ],
)
def test_notify_targets_are_checked_at_load_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, line: int, words: tuple[str, ...]
) -> None:
    monkeypatch.setenv("HOOK_SECRET", "s3cret")
    monkeypatch.delenv("UNSET_SECRET", raising=False)
    (tmp_path / "empty.key").write_text("\n")
    refused(tmp_path, body, line, *words)


def test_good_notify_targets_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_SECRET", "s3cret")
    (tmp_path / "hook.key").write_text("k3y\n")
    body = (
        N
        + "      email: {to: [me@example.org, Other@example.org], mode: immediate}\n"
        + "      webhook: {url: 'http://127.0.0.1:9/in', secret_file: hook.key,\n"
        + "                allow_private_addresses: true}\n"
        + "  - name: B\n    query: x2\n    notify:\n"
        + "      email: {to: ME@example.org, mode: daily}\n"
        + "      webhook: {url: 'https://hooks.example/in', secret_env: HOOK_SECRET}\n"
        + DIGEST
    )
    a, b = load(tmp_path, body).watches  # type: ignore[attr-defined]
    assert a.webhook.secret_file == tmp_path / "hook.key" and a.webhook.allow_private_addresses
    assert b.email.mode == "daily" and b.webhook.secret_env == "HOOK_SECRET"


def test_ten_thousand_names_are_refused(tmp_path: Path) -> None:
    names = ", ".join(f"Name{i:05d}" for i in range(10_000))
    refused(tmp_path, f"  - name: A\n    names: [{names}]\n", 8, f"at most {MAX_NAMES}")


def test_watches_must_be_a_list(tmp_path: Path) -> None:
    refused(tmp_path, "  name: A\n", 7, "must be a list")


def test_about_in_a_language_the_model_does_not_know(tmp_path: Path) -> None:
    about = "Ukubuyekezwa kwamaphoyisa kanye nezinkantolo zaseNingizimu Afrika kulo nyaka"
    body = f"  - name: A\n    about: {about}\n"
    refused(tmp_path, body, 8, "does not know", model="use")
    assert load(tmp_path, body, model="e5-small")  # e5 reads about a hundred languages


def test_a_long_query_is_read_and_its_mistake_shown_in_part(tmp_path: Path) -> None:
    """Issue 23: monitoring queries of hundreds of names; a mistake at their end is shown
    with the words around it, not the 10,000 characters of the query."""
    names = " OR ".join(f"name{i}" for i in range(600))
    config = load(tmp_path, f"  - name: A\n    query: '({names}) AND summit'\n")
    (watch,) = config.watches  # type: ignore[attr-defined]
    assert watch.query is not None and len(watch.query) > 6000 and watch.tree is not None
    at = len(f"({names}) AND ") + 1  # the parenthesis left open
    body = f"  - name: A\n    query: '({names}) AND (summit'\n"
    message = refused(tmp_path, body, 8, f"position {at} of …'")
    assert "never closed" in message and len(message) < 400, message


@given(st.text(max_size=200))
def test_any_text_made_a_watch_name_is_a_name_the_section_takes(text: str) -> None:
    name = watch_name_of(text)
    section = [{"name": name, "names": ["Putin"]}]
    assert parse_watches_section(section, "feeds.yaml", model="fake").watches[0].name == name
    assert watch_name_of(name) == name  # already a name: kept
