"""The SQLite store: one `Store` made of one part per concern (feeds and polls, articles and
search, stories, digest state, web reads), all on one connection.

One Store object is the single writer. Writes happen inside `transaction()`, so a poll of one
feed lands whole or not at all. Low-level sqlite3 errors are turned into StoreError in
`monitor.store.core` and nowhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor.store.digest import SQLiteDigest
from monitor.store.feeds import SQLiteFeeds
from monitor.store.outbox import SQLiteOutbox
from monitor.store.stories import SQLiteStories
from monitor.store.watches import SQLiteWatches
from monitor.store.web import SQLiteWebReads

if TYPE_CHECKING:
    from monitor.store.protocols import Backend


class Store(SQLiteFeeds, SQLiteStories, SQLiteDigest, SQLiteWebReads, SQLiteWatches, SQLiteOutbox):
    """The database. Open with Store.open(path); use as a context manager to close."""


if TYPE_CHECKING:  # mypy proves here that the SQLite store satisfies every protocol

    def _implements(store: Store) -> Backend:
        return store
