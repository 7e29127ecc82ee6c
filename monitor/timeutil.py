"""Times are UTC in the database, as ISO 8601 text that sorts as it reads."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(when: datetime | None) -> str | None:
    """'2024-03-22T18:05:00Z' (seconds precision, UTC)."""
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str | None, zone: tzinfo = UTC) -> datetime | None:
    """An ISO 8601 date or time; one without an offset is read in `zone`."""
    if not text:
        return None
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=zone)


_AGO_RE = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")


def parse_when(text: str, now: datetime | None = None, zone: tzinfo = UTC) -> datetime:
    """A user's --since: an ISO date or time ('2024-03-22', '2024-03-22T10:00Z') or an age
    ('90m', '6h', '2d', '1w'). A date or time without an offset is read in `zone` (the
    user's configured time zone): '2024-03-22' is that day's midnight there. Raises
    ValueError with a readable reason."""
    now = now or utcnow()
    match = _AGO_RE.match(text.lower())
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        return now - timedelta(**{{"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[unit]: amount})
    try:
        return parse_iso(text.strip(), zone) or now
    except ValueError:
        raise ValueError(
            f"bad time {text!r}: use a date like 2024-03-22, a time like 2024-03-22T10:00Z, "
            "or an age like 6h or 2d"
        ) from None


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """What monitor calls a day, everywhere (the web pages, the digest, `--since DATE`): the
    calendar day in `zone`, from its midnight to the next, as a UTC half-open range [start,
    end). It lasts 23 or 25 hours on the days the clocks change."""
    following = day + timedelta(days=1)
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    end = datetime(following.year, following.month, following.day, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)
