"""Story clustering quality on labelled news, next to a TF-IDF baseline.

    python bench/stories.py                      # default model, all sets, in memory
    python bench/stories.py --model use --sets wmt,ecb
    python bench/stories.py --sweep              # thresholds around the defaults
    python bench/stories.py --pipeline           # also through monitor poll / export

Sets (read from ../shared/data/stories, see its README):
- wmt: WMT newstest, 351 articles each in up to 7 languages (cs de en es fr hu ru); gold =
  one article and its translations. Articles of one test set share a week.
- ecb: ECB+, 982 English articles, 43 topics of two look-alike events each; gold = event.
- tg: tgcontest judged pairs (en, ru); pairwise precision and recall of "same story".
- itn: Wikipedia "In the news" blurbs (itn-dev), 806 one-sentence summaries in 51 languages,
  283 events, each language's written apart; gold = the event. Prints the per-language-pair
  view: for each language, the share of same-event pairs with another language that end in
  one story, and the share of different-event pairs that wrongly do (`--languages`: for WMT
  too).
- `--orders N`: ECB+ and allsides again over N random orders of their same-instant articles
  (ECB+ also in N orders of the pipeline's 8 feeds): the spread that order alone gives.
- allsides: AllSides headline roundups (allsides-dev), 602 US articles, 208 events, April-June
  2021, one feed per outlet, publication times as given; gold = the roundup. Topics covered
  every week (Covid rules, Israel-Gaza) test that a story stays one event. Also prints thread
  figures: the share of thread links whose two stories share AllSides' `topic`, and the share
  of same-topic event pairs less than 14 days apart whose stories are threaded together.

Articles go through the same code as the pipeline: `article_text` (title + first 60 words),
the embedder, `entities.extract_keys`, the places and names of `monitor.entities` (as the
pipeline's evidence gives them; `--no-identities` leaves them out) and
`StoryAssigner` with the model's default `StoryParams`. The baseline runs the same assigner
on character 3-5-gram TF-IDF vectors of the transliterated (anyascii) text, with its single
best threshold over the sets (a generous baseline: it is chosen with the labels). Vectors,
places and names are cached in .cache/bench/.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.stories.assigner import ArticleInput, StoryAssigner  # noqa: E402
from monitor.stories.centering import confirmed_language  # noqa: E402
from monitor.stories.decide import DecisionInputs, StoryParams, decide, params_for_model  # noqa: E402
from monitor.stories.embed import article_text, load_embedder  # noqa: E402
from monitor.stories.entities import evidence_keys, extract_keys  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "stories"
CACHE = ROOT / ".cache" / "bench"
NO_DATE = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Record:
    id: str
    language: str
    published: datetime
    title: str
    text: str
    gold: str
    outlet: str


def load_wmt() -> list[Record]:
    out = []
    path = DATA / "wmt-newstest" / "wmt_newstest_multiway_docs.jsonl"
    for line in path.open(encoding="utf-8"):
        d = json.loads(line)
        title, _, body = d["text"].partition("\n")
        body = body if title.strip() == d["title"].strip() else d["text"]
        published = datetime.fromisoformat(d["date"]).replace(tzinfo=UTC)
        out.append(
            Record(
                d["id"], d["language"], published, d["title"], body, d["cluster_id"], d["outlet"]
            )
        )
    return out


def load_ecb() -> list[Record]:
    out = []
    for line in (DATA / "ecbplus" / "ecbplus_docs.jsonl").open(encoding="utf-8"):
        d = json.loads(line)
        body = " ".join(d["sentences"][1:])
        # ECB+ has no dates: every article at one instant, so only the text decides.
        out.append(Record(d["id"], "en", NO_DATE, d["title"], body, d["subtopic"], "ecb"))
    return out


def load_allsides() -> list[Record]:
    """AllSides headline roundups, April-June 2021: one event, three US outlets (left, centre,
    right). Publication time as given (the roundup's); gold = the roundup."""
    out = []
    path = DATA / "allsides-dev" / "allsides_dev.jsonl"
    for line in path.open(encoding="utf-8"):
        d = json.loads(line)
        published = datetime.fromisoformat(d["timestamp"].replace("Z", "+00:00"))
        out.append(
            Record(
                d["id"], d["language"], published, d["title"], d["text"], d["cluster_id"], d["outlet"]
            )
        )
    return out


def load_itn() -> list[Record]:
    """Wikipedia "In the news" blurbs (itn-dev): one-sentence summaries of one event written
    separately by each language's editors, 51 languages; gold = the event (`cluster_id`).
    Publication time as given (the blurb's); one feed per language."""
    out = []
    path = DATA / "itn-dev" / "itn_events_dev.jsonl"
    for line in path.open(encoding="utf-8"):
        d = json.loads(line)
        published = datetime.fromisoformat(d["timestamp"].replace("Z", "+00:00"))
        out.append(
            Record(d["id"], d["language"], published, d["title"], d["text"], d["cluster_id"], "itn")
        )
    return out


def allsides_topics() -> dict[str, str]:
    """AllSides' broad topic of each roundup (gold cluster id -> topic)."""
    path = DATA / "allsides-dev" / "allsides_dev.jsonl"
    return {
        (d := json.loads(line))["cluster_id"]: d["topic"] for line in path.open(encoding="utf-8")
    }


def load_tg_pairs() -> list[tuple[Record, Record, bool]]:
    pairs = []
    folder = DATA / "tgcontest-pairs" / "toloka" / "clustering_pairs"
    for path in sorted(folder.glob("*.tsv")):
        language = path.name[:2]
        with path.open(encoding="utf-8") as fh:
            for n, row in enumerate(csv.DictReader(fh, delimiter="\t")):
                label = (row.get("GOLDEN:quality") or "").strip()
                if label not in ("OK", "BAD"):
                    continue
                a = Record(
                    f"{path.stem}-{n}-a",
                    language,
                    NO_DATE,
                    row["INPUT:first_title"],
                    row["INPUT:first_text"],
                    "",
                    "",
                )
                b = Record(
                    f"{path.stem}-{n}-b",
                    language,
                    NO_DATE,
                    row["INPUT:second_title"],
                    row["INPUT:second_text"],
                    "",
                    "",
                )
                pairs.append((a, b, label == "OK"))
    return pairs


# -- scoring -------------------------------------------------------------------------------
def bcubed(pred: Sequence[object], gold: Sequence[object]) -> tuple[float, float, float]:
    by_pred: dict[object, set[int]] = defaultdict(set)
    by_gold: dict[object, set[int]] = defaultdict(set)
    for i, (p, g) in enumerate(zip(pred, gold, strict=True)):
        by_pred[p].add(i)
        by_gold[g].add(i)
    precision = recall = 0.0
    for p, g in zip(pred, gold, strict=True):
        both = len(by_pred[p] & by_gold[g])
        precision += both / len(by_pred[p])
        recall += both / len(by_gold[g])
    precision /= len(pred)
    recall /= len(pred)
    return precision, recall, 2 * precision * recall / (precision + recall)


def pairwise(pred: Sequence[object], gold: Sequence[object]) -> tuple[float, float, float]:
    def pairs(labels: Sequence[object]) -> int:
        counts: dict[object, int] = defaultdict(int)
        for label in labels:
            counts[label] += 1
        return sum(c * (c - 1) // 2 for c in counts.values())

    joint = pairs(list(zip(pred, gold, strict=True)))
    p_pairs, g_pairs = pairs(pred), pairs(gold)
    precision = joint / p_pairs if p_pairs else 1.0
    recall = joint / g_pairs if g_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def language_pairs(
    records: Sequence[Record], pred: Sequence[object], *, least: int = 10
) -> list[str]:
    """Per language: of the pairs (an article in it, one in another language) of one event,
    the share that ends in one story (recall across languages); of the pairs of two events,
    the share that wrongly does. Languages with fewer than `least` same-event pairs are
    summed into one line."""
    same: Counter[str] = Counter()
    same_joined: Counter[str] = Counter()
    other: Counter[str] = Counter()
    other_joined: Counter[str] = Counter()
    for i, a in enumerate(records):
        for j in range(i + 1, len(records)):
            b = records[j]
            if a.language == b.language:
                continue
            together = pred[i] == pred[j]
            for language in (a.language, b.language):
                if a.gold == b.gold:
                    same[language] += 1
                    same_joined[language] += together
                else:
                    other[language] += 1
                    other_joined[language] += together
    total_same = sum(same.values()) // 2
    total_joined = sum(same_joined.values()) // 2
    total_other = sum(other.values()) // 2
    total_wrong = sum(other_joined.values()) // 2
    lines = [
        f"  across languages: {total_same} same-event pairs, {total_joined / max(1, total_same):.3f} "
        f"in one story; {total_other} different-event pairs, {total_wrong / max(1, total_other):.4f} "
        "wrongly in one"
    ]
    rest = [0, 0, 0, 0]
    cells = []
    for language, n in sorted(same.items(), key=lambda kv: (-kv[1], kv[0])):
        if n < least:
            rest = [rest[0] + n, rest[1] + same_joined[language], rest[2] + other[language],
                    rest[3] + other_joined[language]]
            continue
        wrong = other_joined[language] / max(1, other[language])
        cells.append(f"{language} {same_joined[language] / n:.2f}/{wrong:.4f} ({n})")
    if rest[0]:
        cells.append(f"others {rest[1] / rest[0]:.2f}/{rest[3] / max(1, rest[2]):.4f} ({rest[0]})")
    for start in range(0, len(cells), 5):
        lines.append("    " + "   ".join(cells[start : start + 5]))
    return lines


# -- vectors -------------------------------------------------------------------------------
MAX_WORDS = 60  # words of text after the title; --max-words sets it


def texts_of(records: Sequence[Record]) -> list[str]:
    return [article_text(r.title, r.text, MAX_WORDS) for r in records]


def embed_cached(model: str, name: str, records: Sequence[Record]) -> npt.NDArray[np.float32]:
    texts = texts_of(records)
    digest = hashlib.sha1("\x00".join(texts).encode()).hexdigest()[:12]
    # A path chosen by hand (monitor.stories.cpupath) has vectors of its own.
    forced = os.environ.get("MONITOR_EMBED_PATH", "").strip()
    suffix = f"-{forced}" if forced and model.startswith("e5") else ""
    path = CACHE / f"{name}-{model.replace(':', '_').replace('/', '_')}{suffix}-{digest}.npy"
    if path.exists():
        cached: npt.NDArray[np.float32] = np.load(path)
        return cached
    embedder = load_embedder(model)
    start = time.perf_counter()
    vectors = embedder.embed(texts)
    elapsed = time.perf_counter() - start
    print(
        f"  embedded {len(texts)} {name} texts with {embedder.name}: "
        f"{len(texts) / elapsed:.0f} texts/s",
        file=sys.stderr,
    )
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def identities_cached(name: str, records: Sequence[Record]) -> list[dict[str, str]]:
    """Each record's place and name keys with their labels (`evidence_keys`), from the
    gazetteer and the names recogniser as the pipeline runs them (the feed's country aside:
    the bench's feeds have none). Cached by texts, gazetteer and the entities code."""
    from monitor.entities.gazetteer import default_gazetteer_path, open_gazetteer
    from monitor.entities.placestage import article_places
    from monitor.entities.stage import names_of

    code = b"".join(p.read_bytes() for p in sorted((ROOT / "monitor" / "entities").glob("*.py")))
    digest = hashlib.sha1(
        "\x00".join(f"{r.language}\x01{r.title}\x01{r.text}" for r in records).encode()
        + default_gazetteer_path().name.encode()
        + code
    ).hexdigest()[:12]
    path = CACHE / f"{name}-identities-{digest}.json"
    if path.exists():
        cached: list[dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
        return cached
    gazetteer = open_gazetteer()
    start = time.perf_counter()
    found = []
    for r in records:
        row = {"title": r.title, "text": r.text, "language": r.language, "feed_url": ""}
        names = names_of(row, gazetteer)
        found.append(evidence_keys(article_places(gazetteer, row, names), names))
    print(
        f"  places and names of {len(records)} {name} texts: "
        f"{1000 * (time.perf_counter() - start) / max(1, len(records)):.1f} ms each",
        file=sys.stderr,
    )
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
    return found


def article_inputs(
    records: Sequence[Record],
    vectors: npt.NDArray[np.float32],
    identities: Sequence[dict[str, str]],
    *,
    use_keys: bool = True,
) -> list[ArticleInput]:
    """The records as the assigner sees them in the pipeline (without any key: the baseline)."""
    return [
        ArticleInput(
            id=i,
            published=r.published,
            vector=vectors[i],
            keys=extract_keys(r.title, r.text) | frozenset(identities[i]) if use_keys else frozenset(),
            language=r.language,
            title=r.title,
            mean_language=confirmed_language(r.language, r.title, r.text),
            labels=identities[i],
        )
        for i, r in enumerate(records)
    ]


def tfidf_vectors(records: Sequence[Record]) -> npt.NDArray[np.float32]:
    from anyascii import anyascii
    from sklearn.feature_extraction.text import TfidfVectorizer

    # Always title + 60 words, whatever --max-words gives the model.
    texts = [anyascii(article_text(r.title, r.text)).casefold() for r in records]
    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, max_features=50_000
    )
    matrix = vectorizer.fit_transform(texts)
    return np.asarray(matrix.toarray(), dtype=np.float32)


def cluster(
    records: Sequence[Record],
    vectors: npt.NDArray[np.float32],
    params: StoryParams,
    *,
    identities: Sequence[dict[str, str]] | None = None,
    use_keys: bool = True,
) -> list[int]:
    found = identities if identities is not None and use_keys else [{} for _ in records]
    articles = article_inputs(records, vectors, found, use_keys=use_keys)
    assigner = StoryAssigner(params)
    labels = [0] * len(records)
    for a in assigner.assign_all(articles):
        labels[a.article_id] = a.story_id
    return [assigner.resolve(label) for label in labels]


def thread_labels(
    records: Sequence[Record],
    vectors: npt.NDArray[np.float32],
    params: StoryParams,
    identities: Sequence[dict[str, str]],
) -> tuple[list[int], str]:
    """Each article's thread (its story's thread, or its story when in none): threads as
    clusters, for itn-dev, where a late language that comes after the story's span should
    be threaded to it; and a line on the late reports: of the articles published after
    `max_span_across_hours` from their event's first, how many are in a story or a thread
    with an earlier article of their event (the rest: lone stories with no link)."""
    assigner = StoryAssigner(params)
    results = assigner.assign_all(article_inputs(records, vectors, identities))
    parent: dict[int, int] = {}
    story_of = [0] * len(records)
    for a in results:
        story_of[a.article_id] = a.story_id
        if a.opened and a.thread_id is not None:
            parent[a.story_id] = a.thread_id

    def root(story: int) -> int:
        story = assigner.resolve(story)
        seen = set()
        while story in parent and story not in seen:
            seen.add(story)
            story = assigner.resolve(parent[story])
        return story

    threads = [root(s) for s in story_of]
    first: dict[str, datetime] = {}
    for r in records:
        first[r.gold] = min(first.get(r.gold, r.published), r.published)
    span = max(params.max_span_hours, params.max_span_across_hours) * 3600
    late = [i for i, r in enumerate(records) if (r.published - first[r.gold]).total_seconds() > span]
    linked = sum(
        any(
            threads[j] == threads[i]
            for j, other in enumerate(records)
            if j != i and other.gold == records[i].gold and (other.published, j) < (records[i].published, i)
        )
        for i in late
    )
    note = (
        f"  late reports (more than {span / 3600:.0f} h after their event's first): {len(late)}, "
        f"linked to an earlier report of it {linked}, alone {len(late) - linked}"
    )
    return threads, note


def pipeline_labels(
    name: str, records: Sequence[Record], model: str, overrides: dict[str, float] | None = None
) -> tuple[list[int | None], list[int | None]]:
    """Story ids given by the real pipeline: RSS on 127.0.0.1, `monitor poll --all`,
    `monitor export --format jsonl`; one label per record (None when it was not stored); and
    the thread of each (`monitor export --stories`: the thread's first story, or the story)."""
    import subprocess
    import tempfile
    from email.utils import format_datetime
    from xml.sax.saxutils import escape

    from monitor.feedserver import FeedServer

    by_feed: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        # allsides, itn: one feed per outlet (itn: per language), as a reader would subscribe.
        feed = f"{r.outlet}-{r.language}"
        if name not in ("allsides", "itn"):
            feed += f"-{i % 8}"
        by_feed[feed].append(i)
    with tempfile.TemporaryDirectory(prefix=f"monitor-bench-{name}-") as tmp:
        root = Path(tmp)
        www = root / "www"
        www.mkdir()
        names = {}
        for n, (key, members) in enumerate(sorted(by_feed.items())):
            items = "".join(
                "<item>"
                f'<guid isPermaLink="false">{escape(records[i].id)}</guid>'
                f"<link>https://bench.example/{n}/{k}</link>"
                f"<title>{escape(records[i].title)}</title>"
                f"<description>{escape(records[i].text)}</description>"
                f"<pubDate>{format_datetime(records[i].published)}</pubDate>"
                "</item>"
                for k, i in enumerate(members)
            )
            language = records[members[0]].language
            (www / f"{n}.xml").write_text(
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>{escape(key)}</title><link>https://bench.example/{n}</link>"
                f"<language>{language}</language>{items}</channel></rss>",
                encoding="utf-8",
            )
            names[n] = key
        with FeedServer(www) as server:
            feeds = "".join(
                f"  - url: {server.url(f'{n}.xml')}\n    name: {key}\n" for n, key in names.items()
            )
            config = root / "feeds.yaml"
            config.write_text(
                "settings:\n  database: monitor.db\n  allow_private_addresses: true\n"
                f"stories:\n  model: {model}\n  max_words: {MAX_WORDS}\n"
                + "".join(f"  {k}: {v}\n" for k, v in (overrides or {}).items())
                + f"feeds:\n{feeds}",
                encoding="utf-8",
            )
            command = [sys.executable, "-m", "monitor", "--config", str(config)]
            subprocess.run([*command, "poll", "--all"], cwd=root, check=True, capture_output=True)
        exported = subprocess.run(
            [*command, "export", "--format", "jsonl"],
            cwd=root,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        rows = [json.loads(line) for line in exported.splitlines() if line.strip()]
        if rows and all(r.get("story_id") is None for r in rows):
            raise SystemExit(f"{name}: `monitor poll --all` gave none of {len(rows)} articles a story")
        stories = subprocess.run(
            [*command, "export", "--stories", "--format", "jsonl"],
            cwd=root,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    exported_stories = [json.loads(line) for line in stories.splitlines() if line.strip()]
    thread_of = {s["id"]: s["thread_id"] or s["id"] for s in exported_stories}
    story_of = {r["guid"]: r.get("story_id") for r in rows}
    labels = [story_of.get(r.id) for r in records]
    return labels, [thread_of.get(label, label) if label is not None else None for label in labels]


def thread_figures(
    records: Sequence[Record],
    vectors: npt.NDArray[np.float32],
    params: StoryParams,
    identities: Sequence[dict[str, str]],
) -> str:
    """Threads on allsides-dev: links (a new story -> the earlier story it continues) whose two
    stories have the same AllSides topic (each story's topic: that of most of its articles),
    and same-topic event pairs less than 14 days apart whose main stories (where most of each
    event's articles went) are two stories of one thread."""
    topics = allsides_topics()
    assigner = StoryAssigner(params)
    results = assigner.assign_all(article_inputs(records, vectors, identities))
    story_of = [0] * len(records)
    thread: dict[int, int] = {}
    links = []
    for a in results:
        story_of[a.article_id] = a.story_id
        if a.opened:
            thread[a.story_id] = a.thread_id if a.thread_id is not None else a.story_id
            if a.follows is not None:
                links.append((a.story_id, a.follows))
    story_of = [assigner.resolve(s) for s in story_of]
    events_in: dict[int, Counter[str]] = defaultdict(Counter)
    stories_of_event: dict[str, Counter[int]] = defaultdict(Counter)
    when: dict[str, datetime] = {}
    for i, r in enumerate(records):
        events_in[story_of[i]][r.gold] += 1
        stories_of_event[r.gold][story_of[i]] += 1
        when[r.gold] = min(when.get(r.gold, r.published), r.published)

    def topic(story: int) -> str:
        return topics[events_in[assigner.resolve(story)].most_common(1)[0][0]]

    def thread_of(story: int) -> int:
        story = assigner.resolve(story)
        return thread.get(story, story)

    same_topic = sum(topic(x) == topic(y) for x, y in links)
    main = {g: c.most_common(1)[0][0] for g, c in stories_of_event.items()}
    events = sorted(main)
    pairs = linked = one_story = 0
    for n, e in enumerate(events):
        for f in events[n + 1 :]:
            if topics[e] != topics[f] or abs(when[e] - when[f]).total_seconds() >= 14 * 86400:
                continue
            pairs += 1
            if main[e] == main[f]:
                one_story += 1
            elif thread_of(main[e]) == thread_of(main[f]):
                linked += 1
    sizes = Counter(thread_of(s) for s in set(story_of))
    return (
        f"  threads: {len(links)} links, {same_topic / max(1, len(links)):.3f} within one AllSides "
        f"topic; same-topic event pairs < 14 days apart: {pairs}, threaded {linked / max(1, pairs):.3f}, "
        f"in one story {one_story / max(1, pairs):.3f}; largest thread {max(sizes.values())} stories"
    )


def tie_orders(
    records: Sequence[Record],
    vectors: npt.NDArray[np.float32],
    params: StoryParams,
    identities: Sequence[dict[str, str]],
    n: int,
) -> str:
    """BCubed F1 over `n` random orders of the records (seeded): articles of one instant
    reach the assigner in that order. For ECB+ also `n` orders of 8 feeds of every 8th
    article (the pipeline's feeds, polled in some order, each in file order)."""
    import random

    gold = [r.gold for r in records]

    def f1(order: list[int]) -> float:
        pred = cluster(
            [records[i] for i in order], vectors[order], params, identities=[identities[i] for i in order]
        )
        return bcubed(pred, [gold[i] for i in order])[2]

    rng = random.Random(7)
    shuffled = []
    for _ in range(n):
        order = list(range(len(records)))
        rng.shuffle(order)
        shuffled.append(f1(order))
    spread = f"({min(shuffled):.3f}-{max(shuffled):.3f})"
    out = f"  {n} random tie orders: F1 mean {np.mean(shuffled):.3f} {spread}"
    if len({r.outlet for r in records}) == 1:
        by_feeds = []
        for _ in range(n):
            feeds = list(range(8))
            rng.shuffle(feeds)
            by_feeds.append(f1(sorted(range(len(records)), key=lambda i: (feeds.index(i % 8), i))))
        out += f"; {n} feed orders: mean {np.mean(by_feeds):.3f} ({min(by_feeds):.3f}-{max(by_feeds):.3f})"
    return out


def baseline_params(threshold: float) -> StoryParams:
    return StoryParams(
        threshold=threshold,
        min_similarity=0.0,
        entity_weight=0.0,
        cross_language_bonus=0.0,
        merge_threshold=2.0,
    )


def line(label: str, bc: tuple[float, float, float], pw: tuple[float, float, float]) -> str:
    return (
        f"  {label:<28} BCubed P {bc[0]:.3f} R {bc[1]:.3f} F1 {bc[2]:.3f}   "
        f"pairwise P {pw[0]:.3f} R {pw[1]:.3f} F1 {pw[2]:.3f}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="e5-small")
    parser.add_argument("--sets", default="itn,allsides,wmt,ecb,tg")
    parser.add_argument(
        "--languages",
        action="store_true",
        help="the per-language-pair view for WMT too (always printed for itn)",
    )
    parser.add_argument("--threshold", type=float)
    parser.add_argument("--entity-weight", type=float)
    parser.add_argument("--cross-language-bonus", type=float)
    parser.add_argument("--merge-threshold", type=float)
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any StoryParams field, in memory and through the pipeline (repeatable)",
    )
    parser.add_argument(
        "--sweep", action="store_true", help="vary the threshold around the default"
    )
    parser.add_argument("--max-words", type=int, help="words of text embedded after the title")
    parser.add_argument(
        "--no-identities",
        action="store_true",
        help="in memory, without the places and names of monitor.entities (the pipeline has them)",
    )
    parser.add_argument(
        "--orders",
        type=int,
        default=0,
        metavar="N",
        help="ECB+ and allsides in memory over N random orders of same-instant articles "
        "(and ECB+ in N orders of 8 feeds, as the pipeline polls them)",
    )
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--pipeline",
        action="store_true",
        help="also replay each set through `monitor poll --all` and `monitor export`",
    )
    args = parser.parse_args(argv)
    global MAX_WORDS
    if args.max_words is not None:
        MAX_WORDS = args.max_words

    params = params_for_model(load_embedder(args.model).name)
    overrides = {
        "threshold": args.threshold,
        "entity_weight": args.entity_weight,
        "cross_language_bonus": args.cross_language_bonus,
        "merge_threshold": args.merge_threshold,
    }
    for item in args.param:
        key, _, value = item.partition("=")
        overrides[key] = type(getattr(params, key))(float(value))
    overrides = {k: v for k, v in overrides.items() if v is not None}
    params = replace(params, **overrides)
    print(f"model {args.model}; {params}")
    sets = args.sets.split(",")
    loaders = {"allsides": load_allsides, "wmt": load_wmt, "ecb": load_ecb, "itn": load_itn}
    baseline_grid = [round(0.1 + 0.025 * i, 3) for i in range(20)]
    baseline_scores: dict[str, dict[float, tuple[tuple[float, float, float], ...]]] = {}
    for name in (s for s in sets if s in loaders):
        records = loaders[name]()
        gold = [r.gold for r in records]
        vectors = embed_cached(args.model, name, records)
        identities = (
            [{} for _ in records] if args.no_identities else identities_cached(name, records)
        )
        print(f"{name}: {len(records)} articles, {len(set(gold))} gold stories")
        grid = [params.threshold]
        if args.sweep:
            grid = [round(params.threshold + d, 4) for d in (-0.03, -0.02, -0.01, 0, 0.01, 0.02)]
        for threshold in grid:
            pred = cluster(records, vectors, replace(params, threshold=threshold), identities=identities)
            print(line(f"{args.model} @ {threshold}", bcubed(pred, gold), pairwise(pred, gold)))
            if name in ("itn", "wmt") and (args.languages or name == "itn"):
                print("\n".join(language_pairs(records, pred)))
            if name == "itn":
                at = replace(params, threshold=threshold)
                threads, late = thread_labels(records, vectors, at, identities)
                print(line("threads as clusters", bcubed(threads, gold), pairwise(threads, gold)))
                print(late)
        if name == "allsides":
            print(thread_figures(records, vectors, params, identities))
        if args.orders and name in ("ecb", "allsides"):
            print(tie_orders(records, vectors, params, identities, args.orders))
        if args.pipeline:
            labels, thread_ids = pipeline_labels(name, records, args.model, overrides)
            missing = sum(label is None for label in labels)
            # An article the pipeline lost counts as a story of its own.
            filled: list[object] = [
                label if label is not None else f"lost-{i}" for i, label in enumerate(labels)
            ]
            print(
                line(f"{args.model} via monitor poll", bcubed(filled, gold), pairwise(filled, gold))
                + (f"  ({missing} articles not stored)" if missing else "")
            )
            if name in ("itn", "wmt") and (args.languages or name == "itn"):
                print("\n".join(language_pairs(records, filled)))
            if name == "itn":
                threads: list[object] = [
                    label if label is not None else f"lost-{i}" for i, label in enumerate(thread_ids)
                ]
                print(line("threads via monitor poll", bcubed(threads, gold), pairwise(threads, gold)))
        if not args.no_baseline:
            tfidf = tfidf_vectors(records)
            baseline_scores[name] = {}
            for threshold in baseline_grid:
                pred = cluster(records, tfidf, baseline_params(threshold), use_keys=False)
                baseline_scores[name][threshold] = (bcubed(pred, gold), pairwise(pred, gold))
    if baseline_scores:
        best = max(
            baseline_grid,
            key=lambda t: sum(scores[t][0][2] for scores in baseline_scores.values()),
        )
        for name, scores in baseline_scores.items():
            print(f"{name} baseline (char TF-IDF, one best threshold {best} over the sets):")
            print(line("tfidf", *scores[best]))
            own = max(scores, key=lambda t: scores[t][0][2])
            print(line(f"tfidf, best for {name} @ {own}", *scores[own]))
    if "tg" in sets:
        pairs = load_tg_pairs()
        a_vectors = embed_cached(args.model, "tg-a", [a for a, _, _ in pairs])
        b_vectors = embed_cached(args.model, "tg-b", [b for _, b, _ in pairs])
        no_keys: list[dict[str, str]] = [{} for _ in pairs]
        a_identities = no_keys if args.no_identities else identities_cached("tg-a", [a for a, _, _ in pairs])
        b_identities = no_keys if args.no_identities else identities_cached("tg-b", [b for _, b, _ in pairs])
        tp = fp = fn = tn = 0
        for i, (a, b, same) in enumerate(pairs):
            a_keys = extract_keys(a.title, a.text) | frozenset(a_identities[i])
            b_keys = extract_keys(b.title, b.text) | frozenset(b_identities[i])
            inputs = DecisionInputs(
                similarity=float(a_vectors[i] @ b_vectors[i]),
                gap_hours=0.0,
                shared_keys=len(a_keys & b_keys),
                cross_language=False,
            )
            joined = decide(inputs, params).join
            tp += joined and same
            fp += joined and not same
            fn += (not joined) and same
            tn += (not joined) and not same
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(
            f"tg: {len(pairs)} judged pairs: pairwise P {precision:.3f} R {recall:.3f} "
            f"(tp {tp} fp {fp} fn {fn} tn {tn})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
