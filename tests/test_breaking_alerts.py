"""The `breaking:` section (deliver/breaking_settings.py, deliver/breaking_alerts.py,
store/breaking_alerts.py): checked with the line of a bad value; every breaking story sent
once per target, filtered by languages, feed tags and countries, on a real SQLite file, to a
real HTTP receiver and a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.config import load_config
from monitor.deliver.alertplan import KEY_HEADER, SIGNATURE_HEADER, verify
from monitor.deliver.alerts import Delivery, alert_stage, deliver_due
from monitor.deliver.breaking_alerts import breaking_key, plan_breaking_alerts, story_wanted
from monitor.deliver.breaking_settings import (
    BreakingAlertsConfig,
    load_breaking_config,
    parse_breaking_section,
)
from monitor.deliver.settings import DigestConfig, SmtpConfig
from monitor.errors import ConfigError
from monitor.sections import load_checked_config
from monitor.store import Store
from monitor.timeutil import utcnow
from monitor.watches.settings import WatchesConfig

from .test_alerts import Receiver
from .test_digest import SmtpServer
from .watches_helpers import T0, Item, add, open_store

SECRET = "breaking-secret"
ENV = {"HOOK_SECRET": SECRET}
LOCAL = {"127.0.0.1"}.__contains__


@pytest.fixture(scope="module")
def shared_receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def receiver(shared_receiver: Receiver) -> Receiver:
    """One HTTP receiver on 127.0.0.1 for the module, emptied for each test."""
    shared_receiver.posts.clear()
    shared_receiver.behaviours.clear()
    return shared_receiver


# --- pure decisions ---------------------------------------------------------------------


def test_filters_need_one_value_of_each_filter_given() -> None:
    facts = {"languages": {"en", "fr"}, "tags": {"world"}, "countries": {"UA", "RU"}}
    assert story_wanted(BreakingAlertsConfig(), facts)
    assert story_wanted(BreakingAlertsConfig(languages=("de", "fr")), facts)
    assert not story_wanted(BreakingAlertsConfig(languages=("de",)), facts)
    assert story_wanted(BreakingAlertsConfig(tags=("world",), countries=("UA",)), facts)
    assert not story_wanted(BreakingAlertsConfig(tags=("world",), countries=("FR",)), facts)
    assert not story_wanted(BreakingAlertsConfig(countries=("FR",)), {**facts, "countries": set()})
    key = breaking_key(7, "email", "Me@Example.org")
    assert key == breaking_key(7, "email", "me@example.org") != breaking_key(8, "email", "me@example.org")


# --- the section in feeds.yaml ---------------------------------------------------------

HEAD = """settings:
  database: monitor.db
feeds:
  - url: https://en.example/rss
    tags: [world, europe]
digest:
  from: monitor <monitor@example.org>
  smtp: {host: 127.0.0.1, port: 2525, security: none}
"""


def config_error(tmp_path: Path, section: str, environ: dict[str, str] | None = None) -> str:
    path = tmp_path / "feeds.yaml"
    path.write_text(HEAD + section, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_breaking_config(load_config(path), environ=ENV if environ is None else environ)
    return str(caught.value)


MAIL = "breaking:\n  email: me@example.org\n"


@pytest.mark.parametrize(
    ("section", "line", "words"),
    [
        ("breaking:\n  languages: [en]\n", 10, "needs an email: or a webhook:"),
        (
            MAIL + "  countries: [FR, XX]\n",
            11,
            "bad country 'XX': use an ISO 3166-1 alpha-2 code",
        ),
        (
            MAIL + "  countries:\n    - FR\n    - France\n",
            13,
            r"bad country 'France'.*\(France is FR\)",
        ),
        (MAIL + "  countries: [UK]\n", 11, "breaking.countries: bad country 'UK'"),
        (MAIL + "  languages: [en, '12']\n", 11, "'12' is not a language code"),
        (
            MAIL + "  tags: [wrold]\n",
            11,
            "'wrold' is no feed's tag.*europe, world",
        ),
        ("breaking:\n  email: {to: me@example.org, mode: daily}\n", 10, "mode: 'daily'.*immediate"),
        ("breaking:\n  email: {to: me@example.org, min_gap: 10m}\n", 10, "min_gap: each breaking story"),
        ("breaking:\n  email: not-an-address\n", 10, "'not-an-address' is not an e-mail address"),
        ("breaking:\n  webhook: {url: 'https://h.example/in', secret_env: NOPE}\n", 10, "NOPE is not set"),
        (MAIL + "  language: [en]\n", 11, "unknown key 'language'"),
        ("breaking: [me@example.org]\n", 9, "must be a mapping"),
    ],
)
def test_a_bad_section_is_refused_with_its_line_and_value(
    tmp_path: Path, section: str, line: int, words: str
) -> None:
    message = config_error(tmp_path, section)
    assert f"feeds.yaml:{line}:" in message or f"line {line}" in message, message
    assert __import__("re").search(words, message), message


def test_mail_needs_the_digests_smtp_server(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(HEAD.split("digest:")[0] + "breaking:\n  email: me@example.org\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="add a digest: section"):
        load_checked_config(path)


def test_a_good_section_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(
        HEAD
        + "breaking:\n  email: [Me@Example.org, you@example.org]\n"
        + "  webhook: {url: 'https://h.example/in', secret_env: HOOK_SECRET}\n"
        + "  languages: [EN-gb, fr]\n  tags: world\n  countries: [fr, ua]\n",
        encoding="utf-8",
    )
    cfg = load_breaking_config(load_config(path), environ=ENV)
    assert cfg is not None
    assert (cfg.languages, cfg.tags, cfg.countries) == (("en", "fr"), ("world",), ("FR", "UA"))
    assert cfg.channels() == [
        ("webhook", "https://h.example/in"),
        ("email", "me@example.org"),
        ("email", "you@example.org"),
    ]


# --- planning and delivering -----------------------------------------------------------


def hook_config(url: str, **filters: Any) -> BreakingAlertsConfig:
    node = {"webhook": {"url": url, "secret_env": "HOOK_SECRET", "timeout": 5}, **filters}
    return parse_breaking_section(node, "feeds.yaml")


def flag(store: Store, story_id: int, hours: float, outlets: int = 3) -> None:
    why = {"outlets": outlets, "languages": 2, "window_hours": 24.0, "score": 5.0, "baseline": 1.5}
    with store.transaction():
        store.db.execute(
            "UPDATE stories SET breaking_at = ?, breaking_why = ? WHERE id = ?",
            [(T0 + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ"), json.dumps(why), story_id],
        )


def place(store: Store, article_id: int, country: str) -> None:
    with store.transaction():
        store.db.execute(
            "INSERT INTO article_places (article_id, geonameid, country) VALUES (?, ?, ?)",
            [article_id, 1000 + article_id, country],
        )


def news(store: Store) -> list[int]:
    """Story 1: war news in three languages (places in Ukraine), breaking; story 2: a French
    local story, breaking; story 3: not breaking; story 4: breaking three days earlier."""
    ids = add(
        store,
        [
            Item(0, "Old flood", "Rivers rose.", "en", -72, story=4),
            Item(0, "Missiles hit Kyiv", "Overnight strikes.", "en", 0, story=1),
            Item(1, "Des missiles frappent Kiev", "Frappes.", "fr", 1, story=1),
            Item(2, "Ракеты ударили по Киеву", "Удары.", "ru", 2, story=1),
            Item(1, "Grève à Lyon", "Les trams.", "fr", 3, story=2),
            Item(0, "Cup final tonight", "Football.", "en", 4, story=3),
        ],
    )
    flag(store, 4, -70)
    flag(store, 1, 2)
    flag(store, 2, 3.5)
    place(store, ids[1], "UA")
    place(store, ids[3], "UA")
    place(store, ids[4], "FR")
    return ids


def deliver(store: Store, breaking: BreakingAlertsConfig | None, *, later: float = 0, **kw: Any) -> list[str]:
    delivery = Delivery(
        WatchesConfig(), kw.pop("digest", None), ENV, is_allowed=LOCAL, breaking=breaking, **kw
    )
    return asyncio.run(deliver_due(store, delivery, utcnow() + timedelta(seconds=later)))


def test_every_breaking_story_goes_once_to_the_webhook_even_after_a_restart(
    tmp_path: Path, receiver: Receiver
) -> None:
    cfg = hook_config(receiver.url)
    path = tmp_path / "a.db"
    with open_store(path) as store:
        news(store)
        assert plan_breaking_alerts(store, cfg) == 2  # stories 1 and 2; not 3, not the old 4
        assert plan_breaking_alerts(store, cfg) == 0
        assert [n.endswith(": sent") for n in deliver(store, cfg)] == [True, True]
    with Store.open(path) as store:  # a restart: nothing is added or sent again
        assert plan_breaking_alerts(store, cfg) == 0
        assert deliver(store, cfg, later=3600) == []
        add(store, [Item(0, "Kyiv: more strikes", "Again.", "en", 5, story=1)])  # the story grows
        assert plan_breaking_alerts(store, cfg) == 0
    payloads = [json.loads(body) for _p, _h, body in receiver.posts]
    assert [p["story"]["id"] for p in payloads] == [1, 2]
    first = payloads[0]
    assert first["event"] == "story.breaking" and first["reason"] == "breaking"
    assert first["story"]["languages"] == ["en", "fr", "ru"] and first["story"]["countries"] == ["UA"]
    assert first["story"]["breaking_at"] == "2025-03-01T14:00:00Z"
    assert first["story"]["breaking_why"]["outlets"] == 3
    assert first["story"]["articles"][0]["title"] == "Missiles hit Kyiv"
    for _p, headers, body in receiver.posts:
        assert verify(SECRET.encode(), body, headers[SIGNATURE_HEADER])
        assert headers[KEY_HEADER] == json.loads(body)["idempotency_key"]


@pytest.mark.parametrize(
    ("filters", "stories"),
    [
        ({"countries": ["UA"]}, [1]),
        ({"countries": ["FR"]}, [2]),
        ({"countries": ["DE"]}, []),
        ({"languages": ["ru"]}, [1]),
        ({"tags": ["fr"]}, [1, 2]),  # the French feed carries the tag fr
        ({"tags": ["world"], "countries": ["FR"], "languages": ["fr"]}, [2]),
    ],
)
def test_filters_pick_the_stories(
    tmp_path: Path,
    receiver: Receiver,
    filters: dict[str, Any],
    stories: list[int],
) -> None:
    cfg = hook_config(receiver.url, **filters)
    with open_store(tmp_path / "f.db") as store:
        news(store)
        assert plan_breaking_alerts(store, cfg) == len(stories)
        sent = [json.loads(str(r["payload"]))["story"]["id"] for r in store.outbox_rows()]
        assert sent == stories


def test_alerts_wait_unclaimed_while_the_section_is_refused(tmp_path: Path, receiver: Receiver) -> None:
    cfg = hook_config(receiver.url)
    with open_store(tmp_path / "r.db") as store:
        news(store)
        assert plan_breaking_alerts(store, cfg) == 2
        refused = Delivery(WatchesConfig(), None, ENV, is_allowed=LOCAL, breaking_error="feeds.yaml:9: bad")
        assert asyncio.run(deliver_due(store, refused)) == []
        assert [(r["state"], r["attempts"]) for r in store.outbox_rows()] == [("pending", 0)] * 2
        assert len(deliver(store, cfg)) == 2 and len(receiver.posts) == 2  # the section is back


def test_several_workers_planning_and_delivering_at_once_send_each_story_once(
    tmp_path: Path, receiver: Receiver
) -> None:
    cfg = hook_config(receiver.url)
    path = tmp_path / "w.db"
    with open_store(path) as store:
        news(store)
    results: list[int] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        with Store.open(path) as mine:
            barrier.wait()
            results.append(plan_breaking_alerts(mine, cfg))
            deliver(mine, cfg)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(results) == 2
    assert sorted(json.loads(body)["story"]["id"] for _p, _h, body in receiver.posts) == [1, 2]
    with Store.open(path) as store:
        assert [r["state"] for r in store.outbox_rows()] == ["sent", "sent"]


def test_a_breaking_story_is_mailed_and_a_dropped_target_is_not_sent(tmp_path: Path) -> None:
    cfg = parse_breaking_section({"email": "Desk@Example.org", "countries": ["UA"]}, "feeds.yaml")
    with SmtpServer() as smtp, open_store(tmp_path / "m.db") as store:
        digest = DigestConfig(
            sender="monitor <monitor@example.org>",
            timezone="Europe/Paris",
            base_url="https://news.example.org",
            smtp=SmtpConfig(host="127.0.0.1", port=smtp.port, security="none", timeout=5),
        )
        news(store)
        assert plan_breaking_alerts(store, cfg) == 1
        notes = deliver(store, cfg, digest=digest)
        assert len(notes) == 1 and notes[0].endswith(": sent"), notes
        ((envelope, message),) = smtp.mailbox.messages
        assert envelope.rcpt_tos == ["desk@example.org"]
        assert message["Subject"] == "Breaking: Missiles hit Kyiv"
        assert message["Message-ID"].startswith(f"<alert.{breaking_key(1, 'email', 'desk@example.org')}@")
        text = message.get_body(("plain",)).get_content()
        assert "flagged at 2025-03-01 15:00 CET: 3 new outlets and 2 new languages in 24 hours" in text
        assert "https://news.example.org/stories/1" in text and "countries: UA" in text
        assert "[ru] Novosti: Ракеты ударили по Киеву" in text
        # a story flagged later, for an address the section no longer lists: not sent
        add(store, [Item(0, "Kyiv: a dam breaks", "Water.", "en", 6, story=5)])
        place(store, int(store.query("SELECT MAX(id) AS id FROM articles")[0]["id"]), "UA")
        flag(store, 5, 6)
        assert plan_breaking_alerts(store, cfg) == 1
        other = parse_breaking_section({"email": "other@example.org"}, "feeds.yaml")
        (note,) = deliver(store, other, digest=digest)
        assert "the breaking: section no longer mails this address" in note
        assert len(smtp.mailbox.messages) == 1


def test_the_pipeline_stage_records_breaking_alerts_without_any_watch(
    tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "settings:\n  database: monitor.db\nfeeds:\n  - url: https://en.example/rss\n"
        f"breaking:\n  webhook: {{url: '{receiver.url}', secret_env: HOOK_SECRET, "
        "allow_private_addresses: true}\n",
        encoding="utf-8",
    )
    config = load_config(path)
    stage = alert_stage(config, WatchesConfig(), deliver=False)
    with open_store(tmp_path / "p.db") as store:
        assert stage(store) is None  # no news yet
        news(store)
        assert stage(store) == "alerts: 2 recorded, 0 of 0 deliveries sent"
        assert stage(store) is None
