"""Japanese names written in kanji: recognition, their Latin keys, and watches written in English.

    python bench/kanjinames.py              # the figures
    python bench/kanjinames.py --misses     # and each gold name missed, each name found wrongly
    python bench/kanjinames.py --known      # with the set's English names known (see below)

Data: tests/fixtures/ja_names/sentences.jsonl (55 sentences in the style of Japanese news that
we wrote, with the people each names, as written and in English; README there). Measured
through the product's public functions only, so that the same script measures older code:

- Recognition: `monitor.entities.stage.names_of_all` on each sentence ({"text", "language":
  "ja"}). A returned name is a kanji name when one of its spellings holds a kanji; it is right
  when a spelling contains, or is contained in, a gold spelling of its sentence, and left out
  when it overlaps an organisation the sentence names (the set labels people). Precision:
  right kanji names / kanji names; recall: gold people written in kanji found / those people.
- Identity: of the gold people found, the share whose returned key equals the key
  `names_of_all` gives the English name in an English sentence ("Yesterday Shinzo Abe said."),
  and the share that equals it or its last word (a family name read without its given name).
- `--known`: the sentences read with known names (`stage.KnownIndex`, as the names stage
  builds it from the store) made of the English names of every person of the set, as an
  installation whose English news named them all would know them (with their keys from
  English sentences): how often a kanji name then takes the known key.
- Watches: for each gold person written in kanji, a watch `names: [<English name>]`, and one
  `names: [<family name>]`, compiled and matched by the watches' own code against every
  sentence: precision and recall over (watch, sentence) pairs; a family name's watch is to
  match every sentence that names a person of that family name.
CPU seconds (process time) of each part are printed with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.entities.names import SpelledNames  # noqa: E402
from monitor.entities.sounds import SoundIndex  # noqa: E402
from monitor.entities.stage import KnownIndex, names_of_all  # noqa: E402
from monitor.watches.matcher import ArticleView, compile_watch  # noqa: E402
from monitor.watches.settings import WatchConfig  # noqa: E402

SENTENCES = ROOT / "tests" / "fixtures" / "ja_names" / "sentences.jsonl"
_KANJI = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Score:
    right: int
    found: int
    gold: int
    hit: int

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.hit / self.gold if self.gold else 1.0

    def line(self, label: str) -> str:
        return (
            f"{label}: precision {self.precision:.3f} ({self.right}/{self.found}), "
            f"recall {self.recall:.3f} ({self.hit}/{self.gold})"
        )


def load(path: Path = SENTENCES) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def english_key(name: str) -> str:
    """The key the recogniser gives a name in an English sentence."""
    found = names_of_all([{"title": None, "text": f"Yesterday {name} said.", "language": "en"}])[0]
    return next((row["key"] for row in found if row["name"] == name), name.lower())


def _holds(variants: list[str], spelling: str) -> bool:
    return any(spelling in v for v in variants)


def _overlaps(variants: list[str], spelling: str) -> bool:
    return any(v in spelling or spelling in v for v in variants if len(v) > 1)


def known_index(sentences: list[dict[str, Any]]) -> KnownIndex:
    """Known names made of the English names of every person of the set (see the module)."""
    english = sorted({p["en"] for s in sentences for p in s["people"]})
    pairs = [(english_key(name), name) for name in english]
    return KnownIndex(SoundIndex(pairs), SpelledNames(pairs))


def recognition(
    sentences: list[dict[str, Any]], misses: bool, known: KnownIndex | None = None
) -> tuple[Score, int, int, int]:
    """The recognition score, and of the gold people found: how many, how many keyed as the
    English name, how many as it or its family name."""
    articles = [{"title": None, "text": s["text"], "language": "ja"} for s in sentences]
    found_names = names_of_all(articles, None, (lambda: known) if known is not None else None)
    right = predicted = gold = hit = same = family = 0
    for sentence, names in zip(sentences, found_names, strict=True):
        people = [p for p in sentence["people"] if _KANJI.search(p["ja"])]
        bodies = sentence.get("organisations", [])
        kanji = [
            n for n in names
            if any(_KANJI.search(v) for v in n["variants"])
            and not any(_overlaps(n["variants"], body) or _holds(n["variants"], body) for body in bodies)
        ]  # fmt: skip
        for name in kanji:
            predicted += 1
            ok = any(_overlaps(name["variants"], p["ja"]) for p in people)
            right += ok
            if misses and not ok:
                spelled = "/".join(name["variants"])
                print(f"  wrong: {name['name']} ({name['key']}) {spelled} in {sentence['text']}")
        for person in people:
            gold += 1
            mine = [n for n in kanji if _overlaps(n["variants"], person["ja"])]
            if not mine:
                if misses:
                    print(f"  missed: {person['ja']} ({person['en']}) in {sentence['text']}")
                continue
            hit += 1
            key = english_key(person["en"])
            same += any(n["key"] == key for n in mine)
            family += any(n["key"] in (key, key.split()[-1]) for n in mine)
            if misses and not any(n["key"] == key for n in mine):
                print(f"  keyed: {person['ja']} as {mine[0]['key']!r}, English {key!r}")
    return Score(right, predicted, gold, hit), hit, same, family


def watches(sentences: list[dict[str, Any]], misses: bool) -> Score:
    """Watches of each gold person in kanji, by full name and by family name, over every sentence."""
    expected: dict[str, set[int]] = {}
    for index, sentence in enumerate(sentences):
        for person in sentence["people"]:
            if _KANJI.search(person["ja"]):
                expected.setdefault(person["en"], set()).add(index)
                expected.setdefault(person["en"].split()[-1], set()).add(index)
    views = [ArticleView(id=i, title="", text=s["text"], language="ja") for i, s in enumerate(sentences)]
    right = found = hit = gold = 0
    for name, where in sorted(expected.items()):
        watch = compile_watch(WatchConfig(name=name, names=(name,)), None, None)
        matched = {view.id for view in views if watch.match(view) is not None}
        right, found = right + len(matched & where), found + len(matched)
        hit, gold = hit + len(matched & where), gold + len(where)
        if misses:
            for index in sorted(matched - where):
                print(f"  watch {name!r} matched: {sentences[index]['text']}")
            for index in sorted(where - matched):
                print(f"  watch {name!r} missed: {sentences[index]['text']}")
    return Score(right, found, gold, hit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--misses", action="store_true", help="print each miss and false find")
    parser.add_argument("--known", action="store_true", help="with the set's English names known")
    args = parser.parse_args()
    sentences = load()
    print(f"{len(sentences)} sentences, load average {os.getloadavg()[0]:.2f}")
    known = known_index(sentences) if args.known else None
    start = time.process_time()
    score, hit, same, family = recognition(sentences, args.misses, known)
    middle = time.process_time()
    print(score.line("recognition (people in kanji)") + f" [{middle - start:.2f} s CPU]")
    print(f"keys: {same}/{hit} as the English name's, {family}/{hit} as it or its family name")
    watched = watches(sentences, args.misses)
    cpu = time.process_time() - middle
    print(watched.line("watches (English full and family names)") + f" [{cpu:.2f} s CPU]")


if __name__ == "__main__":
    main()
