"""Pure helpers of the web views: parsing filters, shaping store rows for pages, the API
and Atom. No I/O here; monitor.web.app does the requests and the database."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from monitor.config import normalize_language
from monitor.deliver.rank import lead_of
from monitor.entities.countries import CountryCodeError, country_code
from monitor.languages import language_name
from monitor.stories.decide import across_languages, merged_from
from monitor.stories.records import latest_bounds
from monitor.timeutil import day_bounds, iso, local_time, parse_iso
from monitor.watches.query import MAX_QUERY_LENGTH, QuerySyntaxError, parse_query
from monitor.wording import breaking_note, duration

__all__ = [
    "FEED_SORTS",
    "BadRequest",
    "DayWindow",
    "StoryFilters",
    "api_endpoints",
    "day_window",
    "group_articles",
    "hourly_counts",
    "isolated",
    "latest_window",
    "lede",
    "marked",
    "safe_url",
    "search_groups",
    "sort_feeds",
    "sparkline_points",
    "story_languages",
    "story_outlets",
    "story_summary",
    "story_timeline",
    "try_url",
    "why_joined",
    "why_line",
]

_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LANG_RE = re.compile(r"^[a-z]{2,3}$")


def isolated(text: object) -> Markup:
    """`text` as HTML, in a `<bdi>` of its own when it holds a letter written right to left, so
    that a list of names in several scripts keeps its order and its commas, and a count after an
    Arabic or Hebrew name stays after it (`فلاديمير بوتين 2`, not `2 فلاديمير بوتين`)."""
    shown = escape(str(text))
    if any(unicodedata.bidirectional(c) in ("R", "AL") for c in str(text)):
        return Markup("<bdi>%s</bdi>") % shown
    return shown


class BadRequest(ValueError):
    """A request parameter is unusable; the message says which and why (answered with 400)."""


@dataclass(frozen=True)
class DayWindow:
    """One calendar day in the configured zone, as a UTC half-open range [start, end); or,
    `rolling`, the 24 hours up to `end` (then `day` is the local date of `end`)."""

    day: date
    start: datetime
    end: datetime
    rolling: bool = False

    @property
    def start_iso(self) -> str:
        return str(iso(self.start))

    @property
    def end_iso(self) -> str:
        return str(iso(self.end))


def day_window(text: str | None, zone: ZoneInfo, now: datetime) -> DayWindow:
    """'2024-03-22' (or None for today in `zone`) -> that local day's UTC range."""
    if text is None or not text.strip():
        day = now.astimezone(zone).date()
    else:
        text = text.strip()
        if not _DAY_RE.match(text):
            raise BadRequest(f"bad day {text[:40]!r}: use YYYY-MM-DD, like 2024-03-22")
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise BadRequest(f"bad day {text!r}: no such date") from None
    if not 1970 <= day.year <= 9998:
        raise BadRequest(f"bad day {day.isoformat()!r}: the year must be between 1970 and 9998")
    start, end = day_bounds(day, zone)
    return DayWindow(day, start, end)


def latest_window(now: datetime, newest: datetime | None, zone: ZoneInfo) -> DayWindow:
    """The default view (records.latest_bounds): the last 24 hours, else the 24 hours up to
    the newest article."""
    start, end = latest_bounds(now, newest)
    return DayWindow(end.astimezone(zone).date(), start, end, rolling=True)


def check_language(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    code = text.strip().lower()
    if not _LANG_RE.match(code):
        raise BadRequest(f"bad language {text[:20]!r}: use a two- or three-letter code, like en or fr")
    if normalize_language(code) is None:  # 'xx', 'und', 'mul': placeholders, as the CLI refuses them
        raise BadRequest(f"bad language {code!r}: not a language; use a code like en or fr")
    return code


def check_country(text: str | None) -> str | None:
    """`?country=ua`: an ISO 3166-1 alpha-2 code in any case, upper-cased; 400 otherwise."""
    if text is None or not text.strip():
        return None
    try:
        return country_code(text)
    except CountryCodeError as exc:
        raise BadRequest(str(exc)) from None


def check_text(name: str, text: str | None, limit: int = 200) -> str | None:
    if text is None or not text.strip():
        return None
    if len(text) > limit:
        raise BadRequest(f"bad {name}: at most {limit} characters")
    if any(ord(c) < 32 for c in text):
        raise BadRequest(f"bad {name}: control characters are not allowed")
    return text.strip()


def check_query(name: str, text: str | None) -> str | None:
    """A full-text query as `monitor search` and a watch's `query` take it (up to 20,000
    characters): bad syntax is refused with its position, never searched as something else."""
    query = check_text(name, text, limit=MAX_QUERY_LENGTH)
    if query is None:
        return None
    try:
        parse_query(query)
    except QuerySyntaxError as exc:
        raise BadRequest(f"bad {name}: {exc.explain(query)}") from None
    return query


@dataclass(frozen=True)
class StoryFilters:
    """The stories page's filters, as the query string gives them (already checked)."""

    day: str | None = None
    lang: str | None = None
    tag: str | None = None
    feed: int | None = None
    q: str | None = None
    country: str | None = None

    def query(self, **changes: Any) -> str:
        """A query string with these filters and `changes` (None drops a key)."""
        values: dict[str, Any] = {
            "day": self.day,
            "lang": self.lang,
            "tag": self.tag,
            "feed": self.feed,
            "q": self.q,
            "country": self.country,
        }
        values.update(changes)
        pairs = [(k, str(v)) for k, v in values.items() if v not in (None, "")]
        return ("?" + urlencode(pairs)) if pairs else ""

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.lang, self.tag, self.feed, self.q, self.country))


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s) and so safe in an href; None otherwise (javascript:, data:)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def hourly_counts(published: Iterable[str], window: DayWindow) -> list[int]:
    """Articles per hour of the window (23 to 25 hours on days when clocks change)."""
    hours = max(1, round((window.end - window.start).total_seconds() / 3600))
    counts = [0] * hours
    for text in published:
        when = parse_iso(text)
        if when is None:
            continue
        index = int((when - window.start).total_seconds() // 3600)
        if 0 <= index < hours:
            counts[index] += 1
    return counts


def sparkline_points(counts: Sequence[int], width: int = 96, height: int = 20) -> str:
    """SVG polyline points for a small line chart of `counts` (drawn server-side: no JS)."""
    if not counts:
        return ""
    top = max(counts) or 1
    step = width / max(1, len(counts) - 1)
    return " ".join(
        f"{i * step:.1f},{height - 1 - (c / top) * (height - 2):.1f}" for i, c in enumerate(counts)
    )


def story_summary(
    rank: int, hit: Mapping[str, Any], story: Mapping[str, Any], zone: ZoneInfo
) -> dict[str, Any]:
    """One story of a ranked list, as the page, the API and the Atom feed show it."""
    first = story.get("first") or {}
    return {
        "rank": rank,
        "id": story["id"],
        "headline": story.get("headline") or "(no title)",
        "headline_language": story.get("headline_language"),
        "languages": list(story.get("languages") or []),
        "countries": list(story.get("countries") or []),
        "n_articles": story.get("n_articles") or 0,
        "n_outlets": story.get("n_outlets") or 0,
        "first_published": story.get("first_published"),
        "last_published": story.get("last_published"),
        "first_report": {
            "article_id": first.get("id"),
            "outlet": first.get("outlet"),
            "feed_id": first.get("feed_id"),
            "title": first.get("title"),
            "url": safe_url(first.get("url")),
            "language": first.get("language"),
            "published": first.get("published"),
            "published_local": local_time(first.get("published"), zone),
        }
        if first
        else None,
        "day": {
            "articles": hit.get("day_articles", 0),
            "outlets": hit.get("day_outlets", 0),
            "languages": hit.get("day_languages", 0),
            "last_published": hit.get("day_last"),
        },
        "entities": [e for e in story.get("entities") or [] if isinstance(e, (str, int, float))][:12],
        "breaking_at": story.get("breaking_at"),
        "breaking": breaking_note(story.get("breaking_why")) if story.get("breaking_at") else None,
    }



# Columns the stories stage may add to articles to say why an article joined its story.
_WHY_NUMBERS = {
    "story_similarity": "similarity",
    "story_score": "score",
    "story_shared_keys": "shared names/numbers",
    "story_shared_entities": "shared names/numbers",
    "story_gap_hours": "gap (hours)",
}
_WHY_TEXT = ("story_reason", "story_why")


def why_joined(
    article: Mapping[str, Any], first_published: str | None, first_report: bool = False
) -> dict[str, Any]:
    """Why an article is in its story: what the stories stage recorded (when it records
    anything: the story it came with when that one merged into this, `merged_from`), whether
    it is the story's first report (only one is), and the time since that (always known)."""
    why: dict[str, Any] = {}
    for column, label in _WHY_NUMBERS.items():
        value = article.get(column)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            why[label] = round(float(value), 3) if isinstance(value, float) else value
    for column in _WHY_TEXT:
        value = article.get(column)
        if isinstance(value, str) and value.strip():
            merged, reason = merged_from(value.strip())
            if merged is not None:
                why["merged_from"] = merged
            if reason:
                why["reason"] = reason
            break
    if first_report:
        why["first_report"] = True
    start, published = parse_iso(first_published), parse_iso(article.get("published"))
    if start is not None and published is not None:
        why["hours_after_first_report"] = round((published - start).total_seconds() / 3600, 3)
    return why


def group_articles(
    articles: Sequence[Mapping[str, Any]], zone: ZoneInfo, preferred: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """A story's articles by language (most covered first, `preferred` languages before the
    rest); within a language oldest first, each copy folded under its original."""
    first_published = articles[0]["published"] if articles else None
    first_id = articles[0]["id"] if articles else None
    ids = {a["id"] for a in articles}
    shaped: dict[int, dict[str, Any]] = {}
    for a in articles:
        shaped[a["id"]] = {
            "id": a["id"],
            "title": a.get("title") or "(no title)",
            "url": safe_url(a.get("url") or a.get("link")),
            "language": a.get("language"),
            "outlet": a.get("outlet"),
            "feed_id": a.get("feed_id"),
            "published": a.get("published"),
            "published_local": local_time(a.get("published"), zone),
            "published_estimated": bool(a.get("published_estimated")),
            "duplicate_of": a.get("duplicate_of"),
            "text_source": a.get("text_source") or "feed",
            "why": why_joined(a, first_published, first_report=a["id"] == first_id),
            "copies": [],
        }
    tops: list[dict[str, Any]] = []
    for a in articles:
        item = shaped[a["id"]]
        original = a.get("duplicate_of")
        if isinstance(original, int) and original in ids and original != a["id"]:
            root, seen = shaped[original], {item["id"]}
            while root["id"] not in seen and root["duplicate_of"] in ids:
                seen.add(root["id"])
                root = shaped[root["duplicate_of"]]
            if root["id"] not in seen:  # else a cycle of copies: show them flat
                root["copies"].append(item)
                continue
        tops.append(item)
    counts = Counter(t["language"] or "" for t in tops)
    order = {code: i for i, code in enumerate(preferred)}
    languages = sorted(counts, key=lambda code: (order.get(code, len(order)), -counts[code], code))
    return [
        {"language": code or None, "articles": [t for t in tops if (t["language"] or "") == code]}
        for code in languages
    ]


def marked(text: str | None) -> list[tuple[str, bool]]:
    """Text with matches marked by \x02 … \x03 (the store's highlight) as (piece, matched)
    pairs, so that the page escapes every piece and wraps only the matched ones in <mark>."""
    pieces: list[tuple[str, bool]] = []
    for n, part in enumerate((text or "").split("\x02")):
        if n == 0:
            pieces.append((part.replace("\x03", ""), False))
            continue
        hit, _, rest = part.partition("\x03")
        pieces.append((hit, True))
        if rest:
            pieces.append((rest.replace("\x03", ""), False))
    return [(piece, hit) for piece, hit in pieces if piece]


def search_groups(
    hits: Sequence[Mapping[str, Any]], zone: ZoneInfo, per_story: int = 3
) -> list[dict[str, Any]]:
    """Search hits (best first) grouped by story, the story of the best hit first; an article
    in no story is a group of its own. Each group keeps its best `per_story` hits."""
    groups: dict[tuple[str, int], dict[str, Any]] = {}
    for hit in hits:
        key = ("story", int(hit["story_id"])) if hit.get("story_id") else ("article", int(hit["id"]))
        group = groups.setdefault(
            key, {"story_id": hit.get("story_id"), "matches": 0, "articles": [], "languages": set()}
        )
        group["matches"] += 1
        if hit.get("language"):
            group["languages"].add(hit["language"])
        if len(group["articles"]) < per_story:
            group["articles"].append(
                {
                    "id": hit["id"],
                    "title": marked(hit.get("title_marked") or hit.get("title") or "(no title)"),
                    "snippet": marked(hit.get("snippet")),
                    "url": safe_url(hit.get("url") or hit.get("link")),
                    "language": hit.get("language"),
                    "outlet": hit.get("outlet"),
                    "published": hit.get("published"),
                    "published_local": local_time(hit.get("published"), zone),
                }
            )
    result = list(groups.values())
    for group in result:
        group["languages"] = sorted(group["languages"])
    return result


def why_line(why: Mapping[str, Any]) -> list[str]:
    """Why an article joined, each figure said once: the story it came with when that one
    merged into this; the recorded figures when there are some (the stage's reason text
    repeats them), else its reason ("new story: ..."); then "first report" for the first
    article only, the time since it for the others (minutes under an hour)."""
    parts: list[str] = []
    if isinstance(why.get("merged_from"), int):
        parts.append(f"came with story {why['merged_from']} when it merged into this one")
    similarity = why.get("similarity")
    if isinstance(similarity, (int, float)) and similarity > 0:
        parts.append(f"similarity {similarity:.2f}")
        score = why.get("score")
        if isinstance(score, (int, float)) and abs(score - similarity) >= 0.005:
            parts.append(f"score {score:.2f}")
        shared = why.get("shared names/numbers")
        if isinstance(shared, int) and shared:
            parts.append(f"{shared} shared {'name or number' if shared == 1 else 'names or numbers'}")
        gap = why.get("gap (hours)")
        if isinstance(gap, (int, float)):
            parts.append(f"gap {duration(gap)}")
        carried = across_languages(why.get("reason"))
        if carried:
            parts.append(f"across languages by {carried}")
    elif why.get("reason"):
        parts.append(str(why["reason"]))
    hours = why.get("hours_after_first_report")
    if why.get("first_report"):
        parts.append("first report")
    elif isinstance(hours, (int, float)):
        parts.append(f"{duration(hours)} after the first report")
    return parts


def lede(text: str | None, limit: int = 280) -> str:
    """The start of an article's text: whole sentences when they fit in `limit` characters
    (as the digest cuts a story's lead)."""
    return lead_of(text or "", limit)


def story_languages(articles: Sequence[Mapping[str, Any]], preferred: Sequence[str]) -> list[dict[str, Any]]:
    """A story's languages by name, the reader's `preferred` languages first, then by articles."""
    counts = Counter(a.get("language") or "" for a in articles)
    order = {code: i for i, code in enumerate(preferred)}
    codes = sorted(counts, key=lambda code: (order.get(code, len(order)), -counts[code], code))
    return [
        {"code": code or None, "name": language_name(code or None), "articles": counts[code]}
        for code in codes
    ]


def story_outlets(articles: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every outlet of a story with its number of articles, in the order they joined."""
    counts: dict[str, int] = {}
    for a in articles:
        name = a.get("outlet") or "?"
        counts[name] = counts.get(name, 0) + 1
    return [{"name": name, "articles": n} for name, n in counts.items()]


def story_timeline(
    articles: Sequence[Mapping[str, Any]],
    zone: ZoneInfo,
    preferred: Sequence[str] = (),
    max_bins: int = 48,
) -> dict[str, Any]:
    """Articles per hour (per several hours for a long story, at most `max_bins` bars) and
    per language, as bars of an SVG drawn on the server: rows of {language, name, bars}."""
    times = [(parse_iso(a.get("published")), a.get("language") or "") for a in articles]
    known = [(when, code) for when, code in times if when is not None]
    if not known:
        return {"rows": [], "bins": 0}
    first = min(when for when, _ in known).replace(minute=0, second=0, microsecond=0)
    last = max(when for when, _ in known)
    hours = max(1, int((last - first).total_seconds() // 3600) + 1)
    step = -(-hours // max_bins)  # hours per bar, rounded up
    bins = -(-hours // step)
    per_language: dict[str, list[int]] = {}
    for when, code in known:
        index = min(bins - 1, int((when - first).total_seconds() // (3600 * step)))
        per_language.setdefault(code, [0] * bins)[index] += 1
    top = max(max(counts) for counts in per_language.values())
    rows = []
    for language in story_languages([{"language": code} for _, code in known], preferred):
        counts = per_language[language["code"] or ""]
        bars = [
            {"x": i * 10 + 1, "height": round(2 + 18 * n / top, 1), "n": n, "index": i}
            for i, n in enumerate(counts)
            if n
        ]
        rows.append({**language, "counts": counts, "bars": bars})
    return {
        "rows": rows,
        "bins": bins,
        "width": bins * 10,
        "step_hours": step,
        "start": iso(first),
        "end": iso(first + timedelta(hours=step * bins)),
    }


# The feeds page's columns: the query's name -> (heading, the sort key of a feed, first order).
FEED_SORTS: dict[str, tuple[str, str, bool]] = {
    "name": ("Feed", "name", False),
    "polled": ("Last poll", "last_polled", True),
    "status": ("Status", "last_status", False),
    "errors": ("Errors in a row", "error_streak", True),
    "due": ("Next due", "next_due", False),
    "per_day": ("Articles/day (7 d)", "articles_per_day", True),
    "articles": ("Articles", "articles", True),
}


def sort_feeds(
    feeds: Sequence[Mapping[str, Any]], sort: str | None, order: str | None, failing_only: bool = False
) -> tuple[list[Mapping[str, Any]], str, bool]:
    """The feeds page's rows: only the failing ones if asked, sorted by a column (missing
    values last, ties by name); returns (rows, the sort used, descending)."""
    if sort is None or not sort.strip():
        sort = "errors"
    if sort not in FEED_SORTS:
        raise BadRequest(f"bad sort {sort[:40]!r}: use one of {', '.join(FEED_SORTS)}")
    if order not in (None, "", "asc", "desc"):
        raise BadRequest(f"bad order {order[:10]!r}: use asc or desc")
    _heading, key, descending = FEED_SORTS[sort]
    if order:
        descending = order == "desc"
    rows = [f for f in feeds if not failing_only or (f["active"] and f["error_streak"])]
    by_name = sorted(rows, key=lambda f: str(f.get("name") or f.get("url") or "").casefold())
    present = [f for f in by_name if f.get(key) is not None]
    missing = [f for f in by_name if f.get(key) is None]

    def value(feed: Mapping[str, Any]) -> Any:
        v = feed[key]
        return v.casefold() if isinstance(v, str) else v

    present.sort(key=value, reverse=descending)  # stable: ties keep the order by name
    return [*present, *missing], sort, descending


_PATH_PARAM_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _schema_words(schema: Mapping[str, Any]) -> str:
    """'integer, 1 to 200, default 50' from a parameter's JSON schema (FastAPI's anyOf with
    null for an optional one is read as its non-null branch)."""
    options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"] or [schema]
    branch = options[0]
    words = [str(branch.get("type", "string"))]
    low, high = branch.get("minimum"), branch.get("maximum")
    if low is not None and high is not None and high < 10**12:
        words.append(f"{low} to {high}")
    elif low is not None:
        words.append(f"at least {low}")
    if branch.get("maxLength") is not None:
        words.append(f"at most {branch['maxLength']} characters")
    if schema.get("default") is not None:
        words.append(f"default {schema['default']}")
    return ", ".join(words)


def api_endpoints(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The OpenAPI description as the docs page lists it: one entry per operation, with its
    parameters in words; a GET can be tried from a form."""
    endpoints = []
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            parameters = [
                {
                    "name": p["name"],
                    "where": p.get("in", "query"),
                    "required": bool(p.get("required")),
                    "description": p.get("description") or p.get("schema", {}).get("description") or "",
                    "kind": _schema_words(p.get("schema", {})),
                }
                for p in operation.get("parameters", [])
            ]
            endpoints.append(
                {
                    "id": re.sub(r"[^a-z0-9]+", "-", f"{method} {path}".lower()).strip("-"),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": (operation.get("description") or "").strip(),
                    "tags": operation.get("tags", []),
                    "parameters": parameters,
                    "try": method.lower() == "get",
                }
            )
    return endpoints


def try_url(spec: Mapping[str, Any], path: str, values: Mapping[str, str]) -> str:
    """The URL a docs-page form asks for: `path` must be a GET of the description; its
    {path parameters} are filled from `values` (each required), the query parameters it
    declares are added when not empty, anything else is dropped."""
    operation = spec.get("paths", {}).get(path, {}).get("get")
    if operation is None:
        raise BadRequest(f"no GET endpoint {path[:80]!r} in the API description")
    query: list[tuple[str, str]] = []
    filled = path
    for parameter in operation.get("parameters", []):
        name, value = parameter["name"], (values.get(parameter["name"]) or "").strip()
        if parameter.get("in") == "path":
            if not value:
                raise BadRequest(f"{name} is needed to try {path}")
            filled = filled.replace("{" + name + "}", quote(value, safe=""))
        elif parameter.get("in") == "query" and value:
            query.append((name, value))
    if _PATH_PARAM_RE.search(filled):
        raise BadRequest(f"{path} has a path parameter this form does not fill")
    return filled + ("?" + urlencode(query) if query else "")
