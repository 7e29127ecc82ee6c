"""Build the demo corpus: RSS 2.0 files of real news from three labelled sets.

- WMT news test sets: one outlet's article and its human translations (several languages
  per story);
- ECB+: one event told by many English-language outlets, some of them wire copies (the
  same text under another outlet's name);
- AllSides roundups (allsides-dev): one event told by a left, a centre and a right US
  outlet, with follow-ups of one topic over days.

It writes one RSS 2.0 file per (outlet, language) into ``demo/feeds/`` and the gold story
labels into ``demo/gold.jsonl``. The dates in the files are templates: ``run_demo.py``
moves them to the last few days before it serves them (see ``redate.py``). The output is
deterministic: rerunning it yields the same bytes.

Usage (from the repository root, with the shared data next to it)::

    python demo/build_corpus.py [--data ../shared/data/stories]

Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT / "../shared/data/stories"
WMT_FILE = "wmt-newstest/wmt_newstest_multiway_docs.jsonl"
ECB_FILE = "ecbplus/ecbplus_docs.jsonl"
ALLSIDES_FILE = "allsides-dev/allsides_dev.jsonl"
DEMO_DIR = Path(__file__).resolve().parent
BASE_URL = "https://demo.monitor.invalid"
MAX_CHARS = 1200

# WMT: (test set, original publication date, number of clusters to take from that day).
# Days were chosen to cover every language in the data (hu only exists in 2008, ru
# only in 2012/2013) and to give several unrelated stories per day.
GROUPS: tuple[tuple[str, str, int], ...] = (
    ("news-test2008", "2007-11-29", 8),
    ("newstest2011", "2010-12-02", 8),
    ("newstest2012", "2011-11-15", 8),
    ("newstest2013", "2012-12-01", 8),
)
# At most this many stories per outlet and day, so that one outlet does not fill a day.
PER_OUTLET_PER_DAY = 2
# Each WMT story keeps its original and 2 to 5 of its translations (from a hash of the
# story): real coverage reaches some languages and not others, and stories that all had
# the same languages would tie in the ranking.
WMT_MIN_TRANSLATIONS = 2

# ECB+ topics taken (the "ecbplus" half, whose articles carry their URL, hence an outlet).
# Chosen for events told by many outlets, with real wire copies among them (7, 9, 12, 21,
# 24, 28, 29, 31, 36, 45), and for look-alike events (two earthquakes: 37, 38).
ECB_TOPICS: tuple[int, ...] = (
    1, 3, 7, 8, 9, 12, 21, 23, 24, 28, 29, 31, 32, 36, 37, 38, 41, 45,
)
# ECB+ gives no dates: the events are laid out this far apart from a fixed start, and each
# event's articles follow it within EVENT_SPREAD (most of them early), from a hash of the id.
ECB_START = datetime(2013, 10, 1, 5, 0, tzinfo=UTC)
ECB_EVENT_STEP = timedelta(hours=4)
ECB_EVENT_SPREAD = timedelta(hours=14)

# AllSides roundups published in [start, end): 18 days of follow-ups (Israel-Gaza, the
# Colonial Pipeline hack, Covid-19 rules and origins, the January 6 commission...).
ALLSIDES_FROM = "2021-05-10"
ALLSIDES_UNTIL = "2021-05-28"
# A roundup's time is when AllSides grouped the articles; each article is put up to this
# long before it, from a hash of its id.
ALLSIDES_LEAD = timedelta(hours=6)

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


# Outlet names for the hosts of the ECB+ articles taken; other hosts are shown as themselves.
HOST_NAMES: dict[str, str] = {
    "articles.latimes.com": "Los Angeles Times",
    "bigstory.ap.org": "Associated Press",
    "edition.cnn.com": "CNN",
    "espn.go.com": "ESPN",
    "news.bbc.co.uk": "BBC News",
    "news.sky.com": "Sky News",
    "news.yahoo.com": "Yahoo News",
    "sports.espn.go.com": "ESPN",
    "sports.yahoo.com": "Yahoo Sports",
    "sportsillustrated.cnn.com": "Sports Illustrated",
    "usatoday30.usatoday.com": "USA TODAY",
    "worldnews.nbcnews.com": "NBC News",
    "www.bbc.co.uk": "BBC News",
    "www.cbc.ca": "CBC News",
    "www.ctvnews.ca": "CTV News",
    "www.dailymail.co.uk": "Daily Mail",
    "www.foxnews.com": "Fox News",
    "www.huffingtonpost.com": "HuffPost",
    "www.independent.co.uk": "The Independent",
    "www.nbcnews.com": "NBC News",
    "www.nydailynews.com": "New York Daily News",
    "www.nytimes.com": "The New York Times",
    "www.reuters.com": "Reuters",
    "www.telegraph.co.uk": "The Telegraph",
    "www.theguardian.com": "The Guardian",
    "www.thehindu.com": "The Hindu",
}
# AllSides outlet labels name a section in brackets ("Fox News (Online News)"): dropped.
_ALLSIDES_SECTION = re.compile(r"\s*\((Online News|News|Online|Opinion)\)$")

# Some newstest2012 outlets carry a file name: "cnn-2011-11-15-236335.html".
_FILE_SUFFIX = re.compile(r"-\d{4}-\d{2}-\d{2}-\d+\.html$")
_SENTENCE_END = re.compile(r"[.!?…][\"'»”)\]]*\s")
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Article:
    """One article of the demo, from any of the three sources."""

    guid: str
    source: str  # "wmt", "ecbplus" or "allsides"
    cluster_id: str  # the gold story
    outlet: str  # the outlet's display name
    language: str
    title: str
    body: str
    published: datetime  # the template date; run_demo.py moves it to the last few days
    translated: bool = False  # a WMT human translation, not published by the outlet


def outlet_key(outlet: str) -> str:
    """Return the WMT outlet name without the file-name suffix some records carry."""
    return _FILE_SUFFIX.sub("", outlet)


def slugify(text: str) -> str:
    """Lowercase ASCII slug: 'ihned.cz' -> 'ihned-cz', 'Libération' -> 'liberation'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def stable_int(text: str) -> int:
    """Hash ``text`` to an integer that, unlike hash(), is stable across runs."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


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


# --- WMT --------------------------------------------------------------------------------


def choose_wmt_clusters(rows: list[dict]) -> list[str]:
    """Pick whole clusters: for each day, up to two stories from the busiest outlets."""
    originals = [r for r in rows if r["is_original"]]
    chosen: list[str] = []
    for test_set, day, wanted in GROUPS:
        by_outlet: dict[str, list[str]] = defaultdict(list)
        for row in originals:
            if row["set"] == test_set and row["date"] == day:
                by_outlet[outlet_key(row["outlet"])].append(row["cluster_id"])
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


def wmt_articles(path: Path, max_chars: int) -> list[Article]:
    """Whole WMT clusters (an article and its translations), dated 06:00-20:00 UTC of
    their day from a hash of the id (the source gives dates only)."""
    rows = read_jsonl(path)
    chosen = set(choose_wmt_clusters(rows))
    versions: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        if row["cluster_id"] in chosen:
            versions[row["cluster_id"]].append(row)
    kept = []
    for cluster, cluster_rows in sorted(versions.items()):
        translations = sorted(
            (r for r in cluster_rows if not r["is_original"]),
            key=lambda r: (stable_int(r["id"]), r["id"]),
        )
        wanted = WMT_MIN_TRANSLATIONS + stable_int(cluster) % (len(translations) - 1)
        kept += [r for r in cluster_rows if r["is_original"]] + translations[:wanted]
    articles = []
    for row in kept:
        title = " ".join(row["title"].split())
        day = datetime.strptime(row["date"], "%Y-%m-%d").replace(tzinfo=UTC)
        offset = stable_int(row["id"]) % (14 * 3600)
        outlet = outlet_key(row["outlet"])
        articles.append(
            Article(
                guid=row["id"],
                source="wmt",
                cluster_id=row["cluster_id"],
                outlet=OUTLET_NAMES.get(outlet, outlet),
                language=row["language"],
                title=title,
                body=truncate(strip_title(title, row["text"]), max_chars),
                published=day + timedelta(hours=6, seconds=offset),
                translated=not row["is_original"],
            )
        )
    return articles


# --- ECB+ -------------------------------------------------------------------------------

# A line that is only a date or a byline time: "May 03, 2013", "Posted Dec 23, 2012".
_DATE_LINE = re.compile(r"\b(19|20)\d\d\b|\b\d{1,2}: \d\d\b")


def _is_date_line(sentence: str) -> bool:
    return len(sentence.split()) <= 9 and bool(_DATE_LINE.search(sentence))


def detokenize(text: str) -> str:
    """Undo the ECB+ tokenisation: '2. 5 million', 'hit - and - run', '‘ Hunger Games ’'."""
    text = re.sub(r"(\d)\. (\d)", r"\1.\2", text)
    text = re.sub(r"(\d): (\d)", r"\1:\2", text)
    text = re.sub(r"(\w) - (\w)", r"\1-\2", text)
    text = re.sub(r"([‘“(\[]) ", r"\1", text)
    text = re.sub(r" ([’”)\]])", r"\1", text)
    return " ".join(text.split())


def host_outlet(url: str) -> str:
    host = urlsplit(url).hostname or url
    if host in HOST_NAMES:
        return HOST_NAMES[host]
    return host.removeprefix("www.")


def ecb_articles(path: Path, max_chars: int) -> list[Article]:
    """The ECB+ articles of ECB_TOPICS (the half with URLs), with made-up dates."""
    rows = [r for r in read_jsonl(path) if r["corpus_part"] == "ecbplus" and r["url"]]
    articles = []
    for index, topic in enumerate(ECB_TOPICS):
        start = ECB_START + index * ECB_EVENT_STEP
        for row in sorted((r for r in rows if r["topic"] == topic), key=lambda r: r["id"]):
            sentences = [detokenize(s) for s in row["sentences"]]
            sentences = [s for s in sentences if s and not _is_date_line(s)]
            if len(sentences) < 2:
                continue
            # Most articles early, a tail later: the square of a uniform fraction.
            fraction = (stable_int(row["id"]) % 10_000) / 10_000
            spread = ECB_EVENT_SPREAD.total_seconds() * fraction * fraction
            articles.append(
                Article(
                    guid="ecbplus/" + row["id"],
                    source="ecbplus",
                    cluster_id="ecbplus/" + row["subtopic"],
                    outlet=host_outlet(row["url"]),
                    language="en",
                    title=sentences[0],
                    body=truncate("\n".join(sentences[1:]), max_chars),
                    published=start + timedelta(seconds=round(spread)),
                )
            )
    return articles


# --- AllSides ---------------------------------------------------------------------------


def allsides_articles(path: Path, max_chars: int) -> list[Article]:
    """The AllSides roundups of [ALLSIDES_FROM, ALLSIDES_UNTIL): each article is put up
    to ALLSIDES_LEAD before its roundup's time, from a hash of its id."""
    articles = []
    for row in read_jsonl(path):
        if not ALLSIDES_FROM <= row["timestamp"][:10] < ALLSIDES_UNTIL:
            continue
        roundup = datetime.fromisoformat(row["timestamp"].replace("Z", "+00:00"))
        lead = stable_int(row["id"]) % int(ALLSIDES_LEAD.total_seconds())
        articles.append(
            Article(
                guid=row["id"],
                source="allsides",
                cluster_id="allsides/" + row["cluster_id"],
                outlet=_ALLSIDES_SECTION.sub("", row["outlet"].strip()),
                language=row["language"],
                title=" ".join(row["title"].split()),
                body=truncate(row["text"].strip(), max_chars),
                published=roundup - timedelta(seconds=lead),
            )
        )
    return articles


# --- RSS --------------------------------------------------------------------------------


def rfc822(moment: datetime) -> str:
    """Format ``moment`` as an RFC 822 date, e.g. 'Thu, 29 Nov 2007 08:12:45 GMT'."""
    return format_datetime(moment, usegmt=True)


def xml_text(text: str) -> str:
    """Escape ``text`` for XML character data, dropping characters XML forbids."""
    return escape(_INVALID_XML.sub("", text))


def feed_name(outlet: str, language: str) -> str:
    """Return the feed file stem, e.g. 'le-monde-de'."""
    return f"{slugify(outlet)}-{language}"


SOURCE_NOTES = {
    "wmt": "the WMT news test sets (statmt.org)",
    "ecbplus": "the ECB+ corpus (Cybulska and Vossen 2014)",
    "allsides": "AllSides headline roundups (framing-bias data, Lee et al. 2022)",
}


def render_feed(outlet: str, language: str, items: list[Article]) -> str:
    """Return the RSS 2.0 document for one (outlet, language) pair."""
    slug = slugify(outlet)
    note = (
        "Articles and WMT human translations of articles"
        if any(item.translated for item in items)
        else "Articles"
    )
    sources = " and ".join(SOURCE_NOTES[s] for s in sorted({item.source for item in items}))
    description = (
        f"{note} from {outlet}, taken from {sources} for the monitor demo. "
        "Articles © their outlets; research use."
    )
    last_build = max(item.published for item in items)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0">',
        "  <channel>",
        f"    <title>{xml_text(f'{outlet} ({language})')}</title>",
        f"    <link>{BASE_URL}/{slug}/{language}/</link>",
        f"    <description>{xml_text(description)}</description>",
        f"    <language>{language}</language>",
        f"    <lastBuildDate>{rfc822(last_build)}</lastBuildDate>",
        "    <generator>monitor demo/build_corpus.py</generator>",
    ]
    # Oldest item gets n=1; the file lists the newest first, as feeds usually do.
    numbered = list(enumerate(sorted(items, key=lambda i: (i.published, i.guid)), 1))
    for number, item in reversed(numbered):
        out += [
            "    <item>",
            f"      <title>{xml_text(item.title)}</title>",
            f"      <link>{BASE_URL}/{slug}/{language}/{number}</link>",
            f'      <guid isPermaLink="false">{xml_text(item.guid)}</guid>',
            f"      <pubDate>{rfc822(item.published)}</pubDate>",
            f"      <description>{xml_text(item.body)}</description>",
            "    </item>",
        ]
    out += ["  </channel>", "</rss>", ""]
    return "\n".join(out)


def build(data: Path, out_dir: Path, max_chars: int) -> dict[str, int]:
    """Write the feeds and gold.jsonl; return the number of items per source (and feeds)."""
    articles = [
        *wmt_articles(data / WMT_FILE, max_chars),
        *ecb_articles(data / ECB_FILE, max_chars),
        *allsides_articles(data / ALLSIDES_FILE, max_chars),
    ]
    feeds: dict[tuple[str, str], list[Article]] = defaultdict(list)
    for article in articles:
        feeds[(article.outlet, article.language)].append(article)

    feed_dir = out_dir / "feeds"
    feed_dir.mkdir(parents=True, exist_ok=True)
    for stale in feed_dir.glob("*.xml"):
        stale.unlink()
    gold: list[str] = []
    counts: dict[str, int] = defaultdict(int)
    for (outlet, language), items in sorted(feeds.items()):
        file_name = feed_name(outlet, language) + ".xml"
        (feed_dir / file_name).write_bytes(render_feed(outlet, language, items).encode("utf-8"))
        for item in sorted(items, key=lambda i: i.guid):
            record = {
                "guid": item.guid,
                "cluster_id": item.cluster_id,
                "language": item.language,
                "feed": file_name,
                "source": item.source,
            }
            gold.append(json.dumps(record, ensure_ascii=False))
            counts[item.source] += 1
    (out_dir / "gold.jsonl").write_bytes(("\n".join(gold) + "\n").encode("utf-8"))
    counts["feeds"] = len(feeds)
    return dict(counts)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="the shared data's stories/ folder (default: %(default)s)",
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
    for name in (WMT_FILE, ECB_FILE, ALLSIDES_FILE):
        if not (args.data / name).is_file():
            parser.error(f"no such file: {args.data / name}")
    counts = build(args.data, args.out, args.max_chars)
    print(
        f"wrote {counts.pop('feeds')} feeds to {args.out / 'feeds'}: "
        + ", ".join(f"{source} {n}" for source, n in sorted(counts.items())),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
