"""The names and places stages' pure work: CPU time per article, and their exact output.

    python bench/entities_cost.py                           # CPU ms per article, this checkout
    python bench/entities_cost.py --code /tmp/main --dump /tmp/main.json
    python bench/entities_cost.py --compare /tmp/main.json  # this checkout's output must match

Articles: those bench/ingest.py puts through the stages (WMT newstest, ECB+, tgcontest: title
and the first 3,000 characters of text, as its feeds carry them) and bench/places.py's TR-News
and GeoVirus. For each: the names as the names stage stores them (`stage.names_of_all`, with
the gazetteer, `stage.BATCH` articles at a time), the places as the places stage stores them from those names
(`placestage.places_of`, `placestage.BATCH` articles at a time), the places when the names
are not stored yet (`article_places` without names: a backlog's path), and bench/places.py's
`geotag` call (its places, countries and mentions).

Timing: `time.process_time` around each step, over the articles once (the caches warm as
in a daemon). The machine is shared: compare two checkouts by running them in turn, several
times (`--code` puts another checkout's `monitor` first on the path, e.g. `git worktree add
/tmp/main main`).

With `--dump` the output goes to a JSON file; `--compare` checks this run's output against
one: every article's names and places must be identical, or the differences are listed and
the exit status is 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="of bench/ingest.py's texts")
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose monitor runs")
    parser.add_argument("--dump", type=Path, help="write the output here (JSON)")
    parser.add_argument("--compare", type=Path, help="a dump the output must equal")
    return parser.parse_args()


ARGS = _arguments()
sys.path.insert(0, str(ROOT / "bench"))

from ingest import records  # noqa: E402

# bench/ingest.py imported this checkout's monitor: the stages below come from --code.
for module in [m for m in sys.modules if m == "monitor" or m.startswith("monitor.")]:
    del sys.modules[module]
sys.path.insert(0, str(ARGS.code.resolve()))

import monitor  # noqa: E402
from monitor.entities import placestage, stage  # noqa: E402
from monitor.entities.geotag import geotag  # noqa: E402
from monitor.entities.placestage import BATCH, PlacesStage, article_places  # noqa: E402
from monitor.entities.stage import names_of  # noqa: E402


def batch_names(gazetteer: Any, rows: list[dict[str, Any]]) -> list[Any]:
    """The names stage's work on one batch (an older checkout: article by article)."""
    if hasattr(stage, "names_of_all"):
        return stage.names_of_all(rows, gazetteer)  # type: ignore[no-any-return]
    return [names_of(row, gazetteer) for row in rows]


def batch_places(gazetteer: Any, rows: list[dict[str, Any]], names: list[Any]) -> list[Any]:
    """The places stage's work on one batch (an older checkout: article by article)."""
    if hasattr(placestage, "places_of"):
        return placestage.places_of(gazetteer, rows, names)  # type: ignore[no-any-return]
    return [article_places(gazetteer, row, found) for row, found in zip(rows, names, strict=True)]

PLACES = ROOT.parent / "shared" / "data" / "places"


def articles(n: int) -> list[dict[str, Any]]:
    """bench/ingest.py's articles, then TR-News and GeoVirus, as the stages read rows."""
    out: list[dict[str, Any]] = []
    for record, _, feed in records(n):
        out.append({"title": record.title, "text": record.text[:3000], "language": record.language,
                    "feed_url": f"https://{feed}.example/rss"})
    for name in ("tr-news.jsonl", "geovirus.jsonl"):
        with open(PLACES / name, encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                out.append({"title": row.get("title") or "", "text": row["text"], "language": "en",
                            "feed_url": row.get("url") or ""})
    return out


def main() -> int:
    rows = articles(ARGS.articles)
    gazetteer = PlacesStage().gazetteer()
    gazetteer.lookup(["paris"])  # opening it is not the stages' work
    spent = {"names": 0.0, "places": 0.0, "places without names": 0.0, "geotag": 0.0}
    names: list[Any] = []
    places: list[list[dict[str, Any]]] = []
    for start in range(0, len(rows), BATCH):  # as the stages read them
        batch = rows[start:start + BATCH]
        t0 = time.process_time()
        names += batch_names(gazetteer, batch)
        t1 = time.process_time()
        places += batch_places(gazetteer, batch, names[start:start + BATCH])
        spent["names"] += t1 - t0
        spent["places"] += time.process_time() - t1
    output: list[dict[str, Any]] = []
    for row, found, article_names in zip(rows, places, names, strict=True):
        t0 = time.process_time()
        unnamed = article_places(gazetteer, row)
        t1 = time.process_time()
        tag = geotag(gazetteer, row["text"], language=row["language"])
        spent["places without names"] += t1 - t0
        spent["geotag"] += time.process_time() - t1
        output.append({
            "names": article_names, "places": found, "places without names": unnamed,
            "geotag": [[p.geonameid, p.name, p.country] for p in tag.places],
            "countries": list(tag.countries),
            "mentions": [[m.start, m.end, m.text, m.place.place_id, m.in_title] for m in tag.mentions],
        })
    per = {step: 1000 * seconds / len(rows) for step, seconds in spent.items()}
    print(f"{Path(monitor.__file__).parent.parent}: {len(rows)} articles, load {os.getloadavg()[0]:.1f};"
          " CPU ms per article: " + ", ".join(f"{step} {ms:.3f}" for step, ms in per.items())
          + f"; names + places {per['names'] + per['places']:.3f}")
    if ARGS.dump:
        ARGS.dump.write_text(json.dumps(output, ensure_ascii=False), encoding="utf-8")
    if ARGS.compare:
        expected = json.loads(ARGS.compare.read_text(encoding="utf-8"))
        got = json.loads(json.dumps(output, ensure_ascii=False))
        if len(expected) != len(got):
            print(f"different article counts: {len(expected)} and {len(got)}")
            return 1
        differ = [i for i, (a, b) in enumerate(zip(expected, got, strict=True)) if a != b]
        for i in differ[:10]:
            for key in expected[i]:
                if expected[i][key] != got[i][key]:
                    print(f"article {i} {key}:\n  expected {expected[i][key]}\n  got      {got[i][key]}")
        print(f"{len(got) - len(differ)} of {len(got)} articles identical")
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
