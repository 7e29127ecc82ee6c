"""Ingest speed: parse -> store -> dedup -> embed -> assign, and assignment cost vs. size.

    python bench/ingest.py                    # 10,000 articles, default model
    python bench/ingest.py --model use --articles 3000
    python bench/ingest.py --scale-only       # only the 10,000 vs 200,000 stored comparison
    python bench/ingest.py --backends sqlite,pg --articles 3000 --rounds 2 --ingest-only
    python bench/ingest.py --articles 2000 --ingest-only --entities in-stage --rounds 4
    python bench/ingest.py --backends pg --scale-only --sizes 10000,1000000

Part 1 builds RSS feeds from the labelled news in ../shared/data/stories (WMT newstest, ECB+,
tgcontest pairs), repeated in rounds three weeks apart until there are --articles items,
parses them with monitor.ingest.parse, stores them with Store.record_poll and runs the places
and names stages (monitor.entities) and the stories stage (dedup, embedding, assignment, story
records, with places and names as evidence; `--no-evidence`: without) on a real SQLite
file; the cost of places and names is also given as a share of the stories stage's
(issue 25: at most 25 %). With `--entities in-stage` the names and places stages do not run:
the stories stage reads them itself, after its embedding of each batch (as it does for a
backlog those stages have not reached), and a run without them on a fresh database in the same round says
what they add to its wall and CPU time. It prints articles per second for each step and end
to end. The machine is shared and has 2 cores: figures move by +-20 % between runs.

Part 2 measures the cost of assigning one new article (already embedded, so the model is out
of the figure) when 10,000 and when 200,000 articles are stored. Both databases get articles
at the same rate (10,000 a week), so the window of active stories holds as many stories in
both; what differs is everything the database holds beyond it. The synthetic articles go in
with one multi-row statement on SQLite and with COPY on PostgreSQL (a million rows in minutes,
not hours through the pipeline), search index and all.

With --backends sqlite,pg (bench/backends.py) each part runs on a fresh SQLite file and on a
fresh database of a throw-away PostgreSQL cluster, interleaved round by round (the order
swapped each round), and prints each backend's figures and the PostgreSQL / SQLite ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import backends  # noqa: E402
from stories import Record, load_ecb, load_tg_pairs, load_wmt  # noqa: E402

from monitor.config import FeedConfig  # noqa: E402
from monitor.entities.evidence import Identities, StoryEvidence  # noqa: E402
from monitor.entities.placestage import PlacesStage  # noqa: E402
from monitor.entities.stage import run_names_stage  # noqa: E402
from monitor.ingest.parse import parse_feed  # noqa: E402
from monitor.store import AnyStore, FeedUpdate, PostgresStore, Target, open_store  # noqa: E402
from monitor.stories.assigner import known_hours  # noqa: E402
from monitor.stories.decide import params_for_model  # noqa: E402
from monitor.stories.embed import load_embedder  # noqa: E402
from monitor.stories.settings import StorySettings  # noqa: E402
from monitor.stories.stage import run_story_stage  # noqa: E402

BASE = datetime(2026, 6, 1, tzinfo=UTC)
STORY_COLUMNS = ("id", "first_seen", "last_seen", "n_articles", "n_outlets", "n_languages",
                 "languages", "entities", "keys", "centroid", "model")  # fmt: skip
ARTICLE_COLUMNS = ("id", "feed_id", "guid", "title", "text", "language", "published", "first_seen",
                   "content_hash", "story_id", "embedding", "embedding_model")  # fmt: skip


def records(n: int) -> list[tuple[Record, datetime, str]]:
    """(record, publication time, feed key) for n articles, in rounds three weeks apart."""
    pool: list[Record] = []
    pool += load_wmt()
    pool += load_ecb()
    for a, b, _ in load_tg_pairs():
        pool += [a, b]
    # One week per WMT test set (their own weeks), ECB and tg spread over a week too.
    groups: dict[str, list[Record]] = defaultdict(list)
    for r in pool:
        groups[r.id.split("/")[0] if "/" in r.id else r.id[:3]].append(r)
    out: list[tuple[Record, datetime, str]] = []
    round_ = 0
    while len(out) < n:
        start = BASE + timedelta(days=21 * round_)
        for members in groups.values():
            for i, r in enumerate(members):
                when = start + timedelta(minutes=(i * 7919) % (7 * 24 * 60))
                out.append((r, when, f"{r.outlet or 'x'}-{r.language}"))
        round_ += 1
    return out[:n]


def rss(items: list[tuple[Record, datetime, str]], feed: str, serial: int) -> bytes:
    parts = [f"<title>{escape(feed)}</title><link>https://{serial}.example/</link>"]
    for n, (r, when, _) in enumerate(items):
        parts.append(
            "<item>"
            f"<guid>{serial}-{n}</guid><link>https://{serial}.example/{n}</link>"
            f"<title>{escape(r.title)}</title>"
            f"<description>{escape(r.text[:3000])}</description>"
            f"<pubDate>{format_datetime(when)}</pubDate>"
            "</item>"
        )
    body = "".join(parts)
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
    return f"{head}<channel>{body}</channel></rss>".encode()


class TimedEvidence:
    """A StoryEvidence that adds up the CPU time of its calls (on the thread that makes them)."""

    def __init__(self, evidence: StoryEvidence) -> None:
        self.evidence = evidence
        self.cpu = 0.0

    def __call__(self, rows: Sequence[dict[str, Any]]) -> Mapping[int, Identities]:
        started = time.thread_time()
        try:
            return self.evidence(rows)
        finally:
            self.cpu += time.thread_time() - started


@dataclass(frozen=True)
class StageCost:
    """Milliseconds per article of the stories stage (wall and CPU time), and of the names and
    places it had read (CPU time), in one ingest."""

    wall: float
    cpu: float
    entities_cpu: float


def ingest(args: argparse.Namespace, target: Target, entities: str) -> tuple[dict[str, float], StageCost]:
    """Parse, store and put through the stories stage n articles; articles per second by step.
    `entities`: "stages" (the names and places stages first, the stories stage then reads
    what they stored), "in-stage" (the stories stage reads them itself, as it does for a
    backlog those stages have not reached) or "none" (no places and names at all)."""
    model = args.model
    items = records(args.articles)
    by_feed: dict[str, list[tuple[Record, datetime, str]]] = defaultdict(list)
    for item in items:
        by_feed[item[2]].append(item)
    feeds = {key: f"https://feeds.example/{i}.rss" for i, key in enumerate(sorted(by_feed))}
    bodies = {key: rss(group, key, i) for i, (key, group) in enumerate(sorted(by_feed.items()))}
    load_embedder(model)  # loading the model is not ingest
    now = BASE + timedelta(days=400)
    with open_store(target) as store:
        store.sync_feeds([FeedConfig(url=url, name=key) for key, url in feeds.items()])
        states = {f.url: f for f in store.feeds()}
        t0 = time.perf_counter()
        parsed = {
            key: parse_feed(
                bodies[key],
                url=feeds[key],
                feed_language=key.rsplit("-", 1)[1],
                now=now,
                max_entries=len(by_feed[key]),  # every item counts here, whatever the default cap
            )
            for key in feeds
        }
        t1 = time.perf_counter()
        for key, feed in parsed.items():
            store.record_poll(
                states[feeds[key]],
                FeedUpdate.success(now, now + timedelta(hours=1)),
                feed.entries,
                url=feeds[key],
                duration_ms=1,
                size=len(bodies[key]),
            )
        places_stage = PlacesStage()
        places_stage.gazetteer()  # opening (or building) the gazetteer is not ingest
        t2, cpu_entities = time.perf_counter(), time.process_time()
        if entities == "stages":
            # as the pipeline runs them: names (places and peoples left out), then places (which
            # read the stored names), before stories
            run_names_stage(store, limit=10**9, gazetteer=places_stage.gazetteer)
        t2b = time.perf_counter()
        if entities == "stages":
            places_stage(store)
        t2c = time.perf_counter()
        cpu_entities = time.process_time() - cpu_entities
        evidence = TimedEvidence(StoryEvidence(store, places_stage.gazetteer)) if entities != "none" else None
        cpu = time.process_time()
        report = run_story_stage(store, StorySettings(model=model), evidence=evidence)
        t3 = time.perf_counter()
        cpu_stories = time.process_time() - cpu
        stored = store.count("articles")
    names, places, stories = t2b - t2, t2c - t2b, t3 - t2c
    print(f"    {store.label}: {stored} articles in {len(feeds)} feeds, {report.model}, entities {entities}")
    if entities == "stages":
        print(
            f"      parse {stored / (t1 - t0):7.0f}/s  store {stored / (t2 - t1):7.0f}/s  "
            f"places {stored / places:6.0f}/s  names {stored / names:6.0f}/s  "
            f"stories {stored / stories:6.0f}/s  end to end {stored / (t3 - t0):6.0f}/s over {t3 - t0:.1f} s"
            f"  ({report.summary()})"
        )
        print(
            f"      places {1000 * places / stored:.2f} ms, names {1000 * names / stored:.2f} ms per article;"
            f" together {100 * (places + names) / stories:.0f} % of the stories stage"
            f" ({1000 * stories / stored:.2f} ms per article, {1000 * cpu_stories / stored:.2f} ms CPU;"
            " issue 25: at most 25 %)"
        )
        # The stories stage embeds on every core while names and places run on one: in CPU time
        # (what a server pays for) the share differs from the wall-clock one on a 2-core machine.
        print(
            f"      in CPU time: places and names {1000 * cpu_entities / stored:.2f} ms per article,"
            f" {100 * cpu_entities / cpu_stories:.0f} % of the stories stage's"
        )
    else:
        if evidence is not None:
            cpu_entities = evidence.cpu
        print(
            f"      parse {stored / (t1 - t0):7.0f}/s  store {stored / (t2 - t1):7.0f}/s  "
            f"stories {stored / stories:6.0f}/s ({1000 * stories / stored:.2f} ms per article,"
            f" {1000 * cpu_stories / stored:.2f} ms CPU; places and names read in it"
            f" {1000 * cpu_entities / stored:.2f} ms CPU)  end to end {stored / (t3 - t0):6.0f}/s"
            f" over {t3 - t0:.1f} s  ({report.summary()})"
        )
    rates = {"parse": stored / (t1 - t0), "store": stored / (t2 - t1)}
    if entities == "stages":
        rates |= {"places": stored / places, "names": stored / names}
    rates |= {"stories": stored / stories, "end to end": stored / (t3 - t0)}
    cost = StageCost(1000 * stories / stored, 1000 * cpu_stories / stored, 1000 * cpu_entities / stored)
    return rates, cost


def bulk_insert(
    store: AnyStore, table: str, columns: tuple[str, ...], rows: Iterable[Sequence[object]]
) -> None:
    """Many rows at once, inside the store's transaction: COPY on PostgreSQL, executemany on SQLite."""
    names = ", ".join(columns)
    if isinstance(store, PostgresStore):
        conn = store._local.conn  # the transaction's connection
        with conn.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        store.db.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def synthetic_db(
    target: Target, stored: int, model_name: str, dim: int, rng: np.random.Generator
) -> datetime:
    """A database with `stored` assigned articles at 10,000 a week; returns the latest time."""
    per_story = 4
    rate = timedelta(days=7) / 10_000
    n_stories = stored // per_story + 1

    def stamp(when: datetime) -> str:
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")

    with open_store(target) as store:
        store.db.execute(
            "INSERT INTO feeds (id, url, name, created) "
            "VALUES (1, 'https://f.example/rss', 'F', '2026-01-01T00:00:00Z')"
        )
        centers = rng.standard_normal((n_stories, dim)).astype(np.float32)
        centers /= np.linalg.norm(centers, axis=1, keepdims=True)

        def story_rows() -> Iterator[tuple[object, ...]]:
            for s in range(n_stories):
                first = BASE + rate * (s * per_story)
                last = first + rate * (per_story - 1)
                yield (s + 1, stamp(first), stamp(last), per_story, 1, 1, '["en"]', "[]", "{}",
                       centers[s].tobytes(), model_name)  # fmt: skip

        def article_rows() -> Iterator[tuple[object, ...]]:
            chunk = 10_000
            for start in range(0, stored, chunk):
                ids = np.arange(start, min(start + chunk, stored))
                noise = rng.standard_normal((len(ids), dim)).astype(np.float32)
                vectors = centers[ids // per_story] + 0.05 * noise
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                for a, vector in zip(ids.tolist(), vectors, strict=True):
                    when = stamp(BASE + rate * a)
                    yield (a + 1, 1, f"g{a}", f"Title {a}", f"Synthetic text number {a} " * 8, "en",
                           when, when, f"h{a}", a // per_story + 1, vector.tobytes(), model_name)  # fmt: skip

        if isinstance(store, PostgresStore):
            # The search trigger costs 2 ms a row (monitor_fold's translate() over 800 letters,
            # see docs/performance.md): old rows get no search vector, which assignment never reads.
            store.db.execute("ALTER TABLE articles DISABLE TRIGGER USER")
        with store.transaction():
            bulk_insert(
                store,
                "stories",
                STORY_COLUMNS,
                story_rows(),
            )
            bulk_insert(
                store,
                "articles",
                ARTICLE_COLUMNS,
                article_rows(),
            )
        if isinstance(store, PostgresStore):
            store.db.execute("ALTER TABLE articles ENABLE TRIGGER USER")
            # Rows given their ids leave the identity sequences behind; and a server would
            # have analysed tables this size (autovacuum) before anyone asked for a plan.
            for table in ("feeds", "stories", "articles"):
                store.db.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                )
                store.db.execute(f"ANALYZE {table}")
    return BASE + rate * stored


def add_new(
    store: AnyStore,
    start_id: int,
    n: int,
    after: datetime,
    dim: int,
    model_name: str,
    rng: np.random.Generator,
) -> None:
    with store.transaction():
        for i in range(n):
            when = (after + timedelta(seconds=60 * (i + 1))).strftime("%Y-%m-%dT%H:%M:%SZ")
            vector = rng.standard_normal(dim).astype(np.float32)
            vector /= np.linalg.norm(vector)
            store.db.execute(
                "INSERT INTO articles (id, feed_id, guid, title, text, language, published, "
                "first_seen, content_hash, embedding, embedding_model) "
                "VALUES (?, 1, ?, ?, ?, 'en', ?, ?, ?, ?, ?)",
                [
                    start_id + i,
                    f"n{start_id + i}",
                    f"New {i}",
                    f"A new synthetic article {i} " * 8,
                    when,
                    when,
                    f"n{i}",
                    vector.tobytes(),
                    model_name,
                ],
            )


def assign_cost(
    model: str, target: Target, stored: int, new: int = 300, evidence: bool = True
) -> tuple[float, float, float, float]:
    """(seconds to fill, seconds to rebuild the assigner, seconds to assign one article, CPU
    seconds of this process to assign one) at `stored`; with `evidence`, the new articles'
    places and names read as the pipeline does. The CPU time is the figure to compare on a
    loaded machine (it counts BLAS threads that spin, though)."""
    embedder = load_embedder(model)
    places = PlacesStage()
    places.gazetteer()
    rng = np.random.default_rng(7)
    t = time.perf_counter()
    latest = synthetic_db(target, stored, embedder.name, embedder.dim, rng)
    fill = time.perf_counter() - t
    with open_store(target) as store:
        add_new(store, stored + 1, 20, latest, embedder.dim, embedder.name, rng)
        t = time.perf_counter()
        found = StoryEvidence(store, places.gazetteer) if evidence else None
        run_story_stage(store, StorySettings(model=model), evidence=found)  # rebuilds the assigner
        rebuild = time.perf_counter() - t
        add_new(store, stored + 100, new, latest + timedelta(hours=1), embedder.dim, embedder.name, rng)
        t, cpu = time.perf_counter(), time.process_time()
        run_story_stage(store, StorySettings(model=model, batch_size=50), evidence=found)
        per_article = (time.perf_counter() - t) / new
        cpu_per_article = (time.process_time() - cpu) / new
        params = params_for_model(embedder.name)
        clock = latest + timedelta(hours=1)
        known = len(store.stories_live(embedder.name, clock - timedelta(hours=known_hours(params))))
        window = len(store.stories_live(embedder.name, clock - timedelta(hours=params.window_hours)))
        print(
            f"    known stories (the last {known_hours(params) / 24:.0f} days, which threads search): "
            f"{known}; of them within the {params.window_hours / 24:.0f}-day window: {window}; "
            f"the database spans {(latest - BASE).days} days",
            flush=True,
        )
    return fill, rebuild, per_article, cpu_per_article


def scale(model: str, chosen: list[backends.Backend], sizes: tuple[int, ...], evidence: bool = True) -> None:
    results: dict[str, dict[int, float]] = defaultdict(dict)
    cpu_results: dict[str, dict[int, float]] = defaultdict(dict)
    for stored in sizes:
        for backend in chosen:
            target = backend.fresh(f"scale{stored}")
            fill, rebuild, per_article, cpu = assign_cost(model, target, stored, evidence=evidence)
            results[backend.name][stored] = per_article
            cpu_results[backend.name][stored] = cpu
            print(
                f"  {backend.name:8} {stored:>9} stored: {1000 * per_article:.2f} ms to assign one article "
                f"({1000 * cpu:.2f} ms CPU; filled in {fill:.0f} s; first run after opening, with the "
                f"rebuild: {rebuild:.1f} s; load {backends.load()})",
                flush=True,
            )
    for name, by_size in results.items():
        small, small_cpu = by_size[sizes[0]], cpu_results[name][sizes[0]]
        steps = ", ".join(
            f"{size}: {by_size[size] / small:.2f} (CPU {cpu_results[name][size] / small_cpu:.2f})"
            for size in sizes[1:]
        )
        print(f"  {name}: cost relative to {sizes[0]} stored: {steps} (target <= 1.5)")
    if len(results) > 1 and "sqlite" in results:
        for size in sizes:
            line = ", ".join(
                f"{name}/sqlite {by_size[size] / results['sqlite'][size]:.2f}x"
                for name, by_size in results.items()
                if name != "sqlite"
            )
            print(f"  at {size} stored: {line}")


def ingest_side_by_side(args: argparse.Namespace, chosen: list[backends.Backend]) -> None:
    """Rounds of ingest on each backend, the order swapped each round. With --entities
    in-stage, each round also runs the stories stage without places and names on a fresh
    database (before or after, swapped each round): what reading them adds to the stage's
    wall and CPU time is the difference."""
    figures: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    added: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    modes = [args.entities, "none"] if args.entities == "in-stage" else [args.entities]
    for round_ in range(args.rounds):
        order = chosen if round_ % 2 == 0 else chosen[::-1]
        print(f"  round {round_ + 1} (load {backends.load()})", flush=True)
        for backend in order:
            costs: dict[str, StageCost] = {}
            for mode in modes if round_ % 2 == 0 else modes[::-1]:
                rates, costs[mode] = ingest(args, backend.fresh(f"ingest_{mode.replace('-', '_')}"), mode)
                if mode == modes[0]:
                    for step, value in rates.items():
                        figures[step][backend.name].append(value)
            if len(costs) == 2:
                with_them, without = costs["in-stage"], costs["none"]
                share = (with_them.wall / without.wall - 1, with_them.cpu / without.cpu - 1,
                         with_them.entities_cpu / without.cpu)  # fmt: skip
                added[backend.name].append(share)
                print(
                    f"      reading places and names in the stories stage adds {100 * share[0]:.0f} % to its"
                    f" wall time, {100 * share[1]:.0f} % to its CPU time (their own CPU time:"
                    f" {100 * share[2]:.0f} % of the stage's without them; issue 25: at most 25 %)",
                    flush=True,
                )
    print(f"  best of {args.rounds} rounds, articles/s:")
    names = [b.name for b in chosen]
    print("    " + f"{'step':12}" + "".join(f"{n:>10}" for n in names))
    for step, by_backend in figures.items():
        best = {name: max(values) for name, values in by_backend.items()}
        print("    " + f"{step:12}" + "".join(f"{best[n]:10.0f}" for n in names))
        line = backends.ratio_line(step, best, higher_is_better=True)
        if line:
            print(line)
    for name, shares in added.items():
        walls, cpus, own = (sorted(100 * s[i] for s in shares) for i in range(3))
        print(
            f"  {name}: places and names add {walls[0]:.0f}-{walls[-1]:.0f} % to the stories stage's wall"
            f" time, {cpus[0]:.0f}-{cpus[-1]:.0f} % to its CPU time (their own CPU"
            f" {own[0]:.0f}-{own[-1]:.0f} %) over {len(shares)} rounds"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--model", default="e5-small")
    parser.add_argument("--scale-only", action="store_true")
    parser.add_argument("--ingest-only", action="store_true")
    parser.add_argument("--rounds", type=int, default=1, help="Ingest rounds per backend (best one kept).")
    parser.add_argument(
        "--sizes", default="10000,200000", help="Stored articles for the assignment cost (comma-separated)."
    )
    parser.add_argument(
        "--no-evidence",
        dest="evidence",
        action="store_false",
        help="the stories stage without places and names as evidence (and no names stage)",
    )
    parser.add_argument(
        "--entities",
        choices=("stages", "in-stage"),
        default="stages",
        help="places and names read by their stages before the stories stage (stages), or by the"
        " stories stage itself, against a run without them (in-stage)",
    )
    backends.add_arguments(parser)
    args = parser.parse_args()
    if not args.evidence:
        args.entities = "none"
    sizes = tuple(int(n) for n in args.sizes.split(","))
    print(backends.describe(args), flush=True)
    with (
        tempfile.TemporaryDirectory(prefix="monitor-bench-") as tmp,
        backends.backends(args, Path(tmp)) as chosen,
    ):
        if not args.scale_only:
            print("ingest:")
            ingest_side_by_side(args, chosen)
        if not args.ingest_only:
            print("assignment cost by database size:")
            scale(args.model, chosen, sizes, evidence=args.evidence)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
