"""Alerts of watches (issue 15, item 3): the stage that decides which matching stories are
alerted and writes each alert to the outbox, and the worker that delivers the outbox
(webhooks, immediate mails), claimed row by row, retried with backoff for 24 hours.

Each alert is recorded with the story's size in `watch_alerts` in the same transaction as
its outbox row, so that a crash never loses an alert nor records one twice; a delivery is
claimed ('sending') before it leaves, and a claim older than its lease (a crash in mid-send)
is sent again with the same idempotency key (webhook) or Message-ID (mail), which lets the
receiver drop the repeat. A mail whose final dot went without a reply after it is never sent
again on its own: the server may hold it; it becomes 'unknown' until a person decides
(`resolve_alert`). Backfilled matches never alert. Daily mail is a section of the
recipient's digest (`deliver.rank.watch_sections`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, parseaddr
from typing import Any, Protocol

from monitor.config import Config
from monitor.deliver.alertplan import (
    ALERT_WINDOW,
    GIVE_UP_AFTER,
    MAIL_ARTICLES,
    MAX_ARTICLES,
    StorySize,
    alert_reason,
    articles_part,
    idempotency_key,
    languages_of,
    retry_delay,
    story_head,
    why_text,
)
from monitor.deliver.breaking_alerts import (
    BREAKING_EVENT,
    BreakingStore,
    breaking_text,
    is_breaking_row,
    plan_breaking_alerts,
)
from monitor.deliver.breaking_settings import BreakingAlertsConfig, load_breaking_config
from monitor.deliver.handoff import MailRunner, in_background, inline
from monitor.deliver.settings import DigestConfig, DigestError, load_digest_config, smtp_password
from monitor.deliver.smtp import (
    FINAL_REPLY_WAIT,
    BeforeFinalDot,
    Sender,
    SendOutcome,
    conversation_deadline,
    send_message,
)
from monitor.deliver.webhook import DeliveryOutcome, client_for, post_webhook, webhook_secret
from monitor.errors import ConfigError, FetchError, MonitorError
from monitor.ingest.fetch import is_public_address
from monitor.store.protocols import AlertStore
from monitor.terminal import one_line
from monitor.timeutil import iso, local_time, parse_iso, utcnow
from monitor.watches.settings import WatchConfig, WatchesConfig, WebhookAlert
from monitor.wording import count

log = logging.getLogger("monitor.alerts")



class AlertsStore(BreakingStore, Protocol):
    """What alerting reads and writes."""


MailSender = Sender
ENDED_WAITING = (
    "the process that sent it ended while awaiting the reply to its end: it may have been delivered"
)


# --- deciding and recording ------------------------------------------------------------


def channels_of(watch: WatchConfig) -> list[tuple[str, str]]:
    """(channel, target) pairs alerted through the outbox: the webhook, immediate mail."""
    out: list[tuple[str, str]] = []
    if watch.webhook is not None:
        out.append(("webhook", watch.webhook.url))
    if watch.email is not None and watch.email.mode == "immediate":
        out += [("email", address.lower()) for address in watch.email.to]
    return out


def _size(story: Mapping[str, Any]) -> StorySize:
    return StorySize(languages_of(json.loads(story.get("languages") or "[]")), int(story["n_outlets"] or 0))


def _story_part(store: AlertsStore, story: Mapping[str, Any], limit: int) -> dict[str, Any]:
    articles = store.watch_story_articles(int(story["id"]))
    return {
        **story_head(story),
        "languages": sorted(_size(story).languages),
        "breaking_at": story.get("breaking_at"),
        "articles": articles_part(articles, limit),
    }


def _why(match: Mapping[str, Any]) -> dict[str, Any]:
    why = json.loads(match.get("why") or "{}")
    return {**why, "article_id": int(match["article_id"]), "published": match["published"]}


def plan_alerts(store: AlertsStore, config: WatchesConfig, now: datetime | None = None) -> int:
    """Record the alerts that the stored matches call for, each with its outbox row; the
    number recorded. Safe to run at any time, from several processes: an alert recorded
    once is never recorded again (watch_alerts, compared and set in one transaction)."""
    now = now or utcnow()
    latest = parse_iso(store.watch_latest_published())
    if latest is None:
        return 0
    since = iso(latest - ALERT_WINDOW) or ""
    recorded = 0
    for watch in config.watches:
        channels = channels_of(watch)
        row = store.watch_row(watch.name) if channels else None
        if row is None:
            continue
        watch_id = int(row["id"])
        stories = store.alert_candidates(watch_id, since)
        seen: dict[tuple[int, str, str], tuple[list[str], int]] = {
            (int(r["story_id"]), r["channel"], r["target"]): (
                sorted(json.loads(r["languages"] or "[]")),
                int(r["outlets"]),
            )
            for r in store.alert_records(watch_id, [int(s["id"]) for s in stories])
        }
        for story in stories:
            if int(story["n_outlets"] or 0) < watch.min_outlets:
                continue
            if watch.notify_on == "breaking" and not story.get("breaking_at"):
                continue  # `notify: {on: breaking}`: only the watch's breaking stories
            match = store.alert_live_match(watch_id, int(story["id"]))
            if match is None:
                continue  # matched by a backfill only: never alerted
            size = _size(story)
            for channel, target in channels:
                previous = seen.get((int(story["id"]), channel, target))
                before = StorySize(frozenset(previous[0]), previous[1]) if previous else None
                reason = alert_reason(before, size)
                if reason is None:
                    continue
                if reason == "new" and watch.notify_on == "breaking":
                    reason = "breaking"
                key = idempotency_key(watch.name, int(story["id"]), channel, target, size)
                outbox = _outbox_entry(store, watch, story, match, reason, key, channel, now)
                min_gap = watch.email.min_gap if channel == "email" and watch.email else None
                if store.alert_record(
                    watch_id,
                    int(story["id"]),
                    channel,
                    target,
                    sorted(size.languages),
                    size.outlets,
                    outbox,
                    now,
                    previous=previous,
                    min_gap=min_gap,
                ):
                    recorded += 1
                    log.info(
                        "event=alert_recorded watch=%r story=%d channel=%s target=%s reason=%r",
                        watch.name, int(story["id"]), channel, target, reason,
                    )  # fmt: skip
    return recorded


def _outbox_entry(
    store: AlertsStore,
    watch: WatchConfig,
    story: Mapping[str, Any],
    match: Mapping[str, Any],
    reason: str,
    key: str,
    channel: str,
    now: datetime,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "idempotency_key": key,
        "next_attempt_at": iso(now),
        "expires_at": iso(now + GIVE_UP_AFTER),
    }
    if channel == "webhook":
        entry["payload"] = {
            "event": "watch.alert",
            "idempotency_key": key,
            "reason": reason,
            "alerted_at": iso(now),
            "watch": {
                "name": watch.name,
                "query": watch.query,
                "names": list(watch.names),
                "about": watch.about,
            },
            "story": _story_part(store, story, MAX_ARTICLES),
            "why": _why(match),
        }
    else:
        entry["envelope"] = {"watch": watch.name}
        entry["payload"] = {
            "key": key,
            "reason": reason,
            **_story_part(store, story, MAIL_ARTICLES),
            "why": _why(match),
        }
    return entry


# --- delivering ------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """What the outbox worker needs besides the store."""

    watches: WatchesConfig
    digest: DigestConfig | None  # the SMTP settings and sender of mails
    environ: Mapping[str, str]
    is_allowed: Callable[[str], bool] = is_public_address
    mail_sender: MailSender = send_message
    breaking: BreakingAlertsConfig | None = None  # the `breaking:` section's targets
    breaking_error: str | None = None  # why the section was refused: its alerts wait

    def lease(self) -> timedelta:
        """How long a 'sending' row is held before it counts as a crash in mid-send: longer
        than any send can last, so that a slow receiver never gets an alert twice."""
        hooks = [w.webhook.timeout for w in self.watches.watches if w.webhook is not None]
        if self.breaking is not None and self.breaking.webhook is not None:
            hooks.append(self.breaking.webhook.timeout)
        smtp = self.digest.smtp.timeout + conversation_deadline(self.digest.smtp) if self.digest else 0.0
        return timedelta(seconds=max([*hooks, smtp, 0.0]) + 60)


def delivery_for(
    config: Config, watches: WatchesConfig, environ: Mapping[str, str] | None = None
) -> Delivery:
    try:
        digest = load_digest_config(config)
    except ConfigError as exc:
        log.error("event=alert_mail_config_rejected error=%r", str(exc))
        digest = None
    environ = os.environ if environ is None else environ
    try:
        return Delivery(watches, digest, environ, breaking=load_breaking_config(config, environ))
    except ConfigError as exc:
        log.error("event=breaking_alerts_config_rejected error=%r", str(exc))
        return Delivery(watches, digest, environ, breaking_error=str(exc))


async def deliver_due(
    store: AlertsStore, delivery: Delivery, now: datetime | None = None, *, blocking: MailRunner = inline
) -> list[str]:
    """Deliver every due outbox row, one claim at a time; a one-line note per row tried.
    Mails are sent through `blocking` (the daemon: a daemon thread, off the event loop, not
    waiting for the reply to a mail's final dot, which is recorded when it comes)."""
    notes: list[str] = []
    started = time.monotonic()
    clock = now or utcnow()
    lease = delivery.lease()
    for outbox_id in store.outbox_settle_unknown(
        clock - timedelta(seconds=FINAL_REPLY_WAIT) - lease, ENDED_WAITING
    ):
        log.error("event=alert_outcome_unknown id=%d error=%r", outbox_id, ENDED_WAITING)
    names = {int(r["id"]): str(r["name"]) for r in store.watches_rows() if r["removed_at"] is None}
    for row in store.outbox_ready(clock, clock - lease):
        if delivery.breaking_error and is_breaking_row(row):
            continue  # the section is refused (an edit gone wrong): its alerts wait, unclaimed
        at = clock + timedelta(seconds=time.monotonic() - started)
        claimed = store.outbox_claim(int(row["id"]), at, at - lease)
        if claimed is None:
            continue  # another process took it
        if row["state"] == "sending":
            log.warning("event=alert_resend_after_crash id=%d attempts=%d", row["id"], row["attempts"])
        hook, addresses = _targets_of(claimed, names, delivery)
        outcome: DeliveryOutcome | None
        if claimed["channel"] == "webhook":
            outcome = await _send_webhook(claimed, hook, delivery)
        else:
            outcome = await _send_mail(store, claimed, addresses, delivery, blocking, now)
        if outcome is None:
            log.info("event=alert_awaiting_reply id=%d target=%s", claimed["id"], claimed["target"])
            notes.append(f"{_what(claimed)}: sent, awaiting the server's reply")
            continue
        notes.append(_record(store, claimed, outcome, now or utcnow()))
    return notes


def _targets_of(
    row: Mapping[str, Any], names: Mapping[int, str], delivery: Delivery
) -> tuple[WebhookAlert | None, list[str] | None]:
    """The webhook and the mail addresses that the row's sender (its watch, or the
    `breaking:` section) has now; None for one it no longer has."""
    if is_breaking_row(row):
        breaking = delivery.breaking
        hook = breaking.webhook if breaking is not None else None
        mail = breaking.email if breaking is not None else None
    else:
        watch = delivery.watches.get(names.get(int(row["watch_id"] or 0), ""))
        hook = watch.webhook if watch is not None else None
        mail = watch.email if watch is not None else None
    return hook, [a.lower() for a in mail.to] if mail is not None else None


def _sender_of(row: Mapping[str, Any]) -> str:
    return "the breaking: section" if is_breaking_row(row) else "the watch"


async def _send_webhook(
    row: Mapping[str, Any], hook: WebhookAlert | None, delivery: Delivery
) -> DeliveryOutcome:
    if hook is None or hook.url != row["target"]:
        return DeliveryOutcome("failed", error=f"{_sender_of(row)} no longer sends to this webhook")
    try:
        secret = webhook_secret(hook, delivery.environ)
    except FetchError as exc:
        return DeliveryOutcome("retry", error=exc.message)
    async with client_for(hook, delivery.is_allowed) as client:
        return await post_webhook(
            client, hook, str(row["payload"]).encode(), str(row["idempotency_key"]), secret
        )


async def _send_mail(
    store: AlertsStore,
    row: Mapping[str, Any],
    addresses: list[str] | None,
    delivery: Delivery,
    blocking: MailRunner,
    now: datetime | None,
) -> DeliveryOutcome | None:
    """The mail of a claimed row; None when its final dot went and the reply is awaited in
    the background (recorded when it comes)."""
    if addresses is None or row["target"] not in addresses:
        return DeliveryOutcome("failed", error=f"{_sender_of(row)} no longer mails this address")
    cfg = delivery.digest
    if cfg is None:
        return DeliveryOutcome("retry", error="no digest: section, so no SMTP server to send alerts through")
    try:
        password = smtp_password(cfg.smtp, delivery.environ)
    except DigestError as exc:
        return DeliveryOutcome("retry", error=str(exc))
    message = alert_message(json.loads(row["payload"]), cfg, str(row["target"]), str(row["idempotency_key"]))
    outbox_id, attempt = int(row["id"]), int(row["attempts"])

    def send(before_final_dot: BeforeFinalDot) -> SendOutcome:
        return delivery.mail_sender(message, cfg.smtp, password, before_final_dot=before_final_dot)

    def mark() -> bool:
        return store.outbox_mark_data_sent(outbox_id, attempt, now or utcnow())

    def late(sent: SendOutcome) -> None:
        log.info("event=alert_reply_came id=%d", outbox_id)
        _record(store, row, _mail_outcome(sent, password), utcnow())

    sent = await blocking(send, mark, late)
    return None if sent is None else _mail_outcome(sent, password)


def _mail_outcome(sent: SendOutcome, password: str | None) -> DeliveryOutcome:
    if sent.ok:
        return DeliveryOutcome("sent")
    error = sent.error or "unknown error"
    if password:
        error = error.replace(password, "********")
    if sent.unknown:
        return DeliveryOutcome("unknown", error=error)
    return DeliveryOutcome("failed" if sent.permanent else "retry", error=error)


def _what(row: Mapping[str, Any]) -> str:
    return f"{row['channel']} {row['target']} (alert {row['id']}, attempt {row['attempts']})"


def _record(store: AlertsStore, row: Mapping[str, Any], outcome: DeliveryOutcome, now: datetime) -> str:
    what = _what(row)
    if outcome.outcome == "sent":
        store.outbox_mark_sent(int(row["id"]), now)
        log.info("event=alert_sent channel=%s target=%s id=%d", row["channel"], row["target"], row["id"])
        return f"{what}: sent"
    error = outcome.error or "unknown error"
    if outcome.outcome == "unknown":
        store.outbox_mark_unknown(int(row["id"]), error)
        log.error(
            "event=alert_outcome_unknown channel=%s target=%s id=%d attempts=%d error=%r",
            row["channel"], row["target"], row["id"], row["attempts"], error,
        )  # fmt: skip
        return f"{what}: outcome unknown, not sent again: {error} ({alert_resolve_hint(int(row['id']))})"
    retry_at = now + retry_delay(int(row["attempts"]))
    expires = parse_iso(row["expires_at"]) or now
    if outcome.outcome == "failed" or retry_at > expires:
        store.outbox_mark_failed(int(row["id"]), error)
        log.error(
            "event=alert_failed channel=%s target=%s id=%d attempts=%d error=%r",
            row["channel"], row["target"], row["id"], row["attempts"], error,
        )  # fmt: skip
        return f"{what}: failed: {error}"
    store.outbox_mark_retry(int(row["id"]), error, retry_at)
    log.warning(
        "event=alert_send_error channel=%s target=%s id=%d attempts=%d retry_at=%s error=%r",
        row["channel"], row["target"], row["id"], row["attempts"], iso(retry_at), error,
    )  # fmt: skip
    return f"{what}: not sent, retry at {iso(retry_at)}: {error}"


# --- the mail --------------------------------------------------------------------------


def alert_text(payload: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, plain text) of an immediate mail: the watch's stories gathered since the last."""
    watch = str(payload.get("watch") or "")
    stories = list(payload.get("stories") or [])
    if len(stories) == 1:
        subject = f"{watch}: {one_line(stories[0].get('headline') or '', 120)}"
    else:
        subject = f"{watch}: {len(stories)} stories"
    lines = [f"Watch {watch!r}: {len(stories)} stor{'y' if len(stories) == 1 else 'ies'}", ""]
    for story in stories:
        langs = ", ".join(story.get("languages") or [])
        grown = "" if story.get("reason") == "new" else f"; {story.get('reason')}"
        lines.append(f"* {one_line(story.get('headline') or '', 200)}")
        lines.append(
            f"  {count(int(story.get('outlets') or 0), 'outlet')}, "
            f"{count(int(story.get('articles_count') or 0), 'article')} ({langs}){grown}"
        )
        if story.get("url"):
            lines.append(f"  {story['url']}")
        lines.append(f"  why: {why_text(story.get('why') or {})}")
        for article in story.get("articles") or []:
            lines.append(
                f"  - [{article.get('language') or '?'}] {one_line(article.get('outlet') or '', 40)}: "
                f"{one_line(article.get('title') or '', 160)}"
            )
        lines.append("")
    return subject, "\n".join(lines)


def alert_message(payload: Mapping[str, Any], cfg: DigestConfig, recipient: str, key: str) -> EmailMessage:
    """The mail of one outbox row; its Message-ID comes from the row's idempotency key, so a
    copy sent again after a crash folds into the first in the reader's mail client."""
    if payload.get("event") == BREAKING_EVENT:
        subject, text = breaking_text(payload, cfg.base_url, cfg.zone)
    else:
        subject, text = alert_text(payload)
    message = EmailMessage(policy=SMTP_POLICY)
    message["Subject"] = subject
    message["From"] = cfg.sender
    message["To"] = recipient
    message["Date"] = format_datetime(utcnow())
    domain = parseaddr(cfg.sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<alert.{key}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, charset="utf-8")
    return message


# --- wiring ----------------------------------------------------------------------------


def alert_stage(
    config: Config, watches: WatchesConfig, *, deliver: bool = True
) -> Callable[[AlertsStore], str | None]:
    """The pipeline stage after the watches stage: record the alerts the new matches (and
    the new breaking stories) call for, then (for `monitor poll`) deliver what is due; the
    daemon delivers in its own job."""
    breaking = load_breaking_config(config)

    def alerts(store: AlertsStore) -> str | None:
        if not any(channels_of(w) for w in watches.watches) and breaking is None:
            return None
        recorded = plan_alerts(store, watches)
        if breaking is not None:
            recorded += plan_breaking_alerts(store, breaking)
        notes = asyncio.run(deliver_due(store, delivery_for(config, watches))) if deliver else []
        if not recorded and not notes:
            return None
        sent = sum(note.endswith(": sent") for note in notes)
        return f"alerts: {recorded} recorded, {sent} of {len(notes)} deliveries sent"

    return alerts


async def daemon_alerts_job(daemon: Any) -> None:
    """What `monitor run` calls every 30 s: deliver due alerts (webhooks on the loop, with
    their deadline; mails in a daemon thread)."""
    from monitor.watches.settings import load_watches_config

    try:
        watches = load_watches_config(daemon.config)  # only notify: matters here
    except MonitorError as exc:
        log.error("event=alerts_config_rejected error=%r", str(exc))
        return
    delivery = delivery_for(daemon.config, watches)
    if not any(channels_of(w) for w in watches.watches) and delivery.breaking is None:
        return

    async def blocking(
        send: Callable[[BeforeFinalDot], SendOutcome],
        mark: Callable[[], bool],
        late: Callable[[SendOutcome], None],
    ) -> SendOutcome | None:
        return await in_background(send, mark, late, "alert-smtp", awaiting=daemon.mail_replies)

    await deliver_due(daemon.store, delivery, blocking=blocking)


def alert_resolve_hint(outbox_id: int) -> str:
    """How a person settles an alert of unknown outcome, in words."""
    return (
        f"if it did not arrive: monitor watches resolve {outbox_id} resend; "
        f"if it did: monitor watches resolve {outbox_id} sent"
    )


def resolve_alert(store: AlertStore, outbox_id: int, decision: str, now: datetime) -> str:
    """A person's decision on an alert of unknown outcome: 'sent' (it arrived) or 'resend'
    (send it again, with the same Message-ID, at the next delivery). MonitorError when there
    is no such alert of unknown outcome."""
    if decision not in ("sent", "resend"):
        raise MonitorError(f"cannot resolve an alert as {decision!r}: say sent or resend")
    rows = [r for r in store.outbox_rows() if int(r["id"]) == outbox_id]
    if not rows:
        raise MonitorError(f"no alert {outbox_id} in the outbox")
    if not store.outbox_resolve(outbox_id, decision == "sent", now):
        waiting = rows[0]["state"] == "sending" and rows[0]["data_sent_at"]
        state = "awaiting the server's reply" if waiting else rows[0]["state"]
        raise MonitorError(f"alert {outbox_id} is {state}, not of unknown outcome: nothing to resolve")
    log.warning("event=alert_resolved id=%d decision=%s", outbox_id, decision)
    if decision == "sent":
        return f"alert {outbox_id}: marked sent"
    return f"alert {outbox_id}: to be sent again at the next delivery (monitor poll, or the daemon's)"


def outbox_problems(
    store: AlertStore, rows: Sequence[Mapping[str, Any]] | None = None, zone: tzinfo = UTC
) -> list[str]:
    """Lines for people: deliveries waiting for a retry, failed for good, of unknown outcome
    (with how to settle them), or awaiting the reply to a mail's final dot; times in `zone`."""
    lines = []
    for row in rows if rows is not None else store.outbox_rows():
        what = f"alert {row['id']} {row['channel']} {row['target']}"
        if row["state"] == "unknown":
            lines.append(
                f"{what}: outcome unknown after {row['attempts']} attempts, not sent again: "
                f"{row['last_error']}; {alert_resolve_hint(int(row['id']))}"
            )
        elif row["state"] == "sending" and row["data_sent_at"]:
            sent = local_time(row["data_sent_at"], zone)
            lines.append(f"{what}: sent at {sent}, awaiting the server's reply")
        elif row["state"] == "failed" or (row["state"] == "pending" and row["last_error"]):
            lines.append(
                f"alert {row['id']} {row['channel']} {row['target']}: {row['state']} after "
                f"{row['attempts']} attempts: {row['last_error']}"
            )
    return lines
