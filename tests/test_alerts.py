"""Alerts of watches (deliver/alerts.py, webhook.py, alertplan.py, store/outbox.py) on a real
SQLite file, against a real HTTP receiver on 127.0.0.1 and a real aiosmtpd server."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from monitor.deliver.alertplan import (
    KEY_HEADER,
    SIGNATURE_HEADER,
    StorySize,
    alert_reason,
    idempotency_key,
    mail_due,
    retry_delay,
    status_outcome,
    verify,
)
from monitor.deliver.alerts import Delivery, deliver_due, outbox_problems, plan_alerts
from monitor.deliver.settings import DigestConfig, SmtpConfig
from monitor.errors import ConfigError, MonitorError
from monitor.store import Store
from monitor.timeutil import parse_iso, utcnow
from monitor.watches.match import run_watch_stage
from monitor.watches.settings import WatchesConfig, parse_watches_section

from .test_digest import SmtpServer
from .watches_helpers import Item, add, open_store

SECRET = "s3cret-for-tests"
ENV = {"HOOK_SECRET": SECRET}
LOCAL = {"127.0.0.1"}.__contains__  # stands in for a public address: 127.0.0.1 only


# --- pure decisions ---------------------------------------------------------------------


def test_a_story_is_alerted_again_only_when_it_grows_materially() -> None:
    en = StorySize(frozenset({"en"}), 2)
    assert alert_reason(None, en) == "new"
    assert alert_reason(en, en) is None
    assert alert_reason(en, StorySize(frozenset({"en"}), 3)) is None
    assert alert_reason(en, StorySize(frozenset({"en"}), 4)) == "outlets doubled"
    assert alert_reason(en, StorySize(frozenset({"en", "fr"}), 2)) == "new language"
    assert alert_reason(en, StorySize(frozenset(), 1)) is None  # shrinking is not news


def test_keys_gaps_retries_and_statuses() -> None:
    size = StorySize(frozenset({"fr", "en"}), 2)
    key = idempotency_key("Climate", 7, "webhook", "https://h.example/in", size)
    assert key == idempotency_key("climate", 7, "webhook", "https://h.example/in", size)
    assert key != idempotency_key(
        "Climate", 7, "webhook", "https://h.example/in", StorySize(size.languages, 4)
    )
    now = utcnow()
    assert mail_due(now, None, 900) == now
    assert mail_due(now, now - timedelta(minutes=5), 900) == now + timedelta(minutes=10)
    assert mail_due(now, now - timedelta(hours=1), 900) == now
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert retry_delay(30) == timedelta(hours=1)
    assert [status_outcome(s) for s in (200, 204, 500, 429, 408, 404, 400)] == [
        "sent", "sent", "retry", "retry", "retry", "failed", "failed",
    ]  # fmt: skip


# --- a receiver on 127.0.0.1 ------------------------------------------------------------


class Receiver:
    """An HTTP server that records each POST and answers with the next behaviour."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, str], bytes]] = []
        self.behaviours: list[Callable[[BaseHTTPRequestHandler], None]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.posts.append((self.path, dict(self.headers), body))
                behave = receiver.behaviours.pop(0) if receiver.behaviours else status(200)
                try:
                    behave(self)
                except OSError:
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def status(code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Callable[..., None]:
    def behave(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(code)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return behave


def held(release: threading.Event) -> Callable[..., None]:
    """A 200 given only once the test sets `release` (or after a minute): slower than any
    deadline, without a clock in the test."""

    def behave(handler: BaseHTTPRequestHandler) -> None:
        release.wait(60)
        status(200)(handler)

    return behave


class Endless:
    """200 with a body that never ends (until the client hangs up, at most 1 GiB); counts
    what it could write before that."""

    def __init__(self) -> None:
        self.written = 0
        self.ended = threading.Event()

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        try:
            handler.send_response(200)
            handler.end_headers()
            chunk = b"x" * 65536
            for _ in range(16 * 1024):
                handler.wfile.write(chunk)
                self.written += len(chunk)
        finally:
            self.ended.set()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def watches(*items: dict[str, Any]) -> WatchesConfig:
    return parse_watches_section(list(items), "feeds.yaml", model="fake")


def hooked(url: str, timeout: float = 5) -> WatchesConfig:
    return watches(
        {
            "name": "Climate",
            "query": "climate OR climat",
            "notify": {"webhook": {"url": url, "secret_env": "HOOK_SECRET", "timeout": timeout}},
        }
    )


def deliver(store: Store, config: WatchesConfig, *, later: float = 0, **kw: Any) -> list[str]:
    import asyncio

    delivery = Delivery(config, kw.pop("digest", None), ENV, is_allowed=LOCAL, **kw)
    return asyncio.run(deliver_due(store, delivery, utcnow() + timedelta(seconds=later)))


def climate_news(store: Store, config: WatchesConfig) -> list[int]:
    run_watch_stage(store, config, None)  # the watch exists before the news: live matches
    ids = add(
        store,
        [
            Item(0, "Climate summit opens", "Leaders meet.", "en", 1, story=1),
            Item(0, "Cup final tonight", "Football.", "en", 2, story=2),
        ],
    )
    run_watch_stage(store, config, None)
    return ids


def test_a_webhook_is_signed_retried_after_a_500_with_the_same_key(
    tmp_path: Path, receiver: Receiver
) -> None:
    config = hooked(receiver.url)
    with open_store(tmp_path / "a.db") as store:
        climate_news(store, config)
        assert plan_alerts(store, config) == 1
        assert plan_alerts(store, config) == 0  # the same alert is never recorded twice
        receiver.behaviours = [status(500, b"oops")]
        notes = deliver(store, config)
        assert len(notes) == 1 and "retry at" in notes[0] and "HTTP 500" in notes[0]
        assert deliver(store, config) == []  # not due yet: backoff
        notes = deliver(store, config, later=31)
        assert notes and notes[0].endswith(": sent")
        assert deliver(store, config, later=3600) == []  # sent once, done
        (first, second) = receiver.posts
        assert first[2] == second[2] and first[1][KEY_HEADER] == second[1][KEY_HEADER]
        for _path, headers, body in receiver.posts:
            assert verify(SECRET.encode(), body, headers[SIGNATURE_HEADER])
            assert not verify(b"another secret", body, headers[SIGNATURE_HEADER])
        payload = json.loads(first[2])
        assert payload["watch"]["name"] == "Climate" and payload["story"]["id"] == 1
        assert payload["story"]["articles"][0]["title"] == "Climate summit opens"
        assert payload["why"]["terms"] == ["climate"] and payload["reason"] == "new"
        assert payload["idempotency_key"] == first[1][KEY_HEADER]
        (row,) = store.outbox_rows()
        assert (row["state"], row["attempts"]) == ("sent", 2)


def test_backfilled_matches_never_alert_and_growth_alerts_again(tmp_path: Path, receiver: Receiver) -> None:
    config = hooked(receiver.url)
    with open_store(tmp_path / "b.db") as store:
        add(store, [Item(0, "Climate summit opens", "Leaders meet.", "en", 1, story=1)])
        run_watch_stage(store, config, None)  # a new watch: backfilled over the stored news
        assert store.query("SELECT backfill FROM watch_matches") == [{"backfill": 1}]
        assert plan_alerts(store, config) == 0
        add(store, [Item(1, "Sommet sur le climat", "Les dirigeants.", "fr", 2, story=1)])
        run_watch_stage(store, config, None)  # a live match in the same story: alerted
        assert plan_alerts(store, config) == 1
        add(store, [Item(0, "More on the summit", "Talks.", "en", 3, story=1)])  # same outlet, language
        run_watch_stage(store, config, None)
        assert plan_alerts(store, config) == 0
        add(store, [Item(2, "Саммит по климату", "Лидеры.", "ru", 4, story=1)])  # a new language
        run_watch_stage(store, config, None)
        assert plan_alerts(store, config) == 1
        assert deliver(store, config) and len(receiver.posts) == 2
        reasons = [json.loads(body)["reason"] for _p, _h, body in receiver.posts]
        assert reasons == ["new", "new language"]


def test_a_slow_receiver_is_bounded_by_the_deadline(tmp_path: Path, receiver: Receiver) -> None:
    config = hooked(receiver.url, timeout=1)
    with open_store(tmp_path / "c.db") as store:
        climate_news(store, config)
        plan_alerts(store, config)
        release = threading.Event()
        receiver.behaviours = [held(release)]
        try:
            notes = deliver(store, config)
            # Returned while the receiver still held its answer: the deadline ended the wait.
            assert not release.is_set() and len(receiver.posts) == 1
        finally:
            release.set()
        assert "retry at" in notes[0] and ("within 1 s" in notes[0] or "timed out" in notes[0]), notes


def test_a_huge_answer_is_capped(tmp_path: Path, receiver: Receiver) -> None:
    config = hooked(receiver.url)
    with open_store(tmp_path / "d.db") as store:
        climate_news(store, config)
        plan_alerts(store, config)
        endless = Endless()
        receiver.behaviours = [endless]
        notes = deliver(store, config)
        assert "retry at" in notes[0] and "larger than the cap" in notes[0], notes
        # The client hung up after the cap: the receiver wrote no more than the cap and what
        # the sockets' buffers hold (a few MiB on loopback), not its 1 GiB.
        assert endless.ended.wait(60) and endless.written < 64 * 1024 * 1024, endless.written


def test_a_redirect_to_a_private_address_is_refused(tmp_path: Path, receiver: Receiver) -> None:
    config = hooked(receiver.url)
    port = receiver.httpd.server_address[1]
    with open_store(tmp_path / "e.db") as store:
        climate_news(store, config)
        plan_alerts(store, config)
        receiver.behaviours = [status(307, b"", {"Location": f"http://127.0.0.2:{port}/inside"})]
        notes = deliver(store, config)
        assert "non-public address 127.0.0.2" in notes[0] and "retry at" in notes[0], notes
        assert [p for p, _h, _b in receiver.posts] == ["/hook"]
        # a 307 to an allowed address keeps the method, the body and its signature
        receiver.behaviours = [status(307, b"", {"Location": f"http://127.0.0.1:{port}/moved"})]
        notes = deliver(store, config, later=31)
        assert notes[0].endswith(": sent")
        assert [p for p, _h, _b in receiver.posts] == ["/hook", "/hook", "/moved"]
        _p, headers, body = receiver.posts[-1]
        assert verify(SECRET.encode(), body, headers[SIGNATURE_HEADER])


def test_a_restart_in_the_middle_does_not_send_twice(tmp_path: Path, receiver: Receiver) -> None:
    config = hooked(receiver.url)
    path = tmp_path / "f.db"
    with open_store(path) as store:
        climate_news(store, config)
        assert plan_alerts(store, config) == 1
        (row,) = store.outbox_rows()
        now = utcnow()
        assert store.outbox_claim(int(row["id"]), now, now - timedelta(minutes=2)) is not None
        # ...the process dies here, in mid-send: nothing more recorded
    with Store.open(path) as store:
        assert plan_alerts(store, config) == 0  # the alert is not recorded again
        assert deliver(store, config) == []  # its claim still holds: not sent by a second process
        assert receiver.posts == []
        notes = deliver(store, config, later=5 + 60 + 1)  # the lease (timeout + 60 s) is over
        assert notes and notes[0].endswith(": sent")
        assert deliver(store, config, later=3600) == []
        assert len(receiver.posts) == 1


def test_immediate_mail_gathers_stories_and_keeps_the_gap(tmp_path: Path) -> None:
    config = watches(
        {
            "name": "Climate",
            "query": "climate OR climat",
            "notify": {"email": {"to": "me@example.org", "mode": "immediate", "min_gap": "15m"}},
        }
    )
    with SmtpServer() as smtp, open_store(tmp_path / "g.db") as store:
        digest = DigestConfig(
            sender="monitor <monitor@example.org>",
            smtp=SmtpConfig(host="127.0.0.1", port=smtp.port, security="none", timeout=5),
        )
        run_watch_stage(store, config, None)
        add(
            store,
            [
                Item(0, "Climate summit opens", "Leaders meet.", "en", 1, story=1),
                Item(1, "Le climat au menu", "Texte.", "fr", 2, story=2),
            ],
        )
        run_watch_stage(store, config, None)
        assert plan_alerts(store, config) == 2
        notes = deliver(store, config, digest=digest)
        assert len(notes) == 1 and notes[0].endswith(": sent")
        ((envelope, message),) = smtp.mailbox.messages
        assert envelope.rcpt_tos == ["me@example.org"]
        text = message.get_body(("plain",)).get_content()
        assert "Climate summit opens" in text and "Le climat au menu" in text
        assert message["Subject"] == "Climate: 2 stories"
        add(store, [Item(0, "Climate march", "Crowds.", "en", 3, story=3)])
        run_watch_stage(store, config, None)
        assert plan_alerts(store, config) == 1
        assert deliver(store, config, digest=digest) == []  # within min_gap: waits
        assert len(smtp.mailbox.messages) == 1
        notes = deliver(store, config, digest=digest, later=15 * 60 + 1)
        assert notes[0].endswith(": sent") and len(smtp.mailbox.messages) == 2
        assert "Climate march" in smtp.mailbox.messages[1][1]["Subject"]
        assert smtp.mailbox.messages[0][1]["Message-ID"] != smtp.mailbox.messages[1][1]["Message-ID"]


def test_a_500_for_a_day_is_retried_with_backoff_then_failed_never_lost(
    tmp_path: Path, receiver: Receiver
) -> None:
    config = hooked(receiver.url)
    start = utcnow()
    with open_store(tmp_path / "h.db") as store:
        climate_news(store, config)
        assert plan_alerts(store, config) == 1
        receiver.behaviours = [status(500, b"down")] * 1000
        tries = 0
        while True:  # the clock jumps to each retry time, as the daemon's job would find it
            (row,) = store.outbox_rows()
            if row["state"] != "pending":
                break
            due = parse_iso(row["next_attempt_at"])
            assert due is not None
            notes = deliver(store, config, later=max((due - start).total_seconds(), 0) + 1)
            assert len(notes) == 1 and "HTTP 500" in notes[0]
            tries += 1
        assert row["state"] == "failed" and "HTTP 500" in row["last_error"]
        # backoff 30 s, 1, 2, 4 ... 64 min capped at 1 h: about 30 tries over the 24 hours
        assert 25 <= tries <= 32 and row["attempts"] == tries == len(receiver.posts)
        assert {h[KEY_HEADER] for _p, h, _b in receiver.posts} == {row["idempotency_key"]}
        assert outbox_problems(store) == [
            f"alert {row['id']} webhook {receiver.url}: failed after {tries} attempts: {row['last_error']}"
        ]
        assert deliver(store, config, later=3 * 86400) == []  # failed for good: not sent again
        assert plan_alerts(store, config) == 0  # nor recorded again


def test_a_receiver_that_never_answers_or_is_not_there_is_retried(tmp_path: Path) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections, never reads nor answers
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, not listening: connection refused
    try:
        # The silent one is ended by the deadline (it would hold the delivery for ever).
        reasons = {
            silent.getsockname()[1]: "no complete answer within 1 s",
            closed.getsockname()[1]: "cannot connect",
        }
        for port, reason in reasons.items():
            config = hooked(f"http://127.0.0.1:{port}/hook", timeout=1)
            with open_store(tmp_path / f"{port}.db") as store:
                climate_news(store, config)
                plan_alerts(store, config)
                notes = deliver(store, config)
                assert len(notes) == 1 and "retry at" in notes[0] and reason in notes[0], notes
                (row,) = store.outbox_rows()
                assert (row["state"], row["attempts"]) == ("pending", 1)
    finally:
        silent.close()
        closed.close()


def test_alert_text_counts_in_singular_and_plural() -> None:
    from monitor.deliver.alerts import alert_text

    story = {"headline": "Cup final", "languages": ["en"], "reason": "new", "why": {"terms": ["cup"]}}
    _subject, text = alert_text({"watch": "Cup", "stories": [{**story, "outlets": 1, "articles_count": 1}]})
    assert "  1 outlet, 1 article (en)" in text
    _subject, text = alert_text({"watch": "Cup", "stories": [{**story, "outlets": 2, "articles_count": 3}]})
    assert "  2 outlets, 3 articles (en)" in text


def test_an_alert_mail_without_a_reply_to_its_end_is_unknown_and_never_sent_again(tmp_path: Path) -> None:
    """Exactly once for alert mails too (issue 23): the server took the mail at its final dot
    and never answered; the outbox row is 'unknown', shown, and sent again only on request."""
    from functools import partial

    from click.testing import CliRunner

    from monitor.cli import main
    from monitor.deliver.alerts import resolve_alert
    from monitor.deliver.smtp import send_message

    from .slowsmtp import SlowReplies, SlowSmtp

    config = watches(
        {
            "name": "Climate",
            "query": "climate OR climat",
            "notify": {"email": {"to": "me@example.org", "mode": "immediate", "min_gap": "15m"}},
        }
    )
    handler = SlowReplies(hold={"me@example.org"})
    with SlowSmtp(handler) as smtp, open_store(tmp_path / "g.db") as store:
        digest = DigestConfig(
            sender="monitor <monitor@example.org>",
            smtp=SmtpConfig(host="127.0.0.1", port=smtp.port, security="none", timeout=5),
        )
        sender = partial(send_message, final_reply_wait=0.5)
        climate_news(store, config)
        assert plan_alerts(store, config) == 1
        (note,) = deliver(store, config, digest=digest, mail_sender=sender)
        assert "outcome unknown, not sent again" in note and "monitor watches resolve" in note, note
        assert len(smtp.messages) == 1
        (row,) = store.outbox_rows()
        assert row["state"] == "unknown" and row["data_sent_at"] is not None
        for later in (60, 3600, 2 * 86400):
            assert deliver(store, config, digest=digest, mail_sender=sender, later=later) == []
        assert len(smtp.messages) == 1
        (line,) = outbox_problems(store, store.outbox_in_doubt())
        assert line.startswith(f"alert {row['id']} email me@example.org: outcome unknown after 1 attempts")
        assert f"monitor watches resolve {row['id']} resend" in line
        (tmp_path / "feeds.yaml").write_text("settings:\n  database: g.db\nfeeds: []\n", encoding="utf-8")
        stats = CliRunner().invoke(main, ["--config", str(tmp_path / "feeds.yaml"), "stats"])
        assert (
            stats.exit_code == 0
            and f"alert {row['id']} email me@example.org: outcome unknown" in stats.output
        )
        # A person decides to send it again: it goes once more, with the same Message-ID.
        handler.released.set()
        result = CliRunner().invoke(
            main, ["--config", str(tmp_path / "feeds.yaml"), "watches", "resolve", str(row["id"]), "resend"]
        )
        assert result.exit_code == 0 and "to be sent again" in result.output, result.output
        (note,) = deliver(store, config, digest=digest, mail_sender=sender)
        assert note.endswith(": sent") and len(smtp.messages) == 2
        assert smtp.messages[0][1]["Message-ID"] == smtp.messages[1][1]["Message-ID"]
        with pytest.raises(MonitorError, match=f"alert {row['id']} is sent, not of unknown outcome"):
            resolve_alert(store, int(row["id"]), "sent", utcnow())
        with pytest.raises(MonitorError, match="no alert 999 in the outbox"):
            resolve_alert(store, 999, "sent", utcnow())


def test_the_daemon_does_not_wait_on_the_reply_to_an_alert_mail(tmp_path: Path) -> None:
    """In the daemon an alert mail's reply is awaited in the background: the delivery round
    ends once the mail's end is sent, and the reply is recorded when it comes; meanwhile it is
    among the replies a stopping daemon gives its grace."""
    import asyncio

    from monitor.deliver.handoff import in_background

    from .slowsmtp import SlowReplies, SlowSmtp

    config = watches(
        {
            "name": "Climate",
            "query": "climate OR climat",
            "notify": {"email": {"to": "me@example.org", "mode": "immediate"}},
        }
    )
    handler = SlowReplies(hold={"me@example.org"})
    with SlowSmtp(handler) as smtp, open_store(tmp_path / "g.db") as store:
        digest = DigestConfig(
            sender="monitor <monitor@example.org>",
            smtp=SmtpConfig(host="127.0.0.1", port=smtp.port, security="none", timeout=5),
        )
        climate_news(store, config)
        assert plan_alerts(store, config) == 1
        delivery = Delivery(config, digest, ENV, is_allowed=LOCAL)

        awaiting: set[asyncio.Future[Any]] = set()

        async def blocking(send: Any, mark: Any, late: Any) -> Any:
            return await in_background(send, mark, late, "alert-smtp", awaiting=awaiting)

        async def scenario() -> tuple[list[str], str, str]:
            notes = await asyncio.wait_for(deliver_due(store, delivery, blocking=blocking), 20)
            before = str(store.outbox_rows()[0]["state"])
            assert len(awaiting) == 1
            handler.released.set()
            deadline = time.monotonic() + 20
            while store.outbox_rows()[0]["state"] == "sending" and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert not awaiting
            return notes, before, str(store.outbox_rows()[0]["state"])

        notes, before, after = asyncio.run(scenario())
        assert len(notes) == 1 and notes[0].endswith(": sent, awaiting the server's reply"), notes
        assert (before, after) == ("sending", "sent") and len(smtp.messages) == 1


def test_a_watch_can_ask_for_its_breaking_stories_only(tmp_path: Path, receiver: Receiver) -> None:
    config = watches(
        {
            "name": "Climate",
            "query": "climate OR climat",
            "notify": {"on": "breaking", "webhook": {"url": receiver.url, "secret_env": "HOOK_SECRET"}},
        }
    )
    with open_store(tmp_path / "br.db") as store:
        run_watch_stage(store, config, None)
        add(
            store,
            [
                Item(0, "Climate summit opens", "Leaders meet.", "en", 1, story=1),
                Item(0, "Climate march in the rain", "A few hundred.", "en", 2, story=2),
            ],
        )
        run_watch_stage(store, config, None)
        assert plan_alerts(store, config) == 0  # two matching stories, neither breaking
        with store.transaction():
            store.db.execute("UPDATE stories SET breaking_at = '2025-03-01T13:00:00Z' WHERE id = 1")
        assert plan_alerts(store, config) == 1
        assert plan_alerts(store, config) == 0  # once per story
        assert deliver(store, config)
        (post,) = receiver.posts
        payload = json.loads(post[2])
        assert payload["reason"] == "breaking" and payload["story"]["id"] == 1
        assert payload["story"]["breaking_at"] == "2025-03-01T13:00:00Z"


@pytest.mark.parametrize(
    ("notify", "words"),
    [
        ({"on": "soon", "webhook": {"url": "https://h.example/in"}}, "'soon' is not one of: match, breaking"),
        ({"on": "breaking"}, "on: needs an email: or a webhook:"),
    ],
)
def test_notify_on_is_checked(notify: dict[str, Any], words: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(words)):
        watches({"name": "Climate", "query": "climate", "notify": notify})
