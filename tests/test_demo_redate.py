"""demo/redate.py: `make demo` moves the bundled news to the last days (a pure function),
and the served copies of the bundled feeds carry the new dates."""

from __future__ import annotations

import importlib.util
import itertools
import json
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from xml.etree import ElementTree

DEMO = Path(__file__).resolve().parent.parent / "demo"
_spec = importlib.util.spec_from_file_location("demo_redate", DEMO / "redate.py")
assert _spec is not None and _spec.loader is not None
redate_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(redate_module)
redate = redate_module.redate
redate_feeds = redate_module.redate_feeds

NOW = datetime(2026, 3, 22, 12, 0, 30, 250_000, tzinfo=UTC)  # RSS dates drop the fraction
WHOLE = NOW.replace(microsecond=0)
H = timedelta(hours=1)


def gaps(times: list[datetime]) -> list[timedelta]:
    ordered = sorted(times)
    return [b - a for a, b in itertools.pairwise(ordered)]


def order(times: list[datetime]) -> list[int]:
    return sorted(range(len(times)), key=lambda i: (times[i], i))


def test_a_short_corpus_is_only_shifted_so_that_the_newest_is_minutes_old() -> None:
    old = datetime(2012, 12, 1, 6, tzinfo=UTC)
    times = [old + 3 * H, old, old + timedelta(hours=5, minutes=7, seconds=9), old + 3 * H, old + H]
    new = redate(times, NOW, newest_age=timedelta(minutes=4), max_gap=6 * H)
    assert max(new) == WHOLE - timedelta(minutes=4)
    assert [b - a for a, b in zip(times, new, strict=True)] == [new[0] - times[0]] * len(times)
    assert order(new) == order(times)


def test_long_gaps_shrink_to_the_cap_and_short_ones_are_kept() -> None:
    day1 = datetime(2007, 11, 29, 6, tzinfo=UTC)
    day2 = datetime(2010, 12, 2, 6, tzinfo=UTC)
    times = [day1, day1 + 2 * H, day2, day2 + 30 * timedelta(minutes=1)]
    new = redate(times, NOW, newest_age=timedelta(minutes=3), max_gap=6 * H, span=timedelta(days=3))
    assert gaps(new) == [2 * H, 6 * H, timedelta(minutes=30)]
    assert max(new) == WHOLE - timedelta(minutes=3)
    assert order(new) == order(times)


def test_a_corpus_of_months_is_compressed_into_the_span_keeping_order() -> None:
    start = datetime(2021, 4, 22, tzinfo=UTC)
    # Every 5 hours for 90 days: no gap is capped, the whole is 450 days too long.
    times = [start + 5 * H * n for n in range(432)][::-1]
    span = timedelta(days=3, hours=12)
    new = redate(times, NOW, newest_age=timedelta(minutes=10), max_gap=6 * H, span=span)
    assert max(new) == WHOLE - timedelta(minutes=10)
    assert max(new) - min(new) == span
    assert order(new) == order(times)
    # Equal gaps stay (nearly) equal: the spacing is scaled, not reshuffled.
    assert max(gaps(new)) - min(gaps(new)) <= timedelta(seconds=1)


def test_nothing_and_a_single_article() -> None:
    assert redate([], NOW) == []
    assert redate([datetime(2000, 1, 1, tzinfo=UTC)], NOW, newest_age=timedelta(minutes=2)) == [
        WHOLE - timedelta(minutes=2)
    ]


def test_the_served_feeds_carry_the_new_dates_each_source_its_own(tmp_path: Path) -> None:
    sources = {}
    for line in (DEMO / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        sources[record["guid"]] = record["source"]
    out = tmp_path / "served"
    ranges = redate_feeds(DEMO / "feeds", out, sources, NOW)
    assert set(ranges) == {"wmt", "ecbplus", "allsides"}
    templates = sorted((DEMO / "feeds").glob("*.xml"))
    assert [f.name for f in sorted(out.glob("*.xml"))] == [f.name for f in templates]
    seen = set()
    for file in out.glob("*.xml"):
        channel = ElementTree.parse(file).getroot().find("channel")
        assert channel is not None
        for item in channel.iter("item"):
            when = parsedate_to_datetime(item.findtext("pubDate", ""))
            assert NOW - timedelta(days=3, hours=13) <= when <= NOW - timedelta(minutes=3)
            seen.add(item.findtext("guid"))
    assert seen == set(sources)
    for _oldest, newest in ranges.values():
        assert NOW - timedelta(minutes=15) <= newest < NOW
