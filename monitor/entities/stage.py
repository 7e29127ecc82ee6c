"""The names stage: each new or changed article's people and organisations, found by the pure
recogniser (monitor.entities.names) and stored with the article."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from monitor.entities.names import names_in
from monitor.store.protocols import NameStore

log = logging.getLogger(__name__)

BATCH = 500  # articles read and written at once
PER_RUN = 5_000  # articles named in one run: a backlog (after the migration) goes on next run


def names_of(article: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of one article's names, as the store keeps them."""
    found = names_in(article.get("title"), article.get("text"), article.get("language"))
    return [{"key": n.key, "name": n.name, "variants": n.variants, "mentions": n.count} for n in found]


def run_names_stage(store: NameStore, *, stop: Callable[[], bool] | None = None, limit: int = PER_RUN) -> int:
    """Name the articles that wait, newest first, a batch at a time, up to `limit` in one run
    (about 2 ms each), so that a backlog does not hold the later stages; returns how many."""
    done = 0
    while done < limit and not (stop and stop()):
        pending = store.names_pending(min(BATCH, limit - done))
        if not pending:
            break
        store.names_write({int(a["id"]): names_of(a) for a in pending})
        done += len(pending)
    if done:
        log.info("event=names_stage articles=%d", done)
    return done


def names_stage(*, stop: Callable[[], bool] | None = None) -> Callable[[NameStore], str | None]:
    """The pipeline's names stage (before the stories stage, which may use them)."""

    def names(store: NameStore) -> str | None:
        done = run_names_stage(store, stop=stop)
        return f"names: {done} articles read" if done else None

    return names
