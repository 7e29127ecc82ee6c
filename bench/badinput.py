"""Bad input for names and places (issue 25): time per article against a budget, and what
was found, on the inputs the issue lists.

    python bench/badinput.py              # each case 3 times, the best time kept
    python bench/badinput.py --rounds 5

Cases: text in scripts the gazetteer does not know (Ge'ez, Tibetan, Cherokee, Deseret: the
last two have capitals), an article of 100,000 characters, names of 500 letters, 10,000
capitalised words in a row (place names among them), and place names that are common words
(Nice, Mobile, Reading, Bath) in sentences that are not about the places. Each case runs the
names recogniser (monitor.entities.names) and the geotagger (monitor.entities.geotag) on the
title and text, as the stages do. The budget is printed, not asserted: the machine is shared
(tests/test_badinput.py checks what is found, not how fast). Each time is given twice: on the
wall clock (the budget's) and in CPU time of the process, which the other processes of a loaded
machine do not inflate; the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.entities.gazetteer import open_gazetteer  # noqa: E402
from monitor.entities.geotag import geotag  # noqa: E402
from monitor.entities.names import names_in  # noqa: E402

BUDGET_MS = 250  # per article, names and places together, for any input
TYPICAL_MS = 15  # an ordinary article (bench/memory.py: 9-13 ms on the demo news)


def cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    return platform.processor() or "unknown CPU"


def cases() -> dict[str, tuple[str, str, str | None]]:
    """name -> (title, text, language)."""
    rng = random.Random(25)
    capitalised = [
        "Alpha", "Beta", "Gamma", "Paris", "Nice", "Mobile", "Reading", "Bath", "Georgia",
        "Jordan", "London", "Moscow", "Delta", "Omega", "Putin", "Vladimir", "Trump", "Donald",
        "Victoria", "Chad", "Niger", "Turkey", "Chile", "Split", "Bar", "Male", "Of", "The",
    ]
    long_paragraph = (
        "Vladimir Putin met officials in Moscow on Tuesday, and the talks in Paris went on late "
        "into the night while Emmanuel Macron waited in Lyon for news from Kyiv. "
    )
    return {
        "unknown scripts (Ge'ez, Tibetan, Cherokee, Deseret)": (
            "ዜና ከአዲስ አበባ",
            "ፕሬዚዳንቱ በአዲስ አበባ ንግግር አደረጉ። " * 40
            + "བོད་ཀྱི་རྒྱལ་ཁབ་ལྷ་ས། " * 40
            + "ᏣᎳᎩ ᎠᏂᏴᏫ ᏓᏳᏂᎶᏒ ᏗᎦᏚᎲ. " * 40
            + "𐐔𐐯𐑅𐐨𐑉𐐯𐐻 𐐃𐐿 𐐝𐐪𐑊𐐻 𐐢𐐩𐐿 𐐝𐐮𐐻𐐨. " * 40,
            None,
        ),
        "100,000 characters": ("Talks", (long_paragraph * 700)[:100_000], "en"),
        "names of 500 letters": (
            "A" + "b" * 499,
            "President " + "A" + "b" * 499 + " met " + "Ж" + "д" * 499 + " in Paris. "
            + "Mr " + "Q" * 500 + " said so. " + "-".join(["Anne"] * 100) + " came from Lyon.",
            "en",
        ),
        "10,000 capitalised words": (
            "Headline", " ".join(rng.choice(capitalised) for _ in range(10_000)), "en"
        ),
        "common words (Nice, Mobile, Reading, Bath)": (
            "Nice work on mobile reading",
            "It was a nice day. Nice work, said the manager. Mobile phones are everywhere now, and "
            "Mobile apps sell well. Reading is good for children, the teachers said. Reading "
            "books helps. Bath time is fun for the kids. She ran a hot bath. The Nice guys "
            "finished last. He bought a Mobile phone and a Nice car. Reading glasses cost more.",
            "en",
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"CPU: {cpu()}; Python {platform.python_version()}; load {os.getloadavg()[0]:.1f}")
    gazetteer = open_gazetteer()
    geotag(gazetteer, "Warm up in Paris.", title="", language="en")
    print(f"budget: {BUDGET_MS} ms per article for names and places together (an ordinary article:"
          f" about {TYPICAL_MS} ms)")
    over = 0
    for label, (title, text, language) in cases().items():
        best_names = best_places = best_cpu = float("inf")
        for _ in range(args.rounds):
            cpu_started = time.process_time()
            started = time.perf_counter()
            names = names_in(title, text, language)
            middle = time.perf_counter()
            tag = geotag(gazetteer, text, title=title, language=language)
            ended = time.perf_counter()
            best_cpu = min(best_cpu, time.process_time() - cpu_started)
            best_names = min(best_names, middle - started)
            best_places = min(best_places, ended - middle)
        total = 1000 * (best_names + best_places)
        verdict = "within budget" if total <= BUDGET_MS else "OVER BUDGET"
        over += total > BUDGET_MS
        places = sorted({f"{p.name} ({p.country})" for p in tag.places})
        print(f"\n{label}: {len(title) + len(text):,} characters")
        print(f"  names {1000 * best_names:7.1f} ms, places {1000 * best_places:7.1f} ms,"
              f" together {total:7.1f} ms: {verdict} (CPU {1000 * best_cpu:.1f} ms,"
              f" load {os.getloadavg()[0]:.1f})")
        shown = ", ".join(n.name[:40] for n in names[:6])
        print(f"  names found: {len(names)}" + (f" ({shown})" if names else ""))
        print(f"  places found: {len(places)}" + (f" ({', '.join(places[:8])})" if places else ""))
    print(f"\n{over} case(s) over the budget of {BUDGET_MS} ms")


if __name__ == "__main__":
    main()
