"""Prometheus metrics: counters the daemon updates as it works, and figures the web server
reads from the database at each scrape.

The daemon's metrics live in their own registry (`DAEMON`), served by `monitor run` on
`web.metrics_port` when that is set. The web server's `/metrics` builds a registry per
process with `web_registry()`: request counts, plus a collector that reads the store when
scraped, so a server beside a daemon that exposes nothing still shows the feeds' health.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from monitor.config import Config
from monitor.errors import ConfigError, MonitorError

log = logging.getLogger("monitor.metrics")

__all__ = [
    "DAEMON",
    "metrics_address",
    "record_digest_send",
    "record_poll",
    "serve_daemon_metrics",
    "set_stories",
    "set_worker",
    "web_registry",
]

# --- the daemon's metrics --------------------------------------------------------------

DAEMON = CollectorRegistry(auto_describe=True)

POLLS = Counter(
    "monitor_polls",
    "Feed polls, by outcome (ok, not_modified, unchanged, error).",
    ["outcome"],
    registry=DAEMON,
)
POLL_SECONDS = Histogram(
    "monitor_poll_duration_seconds",
    "Time to fetch one feed.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 60.0),
    registry=DAEMON,
)
ARTICLES_STORED = Counter("monitor_articles_stored", "New articles stored.", registry=DAEMON)
STORIES = Gauge("monitor_stories", "Stories in the database (not merged away).", registry=DAEMON)
DIGEST_SENDS = Counter(
    "monitor_digest_sends",
    "Digest mails, by outcome (sent, failed, ...).",
    ["outcome"],
    registry=DAEMON,
)
FEED_ERROR_STREAK = Gauge(
    "monitor_feed_error_streak",
    "Failed polls in a row, per feed (0 after a success).",
    ["feed"],
    registry=DAEMON,
)


WORKER = Gauge(
    "monitor_worker",
    "This process: its role (poll, stories, deliver, all) and worker name; always 1.",
    ["role", "worker"],
    registry=DAEMON,
)


def set_worker(role: str, worker: str) -> None:
    WORKER.labels(role=role, worker=worker).set(1)


def record_poll(feed_url: str, outcome: str, seconds: float, new_articles: int, error_streak: int) -> None:
    """One poll of one feed is done (called by the pipeline after storing it)."""
    POLLS.labels(outcome=outcome).inc()
    POLL_SECONDS.observe(max(0.0, seconds))
    if new_articles > 0:
        ARTICLES_STORED.inc(new_articles)
    FEED_ERROR_STREAK.labels(feed=feed_url).set(error_streak)


def set_stories(count: int) -> None:
    STORIES.set(count)


def record_digest_send(outcome: str) -> None:
    DIGEST_SENDS.labels(outcome=outcome).inc()


def metrics_address(config: Config) -> tuple[str, int] | None:
    """(host, port) for the daemon's /metrics from the `web:` section, or None when
    `web.metrics_port` is not set. Raises ConfigError for unusable values."""
    web = config.sections.get("web") or {}
    if not isinstance(web, Mapping):
        raise ConfigError(str(config.path), None, "'web' must be a mapping")
    port = web.get("metrics_port")
    if port is None:
        return None
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        raise ConfigError(str(config.path), None, f"web.metrics_port: bad port {port!r} (1-65535)")
    host = web.get("metrics_host", "127.0.0.1")
    if not isinstance(host, str) or not host.strip():
        raise ConfigError(str(config.path), None, f"web.metrics_host: bad host {host!r}")
    return host.strip(), port


def serve_daemon_metrics(config: Config, port: int | None = None) -> tuple[str, int] | None:
    """Serve the daemon's metrics over HTTP (a background thread) when configured, or on
    `port` (`monitor run --metrics-port`, one per process on a machine; 0: none).

    A port already in use is logged, not fatal: the daemon's work matters more.
    """
    address = metrics_address(config)
    if port is not None:
        if port == 0:
            return None
        address = (address[0] if address else "127.0.0.1", port)
    if address is None:
        return None
    host, port = address
    try:
        start_http_server(port, addr=host, registry=DAEMON)
    except OSError as exc:
        log.error("event=metrics_not_served host=%s port=%d error=%r", host, port, str(exc))
        return None
    log.info("event=metrics_served url=http://%s:%d/metrics", host, port)
    return address


# --- the web server's metrics ----------------------------------------------------------


class StoreCollector(Collector):
    """Reads the database at scrape time: counts, polls by outcome from the fetch log,
    digests by state, and each feed's error streak."""

    def __init__(self, open_store: Callable[[], AbstractContextManager[Any]]) -> None:
        self.open_store = open_store

    def collect(self) -> Iterator[Metric]:
        try:
            with self.open_store() as store:
                totals = store.web_totals()
                feeds = store.feed_stats()
        except MonitorError as exc:
            log.warning("event=metrics_store_unreadable error=%r", str(exc))
            up = GaugeMetricFamily("monitor_db_up", "1 when the database could be read.")
            up.add_metric([], 0)
            yield up
            return
        up = GaugeMetricFamily("monitor_db_up", "1 when the database could be read.")
        up.add_metric([], 1)
        yield up
        for name, key, text in (
            ("monitor_db_feeds", "feeds", "Feeds in the database."),
            ("monitor_db_articles", "articles", "Articles in the database."),
            ("monitor_db_stories", "stories", "Stories in the database (not merged away)."),
        ):
            gauge = GaugeMetricFamily(name, text)
            gauge.add_metric([], totals[key])
            yield gauge
        polls = CounterMetricFamily(
            "monitor_db_polls", "Polls recorded in the fetch log, by outcome.", labels=["outcome"]
        )
        for outcome, n in sorted(totals["polls"].items()):
            polls.add_metric([str(outcome)], n)
        yield polls
        seconds = CounterMetricFamily("monitor_db_poll_duration_seconds", "Total time of recorded polls.")
        seconds.add_metric([], (totals["poll_ms_sum"] or 0) / 1000.0)
        yield seconds
        digests = GaugeMetricFamily("monitor_db_digests", "Digest rows, by state.", labels=["state"])
        for state, n in sorted(totals["digests"].items()):
            digests.add_metric([state], n)
        yield digests
        streak = GaugeMetricFamily(
            "monitor_feed_error_streak", "Failed polls in a row, per feed.", labels=["feed"]
        )
        for feed in feeds:
            if feed["active"]:
                streak.add_metric([feed["url"]], feed["error_count"])
        yield streak


class WebMetrics:
    """The web server's registry: its requests, and the store as seen at scrape time."""

    def __init__(self, open_store: Callable[[], AbstractContextManager[Any]]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "monitor_web_requests",
            "HTTP requests answered by the web server, by route and status.",
            ["route", "status"],
            registry=self.registry,
        )
        self.registry.register(StoreCollector(open_store))


def web_registry(open_store: Callable[[], AbstractContextManager[Any]]) -> WebMetrics:
    return WebMetrics(open_store)
