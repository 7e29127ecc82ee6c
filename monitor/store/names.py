"""Names: the people and organisations each article names, and the articles waiting for the
names stage (monitor.entities.stage)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from monitor.store.core import Core


class Names(Core):
    """Names per article: what waits, what was found, read back by article."""

    def names_pending(self, limit: int) -> list[dict[str, Any]]:
        """Articles waiting for their names (id, title, text, language), newest first: a
        backlog (every stored article, after the migration) does not delay new ones."""
        return self.query(
            "SELECT a.id, a.title, a.text, a.language FROM names_pending p "
            "JOIN articles a ON a.id = p.article_id ORDER BY p.article_id DESC LIMIT ?",
            [limit],
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
