"""Digest sends: one row per recipient and day, and its way through claims, sends, retries
and outcomes (sent, failed, or unknown past its final dot until a person settles it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from monitor.store.core import Core
from monitor.timeutil import iso


class DigestSends(Core):
    """The delivery state of each digest (day, recipient)."""

    def digest_row(self, day: Any, recipient: str) -> dict[str, Any] | None:
        rows = self.query(
            "SELECT * FROM digests WHERE day = ? AND recipient = ?", [str(day), recipient.lower()]
        )
        return rows[0] if rows else None

    def digest_ready(self, now: datetime, stale_before: datetime) -> list[dict[str, Any]]:
        """Rows to (re)send now: pending and due, or 'sending' since before `stale_before` and
        not past their final dot (a crash before it)."""
        return self.query(
            "SELECT * FROM digests WHERE (state = 'pending' AND (next_attempt_at IS NULL "
            "OR next_attempt_at <= ?)) OR (state = 'sending' AND started_at < ? AND data_sent_at IS NULL) "
            "ORDER BY day, recipient",
            [iso(now), iso(stale_before)],
        )

    def digest_claim(self, day: Any, recipient: str, now: datetime, stale_before: datetime) -> bool:
        """pending (or stale sending) -> sending, counting an attempt; False if not ours to send."""
        with self.transaction():
            cursor = self.db.execute(
                "UPDATE digests SET state = 'sending', attempts = attempts + 1, started_at = ?, "
                "updated_at = ? WHERE day = ? AND recipient = ? AND ((state = 'pending' "
                "AND (next_attempt_at IS NULL OR next_attempt_at <= ?)) "
                "OR (state = 'sending' AND started_at < ? AND data_sent_at IS NULL))",
                [iso(now), iso(now), str(day), recipient.lower(), iso(now), iso(stale_before)],
            )
            return cursor.rowcount == 1

    def digest_mark_sent(self, day: Any, recipient: str, now: datetime) -> None:
        """The server took it (or a person says it did): from 'sending', or 'unknown'."""
        with self.transaction():
            self.db.execute(
                "UPDATE digests SET state = 'sent', sent_at = ?, next_attempt_at = NULL, message = NULL, "
                "updated_at = ? WHERE day = ? AND recipient = ? AND state IN ('sending', 'unknown')",
                [iso(now), iso(now), str(day), recipient.lower()],
            )

    def digest_mark_data_sent(self, day: Any, recipient: str, attempt: int, now: datetime) -> bool:
        """Just before the final dot of attempt `attempt`: from here the server may hold the
        message, and the row is never claimed again. False when the claim is no longer this
        attempt's (another process took it after its lease): the dot must not go."""
        with self.transaction():
            cursor = self.db.execute(
                "UPDATE digests SET data_sent_at = ?, updated_at = ? WHERE day = ? AND recipient = ? "
                "AND state = 'sending' AND attempts = ? AND data_sent_at IS NULL",
                [iso(now), iso(now), str(day), recipient.lower(), attempt],
            )
            return cursor.rowcount == 1

    def digest_mark_unknown(self, day: Any, recipient: str, error: str, now: datetime) -> None:
        """The final dot went and no reply came: never sent again unless a person decides."""
        with self.transaction():
            self.db.execute(
                "UPDATE digests SET state = 'unknown', next_attempt_at = NULL, last_error = ?, "
                "last_error_at = ?, updated_at = ? WHERE day = ? AND recipient = ? AND state = 'sending'",
                [error, iso(now), iso(now), str(day), recipient.lower()],
            )

    def digest_settle_unknown(
        self, data_sent_before: datetime, error: str, now: datetime
    ) -> list[dict[str, Any]]:
        """Rows left 'sending' past their final dot since before `data_sent_before` (the
        process that awaited the reply ended): 'unknown' now; the rows so changed."""
        with self.transaction():
            rows = self.query(
                "SELECT day, recipient, attempts FROM digests WHERE state = 'sending' "
                "AND data_sent_at IS NOT NULL AND data_sent_at < ?",
                [iso(data_sent_before)],
            )
            for row in rows:
                self.db.execute(
                    "UPDATE digests SET state = 'unknown', last_error = ?, last_error_at = ?, updated_at = ? "
                    "WHERE day = ? AND recipient = ? AND state = 'sending'",
                    [error, iso(now), iso(now), row["day"], row["recipient"]],
                )
            return rows

    def digest_resolve(self, day: Any, recipient: str, sent: bool, now: datetime) -> bool:
        """A person's decision on a digest whose outcome is unknown: it was delivered (`sent`),
        or send it again now; False when the digest is not in that state."""
        with self.transaction():
            if sent:
                cursor = self.db.execute(
                    "UPDATE digests SET state = 'sent', sent_at = ?, message = NULL, last_error = NULL, "
                    "updated_at = ? WHERE day = ? AND recipient = ? AND state = 'unknown'",
                    [iso(now), iso(now), str(day), recipient.lower()],
                )
            else:
                cursor = self.db.execute(
                    "UPDATE digests SET state = 'pending', next_attempt_at = ?, data_sent_at = NULL, "
                    "updated_at = ? WHERE day = ? AND recipient = ? AND state = 'unknown'",
                    [iso(now), iso(now), str(day), recipient.lower()],
                )
            return cursor.rowcount == 1

    def digest_mark_retry(
        self, day: Any, recipient: str, error: str, retry_at: datetime, now: datetime
    ) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE digests SET state = 'pending', next_attempt_at = ?, last_error = ?, "
                "data_sent_at = NULL, last_error_at = ?, updated_at = ? WHERE day = ? AND recipient = ? "
                "AND state = 'sending'",
                [iso(retry_at), error, iso(now), iso(now), str(day), recipient.lower()],
            )

    def digest_mark_failed(self, day: Any, recipient: str, error: str, now: datetime) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE digests SET state = 'failed', next_attempt_at = NULL, last_error = ?, "
                "data_sent_at = NULL, last_error_at = ?, updated_at = ? WHERE day = ? AND recipient = ? "
                "AND state = 'sending'",
                [error, iso(now), iso(now), str(day), recipient.lower()],
            )

    def digest_retry_now(self, day: Any, recipient: str, now: datetime) -> None:
        """A pending digest waiting for its retry time: make it due now."""
        with self.transaction():
            self.db.execute(
                "UPDATE digests SET next_attempt_at = ?, updated_at = ? WHERE day = ? AND recipient = ? "
                "AND state = 'pending'",
                [iso(now), iso(now), str(day), recipient.lower()],
            )

    def digest_errors(self, limit: int = 20) -> list[dict[str, Any]]:
        """Digests waiting for a retry after an error, failed for good, of unknown outcome, or
        awaiting the reply to their final dot; newest first."""
        return self.query(
            "SELECT day, recipient, state, attempts, next_attempt_at, last_error, last_error_at, "
            "data_sent_at FROM digests WHERE (state = 'pending' AND last_error IS NOT NULL) "
            "OR state IN ('failed', 'unknown') "
            "OR (state = 'sending' AND data_sent_at IS NOT NULL) "
            "ORDER BY day DESC, recipient LIMIT ?",
            [limit],
        )
