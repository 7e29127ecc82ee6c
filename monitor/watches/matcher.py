"""Does this article match this watch? Pure: plain article data in, the reasons out.

A watch's `query`, `names` and `about` are three ways of describing one subject: an article
matches when any of them does, and when it passes every filter (`languages`, `tags`, `feeds`,
`countries`: a place of the article is in one of them).
`min_outlets` is a property of the story, which grows after the match: it is applied where
matches are read (pages, alerts), not here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from monitor.ingest.urls import canonical_url
from monitor.watches.names import NameText, WatchedName, mentions, watched_name
from monitor.watches.query import Document, Node, evaluate
from monitor.watches.settings import WatchConfig

Vector = npt.NDArray[np.float32]


@dataclass
class ArticleView:
    """One article as the matcher sees it; its folded words and its names are read once, on
    demand."""

    id: int
    title: str
    text: str
    language: str | None = None
    feed_url: str = ""
    feed_name: str | None = None
    tags: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()  # of the places it names (ISO 3166-1 alpha-2)
    vector: Vector | None = None
    model: str | None = None

    @cached_property
    def document(self) -> Document:
        return Document(self.title, self.text)

    @cached_property
    def name_text(self) -> NameText:
        return NameText.of(self.title, self.text, language=self.language)


@dataclass(frozen=True)
class Why:
    """Why an article matched: the query terms found, the names found, the similarity."""

    terms: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    similarity: float | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.terms:
            out["terms"] = list(self.terms)
        if self.names:
            out["names"] = list(self.names)
        if self.similarity is not None:
            out["similarity"] = round(self.similarity, 4)
        return out

    def summary(self) -> str:
        parts = []
        if self.terms:
            parts.append("terms " + ", ".join(self.terms))
        if self.names:
            parts.append("names " + ", ".join(self.names))
        if self.similarity is not None:
            parts.append(f"similarity {self.similarity:.2f}")
        return "; ".join(parts)


@dataclass(frozen=True)
class CompiledWatch:
    """A watch ready to match: its query tree, its names, its `about` vector."""

    config: WatchConfig
    tree: Node | None
    names: tuple[WatchedName, ...]
    about: Vector | None
    model: str | None
    threshold: float
    feeds: frozenset[str] = field(default_factory=frozenset)

    @property
    def name(self) -> str:
        return self.config.name

    def allows(self, article: ArticleView) -> bool:
        """The filters: language, feed tags, countries, feeds."""
        watch = self.config
        if watch.languages and article.language not in watch.languages:
            return False
        if watch.tags and not article.tags.intersection(watch.tags):
            return False
        if watch.countries and not article.countries.intersection(watch.countries):
            return False
        return not self.feeds or (
            canonical_url(article.feed_url) in self.feeds or (article.feed_name or "") in self.feeds
        )

    def match(self, article: ArticleView) -> Why | None:
        if not self.allows(article):
            return None
        terms: tuple[str, ...] = ()
        found_names: tuple[str, ...] = ()
        similarity = None
        if self.tree is not None:
            ok, hits = evaluate(self.tree, article.document)
            if ok:
                terms = tuple(sorted(hits))
        if self.names:
            found_names = mentions(self.names, article.name_text)
        vector = article.vector
        if self.about is not None and vector is not None and article.model == self.model:
            score = float(np.dot(vector, self.about)) if vector.shape == self.about.shape else -1.0
            if score >= self.threshold:
                similarity = score
        # A query that matches always names a term: a query of only NOT is refused.
        if terms or found_names or similarity is not None:
            return Why(terms, found_names, similarity)
        return None


def compile_watch(
    watch: WatchConfig, model: str | None, embed: Callable[[Sequence[str]], Any] | None
) -> CompiledWatch:
    """A watch ready to match; `embed` turns its `about` into a vector (the model's, as
    articles are embedded: e5 gets its `query:` prefix inside the embedder)."""
    about = None
    if watch.about and embed is not None:
        about = np.asarray(embed([watch.about])[0], dtype=np.float32)
    feeds = frozenset({canonical_url(f) for f in watch.feeds if "://" in f} | set(watch.feeds))
    return CompiledWatch(
        config=watch,
        tree=watch.tree,
        names=tuple(watched_name(n) for n in watch.names),
        about=about,
        model=model,
        threshold=watch.about_threshold(model or ""),
        feeds=feeds,
    )
