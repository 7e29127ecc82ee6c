"""Move the demo's news to the last few days: the bundled feeds are templates whose dates
are the articles' own (2007-2021); `make demo` serves copies whose newest article is minutes
old, so that the default views (the last 24 hours, today's digest) have news to show.

Standard library only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

# The newest article of each source is this old when the demo starts, so that the sources
# interleave instead of ending on the same second.
NEWEST_AGE: Mapping[str, timedelta] = {
    "wmt": timedelta(minutes=3),
    "ecbplus": timedelta(minutes=8),
    "allsides": timedelta(minutes=14),
}
SPAN = timedelta(days=3, hours=12)
MAX_GAP = timedelta(hours=6)


def redate(
    times: Sequence[datetime],
    now: datetime,
    *,
    newest_age: timedelta = timedelta(minutes=5),
    span: timedelta = SPAN,
    max_gap: timedelta = MAX_GAP,
) -> list[datetime]:
    """New times for `times` (in the same order): the newest is `newest_age` before `now`.

    Gaps between consecutive articles are kept up to `max_gap`; a longer gap (the years
    between two WMT test sets, a night) is shortened to `max_gap`. When the result is still
    longer than `span`, all gaps shrink by the same factor so that it fits. So a corpus that
    fits is only shifted, and order is always kept. Whole seconds, like RSS dates.
    """
    if not times:
        return []
    order = sorted(range(len(times)), key=lambda i: times[i])
    cap = max_gap.total_seconds()
    position = [0.0] * len(times)  # seconds after the oldest, gaps capped
    total = 0.0
    previous = times[order[0]]
    for i in order:
        total += min((times[i] - previous).total_seconds(), cap)
        position[i] = total
        previous = times[i]
    scale = min(1.0, span.total_seconds() / total) if total > 0 else 1.0
    newest = (now - newest_age).replace(microsecond=0)
    return [newest - timedelta(seconds=round((total - p) * scale)) for p in position]


_ITEM_DATE = re.compile(
    r'(<guid isPermaLink="false">)(?P<guid>[^<]*)(</guid>\s*<pubDate>)(?P<date>[^<]*)(</pubDate>)'
)
_BUILD_DATE = re.compile(r"<lastBuildDate>[^<]*</lastBuildDate>")


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def redate_feeds(
    templates: Path, out: Path, sources: Mapping[str, str], now: datetime | None = None
) -> dict[str, tuple[datetime, datetime]]:
    """Write each template feed of `templates` into `out` with its items re-dated.

    `sources` maps an item's guid to its source (gold.jsonl's `source`); each source is
    re-dated on its own (see NEWEST_AGE). Returns each source's new (oldest, newest).
    """
    now = now or datetime.now(UTC)
    files = sorted(templates.glob("*.xml"))
    texts = {file: file.read_text(encoding="utf-8") for file in files}
    by_source: dict[str, dict[str, datetime]] = defaultdict(dict)
    for text in texts.values():
        for match in _ITEM_DATE.finditer(text):
            guid = _unescape(match["guid"])
            by_source[sources.get(guid, "")][guid] = parsedate_to_datetime(match["date"])
    new: dict[str, datetime] = {}
    ranges = {}
    for source, dates in sorted(by_source.items()):
        guids = sorted(dates)
        age = NEWEST_AGE.get(source, timedelta(minutes=5))
        moved = redate([dates[g] for g in guids], now, newest_age=age)
        new.update(zip(guids, moved, strict=True))
        ranges[source] = (min(moved), max(moved))

    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.xml"):
        stale.unlink()
    def replace(match: re.Match[str]) -> str:
        when = format_datetime(new[_unescape(match["guid"])], usegmt=True)
        return match[1] + match["guid"] + match[3] + when + match[5]

    for file, text in texts.items():
        dates_in_file = [new[_unescape(m["guid"])] for m in _ITEM_DATE.finditer(text)]
        text = _ITEM_DATE.sub(replace, text)
        if dates_in_file:
            build = format_datetime(max(dates_in_file), usegmt=True)
            text = _BUILD_DATE.sub(f"<lastBuildDate>{build}</lastBuildDate>", text, count=1)
        (out / file.name).write_text(text, encoding="utf-8")
    return ranges
