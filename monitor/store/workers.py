"""Many workers on one PostgreSQL database: heartbeats, and claims of due feeds by host.

A poll worker leases a few hosts with due feeds (`FOR UPDATE SKIP LOCKED`: two workers never
pick the same host) and claims their due feeds, each with a token; it polls them with its own
per-host limits, which therefore hold across all workers, and records each poll only while
its claim stands (`_claim_clause`, in the poll's update of the feed row). Leases are measured
by the database's clock, never a worker's. A worker that dies, or hangs, stops renewing them;
when they end, another worker takes the feeds, and the hung one, if it wakes, finds its token
gone and writes nothing over the newer result.

PostgreSQL only: on SQLite one process does everything (a second `monitor run` is refused).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from monitor.errors import StoreError
from monitor.store.core import Core
from monitor.store.types import ClaimOutlook, FeedState

_DUE = (
    "f.active = 1 AND f.gone = 0 AND (f.next_due IS NULL OR f.next_due <= now()) "
    "AND (f.lease_until IS NULL OR f.lease_until < now())"
)


class LeaseLost(StoreError):
    """A worker's claim on a feed ended (it was too slow, or hung) and another took it."""


class Workers(Core):
    """Worker rows and feed claims (PostgreSQL)."""

    def worker_beat(self, name: str, role: str, host: str, pid: int, lease_seconds: float) -> None:
        """Say this worker is alive, and extend the leases it holds."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO workers (name, role, host, pid, started_at, heartbeat_at) "
                "VALUES (?, ?, ?, ?, now(), now()) ON CONFLICT (name) DO UPDATE SET "
                "role = excluded.role, host = excluded.host, pid = excluded.pid, heartbeat_at = now()",
                [name, role, host, pid],
            )
            self.db.execute(
                "UPDATE hosts SET lease_until = now() + make_interval(secs => ?) WHERE leased_by = ?",
                [lease_seconds, name],
            )
            self.db.execute(
                "UPDATE feeds SET lease_until = now() + make_interval(secs => ?) "
                "WHERE claimed_by = ? AND claim_token IS NOT NULL",
                [lease_seconds, name],
            )

    def worker_leave(self, name: str) -> None:
        """A worker stopping cleanly: its claims go back at once."""
        with self.transaction():
            self._free(name)
            self.db.execute("DELETE FROM workers WHERE name = ?", [name])

    def claim_outlook(self, alive_seconds: float) -> ClaimOutlook:
        """Before a claim: the hosts with due feeds (leased or not), the due feeds not yet
        claimed, and the poll workers alive (daemon/claims.py sizes the claim from these)."""
        (row,) = self.query(
            "SELECT (SELECT COUNT(DISTINCT f.host) FROM feeds f WHERE f.active = 1 AND f.gone = 0 "
            "AND (f.next_due IS NULL OR f.next_due <= now())) AS hosts, "
            f"(SELECT COUNT(*) FROM feeds f WHERE {_DUE}) AS due, "
            "(SELECT COUNT(*) FROM workers WHERE role IN ('poll', 'all') "
            "AND heartbeat_at >= now() - make_interval(secs => ?)) AS workers",
            [alive_seconds],
        )
        return ClaimOutlook(hosts=int(row["hosts"]), due_feeds=int(row["due"]), workers=int(row["workers"]))

    def claim_feeds(self, worker: str, *, hosts: int, per_host: int, lease_seconds: float) -> list[FeedState]:
        """Lease up to `hosts` hosts with due feeds and claim up to `per_host` of each one's
        due feeds, most overdue first; [] when nothing is due. Each comes with what its last
        read body listed (for its next poll time): no query per poll."""
        from monitor.store.feeds import _feed_state

        token = uuid.uuid4().hex
        with self.transaction():
            leased = self.query(
                "WITH picked AS (SELECT h.host FROM hosts h "
                "WHERE (h.lease_until IS NULL OR h.lease_until < now()) "
                f"AND EXISTS (SELECT 1 FROM feeds f WHERE f.host = h.host AND {_DUE}) "
                "ORDER BY (SELECT MIN(f.next_due) FROM feeds f WHERE f.host = h.host AND f.active = 1 "
                "AND f.gone = 0) NULLS FIRST, h.host LIMIT ? FOR UPDATE OF h SKIP LOCKED) "
                "UPDATE hosts SET leased_by = ?, lease_token = ?, "
                "lease_until = now() + make_interval(secs => ?) "
                "FROM picked WHERE hosts.host = picked.host RETURNING hosts.host",
                [hosts, worker, token, lease_seconds],
            )
            names = [r["host"] for r in leased]
            if not names:
                return []
            marks = ",".join("?" * len(names))
            rows = self.query(
                "UPDATE feeds SET claimed_by = ?, claim_token = ?, "
                "lease_until = now() + make_interval(secs => ?) WHERE id IN ("
                " SELECT id FROM (SELECT f.id, row_number() OVER (PARTITION BY f.host "
                " ORDER BY f.next_due NULLS FIRST, f.id) AS n FROM feeds f "
                f" WHERE f.host IN ({marks}) AND {_DUE}) d"
                " WHERE d.n <= ?) RETURNING *",
                [worker, token, lease_seconds, *names, per_host],
            )
        feeds = [_feed_state(r) for r in rows]
        feeds.sort(key=lambda f: (f.next_due is not None, f.next_due, f.id))
        return feeds

    def release_batch(self, token: str) -> None:
        """One claimed batch polled (or given up): its hosts free, its unrecorded feeds too."""
        with self.transaction():
            self.db.execute(
                "UPDATE feeds SET claimed_by = NULL, lease_until = NULL, claim_token = NULL "
                "WHERE claim_token = ?",
                [token],
            )
            self.db.execute(
                "UPDATE hosts SET leased_by = NULL, lease_until = NULL, lease_token = NULL "
                "WHERE lease_token = ?",
                [token],
            )

    def release_host(self, token: str, host: str, feeds: Sequence[FeedState]) -> None:
        """One host of a claimed batch polled (or given up): the host free, and those of its
        claimed `feeds` whose polls were not recorded (found by key: one host goes back many
        times a cycle)."""
        marks = ",".join("?" * len(feeds))
        with self.transaction():
            if feeds:
                self.db.execute(
                    "UPDATE feeds SET claimed_by = NULL, lease_until = NULL, claim_token = NULL "
                    f"WHERE id IN ({marks}) AND claim_token = ?",
                    [*(f.id for f in feeds), token],
                )
            self.db.execute(
                "UPDATE hosts SET leased_by = NULL, lease_until = NULL, lease_token = NULL "
                "WHERE host = ? AND lease_token = ?",
                [host, token],
            )

    def _free(self, worker: str) -> None:
        self.db.execute(
            "UPDATE feeds SET claimed_by = NULL, lease_until = NULL, claim_token = NULL WHERE claimed_by = ?",
            [worker],
        )
        self.db.execute(
            "UPDATE hosts SET leased_by = NULL, lease_until = NULL, lease_token = NULL WHERE leased_by = ?",
            [worker],
        )

    def next_due_in(self) -> float | None:
        """Seconds until the next feed falls due (by the database's clock); None: no feed."""
        rows = self.query(
            "SELECT EXTRACT(EPOCH FROM MIN(next_due) - now()) AS wait FROM feeds "
            "WHERE active = 1 AND gone = 0"
        )
        wait = rows[0]["wait"] if rows else None
        return None if wait is None else max(0.0, float(wait))

    def _claim_clause(self, feed: FeedState) -> tuple[str, str, list[Any]]:
        """A poll is recorded only while this worker's claim stands: its update of the feed row
        ends the claim, and changes nothing when the token is gone."""
        if feed.claim_token is None:
            return "", "", []
        return (
            ", claimed_by = NULL, lease_until = NULL, claim_token = NULL",
            " AND claim_token = ?",
            [feed.claim_token],
        )

    def _claim_lost(self, feed: FeedState) -> None:
        if feed.claim_token is not None:  # the whole poll is rolled back
            raise LeaseLost(
                f"{self.label}: the claim on {feed.url} ended before its poll was recorded; "
                "another worker has it (the poll is dropped)"
            )

    def workers_status(self, alive_seconds: float) -> list[dict[str, Any]]:
        """Workers with their last heartbeat, and whether it is recent enough to be alive."""
        return self.query(
            "SELECT name, role, host, pid, started_at, heartbeat_at, "
            "heartbeat_at >= now() - make_interval(secs => ?) AS alive "
            "FROM workers ORDER BY role, name",
            [alive_seconds],
        )

    def expired_claims(self) -> list[dict[str, Any]]:
        """Feeds whose claim ended without a recorded poll (a worker died or hung)."""
        return self.query(
            "SELECT id AS feed_id, url, claimed_by, lease_until FROM feeds "
            "WHERE claimed_by IS NOT NULL AND lease_until < now() ORDER BY lease_until, id"
        )

    def forget_workers(self, names: Sequence[str]) -> None:
        if not names:
            return
        marks = ",".join("?" * len(names))
        with self.transaction():
            self.db.execute(f"DELETE FROM workers WHERE name IN ({marks})", list(names))
