"""Alerts: the stories a watch alerted on (with their size then), and the outbox of
deliveries (webhooks, mails), claimed row by row so that no alert leaves twice."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from monitor.store.core import Core
from monitor.timeutil import iso, parse_iso


class Outbox(Core):
    """Alert state: watch_alerts (what was alerted) and outbox (what is to be delivered)."""

    def alert_candidates(self, watch_id: int, since: str) -> list[dict[str, Any]]:
        """Live stories that may call for an alert: matched by the watch (not by a backfill)
        since `since`, or alerted before and seen since (they may have grown)."""
        return self.query(
            "SELECT s.id, s.n_outlets, s.n_articles, s.languages, s.last_seen, s.breaking_at, "
            "h.title AS headline, h.url AS headline_url "
            "FROM stories s LEFT JOIN articles h ON h.id = s.headline_article_id "
            "WHERE s.merged_into IS NULL AND s.id IN ("
            " SELECT m.story_id FROM watch_matches m WHERE m.watch_id = ? AND m.published >= ? "
            " AND m.backfill = 0 AND m.story_id IS NOT NULL "
            " UNION SELECT wa.story_id FROM watch_alerts wa JOIN stories s2 ON s2.id = wa.story_id "
            " WHERE wa.watch_id = ? AND s2.last_seen >= ?) ORDER BY s.first_seen, s.id",
            [watch_id, since, watch_id, since],
        )

    def alert_live_match(self, watch_id: int, story_id: int) -> dict[str, Any] | None:
        """The story's first match by this watch outside a backfill, with why (None: none)."""
        rows = self.query(
            "SELECT m.article_id, m.why, m.similarity, m.published FROM watch_matches m "
            "WHERE m.watch_id = ? AND m.story_id = ? AND m.backfill = 0 ORDER BY m.published LIMIT 1",
            [watch_id, story_id],
        )
        return rows[0] if rows else None

    def alert_records(self, watch_id: int, story_ids: Sequence[int]) -> list[dict[str, Any]]:
        """What was alerted of these stories: one row per (story, channel, target)."""
        if not story_ids:
            return []
        marks = ",".join("?" * len(story_ids))
        return self.query(
            f"SELECT story_id, channel, target, languages, outlets, alerted_at FROM watch_alerts "
            f"WHERE watch_id = ? AND story_id IN ({marks})",
            [watch_id, *story_ids],
        )

    def alert_record(
        self,
        watch_id: int,
        story_id: int,
        channel: str,
        target: str,
        languages: Sequence[str],
        outlets: int,
        outbox: dict[str, Any],
        now: datetime,
        *,
        previous: tuple[list[str], int] | None,
        min_gap: int | None = None,
    ) -> bool:
        """One alert, in one transaction: the story's size noted in watch_alerts, and its
        delivery in the outbox. With `min_gap` (immediate mail) the alert joins the mail of
        this watch and recipient not yet tried, or opens one due `min_gap` after the last.
        `previous` is the (languages, outlets) the decision saw: when the table holds
        something else now, another process decided first, and nothing is written (False)."""
        stamp = iso(now)
        with self.transaction():
            key = str(outbox["idempotency_key"])
            row = self.db.execute(
                "SELECT languages, outlets FROM watch_alerts WHERE watch_id = ? AND story_id = ? "
                "AND channel = ? AND target = ?",
                [watch_id, story_id, channel, target],
            ).fetchone()
            seen = (sorted(json.loads(row[0] or "[]")), int(row[1])) if row else None
            if seen != previous:  # another process alerted meanwhile: its decision stands
                return False
            if self.db.execute("SELECT 1 FROM outbox WHERE idempotency_key = ?", [key]).fetchone():
                return False
            self.db.execute(
                "INSERT INTO watch_alerts (watch_id, story_id, channel, target, languages, outlets, "
                "alerted_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (watch_id, story_id, channel, target) "
                "DO UPDATE SET languages = excluded.languages, outlets = excluded.outlets, "
                "alerted_at = excluded.alerted_at",
                [watch_id, story_id, channel, target, json.dumps(sorted(languages)), outlets, stamp],
            )
            item = outbox["payload"]
            if min_gap is not None:
                open_rows = self.query(
                    "SELECT id, payload FROM outbox WHERE channel = ? AND target = ? AND watch_id = ? "
                    "AND state = 'pending' AND attempts = 0 ORDER BY id LIMIT 1",
                    [channel, target, watch_id],
                )
                if open_rows:
                    payload = json.loads(open_rows[0]["payload"])
                    payload["stories"].append(item)
                    self.db.execute(
                        "UPDATE outbox SET payload = ? WHERE id = ?",
                        [json.dumps(payload, ensure_ascii=False), open_rows[0]["id"]],
                    )
                    return True
                last = self.db.execute(
                    "SELECT MAX(COALESCE(started_at, next_attempt_at)) FROM outbox WHERE channel = ? "
                    "AND target = ? AND watch_id = ?",
                    [channel, target, watch_id],
                ).fetchone()[0]
                due = outbox["next_attempt_at"]
                last_at = parse_iso(str(last)) if last else None
                if last_at is not None:  # at most one mail per min_gap
                    due = iso(max(now, last_at + timedelta(seconds=min_gap)))
                body = {**outbox["envelope"], "stories": [item]}
            else:
                due = outbox["next_attempt_at"]
                body = item
            return self._outbox_insert(channel, target, watch_id, key, body, stamp, due, outbox["expires_at"])

    def outbox_add(self, channel: str, target: str, outbox: dict[str, Any], now: str) -> bool:
        """One delivery of no watch (a breaking alert): False when a row with its idempotency
        key is there already (added by another process, or before a restart)."""
        with self.transaction():
            key, payload = str(outbox["idempotency_key"]), outbox["payload"]
            due, expires = outbox["next_attempt_at"], outbox["expires_at"]
            return self._outbox_insert(channel, target, None, key, payload, now, due, expires)

    def _outbox_insert(
        self,
        channel: str,
        target: str,
        watch_id: int | None,
        key: str,
        payload: Any,
        created: str | None,
        due: str | None,
        expires: str | None,
    ) -> bool:
        """One pending outbox row; False (nothing written) when its idempotency key is taken
        (the check and the insert are one statement, so two processes add it once)."""
        cursor = self.db.execute(
            "INSERT INTO outbox (channel, target, watch_id, idempotency_key, payload, state, "
            "created_at, next_attempt_at, expires_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?) "
            "ON CONFLICT (idempotency_key) DO NOTHING",
            [channel, target, watch_id, key, json.dumps(payload, ensure_ascii=False), created, due, expires],
        )
        return cursor.rowcount == 1

    def outbox_ready(self, now: datetime, stale_before: datetime, limit: int = 100) -> list[dict[str, Any]]:
        """Deliveries to try now: pending and due, or 'sending' since before `stale_before`
        (a crash in mid-send) and not past the final dot of a mail."""
        return self.query(
            "SELECT * FROM outbox WHERE (state = 'pending' AND next_attempt_at <= ?) "
            "OR (state = 'sending' AND started_at < ? AND data_sent_at IS NULL) "
            "ORDER BY next_attempt_at, id LIMIT ?",
            [iso(now), iso(stale_before), limit],
        )

    def outbox_claim(self, outbox_id: int, now: datetime, stale_before: datetime) -> dict[str, Any] | None:
        """pending (or stale sending) -> sending, counting an attempt; the row as claimed
        (its payload frozen from here), or None when it is not ours to send."""
        with self.transaction():
            cursor = self.db.execute(
                "UPDATE outbox SET state = 'sending', attempts = attempts + 1, started_at = ? "
                "WHERE id = ? AND ((state = 'pending' AND next_attempt_at <= ?) "
                "OR (state = 'sending' AND started_at < ? AND data_sent_at IS NULL))",
                [iso(now), outbox_id, iso(now), iso(stale_before)],
            )
            if cursor.rowcount != 1:
                return None
            rows = self.query("SELECT * FROM outbox WHERE id = ?", [outbox_id])
            return rows[0] if rows else None

    def outbox_mark_sent(self, outbox_id: int, now: datetime) -> None:
        """Delivered (or a person says it was): from 'sending', or 'unknown'."""
        with self.transaction():
            self.db.execute(
                "UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL WHERE id = ? "
                "AND state IN ('sending', 'unknown')",
                [iso(now), outbox_id],
            )

    def outbox_mark_retry(self, outbox_id: int, error: str, retry_at: datetime) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ?, "
                "data_sent_at = NULL WHERE id = ? AND state = 'sending'",
                [iso(retry_at), error, outbox_id],
            )

    def outbox_mark_failed(self, outbox_id: int, error: str) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE outbox SET state = 'failed', last_error = ?, data_sent_at = NULL WHERE id = ? "
                "AND state = 'sending'",
                [error, outbox_id],
            )

    def outbox_mark_data_sent(self, outbox_id: int, attempt: int, now: datetime) -> bool:
        """Just before a mail's final dot (attempt `attempt`): from here the server may hold
        it, and the row is never claimed again. False when the claim is no longer this
        attempt's: the dot must not go."""
        with self.transaction():
            cursor = self.db.execute(
                "UPDATE outbox SET data_sent_at = ? WHERE id = ? AND state = 'sending' AND attempts = ? "
                "AND data_sent_at IS NULL",
                [iso(now), outbox_id, attempt],
            )
            return cursor.rowcount == 1

    def outbox_mark_unknown(self, outbox_id: int, error: str) -> None:
        """A mail's final dot went and no reply came: never sent again unless a person decides."""
        with self.transaction():
            self.db.execute(
                "UPDATE outbox SET state = 'unknown', last_error = ? WHERE id = ? AND state = 'sending'",
                [error, outbox_id],
            )

    def outbox_settle_unknown(self, data_sent_before: datetime, error: str) -> list[int]:
        """Mails left 'sending' past their final dot since before `data_sent_before` (the
        process that awaited the reply ended): 'unknown' now; their ids."""
        with self.transaction():
            rows = self.query(
                "SELECT id FROM outbox WHERE state = 'sending' AND data_sent_at IS NOT NULL "
                "AND data_sent_at < ?",
                [iso(data_sent_before)],
            )
            ids = [int(r["id"]) for r in rows]
            for outbox_id in ids:
                self.db.execute(
                    "UPDATE outbox SET state = 'unknown', last_error = ? WHERE id = ? AND state = 'sending'",
                    [error, outbox_id],
                )
            return ids

    def outbox_resolve(self, outbox_id: int, sent: bool, now: datetime) -> bool:
        """A person's decision on a delivery whose outcome is unknown: it was delivered
        (`sent`), or send it again now (with a day more to try); False when not in that state."""
        with self.transaction():
            if sent:
                cursor = self.db.execute(
                    "UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL WHERE id = ? "
                    "AND state = 'unknown'",
                    [iso(now), outbox_id],
                )
            else:
                cursor = self.db.execute(
                    "UPDATE outbox SET state = 'pending', next_attempt_at = ?, data_sent_at = NULL, "
                    "expires_at = ? WHERE id = ? AND state = 'unknown'",
                    [iso(now), iso(now + timedelta(days=1)), outbox_id],
                )
            return cursor.rowcount == 1

    def outbox_in_doubt(self, limit: int = 20) -> list[dict[str, Any]]:
        """Mails past their final dot with no reply yet, or of unknown outcome; newest first."""
        return self.query(
            "SELECT * FROM outbox WHERE state = 'unknown' "
            "OR (state = 'sending' AND data_sent_at IS NOT NULL) ORDER BY id DESC LIMIT ?",
            [limit],
        )

    def outbox_rows(self, watch_id: int | None = None) -> list[dict[str, Any]]:
        """Every delivery (of one watch), oldest first: for `monitor watch show` and tests."""
        if watch_id is None:
            return self.query("SELECT * FROM outbox ORDER BY id")
        return self.query("SELECT * FROM outbox WHERE watch_id = ? ORDER BY id", [watch_id])
