"""Times are UTC in the database, as ISO 8601 text that sorts as it reads; people read them
in the configured zone, named (`local_time`)."""

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


def local_time(when: datetime | str | None, zone: tzinfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A time as people read it, on the command line and the web pages: in `zone` (the
    configured `settings.timezone`), followed by the zone's abbreviation when `fmt` shows a
    time of day, so that it says which: '2024-03-22 14:05 CET', '2024-07-01 09:00 CEST',
    '2024-03-22 18:35 +0530' where the zone has no abbreviation of letters. '' for None;
    text that is not a time comes back as it is. JSON keeps UTC (`iso`)."""
    if when is None or when == "":
        return ""
    if isinstance(when, str):
        try:
            parsed = parse_iso(when)
        except ValueError:
            return when
        if parsed is None:
            return when
        when = parsed
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    local = when.astimezone(zone)
    text = local.strftime(fmt)
    if "%H" not in fmt:
        return text
    name = local.tzname() or ""
    if not name.isalpha():  # tzdata writes '+03' for zones without letters: show the full offset
        name = local.strftime("%z")
    return f"{text} {name}"


_AGO_RE = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 24 * 60, "w": 7 * 24 * 60}
MAX_AGE_MINUTES = 100 * 366 * 24 * 60  # an age longer than this is a typing mistake


def _cut(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def parse_when(text: str, now: datetime | None = None, zone: tzinfo = UTC) -> datetime:
    """A user's --since: an ISO date or time ('2024-03-22', '2024-03-22T10:00Z') or an age
    ('90m', '6h', '2d', '1w'). A date or time without an offset is read in `zone` (the
    user's configured time zone): '2024-03-22' is that day's midnight there. Raises
    ValueError with a readable reason."""
    now = now or utcnow()
    match = _AGO_RE.match(text.lower())
    if match:
        digits, unit = match.group(1), match.group(2)
        minutes = int(digits) * _UNIT_MINUTES[unit] if len(digits) <= 12 else MAX_AGE_MINUTES + 1
        if minutes > MAX_AGE_MINUTES:
            raise ValueError(f"bad time {_cut(text)}: an age of at most 100 years (like 6h, 2d or 52w)")
        return now - timedelta(minutes=minutes)
    try:
        when = parse_iso(text.strip(), zone) or now
        when.astimezone(UTC)  # the years 1 and 9999 with an offset fall outside
        return when
    except (ValueError, OverflowError):
        raise ValueError(
            f"bad time {_cut(text)}: use a date like 2024-03-22, a time like 2024-03-22T10:00Z, "
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
