"""Names: the people and organisations each article names, and the articles waiting for the
names stage (monitor.entities.stage)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from monitor.store.core import Core
from monitor.timeutil import iso, parse_iso

# A story, or an article that is in none yet (its id negated): what "in N stories" counts.
_STORY = "COALESCE(a.story_id, -a.id)"
_STORY_OF_ARTICLE = "COALESCE(story_id, -id)"


class Names(Core):
    """Names per article: what waits, what was found, read back by article."""

    def names_pending(self, limit: int, below: int | None = None) -> list[dict[str, Any]]:
        """Articles waiting for their names (id, title, text, language), newest first: a
        backlog (every stored article, after the migration) does not delay new ones. With
        `below`, only those of a smaller id (the next page of one run)."""
        where = "" if below is None else "WHERE p.article_id < ? "
        return self.query(
            "SELECT a.id, a.title, a.text, a.language FROM names_pending p "
            f"JOIN articles a ON a.id = p.article_id {where}ORDER BY p.article_id DESC LIMIT ?",
            [limit] if below is None else [below, limit],
        )

    def names_pending_count(self) -> int:
        return int(self.query("SELECT COUNT(*) AS n FROM names_pending")[0]["n"])

    def names_write(self, found: Mapping[int, Sequence[Mapping[str, Any]]]) -> None:
        """One batch in one transaction: each article's names (key, name, variants, mentions)
        replace the ones it had, and the article no longer waits."""
        with self.transaction():
            ids = [(article_id,) for article_id in found]
            self.db.executemany("DELETE FROM article_names WHERE article_id = ?", ids)
            self.db.executemany(
                "INSERT INTO article_names (article_id, key, name, variants, mentions) "
                "VALUES (:article_id, :key, :name, :variants, :mentions) ON CONFLICT DO NOTHING",
                [
                    {
                        "article_id": article_id,
                        "key": name["key"],
                        "name": name["name"],
                        "variants": json.dumps(list(name["variants"]), ensure_ascii=False),
                        "mentions": name["mentions"],
                    }
                    for article_id, names in found.items()
                    for name in names
                ],
            )
            self.db.executemany("DELETE FROM names_pending WHERE article_id = ?", ids)

    def article_names(self, article_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        """The names of these articles, most mentioned first: {id: [{key, name, variants,
        mentions}]} (an article without names is absent)."""
        out: dict[int, list[dict[str, Any]]] = {}
        for start in range(0, len(article_ids), 500):
            chunk = list(article_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self.query(
                "SELECT article_id, key, name, variants, mentions FROM article_names "
                f"WHERE article_id IN ({marks}) ORDER BY article_id, mentions DESC, key",
                chunk,
            ):
                article_id = int(row.pop("article_id"))
                row["variants"] = json.loads(row["variants"])
                out.setdefault(article_id, []).append(row)
        return out

    def article_watches(self, article_ids: Sequence[int]) -> dict[int, list[str]]:
        """The watches (names, by name) each of these articles matched."""
        out: dict[int, list[str]] = {}
        for start in range(0, len(article_ids), 500):
            chunk = list(article_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self.query(
                "SELECT m.article_id, w.name FROM watch_matches m JOIN watches w ON w.id = m.watch_id "
                f"WHERE m.article_id IN ({marks}) ORDER BY m.article_id, lower(w.name), w.name",
                chunk,
            ):
                out.setdefault(int(row["article_id"]), []).append(str(row["name"]))
        return out

    def names_known(self, days: int, min_articles: int, limit: int) -> list[tuple[str, str, int]]:
        """The names the installation knows: (key, spelling, articles) for each key named by
        at least `min_articles` articles published in the `days` before the newest stored
        article (not the wall clock: a replay reads what it read), the `limit` most named keys
        and each of their spellings (`name`, the fullest mention), most named first."""
        latest = self.db.execute("SELECT MAX(published) FROM articles").fetchone()[0]
        if not latest:
            return []
        newest = latest if isinstance(latest, datetime) else parse_iso(str(latest))
        since = iso(newest - timedelta(days=days)) if newest is not None else None
        rows = self.db.execute(
            "SELECT n.key, n.name, COUNT(*) FROM article_names n JOIN articles a ON a.id = n.article_id "
            "WHERE a.published >= ? AND n.key IN (SELECT m.key FROM article_names m "
            "JOIN articles b ON b.id = m.article_id WHERE b.published >= ? GROUP BY m.key "
            "HAVING COUNT(*) >= ? ORDER BY COUNT(*) DESC, m.key LIMIT ?) GROUP BY n.key, n.name",
            [since, since, min_articles, limit],
        ).fetchall()
        return sorted(((str(k), str(n), int(c)) for k, n, c in rows), key=lambda r: (-r[2], r[0], r[1]))

    # -- who is in the news (monitor.watches.people, the /names pages) ----------------------

    def names_key_counts(self, since: str, recent: str, end: str) -> dict[str, tuple[int, int, int]]:
        """Per key named by an article published in [since, end): (stories of [recent, end),
        stories of [since, recent), articles). A story counts once per window; an article
        not yet in a story counts as one."""
        rows = self.db.execute(
            f"SELECT n.key, COUNT(DISTINCT CASE WHEN a.published >= ? THEN {_STORY} END), "
            f"COUNT(DISTINCT CASE WHEN a.published < ? THEN {_STORY} END), COUNT(*) "
            "FROM article_names n JOIN articles a ON a.id = n.article_id "
            "WHERE a.published >= ? AND a.published < ? GROUP BY n.key",
            [recent, recent, since, end],
        ).fetchall()
        return {str(key): (int(now), int(before), int(n)) for key, now, before, n in rows}

    def names_entry_counts(self, keys: Sequence[str], since: str, recent: str, end: str) -> tuple[int, int]:
        """Stories of [recent, end) and of [since, recent) with an article naming any of these
        keys (one entry of several keys: a story counts once)."""
        marks = ",".join("?" * len(keys))
        row = self.db.execute(
            f"SELECT COUNT(DISTINCT CASE WHEN a.published >= ? THEN {_STORY} END), "
            f"COUNT(DISTINCT CASE WHEN a.published < ? THEN {_STORY} END) "
            "FROM article_names n JOIN articles a ON a.id = n.article_id "
            f"WHERE n.key IN ({marks}) AND a.published >= ? AND a.published < ?",
            [recent, recent, *keys, since, end],
        ).fetchone()
        return int(row[0] or 0), int(row[1] or 0)

    def names_window_stories(self, since: str, recent: str, end: str) -> tuple[int, int]:
        """How many stories (an article not yet in one: one) have an article published in
        [recent, end), and in [since, recent)."""
        row = self.db.execute(
            f"SELECT COUNT(DISTINCT CASE WHEN published >= ? THEN {_STORY_OF_ARTICLE} END), "
            f"COUNT(DISTINCT CASE WHEN published < ? THEN {_STORY_OF_ARTICLE} END) "
            "FROM articles WHERE published >= ? AND published < ?",
            [recent, recent, since, end],
        ).fetchone()
        return int(row[0] or 0), int(row[1] or 0)

    def names_spellings(self, keys: Sequence[str], since: str, end: str) -> dict[str, dict[str, int]]:
        """The spellings (`name`, the fullest mention) of these keys in articles published in
        [since, end): {key: {spelling: mentions}}."""
        out: dict[str, dict[str, int]] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for key, name, mentions in self.db.execute(
                "SELECT n.key, n.name, SUM(n.mentions) FROM article_names n "
                "JOIN articles a ON a.id = n.article_id "
                f"WHERE n.key IN ({marks}) AND a.published >= ? AND a.published < ? GROUP BY n.key, n.name",
                [*chunk, since, end],
            ).fetchall():
                out.setdefault(str(key), {})[str(name)] = int(mentions)
        return out

    def names_keys_ending(self, word: str, since: str, end: str) -> dict[str, int]:
        """The keys that are `word` or end with it as their last word, named by articles
        published in [since, end), with their articles: the candidates of one entry."""
        pattern = "% " + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self.db.execute(
            "SELECT n.key, COUNT(*) FROM article_names n JOIN articles a ON a.id = n.article_id "
            "WHERE (n.key = ? OR n.key LIKE ? ESCAPE '\\') AND a.published >= ? AND a.published < ? "
            "GROUP BY n.key",
            [word, pattern, since, end],
        ).fetchall()
        return {str(key): int(n) for key, n in rows}

    def names_story_times(self, keys: Sequence[str], since: str, end: str) -> list[tuple[str, int]]:
        """(publication, story) of each article published in [since, end) naming one of these
        keys (an article not yet in a story: its id, negated)."""
        marks = ",".join("?" * len(keys))
        return [
            (str(published), int(story))
            for published, story in self.db.execute(
                f"SELECT a.published, {_STORY} FROM article_names n JOIN articles a ON a.id = n.article_id "
                f"WHERE n.key IN ({marks}) AND a.published >= ? AND a.published < ?",
                [*keys, since, end],
            ).fetchall()
        ]

    def names_mentions(self, keys: Sequence[str], since: str, end: str, limit: int) -> list[dict[str, Any]]:
        """The newest `limit` articles published in [since, end) naming one of these keys:
        article_id, story_id, title, url, language, published, and the name as the article has it
        (key, name, variants as a list, mentions)."""
        marks = ",".join("?" * len(keys))
        rows = self.query(
            "SELECT n.article_id, a.story_id, a.title, a.url, a.language, a.published, n.key, n.name, "
            "n.variants, n.mentions FROM article_names n JOIN articles a ON a.id = n.article_id "
            f"WHERE n.key IN ({marks}) AND a.published >= ? AND a.published < ? "
            "ORDER BY a.published DESC, n.article_id DESC LIMIT ?",
            [*keys, since, end, limit],
        )
        for row in rows:
            row["variants"] = json.loads(row["variants"])
        return rows
