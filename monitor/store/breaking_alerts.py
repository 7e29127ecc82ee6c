"""Alerts of the `breaking:` section: the breaking stories that may call for one, what their
filters read (languages, feed tags), and which of their outbox rows are there already (the
rows, one per story and target, are added by Outbox.outbox_add)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from monitor.store.core import Core, _json_list


class BreakingAlerts(Core):
    """The reads of breaking alerts."""

    def breaking_alert_candidates(self, since: str) -> list[dict[str, Any]]:
        """Live stories flagged breaking at or after `since`, in the order they were flagged."""
        return self.query(
            "SELECT s.id, s.n_outlets, s.n_articles, s.languages, s.first_seen, s.breaking_at, "
            "s.breaking_why, h.title AS headline, h.url AS headline_url "
            "FROM stories s LEFT JOIN articles h ON h.id = s.headline_article_id "
            "WHERE s.breaking_at IS NOT NULL AND s.breaking_at >= ? AND s.merged_into IS NULL "
            "ORDER BY s.breaking_at, s.id",
            [since],
        )

    def breaking_story_filters(self, story_ids: Sequence[int]) -> dict[int, dict[str, set[str]]]:
        """What the section's filters read of each story in the store: its articles' languages
        and their feeds' tags (its countries: monitor.entities.storycountries.countries_of)."""
        found: dict[int, dict[str, set[str]]] = {
            int(i): {"languages": set(), "tags": set()} for i in story_ids
        }
        ids = list(found)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.query(
                f"SELECT DISTINCT a.story_id, a.language, f.tags FROM articles a "
                f"JOIN feeds f ON f.id = a.feed_id WHERE a.story_id IN ({marks})",
                chunk,
            ):
                facts = found[int(row["story_id"])]
                if row["language"]:
                    facts["languages"].add(str(row["language"]))
                facts["tags"].update(str(t) for t in _json_list(row["tags"]))
        return found

    def outbox_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of these idempotency keys the outbox holds already (in any state)."""
        held: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            rows = self.query(
                f"SELECT idempotency_key FROM outbox WHERE idempotency_key IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            held.update(str(r["idempotency_key"]) for r in rows)
        return held
