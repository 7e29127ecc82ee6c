"""Stored news for the watches tests: articles placed in stories without running a model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from monitor.config import FeedConfig
from monitor.ingest.parse import Entry, content_hash
from monitor.store import Store
from monitor.watches.matcher import ArticleView, compile_watch
from monitor.watches.settings import WatchConfig

from .conftest import ok_update

T0 = datetime(2025, 3, 1, 12, tzinfo=UTC)
FEEDS = (
    FeedConfig(url="https://en.example/rss", name="English Daily", tags=("world",)),
    FeedConfig(url="https://fr.example/rss", name="Le Quotidien", tags=("world", "fr")),
    FeedConfig(url="https://ru.example/rss", name="Novosti"),
)


@dataclass(frozen=True)
class Item:
    feed: int  # index in FEEDS
    title: str
    text: str = ""
    language: str = "en"
    hours: float = 0.0
    story: int | None = None  # None: a story of its own
    vector: tuple[float, ...] | None = None


def unit(values: Sequence[float]) -> bytes:
    v = np.asarray(values, dtype=np.float32)
    return (v / np.linalg.norm(v)).astype(np.float32).tobytes()


def open_store(path: Path) -> Store:
    store = Store.open(path)
    store.sync_feeds(FEEDS)
    return store


def add(store: Store, items: Sequence[Item], *, model: str = "fake") -> list[int]:
    """Store the items as articles, then place each in its story (as the stories stage would)."""
    feeds = {f.url: f for f in store.feeds()}
    before = {r["id"] for r in store.query("SELECT id FROM articles")}
    for index, item in enumerate(items):
        feed = feeds[FEEDS[item.feed].url]
        published = T0 + timedelta(hours=item.hours)
        guid = f"{published.isoformat()}-{index}-{item.title}"
        entry = Entry(
            guid=guid,
            url=f"https://x.example/{abs(hash(guid))}",
            link=None,
            title=item.title,
            text=item.text,
            html="",
            published=published,
            published_estimated=False,
            language=item.language,
            language_source="feed",
            author=None,
            content_hash=content_hash(item.title, item.text),
        )
        store.record_poll(feed, ok_update(published), [entry], url=feed.url, duration_ms=1, size=1)
    rows = store.query("SELECT id FROM articles ORDER BY id")
    new_ids = [int(r["id"]) for r in rows if r["id"] not in before]
    _, next_story = store.stories_clock()
    assignments, stories, embeddings, seen = [], [], [], set()
    for article_id, item in zip(new_ids, items, strict=True):
        story_id = item.story if item.story is not None else next_story + article_id
        if story_id not in seen:
            seen.add(story_id)
            stories.append(story_id)
        assignments.append(
            {
                "article_id": article_id,
                "story_id": story_id,
                "duplicate_of": None,
                "similarity": None,
                "score": None,
                "shared_keys": None,
                "gap_hours": None,
                "reason": "test",
            }
        )
        if item.vector is not None:
            embeddings.append((article_id, unit(item.vector), model))
    with store.transaction():
        store.db.conn.executemany(
            "INSERT OR IGNORE INTO stories (id, model, updated_at) VALUES (?, ?, '')",
            [(s, model) for s in stories],
        )
    store.stories_write(assignments, [], [], T0, embeddings)
    # story figures as the stories stage keeps them
    with store.transaction():
        store.db.execute(
            "UPDATE stories SET "
            "n_articles = (SELECT COUNT(*) FROM articles a WHERE a.story_id = stories.id), "
            "n_outlets = (SELECT COUNT(DISTINCT feed_id) FROM articles a WHERE a.story_id = stories.id), "
            "languages = (SELECT json_group_array(DISTINCT language) FROM articles a "
            "WHERE a.story_id = stories.id), "
            "n_languages = (SELECT COUNT(DISTINCT language) FROM articles a WHERE a.story_id = stories.id), "
            "first_seen = (SELECT MIN(published) FROM articles a WHERE a.story_id = stories.id), "
            "last_seen = (SELECT MAX(published) FROM articles a WHERE a.story_id = stories.id), "
            "headline_article_id = (SELECT MIN(id) FROM articles a WHERE a.story_id = stories.id)"
        )
    return new_ids


class FakeEmbedder:
    """Vectors looked up by text: enough to test `about` without a model."""

    name = "fake"
    dim = 3
    languages: frozenset[str] | None = None

    def __init__(self, table: dict[str, tuple[float, ...]]) -> None:
        self.table = table

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.vstack([np.frombuffer(unit(self.table[t]), dtype=np.float32) for t in texts])


def name_found(name: str, text: str, language: str | None) -> bool:
    """Whether a watch of this one name matches an article of this text and language."""
    watch = compile_watch(WatchConfig(name="w", names=(name,)), None, None)
    return watch.match(ArticleView(id=1, title="", text=text, language=language)) is not None
