"""The order in which the stories stage decides articles: publication time, then what the
article is (its content hash, its GUID), never its row id but as a last resort.

Ids follow the order in which polls happened to end (feeds are fetched concurrently), so
ordering same-time articles by id made the stories depend on thread timing: storing the
same feeds in another order opened other stories, threads and breaking flags. The store
reads pending articles in this order (the `articles_unassigned` index), so a batch's limit
cuts them at the same place too. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = ["decision_key", "in_decision_order"]


def _when(value: object) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def decision_key(row: Mapping[str, Any]) -> tuple[datetime, str, str, int]:
    """(published, content hash, GUID, id) of an article row; the id decides only between
    two articles of one second with the same text and GUID (in two feeds)."""
    return (
        _when(row["published"]),
        str(row.get("content_hash") or ""),
        str(row.get("guid") or ""),
        int(row["id"]),
    )


def in_decision_order(rows: Iterable[Mapping[str, Any]]) -> list[Any]:
    """The rows sorted by `decision_key`."""
    return sorted(rows, key=decision_key)
