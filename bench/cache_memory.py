"""The word-form caches of a long-running daemon: how much memory they hold as it reads more words.

    python bench/cache_memory.py                  # every article of ../shared/data, RSS as it goes
    python bench/cache_memory.py --trace          # also the exact bytes each cache frees (slower)
    python bench/cache_memory.py --articles 2000

The names, places, watches and stories code keep `functools.lru_cache`s of word forms that
fill as a daemon meets distinct words, over days. In one process, as the daemon's stages call
them, this reads a stream of distinct real articles in many languages (WMT newstest, ECB+,
AllSides, itn-dev, tgcontest, bsnlp-dev, TR-News, GeoVirus, the readability pages' texts and
the feed fixtures' entries, shuffled with a fixed seed): the names stage
(`stage.names_of_all`, with the gazetteer), the places stage (`placestage.places_of`), the
stories stage's evidence (`stories.entities.extract_evidence`, `evidence_keys`) and 36
watches (`names:` and queries, `CompiledWatch.match`). It prints the RSS every `--every`
articles, then each cache of `monitor`: its size against its maximum, its hit rate, and its
bytes: every entry's key and value measured (`sys.getsizeof` through what they reference,
each object once, with the cache's own table and links), the mean per entry times the
maximum for the cache full. With `--trace`, tracemalloc runs from the start and each cache
is cleared in turn at the end: the memory that clearing frees is what the cache alone holds.
The machine is shared: the load average is printed; RSS does not depend on it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import time
import tracemalloc
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from extract import PAGES, expected_text  # noqa: E402
from names import cpu_model  # noqa: E402
from stories import load_allsides, load_ecb, load_itn, load_tg_pairs, load_wmt  # noqa: E402

from monitor.entities import placestage, stage  # noqa: E402
from monitor.entities.placestage import BATCH, PlacesStage  # noqa: E402
from monitor.errors import MonitorError  # noqa: E402
from monitor.ingest.parse import parse_feed  # noqa: E402
from monitor.stories.entities import evidence_keys, extract_evidence  # noqa: E402
from monitor.watches.matcher import ArticleView, compile_watch  # noqa: E402
from monitor.watches.settings import WatchConfig  # noqa: E402

DATA = ROOT.parent / "shared" / "data"

# Watches as users write them: people and organisations in English, and a few queries.
WATCHED_NAMES = (
    "Vladimir Putin",
    "Donald Trump",
    "Angela Merkel",
    "Asia Bibi",
    "Theresa May",
    "Emmanuel Macron",
    "Xi Jinping",
    "European Union",
    "NATO",
    "Barack Obama",
    "Boris Johnson",
    "Joe Biden",
    "Volodymyr Zelensky",
    "Elon Musk",
    "Recep Tayyip Erdoğan",
    "Benjamin Netanyahu",
    "Kim Jong-un",
    "Narendra Modi",
    "Pope Francis",
    "United Nations",
    "Imran Khan",
    "Nawaz Sharif",
    "Hillary Clinton",
    "Mark Zuckerberg",
    "Jens Stoltenberg",
    "Andrej Babiš",
    "Viktor Orbán",
    "Sergey Lavrov",
)
QUERIES = (
    "climate OR weather*",
    "election AND vote*",
    "earthquake OR flood*",
    '"central bank"',
    "北京 OR climate",
    "refugee* AND NOT football",
    "vaccine* OR pandemic",
    "olympic*",
)


@dataclass(frozen=True)
class CacheFigures:
    """One cache at the end of the stream."""

    name: str
    currsize: int
    maxsize: int
    hits: int
    misses: int
    measured: int  # bytes of its entries, table and links, each object once
    freed: int | None = None  # bytes that clearing it freed (--trace)

    @property
    def full(self) -> float:
        """Bytes when full: the mean entry times the maximum."""
        return self.measured / self.currsize * self.maxsize if self.currsize else 0.0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=0, help="at most this many (0: all)")
    parser.add_argument("--every", type=int, default=1000, help="print the RSS every this many articles")
    parser.add_argument("--trace", action="store_true", help="measure with tracemalloc (slower)")
    return parser.parse_args()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _feed_articles() -> Iterator[dict[str, Any]]:
    for path in sorted((DATA / "feeds").rglob("*")):
        if not path.is_file() or path.suffix.lower() not in (".xml", ".rss", ".atom", ".rdf", ".json", ""):
            continue
        try:
            parsed = parse_feed(path.read_bytes(), url=f"https://{path.stem}.example/feed")
        except MonitorError:  # the fixtures include broken feeds on purpose
            continue
        for entry in parsed.entries:
            yield {"title": entry.title, "text": entry.text, "language": entry.language, "feed_url": ""}


def _page_articles() -> Iterator[dict[str, Any]]:
    for case in sorted(p for p in PAGES.iterdir() if (p / "expected.html").is_file()):
        meta_path = case / "expected-metadata.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        language = (meta.get("lang") or "").split("-")[0] or None
        yield {
            "title": meta.get("title") or "",
            "text": expected_text(case / "expected.html"),
            "language": language,
            "feed_url": "",
        }


def articles() -> list[dict[str, Any]]:
    """Every distinct article of ../shared/data, as the stages read rows, in a fixed shuffle."""
    records = [*load_wmt(), *load_ecb(), *load_allsides(), *load_itn()]
    records += [r for a, b, _ in load_tg_pairs() for r in (a, b)]
    rows = [{"title": r.title, "text": r.text, "language": r.language, "feed_url": ""} for r in records]
    for line in (DATA / "names" / "bsnlp-dev" / "bsnlp_dev.jsonl").open(encoding="utf-8"):
        d = json.loads(line)
        rows.append({"title": d["title"], "text": d["text"], "language": d["language"], "feed_url": d["url"]})
    for name in ("tr-news.jsonl", "geovirus.jsonl"):
        for line in (DATA / "places" / name).open(encoding="utf-8"):
            d = json.loads(line)
            rows.append(
                {
                    "title": d.get("title") or "",
                    "text": d["text"],
                    "language": "en",
                    "feed_url": d.get("url") or "",
                }
            )
    rows += [*_page_articles(), *_feed_articles()]
    distinct = list({(r["title"], r["text"]): r for r in rows if r["text"]}.values())
    random.Random(25).shuffle(distinct)
    return distinct


def caches() -> dict[str, Callable[..., Any]]:
    """Every bounded lru_cache of monitor's modules imported now, by module and function name
    (`functools.cache` keeps tables read once, no words: not counted)."""
    found = {}
    for module in list(sys.modules.values()):
        if not getattr(module, "__name__", "").startswith("monitor"):
            continue
        for name, value in vars(module).items():
            if (
                hasattr(value, "cache_info")
                and getattr(value, "__module__", None) == module.__name__
                and value.cache_info().maxsize is not None
            ):
                found[f"{module.__name__.removeprefix('monitor.')}.{name}"] = value
    return dict(sorted(found.items()))


def _table(cached: Callable[..., Any]) -> dict[Any, Any]:
    """The cache's dict (key -> link), which the C lru_cache shows to the garbage collector."""
    own = getattr(cached, "__dict__", None)
    tables = [x for x in gc.get_referents(cached) if isinstance(x, dict) and x is not own]
    # the traversal also reaches the values it holds: the table is the dict of links
    return next(x for x in tables if all(type(v).__name__ == "_lru_list_elem" for v in x.values()))


_SHARED = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType)


def deep_size(objects: list[Any], seen: set[int]) -> int:
    """Bytes of these objects and of all they reference, each object once (not types,
    modules or functions, which the process holds anyway)."""
    total = 0
    stack = list(objects)
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, _SHARED):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        stack.extend(gc.get_referents(obj))
    return total


def _arguments_of(key: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The call a cache key stands for: a lone str or int argument is its own key; else the
    positional arguments, then a marker object and the keyword arguments' names and values."""
    if not isinstance(key, tuple):
        return (key,), {}
    marker = next((i for i, x in enumerate(key) if type(x) is object), None)
    if marker is None:
        return tuple(key), {}
    rest = key[marker + 1 :]
    return tuple(key[:marker]), dict(zip(rest[::2], rest[1::2], strict=True))


def measure(cached: Callable[..., Any]) -> int:
    """Bytes of a cache's entries (keys, and values got back by calling it: hits), its table
    and its links."""
    table = _table(cached)
    keys = list(table)
    values = []
    for key in keys:
        args, kwargs = _arguments_of(key)
        values.append(cached(*args, **kwargs))
    seen: set[int] = set()
    return sys.getsizeof(table) + sum(map(sys.getsizeof, table.values())) + deep_size(keys + values, seen)


def stream(rows: list[dict[str, Any]], every: int) -> Any:
    """Read the rows as the stages do; returns the gazetteer (its own answers are kept too)."""
    gazetteer = PlacesStage().gazetteer()
    gazetteer.lookup(["paris"])
    configs = [WatchConfig(name=f"n{i}", names=(n,)) for i, n in enumerate(WATCHED_NAMES)]
    configs += [WatchConfig(name=f"q{i}", query=q) for i, q in enumerate(QUERIES)]
    watches = [compile_watch(c, None, None) for c in configs]
    print(f"start: RSS {rss_mb():.1f} MB (gazetteer open, {len(watches)} watches)")
    started = time.process_time()
    steps = dict.fromkeys(("names", "places", "stories evidence", "watches"), 0.0)
    matched = 0
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        t0 = time.process_time()
        names = stage.names_of_all(batch, gazetteer)
        t1 = time.process_time()
        places = placestage.places_of(gazetteer, batch, names)
        steps["names"] += t1 - t0
        steps["places"] += time.process_time() - t1
        for n, (row, found_names, found_places) in enumerate(zip(batch, names, places, strict=True)):
            t0 = time.process_time()
            extract_evidence(row["title"], row["text"])
            evidence_keys(found_places, found_names)
            t1 = time.process_time()
            view = ArticleView(
                start + n,
                row["title"],
                row["text"],
                row["language"],
                countries=frozenset(p["country"] for p in found_places),
            )
            matched += sum(w.match(view) is not None for w in watches)
            steps["stories evidence"] += t1 - t0
            steps["watches"] += time.process_time() - t1
            done = start + n + 1
            if done % every == 0 or done == len(rows):
                held = sum(c.cache_info().currsize for c in caches().values())
                spent = time.process_time() - started
                print(
                    f"{done:6d} articles: RSS {rss_mb():.1f} MB, {held:,} cache entries,"
                    f" CPU {spent:.1f} s ({1000 * spent / done:.2f} ms an article)"
                )
    print("CPU ms an article: " + ", ".join(f"{k} {1000 * v / len(rows):.3f}" for k, v in steps.items()))
    print(f"{matched} watch matches")
    return gazetteer


def figures(trace: bool) -> list[CacheFigures]:
    found = caches()
    out = []
    freed: dict[str, int] = {}
    if trace:  # clear them in turn: what each frees that nothing else holds
        for name, cached in found.items():
            gc.collect()
            before = tracemalloc.get_traced_memory()[0]
            cached.cache_clear()
            gc.collect()
            freed[name] = before - tracemalloc.get_traced_memory()[0]
        return [CacheFigures(n, 0, c.cache_info().maxsize or 0, 0, 0, 0, freed[n]) for n, c in found.items()]
    for name, cached in found.items():
        info = cached.cache_info()
        out.append(
            CacheFigures(
                name,
                info.currsize,
                info.maxsize or 0,
                info.hits,
                info.misses,
                measure(cached) if info.currsize else 0,
            )
        )
    return out


def report(rows: list[CacheFigures], traced: list[CacheFigures] | None) -> None:
    freed = {f.name: f.freed for f in traced or ()}
    print(
        f"\n{'cache':42s} {'entries':>8s} {'max':>8s} {'hit %':>6s} {'MB now':>7s} {'MB full':>8s}"
        + (f" {'MB freed':>8s}" if traced else "")
    )
    for f in sorted(rows, key=lambda f: -f.full):
        if f.maxsize <= 1 and not f.currsize:
            continue
        calls = f.hits + f.misses
        line = (
            f"{f.name:42s} {f.currsize:8,d} {f.maxsize:8,d} {100 * f.hits / calls if calls else 0:6.1f}"
            f" {f.measured / 2**20:7.2f} {f.full / 2**20:8.2f}"
        )
        if traced:
            line += f" {(freed.get(f.name) or 0) / 2**20:8.2f}"
        print(line)
    total_now = sum(f.measured for f in rows) / 2**20
    total_full = sum(f.full for f in rows) / 2**20
    print(
        f"{'all':42s} {sum(f.currsize for f in rows):8,d} {sum(f.maxsize for f in rows):8,d}"
        f" {'':6s} {total_now:7.2f} {total_full:8.2f}"
        + (f" {sum(v or 0 for v in freed.values()) / 2**20:8.2f}" if traced else "")
    )


def main() -> int:
    args = _arguments()
    if args.trace:
        tracemalloc.start()
    rows = articles()
    if args.articles:
        rows = rows[: args.articles]
    words = len({w for r in rows for w in f"{r['title']} {r['text']}".split()})
    languages = len({r["language"] for r in rows})
    print(
        f"{cpu_model()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; {len(rows)} articles,"
        f" {languages} languages, {words:,} distinct space-separated words"
    )
    gazetteer = stream(rows, args.every)
    gc.collect()
    prefixes = getattr(gazetteer, "_prefixes", {})
    held = deep_size([prefixes], set()) / 2**20
    print(f"the gazetteer's country_keys answers: {len(prefixes):,} held, {held:.2f} MB")
    print(f"end: RSS {rss_mb():.1f} MB, load {os.getloadavg()[0]:.1f}")
    measured = figures(False)
    traced = figures(True) if args.trace else None
    report(measured, traced)
    gc.collect()
    print(f"caches cleared: RSS {rss_mb():.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
