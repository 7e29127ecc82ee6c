"""The daily digest: the day's top stories by email, once per recipient per day.

A small state machine over the `digests` table (pending -> sending -> sent, or back to pending
with a retry time, or failed), so that a restart never sends twice and a crash in the middle
never loses a digest (it is sent again later, with the same Message-ID, so a mail client that
did get the first copy folds the two). A crash or a silence after the message's final dot is
another matter: the server may hold the message, so it is never sent again on its own; it
becomes 'unknown', shown in `monitor stats`, until a person says whether it arrived
(`resolve`). Deciding is in `rank`, rendering in `render`, sending in `smtp`, the settings in
`settings`.
"""

from __future__ import annotations

import email
import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path
from typing import Any

from monitor import metrics
from monitor.config import Config
from monitor.deliver.alertplan import StorySize, languages_of
from monitor.deliver.handoff import MailRunner, Send, in_background
from monitor.deliver.rank import (
    FOLLOW_UP_DAYS,
    GIVE_UP_AFTER,
    DailyWatch,
    DayFigures,
    Digest,
    StoryRow,
    WatchSection,
    WatchStory,
    _article_row,
    digest_window,
    due_at,
    due_day,
    mark_follow_ups,
    retry_delay,
    select_stories,
    watch_sections,
)
from monitor.deliver.render import compose_message, render_digest
from monitor.deliver.settings import (
    DigestConfig,
    DigestError,
    Recipient,
    address_problem,
    load_digest_config,
    smtp_password,
)
from monitor.deliver.smtp import (
    FINAL_REPLY_WAIT,
    BeforeFinalDot,
    Sender,
    SendOutcome,
    conversation_deadline,
    send_message,
)
from monitor.entities.countries import country_name
from monitor.entities.storycountries import countries_of
from monitor.errors import ConfigError
from monitor.store.protocols import DigestStore
from monitor.stories.records import rising_at, rising_countries_at
from monitor.timeutil import iso, local_time, parse_iso, utcnow
from monitor.wording import count

log = logging.getLogger("monitor.digest")


def build_digest(
    store: DigestStore,
    cfg: DigestConfig,
    day: date,
    recipient: Recipient | None,
    *,
    default_languages: Sequence[str] = (),
    now: datetime | None = None,
    watches: Sequence[DailyWatch] = (),
) -> Digest:
    """Read the day's stories from the store and choose this reader's digest (of the day so
    far when `now`, by default the wall clock, is before its end), with a section for each
    of the reader's daily `watches` that matched something new that day."""
    start, end = digest_window(day, cfg)
    now = now or utcnow()
    rows = store.digest_story_articles(start, end)
    articles = [_article_row(r) for r in rows]
    story_ids = sorted({a.story_id for a in articles})
    stories = [
        StoryRow(
            id=int(s["id"]),
            headline_article_id=s["headline_article_id"],
            first_seen=parse_iso(s["first_seen"]),
            thread_id=s.get("thread_id"),
        )
        for s in store.digest_stories(story_ids)
    ]
    previous = frozenset(
        store.digest_previous_story_ids(day - timedelta(days=1), recipient.address if recipient else None)
    )
    views, candidates = select_stories(
        stories,
        articles,
        start,
        end,
        recipient,
        previous,
        cfg.max_stories,
        default_languages,
        all_versions=cfg.versions == "all",
    )
    thread_of = {story.id: story.thread_id for story in stories}
    threads = sorted({t for t in thread_of.values() if t is not None})
    sent = store.digest_thread_stories_sent(
        threads, recipient.address if recipient else None, day - timedelta(days=FOLLOW_UP_DAYS), day
    )
    views = mark_follow_ups(views, thread_of, sent)
    figures = DayFigures(**store.digest_day_figures(start, end))
    sections: tuple[WatchSection, ...] = ()
    if recipient is not None and watches:
        found = _watch_sections(store, watches, recipient.address, start, end, cfg.max_stories)
        sections = _with_countries(store, found)
    return Digest(
        rising=_rising(store, end),
        rising_countries=_rising_countries(store, end),
        day=day,
        start=start,
        end=end,
        timezone=cfg.timezone,
        recipient=recipient,
        stories=tuple(views),
        figures=figures,
        candidates=candidates,
        until=now if now < end else None,
        watches=sections,
    )


def _with_countries(store: DigestStore, sections: Sequence[WatchSection]) -> tuple[WatchSection, ...]:
    """The watch sections with each story's countries, as its page shows them: one query."""
    ids = [story.id for section in sections for story in section.stories]
    about = countries_of(store, ids) if ids else {}
    return tuple(
        replace(section, stories=tuple(_about(s, about) for s in section.stories)) for section in sections
    )


def _about(story: WatchStory, about: Mapping[int, list[str]]) -> WatchStory:
    return replace(story, countries=tuple(about.get(story.id, ())))


RISING_SHOWN = 8  # names in the digest's "Rising" line


def _rising(store: DigestStore, end: datetime) -> tuple[tuple[str, int, int], ...]:
    """The names rising at the end of the digest's day (monitor.watches.rising)."""
    return tuple((r.name, r.recent, r.before) for r in rising_at(store, end, limit=RISING_SHOWN))


def _rising_countries(store: DigestStore, end: datetime) -> tuple[tuple[str, int, int], ...]:
    """The countries rising at the end of the digest's day, by name."""
    found = rising_countries_at(store, end, limit=RISING_SHOWN)
    return tuple((country_name(r.name), r.recent, r.before) for r in found)


def _watch_sections(
    store: DigestStore,
    watches: Sequence[DailyWatch],
    address: str,
    start: datetime,
    end: datetime,
    max_stories: int,
) -> tuple[WatchSection, ...]:
    matches = store.digest_watch_matches([w.name for w in watches], start, end)
    watch_ids = sorted({int(m["watch_id"]) for m in matches})
    shown = {
        (int(r["watch_id"]), int(r["story_id"])): StorySize(
            languages_of(json.loads(r["languages"] or "[]")), int(r["outlets"])
        )
        for r in store.digest_watch_shown(watch_ids, address, start)
    }
    return watch_sections(watches, matches, shown, max_stories)


def daily_watches(config: Config, address: str | None) -> list[DailyWatch]:
    """The watches whose `notify: email` sends this reader a daily section of the digest."""
    if address is None:
        return []
    from monitor.watches.settings import load_watches_config

    try:
        watches = load_watches_config(config).watches
    except ConfigError as exc:
        log.error("event=digest_watches_config_rejected error=%r", str(exc))
        return []
    return [
        DailyWatch(w.name, w.min_outlets)
        for w in watches
        if w.email is not None
        and w.email.mode == "daily"
        and address.lower() in (a.lower() for a in w.email.to)
    ]


def preview_digest(
    store: DigestStore, config: Config, cfg: DigestConfig, day: date, recipient: str | None
) -> Digest:
    """One day's digest as `recipient` (default the first listed) would get it, with its
    daily watch sections; nothing recorded (`monitor digest`, `--output`, the demo)."""
    reader = recipient_for(cfg, recipient)
    return build_digest(
        store,
        cfg,
        day,
        reader,
        default_languages=config.settings.languages,
        watches=daily_watches(config, reader.address if reader else None),
    )


def write_digest_html(
    store: DigestStore, config: Config, day: date | None, path: str | Path, *, recipient: str | None = None
) -> Path:
    """Write one day's digest as an HTML file (for `make demo` and `monitor digest --output`).

    `day` None: the digest that covers the newest story article (a replayed corpus's last day).
    """
    cfg = load_digest_config(config) or DigestConfig(timezone=config.settings.timezone)
    if day is None:
        day = latest_story_day(store, cfg)
    _text, page = render_digest(preview_digest(store, config, cfg, day, recipient), cfg)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return target


def latest_story_day(store: DigestStore, cfg: DigestConfig) -> date:
    """The day (in the digest's zone) of the newest article of a story: today's date when none."""
    newest = parse_iso(store.digest_latest_story_article())
    return (newest or utcnow()).astimezone(cfg.zone).date()


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


@dataclass(frozen=True)
class DigestJob:
    """A claimed (day, recipient): the stored message to send now."""

    day: date
    recipient: str
    attempts: int  # counting this one
    created: datetime  # when the digest was composed: retries stop GIVE_UP_AFTER later
    message: str


def lease_for(cfg: DigestConfig) -> timedelta:
    """How long a 'sending' row is held before it counts as a crash in mid-send: longer than
    a send can last (connecting, then the whole conversation's deadline), with a minute to
    spare, so that a slow server never gets the same digest twice."""
    return timedelta(seconds=cfg.smtp.timeout + conversation_deadline(cfg.smtp) + 60)


def reply_given_up(cfg: DigestConfig) -> timedelta:
    """How long after its final dot a digest still 'sending' is taken as 'unknown': the
    process that awaited the reply ended (the RFC's wait is over, with the lease to spare)."""
    return timedelta(seconds=FINAL_REPLY_WAIT) + lease_for(cfg)


ENDED_WAITING = (
    "the process that sent it ended while awaiting the reply to its end: it may have been delivered"
)


def prepare_day(store: DigestStore, config: Config, cfg: DigestConfig, day: date, now: datetime) -> list[str]:
    """Record a day's digest for each recipient not yet recorded: composed once, kept until sent."""
    notes: list[str] = []
    for recipient in cfg.recipients:
        if store.digest_row(day, recipient.address) is not None:
            continue
        digest = build_digest(
            store,
            cfg,
            day,
            recipient,
            default_languages=config.settings.languages,
            now=now,
            watches=daily_watches(config, recipient.address),
        )
        ids = [s.id for s in digest.stories]
        if not digest.stories and not digest.watches and cfg.when_empty == "skip":
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
            watch_stories=[
                (section.watch_id, story.id, story.languages, story.outlets)
                for section in digest.watches
                for story in section.stories
            ],
            day_end=digest.end,
        )
    return notes


def claim_ready(
    store: DigestStore, cfg: DigestConfig, now: datetime, day: date | None = None
) -> list[DigestJob]:
    """Move each pending row whose time has come (or a stale 'sending' one) to 'sending'."""
    return list(claim_each(store, cfg, now, day))


def claim_each(
    store: DigestStore, cfg: DigestConfig, now: datetime, day: date | None = None
) -> Iterator[DigestJob]:
    """claim_ready one row at a time: each is claimed when the caller asks for it (after
    sending the one before), so that its lease runs from its own send, not from the first."""
    started = time.monotonic()
    listed = {r.address.lower() for r in cfg.recipients}
    for row in store.digest_settle_unknown(now - reply_given_up(cfg), ENDED_WAITING, now):
        metrics.record_digest_send("unknown")
        log.error(
            "event=digest_outcome_unknown day=%s recipient=%s attempts=%d error=%r",
            row["day"], row["recipient"], row["attempts"], ENDED_WAITING,
        )  # fmt: skip
    for row in store.digest_ready(now, now - lease_for(cfg)):
        if day is not None and row["day"] != day.isoformat():
            continue
        if row["recipient"] not in listed:
            continue  # taken off the list since: send nothing more
        claimed_at = now + timedelta(seconds=time.monotonic() - started)
        if not store.digest_claim(row["day"], row["recipient"], claimed_at, claimed_at - lease_for(cfg)):
            continue  # another process took it
        if row["state"] == "sending":
            log.warning(
                "event=digest_resend_after_crash day=%s recipient=%s attempts=%d",
                row["day"], row["recipient"], row["attempts"],
            )  # fmt: skip
        yield DigestJob(
            day=date.fromisoformat(row["day"]),
            recipient=row["recipient"],
            attempts=int(row["attempts"]) + 1,
            created=parse_iso(row["created"]) or now,
            message=row["message"] or "",
        )


def deliver(
    job: DigestJob,
    cfg: DigestConfig,
    environ: Mapping[str, str],
    sender: Sender,
    before_final_dot: BeforeFinalDot | None = None,
) -> SendOutcome:
    """Send a claimed job's stored message (blocking; the daemon runs it in a thread);
    `before_final_dot` notes that the message's end is about to go, or calls the send off."""
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
    outcome = sender(message, cfg.smtp, password, before_final_dot=before_final_dot)
    if password and outcome.error and password in outcome.error:  # a server that echoes it back
        outcome = replace(outcome, error=outcome.error.replace(password, "********"))
    return outcome


def record_outcome(
    store: DigestStore, job: DigestJob, outcome: SendOutcome, now: datetime, zone: tzinfo = UTC
) -> str:
    """Write what a send gave: sent, a retry time, or failed for good; return a one-line note
    (its times in `zone`, the digest's)."""
    day = job.day.isoformat()
    if outcome.ok:
        store.digest_mark_sent(job.day, job.recipient, now)
        metrics.record_digest_send("sent")
        log.info("event=digest_sent day=%s recipient=%s attempts=%d", day, job.recipient, job.attempts)
        return f"{day} {job.recipient}: sent"
    error = outcome.error or "unknown error"
    if outcome.unknown:
        store.digest_mark_unknown(job.day, job.recipient, error, now)
        metrics.record_digest_send("unknown")
        log.error(
            "event=digest_outcome_unknown day=%s recipient=%s attempts=%d error=%r",
            day, job.recipient, job.attempts, error,
        )  # fmt: skip
        hint = resolve_hint(day, job.recipient)
        return f"{day} {job.recipient}: outcome unknown, not sent again: {error} ({hint})"
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
    return f"{day} {job.recipient}: not sent, retry at {local_time(retry_at, zone)}: {error}"


def run_due_digests(
    store: DigestStore,
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
    for job in claim_each(store, cfg, start):
        outcome = deliver(
            job, cfg, os.environ if environ is None else environ, sender, data_noter(store, job, now)
        )
        notes.append(record_outcome(store, job, outcome, now or utcnow(), cfg.zone))
    return notes


def data_noter(store: DigestStore, job: DigestJob, now: datetime | None) -> BeforeFinalDot:
    """What runs just before the final dot: note it on the row, if the claim is still ours."""
    return lambda: store.digest_mark_data_sent(job.day, job.recipient, job.attempts, now or utcnow())


async def run_due_digests_async(
    store: DigestStore,
    config: Config,
    *,
    runner: MailRunner = in_background,
    sender: Sender = send_message,
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """The daemon's form of run_due_digests: the database on the event loop, SMTP in a daemon
    thread (a send stuck on a slow server cannot hold up the daemon's exit). A digest whose
    final dot went is not waited for: its reply, which may take minutes, is recorded when it
    comes, and the next digest goes meanwhile."""
    cfg = _config_or_log(config)
    if cfg is None or not cfg.recipients:
        return []
    now = utcnow()
    day = due_day(now, cfg)
    notes = prepare_day(store, config, cfg, day, now) if day is not None else []
    env = os.environ if environ is None else environ
    for job in claim_each(store, cfg, now):

        def send(before_final_dot: BeforeFinalDot, job: DigestJob = job) -> SendOutcome:
            return deliver(job, cfg, env, sender, before_final_dot)

        def late(outcome: SendOutcome, job: DigestJob = job) -> None:
            log.info("event=digest_reply_came day=%s recipient=%s", job.day, job.recipient)
            record_outcome(store, job, outcome, utcnow())

        outcome = await runner(send, data_noter(store, job, None), late)
        if outcome is None:
            log.info(
                "event=digest_awaiting_reply day=%s recipient=%s attempts=%d",
                job.day, job.recipient, job.attempts,
            )  # fmt: skip
            notes.append(f"{job.day} {job.recipient}: sent, awaiting the server's reply")
        else:
            notes.append(record_outcome(store, job, outcome, utcnow(), cfg.zone))
    log.debug("event=digest_checked day=%s notes=%d", day, len(notes))
    return notes


async def daemon_digest_job(daemon: Any) -> None:
    """What `monitor run` calls every minute, with its current store and config; a reply
    still awaited is in `daemon.mail_replies` (a stop gives it the daemon's grace)."""

    async def runner(
        send: Send, mark: Callable[[], bool], late: Callable[[SendOutcome], None]
    ) -> SendOutcome | None:
        return await in_background(send, mark, late, awaiting=daemon.mail_replies)

    await run_due_digests_async(daemon.store, daemon.config, runner=runner)


def _config_or_log(config: Config) -> DigestConfig | None:
    try:
        return load_digest_config(config)
    except ConfigError as exc:
        log.error("event=digest_config_rejected error=%r", str(exc))
        return None


def send_digest_now(
    store: DigestStore,
    config: Config,
    day: date,
    *,
    now: datetime | None = None,
    environ: Mapping[str, str] | None = None,
    sender: Sender = send_message,
    failures: list[str] | None = None,
) -> list[str]:
    """`monitor digest --send`: a day's digest to each recipient not yet served, now.

    Goes through the same records as the daemon, so a (day, recipient) is never sent twice;
    a digest waiting for a retry is tried at once. The notes of digests not sent (failed
    now, or before) are also added to `failures`.
    """
    failures = [] if failures is None else failures
    cfg = load_digest_config(config)
    if cfg is None:
        raise DigestError(f"{config.path}: no 'digest:' section: nothing says whom to send to")
    if not cfg.recipients:
        raise DigestError(f"{config.path}: digest.recipients is empty: nobody to send to")
    now = now or utcnow()
    end = digest_window(day, cfg)[1]
    if now < end:  # sent now, it would stand for the whole day and the day's full digest never go
        raise DigestError(
            f"the day {day} is not over in {cfg.timezone}: its digest can be sent from "
            f"{end.astimezone(cfg.zone):%Y-%m-%d %H:%M} (and is due at {cfg.send_time:%H:%M})"
        )
    notes = prepare_day(store, config, cfg, day, now)
    for recipient in cfg.recipients:
        row = store.digest_row(day, recipient.address)
        if row is None:
            continue
        if row["state"] in ("sent", "failed"):
            when = row["sent_at"] if row["state"] == "sent" else row["updated_at"]
            notes.append(f"{day} {recipient.address}: already {row['state']} at {local_time(when, cfg.zone)}")
            if row["state"] == "failed":
                failures.append(notes[-1])
        elif row["state"] == "unknown":
            notes.append(
                f"{day} {recipient.address}: outcome unknown since "
                f"{local_time(row['last_error_at'], cfg.zone)}, not sent again: "
                f"{row['last_error']} ({resolve_hint(str(day), recipient.address)})"
            )
            failures.append(notes[-1])
        elif row["state"] == "sending" and row["data_sent_at"]:
            notes.append(
                f"{day} {recipient.address}: sent at {local_time(row['data_sent_at'], cfg.zone)}, "
                "the server's reply still awaited"
            )
            failures.append(notes[-1])
        elif row["state"] == "pending":
            store.digest_retry_now(day, recipient.address, now)
    for job in claim_each(store, cfg, now, day):
        outcome = deliver(
            job, cfg, os.environ if environ is None else environ, sender, data_noter(store, job, now)
        )
        notes.append(record_outcome(store, job, outcome, now, cfg.zone))
        if not outcome.ok:
            failures.append(notes[-1])
    return notes


def resolve_hint(day: str, recipient: str) -> str:
    """How a person settles a digest of unknown outcome, in words."""
    return (
        f"if it did not arrive: monitor digest --date {day} --recipient {recipient} --resolve resend; "
        "if it did: --resolve sent"
    )


def resolve_digest(store: DigestStore, day: date, recipient: str, decision: str, now: datetime) -> str:
    """A person's decision on a digest of unknown outcome: 'sent' (it arrived) or 'resend'
    (send it again: the daemon, or `monitor digest --send`, sends it at once, with the same
    Message-ID). DigestError when there is no such digest of unknown outcome."""
    if decision not in ("sent", "resend"):
        raise DigestError(f"cannot resolve a digest as {decision!r}: say sent or resend")
    address = recipient.lower()
    row = store.digest_row(day, address)
    if row is None:
        raise DigestError(f"no digest of {day} for {recipient} is recorded")
    if not store.digest_resolve(day, address, decision == "sent", now):
        waiting = row["state"] == "sending" and row["data_sent_at"]
        state = "awaiting the server's reply" if waiting else row["state"]
        raise DigestError(
            f"the digest of {day} for {recipient} is {state}, not of unknown outcome: nothing to resolve"
        )
    log.warning("event=digest_resolved day=%s recipient=%s decision=%s", day, address, decision)
    if decision == "sent":
        return f"{day} {address}: marked sent"
    return (
        f"{day} {address}: to be sent again (monitor digest --send --date {day}, or the daemon in a minute)"
    )


def digest_problems(store: DigestStore, zone: tzinfo = UTC, limit: int = 20) -> list[str]:
    """Lines for `monitor stats`: digests waiting for a retry, failed for good, of unknown
    outcome (with how to settle them), or awaiting the reply to their final dot; times in
    `zone`."""
    lines = []
    for row in store.digest_errors(limit):
        if row["state"] == "unknown":
            lines.append(
                f"digest {row['day']} to {row['recipient']}: outcome unknown since "
                f"{local_time(row['last_error_at'], zone)}, "
                f"not sent again: {row['last_error']}; {resolve_hint(row['day'], row['recipient'])}"
            )
            continue
        if row["state"] == "sending":
            lines.append(
                f"digest {row['day']} to {row['recipient']}: sent at "
                f"{local_time(row['data_sent_at'], zone)}, "
                "awaiting the server's reply (RFC 5321 allows it 10 minutes)"
            )
            continue
        what = "retrying" if row["state"] == "pending" else row["state"]
        when = (
            f", next try {local_time(row['next_attempt_at'], zone)}"
            if row["state"] == "pending" and row["next_attempt_at"]
            else ""
        )
        lines.append(
            f"digest {row['day']} to {row['recipient']}: {what} after "
            f"{count(row['attempts'], 'attempt')}{when}: "
            f"{row['last_error']}"
        )
    return lines
