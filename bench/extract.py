"""Article extraction: the text monitor keeps from a page, scored against the expected article.

    python bench/extract.py                 # the extractors alone, on every page
    python bench/extract.py --pipeline      # and the text stored through the real pipeline

The pages are ../shared/data/extraction/readability-pages/ (130 real pages with the article
Readability.js extracts from each). The metric is the one of the article-extraction
benchmarks: each text is cut into 4-word shingles (lowercased words), precision and recall are
taken per page on the shingle multisets, averaged over the pages, and F1 is the harmonic
mean of the two means. Beside monitor's extractor (monitor/ingest/extract.py) the same pages
go through trafilatura alone and readability-lxml alone.

With --pipeline a feed of teasers (the first 25 words of each expected article) is served on
127.0.0.1 together with the pages, `monitor poll`'s pass reads it into a fresh SQLite file
(full_text: auto), and the stored text is scored the same way.

CPU is process time per page (the machine is shared: figures move by +-20 %); peak memory is
the process's peak resident size after each part, which only grows.
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.ingest import extract  # noqa: E402
from monitor.ingest.parse import html_to_text  # noqa: E402

PAGES = ROOT.parent / "shared" / "data" / "extraction" / "readability-pages"
PAGE_URL = "http://fakehost/test/page.html"


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    if not words:
        return Counter()
    return Counter(tuple(words[i : i + size]) for i in range(max(1, len(words) - size + 1)))


def precision_recall(found: str, expected: str) -> tuple[float, float]:
    got, want = shingles(found), shingles(expected)
    if not got and not want:
        return 1.0, 1.0
    common = sum((got & want).values())
    return (common / sum(got.values()) if got else 0.0), (common / sum(want.values()) if want else 0.0)


def score(found: dict[str, str], expected: dict[str, str]) -> tuple[float, float, float]:
    """Mean precision, mean recall, and the F1 of the two means."""
    pairs = [precision_recall(found.get(case, ""), text) for case, text in expected.items()]
    precision = sum(p for p, _ in pairs) / len(pairs)
    recall = sum(r for _, r in pairs) / len(pairs)
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def expected_text(path: Path) -> str:
    return html_to_text(path.read_text(encoding="utf-8"))


def load_cases(pages: Path = PAGES) -> tuple[dict[str, bytes], dict[str, str]]:
    cases = sorted(p for p in pages.iterdir() if (p / "source.html").is_file())
    sources = {c.name: (c / "source.html").read_bytes() for c in cases}
    expected = {c.name: expected_text(c / "expected.html") for c in cases}
    return sources, expected


def monitor_text(content: bytes) -> str:
    return extract.extract_page(content, PAGE_URL, "text/html").text


def trafilatura_text(content: bytes) -> str:
    import trafilatura

    return trafilatura.extract(content, url=PAGE_URL, include_comments=False) or ""


def readability_text(content: bytes) -> str:
    from readability import Document

    return html_to_text(Document(content).summary(html_partial=True))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(
    name: str, method: Callable[[bytes], str], sources: dict[str, bytes], expected: dict[str, str]
) -> None:
    found: dict[str, str] = {}
    started = time.process_time()
    for case, content in sources.items():
        try:
            found[case] = method(content)
        except Exception as exc:  # a library's crash counts as an empty result
            print(f"  {name} crashed on {case}: {type(exc).__name__}: {exc}", file=sys.stderr)
            found[case] = ""
    cpu = time.process_time() - started
    precision, recall, f1 = score(found, expected)
    print(
        f"{name:<22} P {precision:.3f}  R {recall:.3f}  F1 {f1:.3f}   "
        f"CPU {1000 * cpu / len(sources):6.1f} ms/page   peak RSS {peak_mb():6.0f} MB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=PAGES)
    parser.add_argument("--pipeline", action="store_true", help="also score the text stored by a poll")
    args = parser.parse_args()
    import logging

    logging.disable(logging.WARNING)  # trafilatura warns on every odd page
    sources, expected = load_cases(args.pages)
    print(f"{len(sources)} pages from {args.pages}; peak RSS before extracting {peak_mb():.0f} MB")
    lxml.html.document_fromstring("<p>warm</p>")
    run("monitor (extract.py)", monitor_text, sources, expected)
    run("trafilatura alone", trafilatura_text, sources, expected)
    run("readability-lxml alone", readability_text, sources, expected)
    if args.pipeline:
        import extract_pipeline

        extract_pipeline.run(sources, expected, score)


if __name__ == "__main__":
    main()
