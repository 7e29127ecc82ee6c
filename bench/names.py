"""Names: watches written in English against Slavic news in Latin and Cyrillic script.

    python bench/names.py                 # the watches' precision and recall
    python bench/names.py --misses 30     # and the worst entities, to see why
    python bench/names.py --classify      # the missed pairs by kind and language

Data: ../shared/data/names/bsnlp-dev (the BSNLP shared tasks; see its README): documents in
8 languages with every name they hold and its cross-language entity id.

- Entities: each id whose mentions are mostly people or organisations (`PER`, `ORG`; a
  place's id sometimes carries a stray `PER`) and that occurs in documents of 3 languages or
  more.
- The watch, in English: the 2019+ topics name their ids in English (`PER-Theresa-May`): the
  id without its type, hyphens read as spaces; an id that starts with an abbreviation of the
  rest (`ORG-AFP-Agence-France-Press`) gives two names, `AFP` and `Agence France Press`. The
  2017 topic numbers its ids (`trump-3`): there the name is the lemma seen in the most
  Latin-script documents among those of two words or more seen in two languages or more, else
  the commonest lemma (title-cased: that topic's lemmas are lower-cased).
- Pairs: (entity, document) is gold when the document lists the entity; found when the watch
  matches the document's title and text through the watches' own matcher
  (`compile_watch(...).match`). Precision and recall over the pairs, overall and for the
  documents written in Cyrillic.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.entities.forms import name_form  # noqa: E402
from monitor.entities.names import names_in  # noqa: E402
from monitor.watches.matcher import ArticleView, compile_watch  # noqa: E402
from monitor.watches.names import watched_name  # noqa: E402
from monitor.watches.settings import WatchConfig  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "names" / "bsnlp-dev" / "bsnlp_dev.jsonl"
LATIN = re.compile(r"[A-Za-zÀ-ɏ]")
CYRILLIC = re.compile(r"[Ѐ-ԯ]")


@dataclass(frozen=True)
class Doc:
    id: str
    language: str
    title: str
    text: str
    cyrillic: bool
    entities: dict[str, set[str]]  # entity id -> its surface forms here


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load(path: Path = DATA) -> tuple[list[Doc], list[dict[str, str]]]:
    docs = []
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(raw)
        body = f"{row['title']}\n{row['text']}"
        cyrillic = len(CYRILLIC.findall(body)) > len(LATIN.findall(body))
        entities: dict[str, set[str]] = defaultdict(set)
        for e in row["entities"]:
            if not e["entity_id"]:
                continue
            entities[e["entity_id"]].add(e["surface"])
            lines.append({**e, "language": row["language"], "doc": row["id"], "cyrillic": cyrillic})
        docs.append(Doc(row["id"], row["language"], row["title"], row["text"], cyrillic, dict(entities)))
    return docs, lines


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w[:1].isupper() and w not in {"The"})


def names_from_id(entity_id: str) -> tuple[str, ...] | None:
    """The English name(s) an id of the 2019+ topics spells, or None for a numbered id."""
    kind, _, rest = entity_id.partition("-")
    if not rest or not kind.isupper() or rest.split("-")[-1].isdigit():
        return None
    words = rest.split("-")
    if len(words) > 1 and words[0].isupper() and len(words[0]) >= 2 and _initials(words[1:]) == words[0]:
        return (words[0], " ".join(words[1:]))
    return (" ".join(words),)


def names_from_lemmas(lines: list[dict[str, str]], texts: dict[str, str]) -> tuple[str, ...]:
    """The commonest full lemma in Latin-script documents (see the module), in the case the
    documents write it."""
    docs: Counter[str] = Counter()
    languages: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        if line["cyrillic"]:
            continue
        docs[line["base"]] += 1
        languages[line["base"]].add(line["language"])
    full = [b for b in docs if len(b.split()) >= 2 and len(languages[b]) >= 2]
    pool = full or list(docs) or [lines[0]["base"]]
    best = max(pool, key=lambda b: (docs[b], b))
    if not best.islower():
        return (best,)
    written: Counter[str] = Counter()
    pattern = re.compile(rf"\b{re.escape(best)}\b", re.IGNORECASE)
    for line in lines:
        written.update(m.group(0) for m in pattern.finditer(texts[line["doc"]]) if not m.group(0).islower())
    return (written.most_common(1)[0][0] if written else best.title(),)


def watched_entities(docs: list[Doc], lines: list[dict[str, str]]) -> dict[str, tuple[str, ...]]:
    """Entity -> the names of its watch. Ids of different topics with a name in common are one
    entity (`trump-1` and `PER-Donald-Trump` are Donald Trump): their ids are joined by `|`."""
    texts = {d.id: f"{d.title}\n{d.text}" for d in docs}
    by_entity: dict[str, list[dict[str, str]]] = defaultdict(list)
    for line in lines:
        by_entity[line["entity_id"]].append(line)
    out = {}
    for entity_id, its in sorted(by_entity.items()):
        kind = Counter(line["type"] for line in its).most_common(1)[0][0]
        if kind not in ("PER", "ORG") or len({line["language"] for line in its}) < 3:
            continue
        out[entity_id] = names_from_id(entity_id) or names_from_lemmas(its, texts)
    joined: dict[str, tuple[str, ...]] = {}
    for entity_id, names in out.items():
        keys = {" ".join(watched_name(n).forms) for n in names}
        same = [e for e, ns in joined.items() if keys & {" ".join(watched_name(n).forms) for n in ns}]
        for other in same:
            names = tuple(dict.fromkeys(joined.pop(other) + names))
            entity_id = f"{other}|{entity_id}"
        joined[entity_id] = names
    return joined


@dataclass
class Score:
    hits: int = 0
    found: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.hits / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.hits / self.gold if self.gold else 1.0

    def line(self, label: str) -> str:
        return (
            f"{label:<10} precision {self.precision:.3f} ({self.hits}/{self.found})  "
            f"recall {self.recall:.3f} ({self.hits}/{self.gold})"
        )


def measure_watches(
    docs: list[Doc], watches: dict[str, tuple[str, ...]], per_language: dict[str, Score] | None = None
) -> tuple[Score, Score, dict[str, Score], list[tuple[str, str, str]]]:
    compiled = {e: compile_watch(WatchConfig(name=e, names=ns), None, None) for e, ns in watches.items()}
    overall, cyrillic = Score(), Score()
    per_entity: dict[str, Score] = defaultdict(Score)
    languages = per_language if per_language is not None else {}
    errors = []
    for doc in docs:
        view = ArticleView(id=0, title=doc.title, text=doc.text, language=doc.language)
        for entity_id, watch in compiled.items():
            found = watch.match(view) is not None
            gold = any(e in doc.entities for e in entity_id.split("|"))
            language = languages.setdefault(doc.language, Score())
            for score in (overall, per_entity[entity_id], language) + ((cyrillic,) if doc.cyrillic else ()):
                score.hits += found and gold
                score.found += found
                score.gold += gold
            if found != gold:
                errors.append((entity_id, doc.id, "false" if found else "missed"))
    return overall, cyrillic, per_entity, errors


def _near(a: str, b: str) -> bool:
    """Two word forms that share a stem (one is the other with an ending or a last letter
    changed): the same word, spelled or inflected otherwise."""
    if a == b:
        return True
    if len(a) < 3 or len(b) < 3:
        return False
    return a.startswith(b[: max(3, len(b) - 1)]) or b.startswith(a[: max(3, len(a) - 1)])


def classify_misses(
    docs: list[Doc], watches: dict[str, tuple[str, ...]], errors: list[tuple[str, str, str]]
) -> dict[str, Counter[str]]:
    """Each missed (entity, document) pair by what its gold spellings there are, per language:
    `acronym` (all in capitals), `shares a word` with the watch's name (a spelling or an ending
    not undone), or `no word shared` (a translated name)."""
    by_id = {d.id: d for d in docs}
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for entity_id, doc_id, kind in errors:
        if kind != "missed":
            continue
        doc = by_id[doc_id]
        spellings = set().union(*(doc.entities.get(e, set()) for e in entity_id.split("|")))
        watched = {f for n in watches[entity_id] for f in watched_name(n).forms}
        forms = {name_form(w) for s in spellings for w in re.findall(r"[^\W\d_]+", s)}
        if spellings and all(s.isupper() and len(s) <= 6 for s in spellings):
            label = "acronym"
        elif any(_near(a, b) for a in forms for b in watched):
            label = "shares a word"
        else:
            label = "no word shared"
        out[label][doc.language] += 1
        out[label]["all"] += 1
        if doc.cyrillic:
            out[label]["Cyrillic"] += 1
    return out


def measure_recognition(docs: list[Doc], lines: list[dict[str, str]]) -> list[str]:
    """Names recognised per document against the gold names: spellings found, spellings of one
    entity grouped together, and one key for an entity across languages and scripts."""
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for line in lines:
        kinds[line["entity_id"]][line["type"]] += 1
    person_or_org = {e for e, c in kinds.items() if c.most_common(1)[0][0] in ("PER", "ORG")}
    found = Score()  # spellings: found ones that are gold names (any kind) / PER and ORG found
    spelled_ok = 0
    spelled = 0
    grouped = Score()  # pairs of spellings in one document: same predicted entity vs same gold id
    keys_of: dict[str, Counter[str]] = defaultdict(Counter)
    for doc in docs:
        gold_by_spelling = {s.casefold(): e for e, spellings in doc.entities.items() for s in spellings}
        names = names_in(doc.title, doc.text, doc.language)
        predicted = {v.casefold(): n.key for n in names for v in n.variants}
        spelled += len(predicted)
        spelled_ok += sum(v in gold_by_spelling for v in predicted)
        gold = {s for s, e in gold_by_spelling.items() if e in person_or_org}
        found.gold += len(gold)
        found.hits += len(gold & set(predicted))
        both = sorted(set(predicted) & set(gold_by_spelling))
        for i, a in enumerate(both):
            for b in both[i + 1 :]:
                same_key = predicted[a] == predicted[b]
                same_id = gold_by_spelling[a] == gold_by_spelling[b]
                grouped.hits += same_key and same_id
                grouped.found += same_key
                grouped.gold += same_id
        for entity_id in doc.entities:
            if entity_id in person_or_org:
                keys = {predicted[s.casefold()] for s in doc.entities[entity_id] if s.casefold() in predicted}
                if keys:
                    keys_of[entity_id][min(keys, key=lambda key: (len(key), key))] += 1
    found.found = spelled
    found.hits = found.hits
    agree = sum(c.most_common(1)[0][1] for c in keys_of.values())
    total = sum(c.total() for c in keys_of.values())
    surnames: dict[str, Counter[str]] = defaultdict(Counter)
    for entity_id, counted in keys_of.items():
        for key, count in counted.items():
            surnames[entity_id][key.split()[-1]] += count
    agree_last = sum(c.most_common(1)[0][1] for c in surnames.values())
    return [
        f"spellings: precision {spelled_ok / max(1, spelled):.3f} ({spelled_ok}/{spelled}, any gold name)  "
        f"recall {found.recall:.3f} ({found.hits}/{found.gold}, people and organisations)",
        "  " + grouped.line("grouped"),
        f"  one key per entity across documents: {agree / max(1, total):.3f} ({agree}/{total} "
        "(entity, document) pairs carry the entity's commonest key)",
        f"  the same key's last word (surname): {agree_last / max(1, total):.3f} ({agree_last}/{total})",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--misses", type=int, default=0, help="show the N worst entities")
    parser.add_argument("--classify", action="store_true", help="the missed pairs by kind")
    args = parser.parse_args()
    docs, lines = load(args.data)
    print(f"CPU: {cpu_model()}; {len(docs)} documents, {sum(d.cyrillic for d in docs)} in Cyrillic")
    watches = watched_entities(docs, lines)
    print(f"{len(watches)} entities (PER or ORG, in 3 languages or more), one watch each")
    started = time.process_time()
    per_language: dict[str, Score] = {}
    overall, cyrillic, per_entity, errors = measure_watches(docs, watches, per_language)
    spent = time.process_time() - started
    print("watches `names:` written in English, (entity, document) pairs:")
    print("  " + overall.line("all"))
    print("  " + cyrillic.line("Cyrillic"))
    for language, score in sorted(per_language.items()):
        print("    " + score.line(language))
    print(f"  {spent:.2f} s CPU for {len(docs) * len(watches)} (watch, document) pairs")
    print("recognition (monitor.entities.names), per document:")
    started = time.process_time()
    for line in measure_recognition(docs, lines):
        print("  " + line)
    print(f"  {time.process_time() - started:.2f} s CPU for {len(docs)} documents")
    if args.classify:
        print("missed pairs by kind:")
        for label, counts in sorted(classify_misses(docs, watches, errors).items()):
            per = sorted((k, n) for k, n in counts.items() if k not in ("all", "Cyrillic"))
            languages = "  ".join(f"{k} {n}" for k, n in per)
            print(f"  {label:<15} {counts['all']:>4} (Cyrillic {counts['Cyrillic']}): {languages}")
    if args.misses:
        worst = sorted(per_entity.items(), key=lambda kv: 2 * kv[1].hits - kv[1].gold - kv[1].found)
        for entity_id, score in worst[: args.misses]:
            print(f"  {entity_id:<40} {watches[entity_id]!s:<40} {score.line('')}")


if __name__ == "__main__":
    main()
