"""Is an entry new, changed or already stored, by its exact keys (feed and GUID, canonical
URL, content hash). Pure; apart from dedup.py (near-duplicates), which needs numpy: the poll
stores entries without loading it."""

from __future__ import annotations

from typing import Literal

EntryAction = Literal["insert", "update", "unchanged"]


def exact_action(stored_hash: str | None, url_stored_elsewhere: bool, content_hash: str) -> EntryAction:
    """What to do with an entry, by its exact keys: `stored_hash` is the content hash of the
    article with the same feed and GUID (None when there is none), `url_stored_elsewhere`
    whether another feed already gave an article at the same canonical URL.

    Same feed and GUID: unchanged, or updated in place when its content changed. Otherwise
    the same page from another feed is stored once; anything else is new.
    """
    if stored_hash is not None:
        return "unchanged" if stored_hash == content_hash else "update"
    return "unchanged" if url_stored_elsewhere else "insert"
