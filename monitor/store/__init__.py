"""The store: every SQL statement of monitor, split by concern, behind protocols.

`Store` is the SQLite implementation; the rest of monitor asks for what it needs through the
protocols of `monitor.store.protocols`.
"""

from monitor.store.schema import SCHEMA_VERSION
from monitor.store.sqlite import Store
from monitor.store.types import ArticleCounts, FeedState, FeedUpdate

__all__ = ["SCHEMA_VERSION", "ArticleCounts", "FeedState", "FeedUpdate", "Store"]
