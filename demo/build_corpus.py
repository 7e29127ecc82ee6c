"""Build the multilingual demo corpus: RSS 2.0 files made from WMT news test sets.

Every WMT "cluster" is one real news article and its human translations.  This script
picks whole clusters from a few publication days, then writes one RSS 2.0 file per
(outlet, language) into ``demo/feeds/`` and the gold story labels into
``demo/gold.jsonl``.  The output is deterministic: rerunning it yields the same bytes.

Usage (from the repository root)::

    python demo/build_corpus.py [path/to/wmt_newstest_multiway_docs.jsonl]

Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = (
    REPO_ROOT / "../shared/data/stories/wmt-newstest/wmt_newstest_multiway_docs.jsonl"
)
DEMO_DIR = Path(__file__).resolve().parent
BASE_URL = "https://demo.monitor.invalid"
MAX_CHARS = 1200

# (test set, original publication date, number of clusters to take from that day).
# Days were chosen to cover every language in the data (hu only exists in 2008, ru
# only in 2012/2013) and to give several unrelated stories per day.
GROUPS: tuple[tuple[str, str, int], ...] = (
    ("news-test2008", "2007-11-29", 14),
    ("news-test2008", "2007-12-14", 6),
    ("newstest2011", "2010-12-02", 16),
    ("newstest2012", "2011-11-15", 16),
    ("newstest2013", "2012-12-01", 14),
)
# At most this many stories per outlet and day, so that one outlet does not fill a day.
PER_OUTLET_PER_DAY = 2

OUTLET_NAMES: dict[str, str] = {
    "abces": "ABC",
    "aif": "Argumenty i Fakty",
    "aktualne.cz": "Aktuálně.cz",
    "bbc": "BBC News",
    "canoe": "Canoe",
    "cincodias": "Cinco Días",
    "cnn": "CNN",
    "croix": "La Croix",
    "cyberpresse": "Cyberpresse",
    "denik.cz": "Deník",
    "dernieresnouvelles": "Dernières Nouvelles d'Alsace",
    "economist": "The Economist",
    "elmundo": "El Mundo",
    "elpais.com.co": "El País (Cali)",
    "elperiodicoes": "El Periódico",
    "eluniversal": "El Universal",
    "faz": "Frankfurter Allgemeine Zeitung",
    "frankfurter": "Frankfurter Rundschau",
    "frankfurter-rundschau": "Frankfurter Rundschau",
    "ftd": "Financial Times Deutschland",
    "hvg.hu": "HVG",
    "idnes.cz": "iDNES.cz",
    "ihned.cz": "iHNed.cz",
    "index.hu": "Index.hu",
    "latimes": "Los Angeles Times",
    "ledevoir": "Le Devoir",
    "lefigaro": "Le Figaro",
    "lemondefr": "Le Monde",
    "lesechos": "Les Echos",
    "liberation": "Libération",
    "lidovky.cz": "Lidové noviny",
    "milenio": "Milenio",
    "morgenpost.de": "Berliner Morgenpost",
    "nacion": "La Nación",
    "napi.hu": "Napi Gazdaság",
    "noroeste": "Noroeste",
    "nol.hu": "Népszabadság",
    "novinky.cz": "Novinky.cz",
    "nytimes": "The New York Times",
    "origo.hu": "Origo",
    "prensalibre": "Prensa Libre",
    "primerahora": "Primera Hora",
    "scotsman": "The Scotsman",
    "spiegel": "Der Spiegel",
    "sz": "Süddeutsche Zeitung",
    "times-of-london": "The Times",
    "timemagazine": "Time",
    "washpost": "The Washington Post",
    "welt": "Die Welt",
}

# Some newstest2012 outlets carry a file name: "cnn-2011-11-15-236335.html".
_FILE_SUFFIX = re.compile(r"-\d{4}-\d{2}-\d{2}-\d+\.html$")
_SENTENCE_END = re.compile(r"[.!?…][\"'»”)\]]*\s")


@dataclass(frozen=True)
class Article:
    """One document of the WMT multiway file (one language version of a story)."""

    id: str
    set: str
    language: str
    outlet: str
    date: str
    title: str
    text: str
    cluster_id: str
    is_original: bool


@dataclass(frozen=True)
class Item:
    """One RSS item ready to be written."""

    article: Article
    published: datetime
    body: str


def outlet_key(outlet: str) -> str:
    """Return the outlet name without the file-name suffix some records carry."""
    return _FILE_SUFFIX.sub("", outlet)


def slugify(text: str) -> str:
    """Lowercase ASCII slug: 'ihned.cz' -> 'ihned-cz'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def stable_int(text: str) -> int:
    """Hash ``text`` to an integer that, unlike hash(), is stable across runs."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def load(path: Path) -> list[Article]:
    """Read the WMT multiway JSONL file."""
    articles = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line)
            articles.append(
                Article(
                    id=row["id"],
                    set=row["set"],
                    language=row["language"],
                    outlet=outlet_key(row["outlet"]),
                    date=row["date"],
                    title=" ".join(row["title"].split()),
                    text=row["text"],
                    cluster_id=row["cluster_id"],
                    is_original=bool(row["is_original"]),
                )
            )
    return articles


def choose_clusters(articles: list[Article]) -> list[str]:
    """Pick whole clusters: for each day, up to two stories from the busiest outlets."""
    originals = [a for a in articles if a.is_original]
    chosen: list[str] = []
    for test_set, day, wanted in GROUPS:
        by_outlet: dict[str, list[str]] = defaultdict(list)
        for article in originals:
            if article.set == test_set and article.date == day:
                by_outlet[article.outlet].append(article.cluster_id)
        # Busiest outlets first (they give feeds with several items), ties by name.
        outlets = sorted(by_outlet, key=lambda name: (-len(by_outlet[name]), name))
        picked: list[str] = []
        for outlet in outlets:
            clusters = sorted(by_outlet[outlet], key=lambda c: (stable_int(c), c))
            picked.extend(clusters[:PER_OUTLET_PER_DAY])
            if len(picked) >= wanted:
                break
        chosen.extend(picked[:wanted])
    return chosen


def strip_title(title: str, text: str) -> str:
    """Drop the leading line(s) of ``text`` that repeat the title; keep the rest."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    target = " ".join(title.split())
    consumed: list[str] = []
    for index, line in enumerate(lines):
        candidate = " ".join(" ".join([*consumed, line]).split())
        if candidate == target:
            return "\n".join(lines[index + 1 :])
        if not target.startswith(candidate):
            break
        consumed.append(line)
    return "\n".join(lines)


def truncate(text: str, limit: int = MAX_CHARS) -> str:
    """Cut ``text`` to about ``limit`` characters at a sentence, else word, boundary."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    ends = [m.end() for m in _SENTENCE_END.finditer(head + " ")]
    newline = head.rfind("\n")
    cut = max([*ends, newline])
    if cut >= limit * 0.6:
        return head[:cut].rstrip() + " […]"
    space = head.rfind(" ")
    return (head[:space] if space > 0 else head).rstrip(" ,;:") + " […]"


def publication_time(article: Article) -> datetime:
    """Spread items over 06:00-20:00 UTC of their day, deterministically."""
    day = datetime.strptime(article.date, "%Y-%m-%d").replace(tzinfo=UTC)
    offset = stable_int(article.id) % (14 * 3600)
    return day + timedelta(hours=6, seconds=offset)


_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def rfc822(moment: datetime) -> str:
    """Format ``moment`` as an RFC 822 date, e.g. 'Thu, 29 Nov 2007 08:12:45 GMT'."""
    return format_datetime(moment, usegmt=True)


def xml_text(text: str) -> str:
    """Escape ``text`` for XML character data, dropping characters XML forbids."""
    return escape(_INVALID_XML.sub("", text))


def feed_name(outlet: str, language: str) -> str:
    """Return the feed file stem, e.g. 'lemondefr-de'."""
    return f"{slugify(outlet)}-{language}"


def render_feed(outlet: str, language: str, items: list[Item]) -> str:
    """Return the RSS 2.0 document for one (outlet, language) pair."""
    slug = slugify(outlet)
    display = OUTLET_NAMES.get(outlet, outlet)
    original = all(item.article.is_original for item in items)
    note = (
        "Original articles"
        if original
        else "Articles and WMT human translations of articles"
    )
    description = (
        f"{note} from {display}, taken from the WMT news test sets "
        "(statmt.org) for the monitor demo. Articles © their outlets; research use."
    )
    last_build = max(item.published for item in items)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0">',
        "  <channel>",
        f"    <title>{xml_text(f'{display} ({language})')}</title>",
        f"    <link>{BASE_URL}/{slug}/{language}/</link>",
        f"    <description>{xml_text(description)}</description>",
        f"    <language>{language}</language>",
        f"    <lastBuildDate>{rfc822(last_build)}</lastBuildDate>",
        "    <generator>monitor demo/build_corpus.py</generator>",
    ]
    # Oldest story gets n=1; the file lists the newest first, as feeds usually do.
    numbered = list(
        enumerate(sorted(items, key=lambda i: (i.published, i.article.id)), 1)
    )
    for number, item in reversed(numbered):
        out += [
            "    <item>",
            f"      <title>{xml_text(item.article.title)}</title>",
            f"      <link>{BASE_URL}/{slug}/{language}/{number}</link>",
            f'      <guid isPermaLink="false">{xml_text(item.article.id)}</guid>',
            f"      <pubDate>{rfc822(item.published)}</pubDate>",
            f"      <description>{xml_text(item.body)}</description>",
            "    </item>",
        ]
    out += ["  </channel>", "</rss>", ""]
    return "\n".join(out)


def build(source: Path, out_dir: Path, max_chars: int) -> tuple[int, int]:
    """Write the feeds and gold.jsonl; return (number of feeds, number of items)."""
    articles = load(source)
    chosen = set(choose_clusters(articles))
    feeds: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for article in articles:
        if article.cluster_id not in chosen:
            continue
        body = truncate(strip_title(article.title, article.text), max_chars)
        item = Item(article=article, published=publication_time(article), body=body)
        feeds[(article.outlet, article.language)].append(item)

    feed_dir = out_dir / "feeds"
    feed_dir.mkdir(parents=True, exist_ok=True)
    for stale in feed_dir.glob("*.xml"):
        stale.unlink()
    gold: list[str] = []
    for (outlet, language), items in sorted(feeds.items()):
        file_name = feed_name(outlet, language) + ".xml"
        (feed_dir / file_name).write_bytes(
            render_feed(outlet, language, items).encode("utf-8")
        )
        for item in sorted(items, key=lambda i: i.article.id):
            record = {
                "guid": item.article.id,
                "cluster_id": item.article.cluster_id,
                "language": item.article.language,
                "feed": file_name,
            }
            gold.append(json.dumps(record, ensure_ascii=False))
    (out_dir / "gold.jsonl").write_bytes(("\n".join(gold) + "\n").encode("utf-8"))
    return len(feeds), len(gold)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "source",
        nargs="?",
        type=Path,
        default=DEFAULT_SOURCE,
        help="WMT multiway JSONL file (default: %(default)s)",
    )
    parser.add_argument(
        "--out", type=Path, default=DEMO_DIR, help="output directory (default: demo/)"
    )
    parser.add_argument(
        "--max-chars",
        type=int,
        default=MAX_CHARS,
        help="cut article text to about this many characters (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if not args.source.is_file():
        parser.error(f"no such file: {args.source}")
    n_feeds, n_items = build(args.source, args.out, args.max_chars)
    print(
        f"wrote {n_feeds} feeds, {n_items} items to {args.out / 'feeds'}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
