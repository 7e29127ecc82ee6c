"""Attention over time, per watch and day: pure figures from the store's counts.

A day's share is the watch's matching articles over every article stored that day (copies
once), so that a quiet news day does not read as lost interest. Days are UTC days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

ALL = "*"  # the language key of the figures over every language
_BARS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Day:
    day: date
    articles: int
    stories: int
    total: int  # every article stored that day (in that language)

    @property
    def share(self) -> float:
        return self.articles / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "articles": self.articles,
            "stories": self.stories,
            "total": self.total,
            "share": round(self.share, 6),
        }


@dataclass(frozen=True)
class Attention:
    """One series of days per language, and one over every language (`ALL`)."""

    first: date
    last: date
    series: Mapping[str, tuple[Day, ...]]

    @property
    def overall(self) -> tuple[Day, ...]:
        return self.series[ALL]

    @property
    def languages(self) -> list[str]:
        """Languages with a match in the period, the most matched first."""
        found = [(sum(d.articles for d in days), lang) for lang, days in self.series.items() if lang != ALL]
        return [lang for count, lang in sorted(found, key=lambda x: (-x[0], x[1])) if count]

    def totals(self, language: str = ALL) -> dict[str, Any]:
        days = self.series.get(language, ())
        articles = sum(d.articles for d in days)
        total = sum(d.total for d in days)
        peak = max(days, key=lambda d: (d.articles, d.day), default=None)
        return {
            "articles": articles,
            "stories": sum(d.stories for d in days) if language != ALL else None,
            "share": articles / total if total else 0.0,
            "peak_day": peak.day.isoformat() if peak is not None and peak.articles else None,
            "peak_articles": peak.articles if peak is not None else 0,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "first_day": self.first.isoformat(),
            "last_day": self.last.isoformat(),
            "days": [d.as_dict() for d in self.overall],
            "languages": {lang: [d.as_dict() for d in self.series[lang]] for lang in self.languages},
        }

    def csv_rows(self) -> Iterable[list[str]]:
        """day, language (`*` for all), matching articles, matching stories, all articles, share."""
        yield ["day", "language", "articles", "stories", "all_articles", "share"]
        for lang in [ALL, *self.languages]:
            for d in self.series[lang]:
                yield [
                    d.day.isoformat(),
                    lang,
                    str(d.articles),
                    str(d.stories),
                    str(d.total),
                    f"{d.share:.6f}",
                ]


def period(last: date, days: int) -> tuple[date, date]:
    """The `days` days ending with `last` (both included)."""
    return last - timedelta(days=max(1, days) - 1), last


def attention(
    counts: Sequence[Mapping[str, Any]], totals: Sequence[Mapping[str, Any]], first: date, last: date
) -> Attention:
    """The series from store rows: `counts` (day, language, articles, stories; language
    `ALL` for the figures over every language) and `totals` (day, language, articles)."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    matched: dict[tuple[str, str], tuple[int, int]] = {}
    for row in counts:
        matched[(str(row["language"]) or "?", str(row["day"]))] = (int(row["articles"]), int(row["stories"]))
    everything: dict[tuple[str, str], int] = {}
    for row in totals:
        lang, day = str(row["language"]) or "?", str(row["day"])
        everything[(lang, day)] = everything.get((lang, day), 0) + int(row["articles"])
        everything[(ALL, day)] = everything.get((ALL, day), 0) + int(row["articles"])
    languages = {lang for lang, _ in matched} | {ALL}
    series = {
        lang: tuple(
            Day(
                day,
                *matched.get((lang, day.isoformat()), (0, 0)),
                everything.get((lang, day.isoformat()), 0),
            )
            for day in days
        )
        for lang in sorted(languages)
    }
    return Attention(first, last, series)


def sparkline(values: Sequence[float]) -> str:
    """One bar per value, scaled to the largest; zero is a space's width of `·`."""
    top = max(values, default=0)
    if top <= 0:
        return "·" * len(values)
    return "".join(
        "·" if v <= 0 else _BARS[min(len(_BARS) - 1, int(v / top * (len(_BARS) - 1) + 0.5))] for v in values
    )
