"""The stories stage's reads and writes: pending articles, vectors, assignments, story rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from monitor.ingest.pages import PAGE_WAIT
from monitor.store.core import Core
from monitor.timeutil import iso, utcnow


class Stories(Core):
    """The stories stage's reads and writes: pending articles, vectors, assignments, story rows."""

    def stories_pending(self, limit: int) -> list[dict[str, Any]]:
        """Articles not yet in a story, in the order the stage decides them (publication time,
        content hash, GUID: monitor.stories.order; the id, which follows the order polls
        happened to end, only last); an article whose page is being read waits for it, at
        most PAGE_WAIT after it was first seen. With each: its places as stored (None: not
        read yet) and whether its names wait to be read (`names_waiting`), for the story
        decision's evidence."""
        # The partial index gives the rows in order, so only `limit` of them are read; left to
        # itself SQLite picks articles_story and sorts every pending article (text and all) for
        # each batch, which made a large backlog quadratic.
        return self.query(
            "SELECT a.id, a.feed_id, a.guid, a.title, a.text, a.language, a.language_source, a.published, "
            "a.content_hash, a.embedding, a.embedding_model, f.name AS feed_name, f.title AS feed_title, "
            "f.url AS feed_url, a.places, CASE WHEN EXISTS (SELECT 1 FROM names_pending n "
            "WHERE n.article_id = a.id) THEN 1 ELSE 0 END AS names_waiting "
            f"FROM articles a {self._indexed_by('articles_unassigned')} JOIN feeds f ON f.id = a.feed_id "
            "WHERE a.story_id IS NULL AND (a.page_state IS NULL OR a.page_state <> 'pending' "
            "OR a.first_seen < ?) ORDER BY a.published, a.content_hash, a.guid, a.id LIMIT ?",
            [iso(utcnow() - PAGE_WAIT), limit],
        )

    def stories_pending_count(self) -> int:
        """How many articles wait for a story (read from the partial index)."""
        row = self.db.execute(
            f"SELECT COUNT(*) FROM articles {self._indexed_by('articles_unassigned')} WHERE story_id IS NULL"
        ).fetchone()
        return int(row[0])

    def stories_vectors(self, article_ids: Sequence[int], model: str) -> dict[int, bytes]:
        """The stored vectors of these articles made by `model`: article id -> vector bytes."""
        found: dict[int, bytes] = {}
        for start in range(0, len(article_ids), 500):
            chunk = list(article_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(
                f"SELECT id, embedding FROM articles WHERE id IN ({marks}) "
                "AND embedding_model = ? AND embedding IS NOT NULL",
                [*chunk, model],
            ).fetchall():
                found[int(row[0])] = bytes(row[1])
        return found

    def stories_write(
        self,
        assignments: Sequence[dict[str, Any]],
        merges: Sequence[tuple[int, int]],
        stories: Sequence[dict[str, Any]],
        now: datetime,
        embeddings: Sequence[tuple[int, bytes, str]] = (),
        threads: Sequence[tuple[int, int]] = (),
        breaking_baseline: str | None = None,
        language_means: Sequence[tuple[str, str, int, bytes]] = (),
    ) -> None:
        """One batch of the stage in one transaction: the batch's new vectors (article
        id, vector bytes, model name), new story rows, then each article's story, copy,
        MinHash signature (`minhash`, None when not known) and reasons, then merges
        (drop -> keep), then story figures (a story's `coverage`, `breaking_at` and
        `breaking_why` kept when not given), then thread links (new story -> the earlier
        story it continues), the breaking baseline the stage learned (kept when None), then
        the running language means that changed (model, language, articles, vector sum bytes)."""
        # decide.py needs numpy: imported by the stories stage, never by a poll's store
        from monitor.stories.decide import merge_note

        updated_at = iso(now)
        vectors = {article_id: (blob, model) for article_id, blob, model in embeddings}
        plain: list[dict[str, Any]] = []
        with_vector: list[dict[str, Any]] = []
        for item in assignments:
            item = {"minhash": None, **item}
            vector = vectors.pop(item["article_id"], None)
            if vector is None:
                plain.append(item)
            else:
                with_vector.append({**item, "embedding": vector[0], "embedding_model": vector[1]})
        assign = (
            "UPDATE articles SET story_id = :story_id, duplicate_of = :duplicate_of, minhash = :minhash, "
            "story_similarity = :similarity, story_score = :score, story_shared_keys = :shared_keys, "
            "story_gap_hours = :gap_hours, story_reason = :reason"
        )
        with self.transaction():
            self.db.execute("UPDATE stories_version SET version = version + 1 WHERE id = 1")
            self.db.executemany(
                "INSERT INTO stories (id, model, updated_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [(story["id"], story["model"], updated_at) for story in stories],
            )
            # SQLite rewrites a whole row (text and all) on every UPDATE: an article with a new
            # vector gets it in the same UPDATE as its story.
            self.db.executemany(f"{assign} WHERE id = :article_id", plain)
            self.db.executemany(
                f"{assign}, embedding = :embedding, embedding_model = :embedding_model "
                "WHERE id = :article_id",
                with_vector,
            )
            self.db.executemany(
                "UPDATE articles SET embedding = ?, embedding_model = ? WHERE id = ?",
                [(blob, model, article_id) for article_id, (blob, model) in vectors.items()],
            )
            for drop, keep in merges:
                # Each article says it came with `drop` (decide.merge_note, read by merged_from).
                self.db.execute(
                    "UPDATE articles SET story_id = ?, story_reason = CAST(? AS TEXT) "
                    "|| COALESCE('; ' || story_reason, '') WHERE story_id = ?",
                    [keep, merge_note(drop, None), drop],
                )
                self.db.execute(
                    "UPDATE stories SET merged_into = ?, n_articles = 0, updated_at = ? WHERE id = ?",
                    [keep, updated_at, drop],
                )
                self.db.execute("UPDATE stories SET merged_into = ? WHERE merged_into = ?", [keep, drop])
                self._merge_threads(drop, keep)
            self.db.executemany(
                "UPDATE stories SET first_seen = :first_seen, last_seen = :last_seen, "
                "headline_article_id = :headline_article_id, n_articles = :n_articles, "
                "n_outlets = :n_outlets, n_languages = :n_languages, languages = :languages, "
                "entities = :entities, keys = :keys, centroid = :centroid, model = :model, "
                "titles = COALESCE(:titles, titles), coverage = COALESCE(:coverage, coverage), "
                "breaking_at = COALESCE(:breaking_at, breaking_at), "
                "breaking_why = COALESCE(:breaking_why, breaking_why), "
                "updated_at = :updated_at WHERE id = :id",
                [
                    {
                        "titles": None,
                        "coverage": None,
                        "breaking_at": None,
                        "breaking_why": None,
                        **story,
                        "updated_at": updated_at,
                    }
                    for story in stories
                ],
            )
            if breaking_baseline is not None:
                self.db.execute(
                    "UPDATE stories_version SET breaking_baseline = ? WHERE id = 1", [breaking_baseline]
                )
            for story_id, earlier in threads:
                # A thread is named by its first story: the earlier story starts one if it
                # was alone, and the new story joins whatever thread the earlier one is in.
                self.db.execute(
                    "UPDATE stories SET thread_id = COALESCE(thread_id, id) WHERE id = ?", [earlier]
                )
                self.db.execute(
                    "UPDATE stories SET thread_id = (SELECT thread_id FROM stories WHERE id = ?) "
                    "WHERE id = ?",
                    [earlier, story_id],
                )
            if language_means:
                self.db.executemany(
                    "INSERT INTO language_means (model, language, n_articles, vector_sum) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (model, language) DO UPDATE SET "
                    "n_articles = excluded.n_articles, vector_sum = excluded.vector_sum",
                    [list(row) for row in language_means],
                )

    def _merge_threads(self, drop: int, keep: int) -> None:
        """Two merged stories' threads become one (named by `merged_thread`)."""
        from monitor.stories.decide import merged_thread

        rows = dict(self.db.execute("SELECT id, thread_id FROM stories WHERE id IN (?, ?)", [drop, keep]))
        kept, dropped = rows.get(keep), rows.get(drop)
        if dropped is None:
            return
        name = merged_thread(keep, kept, drop, dropped)
        self.db.execute(
            "UPDATE stories SET thread_id = ? WHERE thread_id IN (?, ?) OR id = ?",
            [name, dropped, kept if kept is not None else dropped, keep],
        )

    def stories_breaking_baseline(self) -> str | None:
        """The breaking baseline the stage last stored (JSON), None before the first."""
        row = self.db.execute("SELECT breaking_baseline FROM stories_version WHERE id = 1").fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def stories_members(self, story_ids: Sequence[int]) -> list[dict[str, Any]]:
        """The articles of these stories, with what a story record is computed from."""
        if not story_ids:
            return []
        marks = ",".join("?" * len(story_ids))
        return self.query(
            "SELECT a.id, a.story_id, a.feed_id, a.guid, a.content_hash, a.title, a.text, a.language, "
            "a.published, a.duplicate_of, a.embedding, a.embedding_model, f.name AS feed_name, "
            "f.title AS feed_title, f.url AS feed_url FROM articles a JOIN feeds f ON f.id = a.feed_id "
            f"WHERE a.story_id IN ({marks}) ORDER BY a.published, a.id",
            list(story_ids),
        )

    def stories_live(self, model: str, since: datetime) -> list[dict[str, Any]]:
        """Stories of `model` still open at `since` (last article published then or later)."""
        return self.query(
            "SELECT id, first_seen, last_seen, n_articles, languages, keys, centroid, thread_id, titles, "
            "coverage, breaking_at, breaking_why FROM stories "
            "WHERE merged_into IS NULL AND model = ? AND last_seen >= ? ORDER BY id",
            [model, iso(since)],
        )

    def stories_clock(self) -> tuple[str | None, int]:
        """(latest publication time among assigned articles, the next free story id)."""
        sql = "SELECT MAX(published) FROM articles WHERE story_id IS NOT NULL"
        latest = self.db.execute(sql).fetchone()[0]
        next_id = self.db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM stories").fetchone()[0]
        return (str(latest) if latest else None, int(next_id))

    def stories_recent_signatures(
        self, since: datetime
    ) -> list[tuple[int, str, int | None, str, bytes | None]]:
        """Assigned articles published since `since`, as (id, published, duplicate_of,
        content_hash, stored MinHash signature): what the copy index is rebuilt from. No
        texts: those are read only where a signature is missing or no longer valid
        (`stories_texts`). Plain tuples: tens of thousands of rows, read at every start."""
        return [
            (int(r[0]), str(r[1]), r[2], str(r[3] or ""), bytes(r[4]) if r[4] is not None else None)
            for r in self.db.execute(
                # Anything but a blob in the column (written by another tool) reads as none.
                "SELECT id, published, duplicate_of, content_hash, "
                f"{self._blob_sql('minhash')} FROM articles "
                "WHERE story_id IS NOT NULL AND published >= ? ORDER BY published, id",
                [iso(since)],
            ).fetchall()
        ]

    def stories_texts(self, article_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """Title and text of these articles: article id -> (title, text)."""
        found: dict[int, tuple[str, str]] = {}
        for start in range(0, len(article_ids), 500):
            chunk = list(article_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(
                f"SELECT id, title, text FROM articles WHERE id IN ({marks})", chunk
            ).fetchall():
                found[int(row[0])] = (str(row[1] or ""), str(row[2] or ""))
        return found

    def stories_save_signatures(self, signatures: Sequence[tuple[int, bytes]]) -> None:
        """Store recomputed MinHash signatures (article id, blob), in one transaction."""
        if not signatures:
            return
        with self.transaction():
            self.db.executemany(
                "UPDATE articles SET minhash = ? WHERE id = ?",
                [(blob, article_id) for article_id, blob in signatures],
            )

    def stories_language_means(self, model: str) -> list[tuple[str, int, bytes]]:
        """The stage's running means for vectors of `model`: (language, articles, vector sum
        bytes), the overall one keyed ''."""
        return [
            (str(r[0]), int(r[1]), bytes(r[2]))
            for r in self.db.execute(
                "SELECT language, n_articles, vector_sum FROM language_means WHERE model = ? "
                "ORDER BY language",
                [model],
            ).fetchall()
        ]

    def stories_marker(self) -> tuple[int, int]:
        """(writes of the stories stage so far, highest story id): changes whenever anyone
        else assigns. Two index reads, whatever the size of the tables."""
        row = self.db.execute(
            "SELECT (SELECT version FROM stories_version WHERE id = 1), "
            "(SELECT COALESCE(MAX(id), 0) FROM stories)"
        ).fetchone()
        return (int(row[0] or 0), int(row[1]))
