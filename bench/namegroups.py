"""Names grouped into entities: does one person end in one entry across spellings, scripts
and inflections, and do two people stay apart?

    python bench/namegroups.py

Data: ../shared/data/names/bsnlp-dev (documents in 8 languages, every name with its
cross-language entity id). Each topic is read as one story: the names recogniser
(`names_in`) gives each document's keys, as the store keeps them; a key stands for the gold
entity (a person or organisation) one of whose surface forms in that document is one of the
key's spellings (an unclear key, of two entities, is left out).

- Before: one entry per key (as the story page showed them). After: the keys grouped by
  `monitor.watches.namegroups.entity_rows`, as the story page groups them now.
- Whole: the share of gold entities of 2 keys or more whose keys all end in one entry.
- Entries per entity: the mean number of entries a gold entity's keys are shown in.
- Mixed: the entries holding keys of two gold entities or more (a wrong merge), of the
  entries holding a gold entity's key.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.names import DATA, cpu_model  # noqa: E402
from monitor.entities.forms import name_form  # noqa: E402
from monitor.entities.names import names_in  # noqa: E402
from monitor.watches.namegroups import entity_rows  # noqa: E402

KINDS = ("PER", "ORG")


def _form(spelling: str) -> str:
    return " ".join(name_form(w) for w in spelling.split())


def topic_rows(rows: list[dict[str, Any]]) -> tuple[dict[int, list[dict[str, Any]]], dict[str, str]]:
    """The topic's names per document, as the store keeps them, and the gold entity of each key."""
    per_article: dict[int, list[dict[str, Any]]] = {}
    gold_of: dict[str, set[str]] = defaultdict(set)
    for index, row in enumerate(rows):
        found = names_in(row["title"], row["text"], row["language"])
        per_article[index] = [
            {"key": n.key, "name": n.name, "variants": list(n.variants), "mentions": n.count} for n in found
        ]
        surfaces: dict[str, set[str]] = defaultdict(set)
        for e in row["entities"]:
            if e["entity_id"] and e["type"] in KINDS:
                surfaces[_form(e["surface"])].add(e["entity_id"])
        for n in found:
            ids = set().union(*(surfaces.get(_form(v), set()) for v in n.variants))
            gold_of[n.key] |= ids
    return per_article, {key: next(iter(ids)) for key, ids in gold_of.items() if len(ids) == 1}


def measure(entry_of: dict[str, str], gold: dict[str, str]) -> tuple[int, int, int, int, int]:
    """(entities of 2 keys or more, of them whole, their entries in all, entries, mixed entries)."""
    keys_of: dict[str, set[str]] = defaultdict(set)
    for key, entity in gold.items():
        keys_of[entity].add(key)
    several = [keys for keys in keys_of.values() if len(keys) > 1]
    whole = sum(1 for keys in several if len({entry_of[k] for k in keys}) == 1)
    spread = sum(len({entry_of[k] for k in keys}) for keys in several)
    entities_in: dict[str, set[str]] = defaultdict(set)
    for key, entity in gold.items():
        entities_in[entry_of[key]].add(entity)
    mixed = sum(1 for ids in entities_in.values() if len(ids) > 1)
    return len(several), whole, spread, len(entities_in), mixed


def main() -> None:
    topics: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in DATA.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        topics[row["topic"]].append(row)
    totals = {"before": [0] * 5, "after": [0] * 5}
    cpu = 0.0
    for topic, rows in sorted(topics.items()):
        per_article, gold = topic_rows(rows)
        start = time.process_time()
        grouped = entity_rows(per_article, most=len(gold) + sum(map(len, per_article.values())))
        cpu += time.process_time() - start
        after: dict[str, str] = {}
        for article, names in per_article.items():
            for row, entry in zip(names, _entries(names, grouped[article]), strict=True):
                after[row["key"]] = entry
        for label, entry_of in (("before", {k: k for k in gold}), ("after", after)):
            figures = measure(entry_of, gold)
            totals[label] = [a + b for a, b in zip(totals[label], figures, strict=True)]
            print(f"{topic:10} {label:6} " + _line(figures))
    for label, figures in totals.items():
        print(f"{'all':10} {label:6} " + _line(tuple(figures)))
    print(f"grouping CPU {cpu:.2f} s for {len(topics)} topics; {cpu_model()}")


def _entries(names: list[dict[str, Any]], grouped: list[dict[str, Any]]) -> list[str]:
    """The entry of each of an article's names: the grouped row that holds its spellings."""
    out = []
    for row in names:
        spelled = set(row["variants"])
        out.append(next(g["key"] for g in grouped if spelled <= set(g["variants"])))
    return out


def _line(figures: tuple[int, ...]) -> str:
    several, whole, spread, entries, mixed = figures
    return (
        f"whole {whole}/{several} = {whole / max(several, 1):.3f}, "
        f"entries per entity {spread / max(several, 1):.2f}, "
        f"mixed {mixed}/{entries} = {mixed / max(entries, 1):.3f}"
    )


if __name__ == "__main__":
    main()
