"""Names in scripts without capitals: recognition, identity across scripts, and watches.

    python bench/scriptnames.py                # the figures
    python bench/scriptnames.py --misses 30    # and up to 30 watch misses and false finds
    python bench/scriptnames.py --known        # and the names the cased blurbs already give
    python bench/scriptnames.py --half even    # only the events whose Wikidata id is even (odd: held out)
    python bench/scriptnames.py --missed 40    # and up to 40 gold names missed and names found wrongly

Data: the itn-dev blurbs (../shared/data/stories/itn-dev/, Wikipedia "In the news", CC BY-SA
3.0) written in a script without capital letters (Arabic, Hebrew, Han, Hangul, Thai,
Devanagari, Tamil, Sinhala, Malayalam, Georgian scripts: 306 blurbs, 22 languages), with the
people and organisations each names as labelled by hand in bench/data/script_names_gold.jsonl
(bench/data/README.md says how). Measured through the product's public functions only:

- Recognition: `monitor.entities.stage.names_of_all` on the blurbs ({"title", "text",
  "language"}, with the gazetteer as the pipeline opens it). A gold name is found when a
  returned name's spelling or one of its variants contains, or is contained in, one of the
  gold spellings (NFKC, case-folded; a returned spelling of one letter does not count).
  Precision: returned names that match a gold spelling of their blurb / returned names;
  recall: gold names found / gold names. Overall, per script and per language.
- Identity: of the gold names found, the share whose returned key equals the key
  `names_of_all` gives the canonical English name in an English sentence ("Yesterday
  Vladimir Putin said."): Путин, Putin and پوتین are one person only if their keys agree.
- Watches: for each gold entity named in 2 blurbs or more (any languages), a watch
  `names: [<canonical English name>]` compiled and matched by the watches' own code
  (`compile_watch(...).match`) against every blurb here (title and text). Precision and
  recall over (entity, blurb) pairs, overall and per script.
- `--known`: first the itn-dev blurbs in cased scripts (Latin, Cyrillic, Greek, Armenian)
  through `names_of_all`, as a running installation would already have seen them; their
  names (the keys named by `stage.KNOWN_MIN_ARTICLES` blurbs or more, with their spellings,
  as the store's `names_known` gives them) are then the known names (`stage.KnownNames`)
  with which the blurbs above are read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.names import Score as PairScore  # noqa: E402
from bench.names import cpu_model  # noqa: E402
from monitor.entities.gazetteer import Gazetteer, open_gazetteer  # noqa: E402
from monitor.entities.stage import KNOWN_MIN_ARTICLES, KnownNames, names_of_all  # noqa: E402
from monitor.watches.matcher import ArticleView, compile_watch  # noqa: E402
from monitor.watches.settings import WatchConfig  # noqa: E402

ITN = ROOT.parent / "shared" / "data" / "stories" / "itn-dev" / "itn_events_dev.jsonl"
GOLD = ROOT / "bench" / "data" / "script_names_gold.jsonl"
CASED_SCRIPTS = frozenset({"Latin", "Cyrillic", "Greek", "Armenian"})
MIN_CONTAINED = 2  # characters of a returned spelling, for it to count
SCRIPT_NAMES = {"CJK": "Han"}  # the Unicode character names' first word, where it is not the script's


@dataclass(frozen=True)
class GoldName:
    name: str  # the canonical English name
    type: str  # PER or ORG
    spellings: tuple[str, ...]  # as the blurb writes it: the surface, then any other spelling


@dataclass(frozen=True)
class Blurb:
    id: str
    language: str
    script: str
    title: str
    text: str
    names: tuple[GoldName, ...]


@dataclass
class Score(PairScore):
    """bench/names.py's score, with recall counted on its own numerator: recognition's
    precision counts returned names that are right, its recall gold names that are found."""

    gold_hits: int = 0

    @property
    def recall(self) -> float:
        return self.gold_hits / self.gold if self.gold else 1.0

    def line(self, label: str) -> str:
        precision = f"{self.precision:.3f}" if self.found else "  -  "
        recall = f"{self.recall:.3f}" if self.gold else "  -  "
        return (
            f"{label:<11} precision {precision} ({self.hits}/{self.found})  "
            f"recall {recall} ({self.gold_hits}/{self.gold})"
        )


def script_of(text: str) -> str:
    """The script most of the text's letters are written in (from the Unicode names)."""
    counts: Counter[str] = Counter()
    for ch in text:
        if ch.isalpha():
            counts[unicodedata.name(ch, "UNKNOWN").split()[0]] += 1
    if not counts:
        return "NONE"
    script = counts.most_common(1)[0][0]
    return SCRIPT_NAMES.get(script, script.title())


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def load(gold_path: Path = GOLD, itn_path: Path = ITN) -> tuple[list[Blurb], list[dict[str, Any]]]:
    """The labelled blurbs, and the itn-dev blurbs written in cased scripts."""
    rows = {}
    for raw in itn_path.read_text(encoding="utf-8").splitlines():
        row = json.loads(raw)
        rows[row["id"]] = row
    blurbs = []
    for raw in gold_path.read_text(encoding="utf-8").splitlines():
        label = json.loads(raw)
        row = rows.get(label["id"])
        if row is None:
            raise SystemExit(f"{gold_path}: {label['id']} is not in {itn_path}")
        names = tuple(
            GoldName(n["name"], n["type"], (n["surface"], *n.get("also", ()))) for n in label["names"]
        )
        blurbs.append(
            Blurb(row["id"], row["language"], script_of(row["text"]), row["title"], row["text"], names)
        )
    labelled = {b.id for b in blurbs}
    cased = [r for r in rows.values() if r["id"] not in labelled and script_of(r["text"]) in CASED_SCRIPTS]
    return blurbs, cased


def spellings_of(returned: dict[str, Any]) -> set[str]:
    return {s for s in (fold(v) for v in (returned["name"], *returned["variants"])) if s}


def matches(returned: dict[str, Any], gold: GoldName) -> bool:
    """A returned name whose spelling or a variant contains, or is contained in, a gold spelling
    (a single letter inside a gold spelling does not count: 江 is not 江泽民)."""
    spelled = [s for s in spellings_of(returned) if len(s) >= MIN_CONTAINED]
    return any(s in g or g in s for g in (fold(x) for x in gold.spellings) if g for s in spelled)


def english_keys(names: Iterable[str], gazetteer: Gazetteer | None) -> dict[str, str | None]:
    """The key `names_of_all` gives each canonical name in an English sentence (None when it
    returns no name containing it)."""
    ordered = sorted(set(names))
    articles = [{"title": "", "text": f"Yesterday {n} said.", "language": "en"} for n in ordered]
    out: dict[str, str | None] = {}
    for name, returned in zip(ordered, names_of_all(articles, gazetteer), strict=True):
        wanted = fold(name)
        keys = [r["key"] for r in returned if any(wanted in s or s in wanted for s in spellings_of(r))]
        out[name] = keys[0] if keys else None
    return out


@dataclass(frozen=True)
class Recognition:
    overall: Score
    by_script: dict[str, Score]
    by_language: dict[str, Score]
    identity: Score  # hits: found gold names whose key is the English one; gold: found gold names
    no_english_key: tuple[str, ...]


def measure_recognition(
    blurbs: Sequence[Blurb], returned: Sequence[list[dict[str, Any]]], keys: dict[str, str | None]
) -> Recognition:
    overall, identity = Score(), Score()
    by_script: dict[str, Score] = defaultdict(Score)
    by_language: dict[str, Score] = defaultdict(Score)
    for blurb, names in zip(blurbs, returned, strict=True):
        scores = (overall, by_script[blurb.script], by_language[blurb.language])
        right = sum(any(matches(r, g) for g in blurb.names) for r in names)
        for gold in blurb.names:
            hit = [r for r in names if matches(r, gold)]
            for score in scores:
                score.gold += 1
                score.gold_hits += bool(hit)
            if hit and keys.get(gold.name) is not None:
                identity.gold += 1
                identity.gold_hits += any(r["key"] == keys[gold.name] for r in hit)
        for score in scores:
            score.hits += right
            score.found += len(names)
    missing = tuple(sorted(n for n, k in keys.items() if k is None))
    return Recognition(overall, dict(by_script), dict(by_language), identity, missing)


@dataclass(frozen=True)
class Watches:
    entities: int
    overall: Score
    by_script: dict[str, Score]
    errors: tuple[tuple[str, str, str], ...]  # (canonical name, blurb id, "missed" or "false")


def measure_watches(blurbs: Sequence[Blurb]) -> Watches:
    named_in: Counter[str] = Counter(g.name for b in blurbs for g in b.names)
    watched = sorted(n for n, count in named_in.items() if count >= 2)
    compiled = {n: compile_watch(WatchConfig(name=n, names=(n,)), None, None) for n in watched}
    overall = Score()
    by_script: dict[str, Score] = defaultdict(Score)
    errors = []
    for blurb in blurbs:
        view = ArticleView(id=0, title=blurb.title, text=blurb.text, language=blurb.language)
        named = {g.name for g in blurb.names}
        for name, watch in compiled.items():
            found = watch.match(view) is not None
            gold = name in named
            for score in (overall, by_script[blurb.script]):
                score.hits += found and gold
                score.gold_hits += found and gold
                score.found += found
                score.gold += gold
            if found != gold:
                errors.append((name, blurb.id, "false" if found else "missed"))
    return Watches(len(watched), overall, dict(by_script), tuple(errors))


class KnownRows:
    """The store's `names_known` over names found here: (key, spelling, articles) of the keys
    that KNOWN_MIN_ARTICLES or more blurbs name."""

    def __init__(self, found: Sequence[Sequence[dict[str, Any]]]) -> None:
        articles: Counter[str] = Counter()
        spellings: Counter[tuple[str, str]] = Counter()
        for names in found:
            articles.update({n["key"] for n in names})
            spellings.update((n["key"], n["name"]) for n in names)
        self.rows = sorted(
            ((k, s, c) for (k, s), c in spellings.items() if articles[k] >= KNOWN_MIN_ARTICLES),
            key=lambda r: (-r[2], r[0], r[1]),
        )

    def names_known(self, days: int, min_articles: int, limit: int) -> list[tuple[str, str, int]]:
        return self.rows


def event_number(blurb_id: str) -> int:
    """The Wikidata number of a blurb's event (`itn-Q103838608-fa-...`: 103838608)."""
    return int(blurb_id.split("-")[1].lstrip("Q"))


def print_recognition_errors(
    blurbs: Sequence[Blurb],
    returned: Sequence[list[dict[str, Any]]],
    keys: dict[str, str | None],
    limit: int,
) -> None:
    """Up to `limit` blurbs with a gold name missed, a name returned that no gold name matches,
    or a gold name found under another key than its English name's, with their text."""
    shown = 0
    for blurb, names in zip(blurbs, returned, strict=True):
        lines = []
        for gold in blurb.names:
            hit = [r for r in names if matches(r, gold)]
            if not hit:
                lines.append(f"  missed {gold.type} {gold.name} [{gold.spellings[0]}]")
            elif keys.get(gold.name) and all(r["key"] != keys[gold.name] for r in hit):
                lines.append(f"  keyed  {gold.name} as {hit[0]['key']!r}, not {keys[gold.name]!r}")
        wrong = [r for r in names if not any(matches(r, g) for g in blurb.names)]
        lines += [f"  false  {r['name']} ({r['key']})" for r in wrong]
        if lines and shown < limit:
            shown += 1
            print(f"{blurb.language} {blurb.id}: {blurb.text[:240]}")
            print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--itn", type=Path, default=ITN)
    parser.add_argument("--misses", type=int, default=0, help="list up to N watch misses and false finds")
    parser.add_argument("--known", action="store_true", help="also name the cased blurbs first")
    parser.add_argument(
        "--half", choices=("even", "odd"), help="only the blurbs of events whose Wikidata id is even or odd"
    )
    parser.add_argument(
        "--missed", type=int, default=0, help="list up to N blurbs with gold names missed or false names"
    )
    args = parser.parse_args()
    blurbs, cased = load(args.gold, args.itn)
    if args.half:
        blurbs = [b for b in blurbs if event_number(b.id) % 2 == (args.half == "odd")]
    print(f"CPU: {cpu_model()}; Python {platform.python_version()}; load {os.getloadavg()[0]:.1f}")
    scripts = Counter(b.script for b in blurbs)
    print(
        f"{len(blurbs)} blurbs in {len({b.language for b in blurbs})} languages, "
        f"{sum(len(b.names) for b in blurbs)} gold names; scripts: "
        + ", ".join(f"{s} {n}" for s, n in scripts.most_common())
    )
    gazetteer = open_gazetteer()
    try:
        if args.known:
            started = time.process_time()
            known = names_of_all(
                [{"title": r["title"], "text": r["text"], "language": r["language"]} for r in cased],
                gazetteer,
            )
            keys_known = {n["key"] for names in known for n in names}
            rows = KnownRows(known)
            print(
                f"known: {len(cased)} blurbs in cased scripts give {sum(map(len, known))} names, "
                f"{len(keys_known)} keys, {len({r[0] for r in rows.rows})} named by "
                f"{KNOWN_MIN_ARTICLES} or more ({time.process_time() - started:.2f} s CPU)"
            )
        started = time.process_time()
        articles = [{"title": b.title, "text": b.text, "language": b.language} for b in blurbs]
        returned = names_of_all(articles, gazetteer, KnownNames(rows) if args.known else None)
        spent = time.process_time() - started
        keys = english_keys((g.name for b in blurbs for g in b.names), gazetteer)
    finally:
        gazetteer.close()
    result = measure_recognition(blurbs, returned, keys)
    print(f"recognition (monitor.entities.stage.names_of_all), {spent:.2f} s CPU for {len(blurbs)} blurbs:")
    print("  " + result.overall.line("all"))
    for script, score in sorted(result.by_script.items()):
        print("    " + score.line(script))
    for language, score in sorted(result.by_language.items()):
        print("      " + score.line(language))
    print(
        f"  identity: {result.identity.recall:.3f} ({result.identity.gold_hits}/{result.identity.gold} "
        "found gold names carry the key of their English name)"
    )
    if result.no_english_key:
        print(
            f"  ({len(result.no_english_key)} canonical names get no name in an English sentence: "
            + ", ".join(result.no_english_key[:10])
            + ("..." if len(result.no_english_key) > 10 else "")
            + ")"
        )
    if args.missed:
        print_recognition_errors(blurbs, returned, keys, args.missed)
    started = time.process_time()
    watches = measure_watches(blurbs)
    print(
        f"watches `names: [<English name>]` for the {watches.entities} entities named in 2 blurbs or "
        f"more, (entity, blurb) pairs ({time.process_time() - started:.2f} s CPU):"
    )
    print("  " + watches.overall.line("all"))
    for script, score in sorted(watches.by_script.items()):
        print("    " + score.line(script))
    if args.misses:
        by_id = {b.id: b for b in blurbs}
        for name, blurb_id, kind in sorted(watches.errors, key=lambda e: (e[2], e[0], e[1]))[: args.misses]:
            blurb = by_id[blurb_id]
            spelled = next((g.spellings[0] for g in blurb.names if g.name == name), "")
            print(f"  {kind:<6} {name:<32} {blurb.language:<4} {blurb_id:<40} {spelled}")


if __name__ == "__main__":
    main()
