"""One poll pass: fetch due feeds concurrently, parse, store through one writer, then run
the later stages. The daemon drives the same pass per feed as each falls due."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

import httpx

from monitor import metrics
from monitor.background import DaemonThreads
from monitor.config import DEFAULT_MAX_ENTRIES, Config
from monitor.errors import ConfigError, MonitorError, ParseError
from monitor.ingest.fetch import FetchOptions, FetchRequest, FetchResult, fetch, make_client
from monitor.ingest.pages import PageReader, PageTask
from monitor.ingest.parse import ParsedFeed, parse_feed
from monitor.ingest.politeness import HostLimiter, host_of
from monitor.ingest.schedule import (
    FeedWindow,
    PollHistory,
    StatusDecision,
    StatusStreaks,
    host_phases,
    plan_next_poll,
    plan_status,
)
from monitor.ingest.teasers import page_decision, wanting_pages
from monitor.store import AnyStore, ArticleCounts, FeedState, FeedUpdate, FetchStatus
from monitor.store.workers import LeaseLost
from monitor.timeutil import iso, utcnow
from monitor.wording import count

if TYPE_CHECKING:
    from monitor.stories.settings import StorySettings

log = logging.getLogger("monitor.pipeline")

BACKLOG_PER_SLOT = 2  # fetched bodies awaiting their parse and write, per unit of concurrency

# A later stage (dedup, stories, ...) takes the store and returns a one-line summary.
Stage = Callable[[AnyStore], str | None]


@dataclass
class PollReport:
    ok: int = 0
    not_modified: int = 0
    failed: int = 0
    new_articles: int = 0
    updated_articles: int = 0
    pages_read: int = 0  # article pages whose text replaced a teaser
    pages_failed: int = 0  # article pages that could not be read (the feed's text kept)
    pages_later: int = 0  # article pages whose host asked to wait: to be read again after it
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, "step: error")
    stage_notes: list[str] = field(default_factory=list)
    stage_errors: list[str] = field(default_factory=list)

    @property
    def feeds(self) -> int:
        return self.ok + self.not_modified + self.failed

    def summary(self) -> str:
        pages = ""
        if self.pages_read or self.pages_failed or self.pages_later:
            pages = f"; {count(self.pages_read, 'article page')} read, {self.pages_failed} failed"
            if self.pages_later:
                pages += f", {self.pages_later} to read again after their host's Retry-After"
        return (
            f"{count(self.feeds, 'feed')} polled: {self.ok} ok, {self.not_modified} not modified, "
            f"{self.failed} failed; {count(self.new_articles, 'new article')}, "
            f"{self.updated_articles} updated{pages}"
        )


def body_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def plan_feed_update(
    feed: FeedState,
    result: FetchResult,
    parsed: ParsedFeed | None,
    parse_error: str | None,
    config: Config,
    now: datetime,
    *,
    phase: float | None = None,
) -> FeedUpdate:
    """Decide a feed's new state from one fetch (and parse) result. Pure.

    The next poll time follows what the feed lists (the body read now, else the last one:
    schedule.plan_next_poll); a healthy feed's goes to its slot (`phase`) in the interval,
    so that the feeds of one host do not come due together.
    """
    settings = config.settings
    window = feed_window(parsed, now) if parsed is not None else feed.window
    failed = result.outcome == "error" or parse_error is not None
    error_count = feed.error_count + 1 if failed else 0
    content_hash = body_hash(result.content) if result.content is not None else None
    if failed:
        status = "error"
    elif result.outcome == "not_modified":
        status = "not_modified"
    elif parsed is None:
        status = "unchanged"  # same body as last time: not parsed again
    else:
        status = "ok"
    ttl = parsed.ttl_seconds if parsed is not None else feed.ttl_seconds
    max_age = result.max_age_seconds if result.status is not None else feed.max_age_seconds
    history = PollHistory(
        error_count=error_count,
        ttl_seconds=ttl,
        max_age_seconds=max_age,
        retry_after=result.retry_after,
    )
    due = plan_next_poll(
        now,
        window,
        history,
        own_interval=feed.interval,
        interval=settings.interval,
        min_interval=settings.min_interval,
        max_interval=settings.max_interval,
        max_backoff=settings.max_backoff,
        key=feed.url,
        phase=phase,
    )
    keep_validators = result.outcome != "ok" or parse_error is not None
    return FeedUpdate(
        polled_at=now,
        status=status,
        http_status=result.status,
        next_due=due,
        error_count=error_count,
        etag=feed.etag if keep_validators else result.etag,
        last_modified=feed.last_modified if keep_validators else result.last_modified,
        body_hash=feed.body_hash if (keep_validators or content_hash is None) else content_hash,
        ttl_seconds=ttl,
        max_age_seconds=max_age,
        retry_after=result.retry_after,
        error=parse_error or result.error,
        error_step="while parsing" if parse_error else result.error_step,
        title=parsed.title if parsed else None,
        site_url=parsed.link if parsed else None,
        window=window if parsed is not None else None,
    )


def feed_window(parsed: ParsedFeed, now: datetime) -> FeedWindow:
    """What a body read now lists: its items, and the dates they carry of their own."""
    dated = [e.published for e in parsed.entries if not e.published_estimated]
    return FeedWindow.of(len(parsed.entries), dated, now)


def fetch_options(config: Config) -> FetchOptions:
    s = config.settings
    return FetchOptions(
        user_agent=s.user_agent,
        timeout=s.timeout,
        max_body_bytes=s.max_body_bytes,
        connect_timeout=min(10.0, s.timeout),
    )


@dataclass(frozen=True)
class FeedSettings:
    """The settings one poll of a feed needs: its own in feeds.yaml, else the settings'."""

    allow_private_addresses: bool
    max_entries: int
    full_text: str


def feed_settings(config: Config, feed: FeedState) -> FeedSettings:
    """A feed's settings, looked up once per poll (the lookup canonicalises the URL)."""
    listed = config.feed(feed.url)
    settings = config.settings
    if listed is None:
        return FeedSettings(settings.allow_private_addresses, settings.max_entries, settings.full_text)
    return FeedSettings(
        allow_private_addresses=(
            settings.allow_private_addresses
            if listed.allow_private_addresses is None
            else listed.allow_private_addresses
        ),
        max_entries=settings.max_entries if listed.max_entries is None else listed.max_entries,
        full_text=settings.full_text if listed.full_text is None else listed.full_text,
    )


def _mark_teasers(parsed: ParsedFeed | None, mode: str) -> ParsedFeed | None:
    """The parsed feed with the entries whose page is to be read marked (wants_page)."""
    if parsed is None or mode == "never":
        return parsed
    wanted = wanting_pages(parsed.entries, mode)
    if not wanted:
        return parsed
    entries = tuple(replace(e, wants_page=True) if e.guid in wanted else e for e in parsed.entries)
    return replace(parsed, entries=entries)


def _new_body(feed: FeedState, result: FetchResult) -> bool:
    """Whether a fetch brought a body to parse: not a 304 nor an error, and not the same
    body as last time."""
    if result.outcome != "ok" or result.content is None:
        return False
    return feed.body_hash is None or body_hash(result.content) != feed.body_hash


def _parse(
    feed: FeedState, result: FetchResult, max_entries: int = DEFAULT_MAX_ENTRIES, full_text: str = "never"
) -> tuple[ParsedFeed | None, str | None]:
    """Parse a fetched body unless it is the same body as last time; mark the entries whose
    article page is to be read (`full_text`)."""
    if result.content is None or not _new_body(feed, result):
        return None, None
    try:
        parsed = parse_feed(
            result.content,
            url=result.final_url or feed.url,
            headers=result.headers,
            feed_language=feed.language,
            max_entries=max_entries,
        )
    except ParseError as exc:
        return None, exc.message
    except Exception as exc:
        log.exception("event=parse_crash feed=%s", feed.url)
        return None, f"{type(exc).__name__}: {exc}"
    if parsed.warning:
        # The body was read despite a problem (ill-formed XML read leniently, entity
        # declarations removed, a wrong charset declared): worth knowing, not an error.
        log.info("event=feed_recovered feed=%s note=%r", feed.url, parsed.warning[:300])
    return _mark_teasers(parsed, full_text), None


class Poller:
    """Fetches concurrently (bounded) and writes through the one store it holds."""

    def __init__(self, store: AnyStore, config: Config, stages: Sequence[Stage] = ()) -> None:
        self.store = store
        self.config = config
        self.stages = list(stages)
        self._limit = asyncio.Semaphore(config.settings.concurrency)
        self._limit_loop: asyncio.AbstractEventLoop | None = None
        self.client: httpx.AsyncClient | None = None  # shared by a long-lived caller
        settings = config.settings
        self.hosts = HostLimiter(
            settings.per_host_concurrency,
            settings.per_host_delay,
        )
        self._phases: dict[str, float] = {}
        self._phases_at = 0.0
        self.pages = PageReader(fetch_options(config), self.hosts)
        self._parsers = DaemonThreads("parse")

    def _global_limit(self) -> asyncio.Semaphore:
        """The concurrency limit, made anew when the Poller is used from another event loop."""
        loop = asyncio.get_running_loop()
        if self._limit_loop is not loop:
            self._limit_loop = loop
            self._limit = asyncio.Semaphore(self.config.settings.concurrency)
        return self._limit

    def _phase(self, feed: FeedState) -> float | None:
        """The feed's slot in its interval among the feeds of its host (refreshed each minute)."""
        clock = asyncio.get_running_loop().time()
        if feed.url not in self._phases or clock - self._phases_at > 60:
            by_host: dict[str, list[str]] = {}
            for url, fetch_url in self.store.pollable_feed_urls():
                by_host.setdefault(host_of(fetch_url), []).append(url)
            self._phases = host_phases(by_host)
            self._phases_at = clock
        return self._phases.get(feed.url)

    async def poll(
        self,
        feeds: Sequence[FeedState],
        progress: Callable[[FeedState, str], None] | None = None,
    ) -> PollReport:
        if not feeds:
            return PollReport()  # no client either: its TLS contexts cost a fifth of a second
        if self.client is not None:
            return await self._poll(self.client, feeds, progress)
        async with make_client(fetch_options(self.config)) as client:
            return await self._poll(client, feeds, progress)

    async def _poll(
        self,
        client: httpx.AsyncClient,
        feeds: Sequence[FeedState],
        progress: Callable[[FeedState, str], None] | None,
    ) -> PollReport:
        report = PollReport()
        options = fetch_options(self.config)
        # Bodies fetched and not yet parsed and recorded, at most: fetching outpaces parsing,
        # and without a bound most bodies of a cold cycle waited in memory for their turn.
        backlog = asyncio.Semaphore(BACKLOG_PER_SLOT * max(1, self.config.settings.concurrency))

        async def one(feed: FeedState) -> tuple[FeedState, FeedSettings, FetchResult]:
            url = feed.fetch_url or feed.url
            own = feed_settings(self.config, feed)
            # The host's slot first, then the backlog's and a global one: a busy host never
            # holds up others. The backlog's slot is given back once the poll is recorded.
            async with self.hosts.slot(url):
                await backlog.acquire()
                try:
                    async with self._global_limit():
                        request = FetchRequest(
                            url=url,
                            etag=feed.etag,
                            last_modified=feed.last_modified,
                            allow_private_addresses=own.allow_private_addresses,
                        )
                        return feed, own, await fetch(client, request, options)
                except BaseException:
                    backlog.release()
                    raise

        # A fetch leaves this set when it ends, and its result (the body) is freed once used:
        # a list of the tasks kept every body of a cold cycle until its end (+47 MB at 2,000
        # feeds of 20 items).
        fetches = {asyncio.ensure_future(one(f)) for f in feeds}
        for fetch_task in fetches:
            fetch_task.add_done_callback(fetches.discard)
        page_rounds: list[asyncio.Future[None]] = []
        # Feeds with a page to read again (its host's Retry-After has passed): read at their poll.
        retry_pages = self.store.pages_waiting_feeds(utcnow())
        try:
            for task in asyncio.as_completed(fetches):
                feed, own, result = await task
                parsed, parse_error = None, None
                if _new_body(feed, result):  # most polls (304s, same bodies) need no thread
                    parsed, parse_error = await self._parsers.run(
                        partial(_parse, feed, result, own.max_entries, own.full_text)
                    )
                # Every write happens here, on the event loop's thread: one writer.
                try:
                    status = self._record(feed, result, parsed, parse_error, report)
                finally:
                    backlog.release()
                if progress is not None:
                    progress(feed, status)
                wants_pages = parsed is not None and any(e.wants_page for e in parsed.entries)
                if wants_pages or (feed.id in retry_pages and own.full_text != "never"):
                    # The feed's article pages are read after its poll, beside the other feeds'.
                    page_rounds.append(asyncio.ensure_future(self._read_pages(client, feed, own, report)))
                elif feed.id in retry_pages:  # its pages waited for their host; now it reads none
                    skipped = self.store.pages_skip(feed.id, "full_text: never", waiting=True)
                    log.info("event=pages_skipped feed=%s count=%d reason=full_text_never", feed.url, skipped)
            for round_ in asyncio.as_completed(page_rounds):
                await round_
        finally:
            # A write that failed (a full disk) ends the pass: the fetches still running are
            # stopped here, before the caller closes their HTTP client under them.
            for fetch_task in fetches:
                fetch_task.cancel()
            for page_round in page_rounds:
                page_round.cancel()
            await asyncio.gather(*fetches, *page_rounds, return_exceptions=True)
        return report

    async def _read_pages(
        self, client: httpx.AsyncClient, feed: FeedState, own: FeedSettings, report: PollReport
    ) -> None:
        """Read the pages of a feed's new teasers and of those whose host's Retry-After has
        passed (at most pages_per_poll, the newest), store what each gave, and leave the rest
        with the feed's text."""
        budget = self.config.settings.pages_per_poll
        rows = self.store.pages_pending(feed.id, budget, utcnow())
        allow = own.allow_private_addresses
        # Only the entry's own link (wanting_pages took linked entries only).
        tasks = [
            PageTask(int(row["id"]), feed.url, str(row["link"] or row["url"] or ""), allow) for row in rows
        ]
        outcomes = await asyncio.gather(*(self.pages.read(client, task) for task in tasks))
        texts = {int(row["id"]): str(row["text"] or "") for row in rows}
        tries = {int(row["id"]): int(row["page_attempts"] or 0) + 1 for row in rows}
        now = utcnow()
        decisions = [
            page_decision(
                o.task.article_id, texts[o.task.article_id], o, attempts=tries[o.task.article_id], now=now
            )
            for o in outcomes
        ]
        for decision, outcome in zip(decisions, outcomes, strict=True):
            if decision.read:
                report.pages_read += 1
            elif decision.write.retry_at is not None:
                report.pages_later += 1
                log.info(
                    "event=page_later feed=%s url=%s retry_at=%s",
                    feed.url,
                    outcome.task.link,
                    iso(decision.write.retry_at),
                )
            else:
                report.pages_failed += 1
                log.info(
                    "event=page_failed feed=%s url=%s error=%r",
                    feed.url,
                    outcome.task.link,
                    (decision.write.error or "")[:300],
                )
        self.store.record_pages([d.write for d in decisions])
        skipped = self.store.pages_skip(feed.id, f"past the budget of {budget} pages per poll")
        if skipped:
            log.info("event=pages_skipped feed=%s count=%d budget=%d", feed.url, skipped, budget)

    def _record(
        self,
        feed: FeedState,
        result: FetchResult,
        parsed: ParsedFeed | None,
        parse_error: str | None,
        report: PollReport,
    ) -> str:
        now = utcnow()
        update = plan_feed_update(
            feed,
            result,
            parsed,
            parse_error,
            self.config,
            now,
            phase=self._phase(feed),
        )
        entries = parsed.entries if parsed is not None else ()
        decision = self._plan_status(feed, result)
        try:
            counts = self.store.record_poll(
                feed,
                update,
                entries,
                url=result.final_url or feed.url,
                duration_ms=int(result.elapsed * 1000),
                size=len(result.content) if result.content is not None else None,
                fetch_status=FetchStatus(
                    status_streak=decision.streaks.status_streak,
                    redirect_target=decision.streaks.redirect_target,
                    redirect_streak=decision.streaks.redirect_streak,
                    gone=decision.gone,
                    fetch_url=decision.move_to,
                ),
            )
        except LeaseLost as exc:  # another worker took the feed meanwhile: its result stands
            log.warning("event=lease_lost feed=%s error=%r", feed.url, str(exc))
            return "lease_lost"
        self._log_status(feed, decision)
        self._count(report, feed, update, counts)
        metrics.record_poll(feed.url, update.status, result.elapsed, counts.new, update.error_count)
        return update.status

    def _plan_status(self, feed: FeedState, result: FetchResult) -> StatusDecision:
        """410s in a row mark a feed gone; permanent redirects in a row move its fetch URL."""
        settings = self.config.settings
        return plan_status(
            StatusStreaks(
                last_http_status=feed.last_http_status,
                status_streak=feed.status_streak,
                redirect_target=feed.redirect_target,
                redirect_streak=feed.redirect_streak,
            ),
            result.status,
            result.permanent_redirect,
            gone_after=settings.gone_after,
            moved_after=settings.moved_after,
        )

    def _log_status(self, feed: FeedState, decision: StatusDecision) -> None:
        settings = self.config.settings
        if decision.move_to is not None:
            log.warning(
                "event=feed_moved feed=%s from=%s to=%s after=%d permanent redirects",
                feed.url,
                feed.fetch_url or feed.url,
                decision.move_to,
                settings.moved_after,
            )
        if decision.gone:
            log.warning(
                "event=feed_gone feed=%s http_status=410 times=%d (polling stopped; "
                "`monitor feeds add` polls it again)",
                feed.url,
                decision.streaks.status_streak,
            )

    @staticmethod
    def _count(report: PollReport, feed: FeedState, update: FeedUpdate, counts: ArticleCounts) -> None:
        if update.status == "error":
            report.failed += 1
            report.failures.append((feed.url, f"{update.error_step}: {update.error}"))
            log.warning(
                "event=poll_failed feed=%s step=%r error=%r errors_in_a_row=%d",
                feed.url,
                update.error_step,
                update.error,
                update.error_count,
            )
        elif update.status == "ok":
            report.ok += 1
        else:
            report.not_modified += 1
        report.new_articles += counts.new
        report.updated_articles += counts.updated
        log.info(
            "event=polled feed=%s status=%s new=%d updated=%d next_due=%s",
            feed.url,
            update.status,
            counts.new,
            counts.updated,
            update.next_due.isoformat(),
        )

    def run_stages(self, report: PollReport) -> None:
        """Run the later stages; a stage's MonitorError (a model that cannot load) is kept in
        the report, after what was polled, which stays stored and pending for the next run."""
        for stage in self.stages:
            try:
                note = stage(self.store)
            except MonitorError as exc:
                log.error("event=stage_failed stage=%s error=%r", getattr(stage, "__name__", stage), str(exc))
                report.stage_errors.append(str(exc))
                continue
            if note:
                report.stage_notes.append(note)


def story_settings(config: Config) -> StorySettings:
    """The `stories:` section, validated; a mistake is a ConfigError naming the line."""
    from monitor.stories.settings import StorySettings

    section = config.sections.get("stories")
    try:
        return StorySettings.from_section(section, preferred_languages=config.settings.languages)
    except (MonitorError, TypeError, ValueError) as exc:
        line = getattr(getattr(section, "lc", None), "line", None)
        raise ConfigError(str(config.path), line + 1 if line is not None else None, str(exc)) from None


def default_stages(
    config: Config, *, stop: Callable[[], bool] | None = None, deliver_alerts: bool = True
) -> list[Stage]:
    """The stages after storing, in order: names and places; near-duplicates, embeddings and stories; watches;
    alerts (recorded, and delivered unless `deliver_alerts` is False: the daemon delivers
    them in a job of its own).

    The model's name is checked here, so that an unknown one stops the run before anything
    is polled; its weights load only when an article waits for a vector (run_story_stage),
    and a model that cannot load then fails that stage with a ModelLoadError.
    """
    # The later stages' modules (numpy, the embedder, names, places, watches, alerts) are
    # imported here: a process that only polls (bench/peers.py, a poll worker) never loads them.
    from monitor.deliver.alerts import alert_stage
    from monitor.entities.evidence import StoryEvidence
    from monitor.entities.placestage import PlacesStage
    from monitor.entities.stage import KnownNamesCache, names_stage
    from monitor.entities.storycountries import refresh_story_countries
    from monitor.stories.embed import embedder_for
    from monitor.stories.stage import run_story_stage
    from monitor.watches.match import watch_stage
    from monitor.watches.settings import load_watches_config

    settings = story_settings(config)
    embedder_for(settings.model)

    places = PlacesStage(stop=stop)
    known = KnownNamesCache()  # the names' index, one for both stages, kept across runs

    def stories(store: AnyStore) -> str:
        # The articles' places and names as evidence, read now for those their stages have
        # not reached yet: a story decision never depends on the stages' pace.
        evidence = StoryEvidence(store, places.gazetteer, known)
        summary = run_story_stage(store, settings, stop=stop, evidence=evidence).summary()
        refresh_story_countries(store, stop=stop)  # the stories that gained or lost articles
        return summary

    watches = load_watches_config(config, model=settings.model)
    return [
        names_stage(stop=stop, gazetteer=places.gazetteer, known_cache=known),
        places,
        stories,
        watch_stage(watches, stop=stop, known=known),
        alert_stage(config, watches, deliver=deliver_alerts),
    ]


def poll_once(
    store: AnyStore,
    config: Config,
    *,
    all_feeds: bool = False,
    progress: Callable[[FeedState, str], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> PollReport:
    """The `monitor poll` pass: sync the config, poll what is due, run the later stages."""
    stages = default_stages(config)
    store.sync_feeds(config.feeds)
    feeds = store.due_feeds(utcnow(), all_feeds=all_feeds)
    if on_start is not None:
        on_start(len(feeds))
    poller = Poller(store, config, stages)
    report = asyncio.run(poller.poll(feeds, progress))
    poller.run_stages(report)
    return report
