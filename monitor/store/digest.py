"""Digest state: the stories of a day and what digests held (the sends themselves: digest_sends)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from monitor.store.core import _HEADLINE_ID_SQL, _json_list
from monitor.store.digest_sends import DigestSends
from monitor.timeutil import iso


class DigestState(DigestSends):
    """Digest state: the stories of a day, and the digests recorded (their sends: DigestSends)."""

    def digest_story_articles(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Every article published before `end` of each live story with an article in [start, end)."""
        return self.query(
            "SELECT a.id, a.story_id, a.title, a.text, a.url, a.link, a.language, a.published, "
            "a.duplicate_of, a.feed_id, f.name AS feed_name, f.title AS feed_title, f.url AS feed_url, "
            "f.tags AS feed_tags, a.places FROM articles a JOIN feeds f ON f.id = a.feed_id "
            "JOIN stories s ON s.id = a.story_id WHERE s.merged_into IS NULL AND a.published < ? "
            "AND a.story_id IN (SELECT story_id FROM articles WHERE story_id IS NOT NULL "
            "AND published >= ? AND published < ?) ORDER BY a.story_id, a.published, a.id",
            [iso(end), iso(start), iso(end)],
        )

    def digest_stories(self, story_ids: Sequence[int]) -> list[dict[str, Any]]:
        if not story_ids:
            return []
        marks = ",".join("?" * len(story_ids))
        return self.query(
            f"SELECT id, headline_article_id, first_seen, thread_id FROM stories WHERE id IN ({marks}) "
            "ORDER BY id",
            list(story_ids),
        )

    def digest_thread_stories_sent(
        self, thread_ids: Sequence[int], recipient: str | None, since: Any, before: Any
    ) -> dict[int, dict[str, Any]]:
        """For each of these threads, the newest of its stories that a digest sent to this
        recipient (or to anyone) on a day in [since, before) held: thread id -> story id, title."""
        if not thread_ids:
            return {}
        sql = "SELECT story_ids FROM digests WHERE state = 'sent' AND day >= ? AND day < ?"
        params: list[Any] = [str(since), str(before)]
        if recipient is not None:
            sql += " AND recipient = ?"
            params.append(recipient.lower())
        rows = self.query(sql, params)
        sent = {int(i) for r in rows for i in _json_list(r["story_ids"]) if isinstance(i, int)}
        if not sent:
            return {}
        marks = ",".join("?" * len(thread_ids))
        found: dict[int, dict[str, Any]] = {}
        for row in self.query(
            # `sent` holds ids as they were sent; a story merged since speaks as its survivor `s`.
            "SELECT sent.id, s.thread_id AS thread, h.title FROM stories sent "
            "JOIN stories s ON s.id = COALESCE(sent.merged_into, sent.id) "
            f"LEFT JOIN articles h ON h.id = {_HEADLINE_ID_SQL} "
            f"WHERE s.thread_id IN ({marks}) ORDER BY s.first_seen, s.id",
            list(thread_ids),
        ):
            if int(row["id"]) in sent:
                found[int(row["thread"])] = {"story_id": int(row["id"]), "title": row["title"] or ""}
        return found

    def digest_previous_story_ids(self, day: Any, recipient: str | None) -> set[int]:
        """The stories a day's digest held (for this recipient, or any), followed through merges."""
        if recipient is None:
            rows = self.query("SELECT story_ids FROM digests WHERE day = ?", [str(day)])
        else:
            rows = self.query(
                "SELECT story_ids FROM digests WHERE day = ? AND recipient = ?", [str(day), recipient.lower()]
            )
        ids = {int(i) for r in rows for i in _json_list(r["story_ids"]) if isinstance(i, int)}
        result = set()
        for story_id in ids:
            seen = {story_id}
            current = story_id
            while True:
                row = self.db.execute("SELECT merged_into FROM stories WHERE id = ?", [current]).fetchone()
                if row is None or row[0] is None or row[0] in seen:
                    break
                current = int(row[0])
                seen.add(current)
            result.add(current)
        return result

    def digest_day_figures(self, start: datetime, end: datetime) -> dict[str, int]:
        """The header line of a digest: feeds polled, articles, stories, failing feeds."""
        s, e = iso(start), iso(end)
        one = self.db.execute
        return {
            "feeds_polled": int(
                one(
                    "SELECT COUNT(DISTINCT feed_id) FROM fetch_log WHERE started >= ? AND started < ?", [s, e]
                ).fetchone()[0]
            ),
            "articles": int(
                one(
                    "SELECT COUNT(*) FROM articles WHERE published >= ? AND published < ?", [s, e]
                ).fetchone()[0]
            ),
            "stories": int(
                one(
                    "SELECT COUNT(DISTINCT a.story_id) FROM articles a JOIN stories st ON st.id = a.story_id "
                    "WHERE st.merged_into IS NULL AND a.published >= ? AND a.published < ?",
                    [s, e],
                ).fetchone()[0]
            ),
            "failing_feeds": int(
                one(
                    "SELECT COUNT(*) FROM feeds WHERE active = 1 AND gone = 0 AND error_count > 0"
                ).fetchone()[0]
            ),
        }

    def digest_insert(
        self,
        day: Any,
        recipient: str,
        due_at: datetime,
        message_id: str | None,
        message: str | None,
        story_ids: Sequence[int],
        state: str,
        now: datetime,
        *,
        watch_stories: Sequence[tuple[int, int, Sequence[str], int]] = (),
        day_end: datetime | None = None,
    ) -> bool:
        """Record a composed digest; False when the (day, recipient) row already exists.

        `watch_stories`: (watch id, story id, languages, outlets) of the stories its watch
        sections hold, noted in watch_alerts (channel 'digest', sized as of `day_end`, the end
        of the day covered) in the same transaction, so that a later day's digest shows them
        again only when they grow, and a digest composed twice is recorded once."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO digests (day, recipient, state, due_at, message_id, message, "
                "story_ids, created, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [
                    str(day),
                    recipient.lower(),
                    state,
                    iso(due_at),
                    message_id,
                    message,
                    json.dumps(list(story_ids)),
                    iso(now),
                    iso(now),
                ],
            )
            if not cursor.rowcount:
                return False
            if watch_stories:
                stamp = iso(day_end or now)
                self.db.executemany(
                    "INSERT INTO watch_alerts (watch_id, story_id, channel, target, languages, outlets, "
                    "alerted_at) VALUES (?, ?, 'digest', ?, ?, ?, ?) "
                    "ON CONFLICT (watch_id, story_id, channel, target) DO UPDATE SET "
                    "languages = excluded.languages, outlets = excluded.outlets, "
                    "alerted_at = excluded.alerted_at "
                    "WHERE excluded.alerted_at > watch_alerts.alerted_at",
                    [
                        (watch_id, story_id, recipient.lower(), json.dumps(sorted(languages)), outlets, stamp)
                        for watch_id, story_id, languages, outlets in watch_stories
                    ],
                )
            return True

    def digest_watch_matches(
        self, names: Sequence[str], start: datetime, end: datetime
    ) -> list[dict[str, Any]]:
        """The live (not backfilled) matches of the watches so named, of articles published in
        [start, end), each with its article and feed, and its live story's size and headline;
        in publication order."""
        if not names:
            return []
        marks = ",".join("?" * len(names))
        return self.query(
            "SELECT w.name AS watch_name, m.watch_id, m.article_id, m.why, m.published, a.story_id, "
            "a.title, a.url, a.link, a.language, a.duplicate_of, f.name AS feed_name, f.title AS feed_title, "
            "f.url AS feed_url, s.n_outlets, s.languages AS story_languages, h.title AS headline, "
            "h.language AS headline_language FROM watch_matches m JOIN watches w ON w.id = m.watch_id "
            "JOIN articles a ON a.id = m.article_id JOIN feeds f ON f.id = a.feed_id "
            "JOIN stories s ON s.id = a.story_id "
            f"LEFT JOIN articles h ON h.id = {_HEADLINE_ID_SQL} "
            f"WHERE lower(w.name) IN ({marks}) AND w.removed_at IS NULL AND m.backfill = 0 "
            "AND s.merged_into IS NULL AND m.published >= ? AND m.published < ? "
            "ORDER BY m.published, m.article_id, m.watch_id",
            [*(n.lower() for n in names), iso(start), iso(end)],
        )

    def digest_watch_shown(
        self, watch_ids: Sequence[int], recipient: str, before: datetime
    ) -> list[dict[str, Any]]:
        """The stories of these watches that this reader's digests of days ending by `before`
        showed in their watch sections, with their size then (watch_id, story_id, languages,
        outlets)."""
        if not watch_ids:
            return []
        marks = ",".join("?" * len(watch_ids))
        return self.query(
            "SELECT watch_id, story_id, languages, outlets FROM watch_alerts WHERE channel = 'digest' "
            f"AND target = ? AND alerted_at <= ? AND watch_id IN ({marks})",
            [recipient.lower(), iso(before), *watch_ids],
        )

    def digest_latest_story_article(self) -> str | None:
        """The publication time of the newest article that belongs to a live story."""
        row = self.db.execute(
            "SELECT MAX(a.published) FROM articles a JOIN stories s ON s.id = a.story_id "
            "WHERE s.merged_into IS NULL"
        ).fetchone()
        return str(row[0]) if row and row[0] else None
