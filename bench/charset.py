"""Decoding article pages (monitor/ingest/charset.py, issue 26): CPU time of decode_page and of
the whole extraction on pages of up to 5 MB in charsets they do not declare, beside UTF-8 pages
(no detection) of the same size.

    python bench/charset.py              # each case 3 times, the best kept
    python bench/charset.py --rounds 5

Detection looks at a bounded sample of the page's text (charset.DETECT_SAMPLE bytes from
DETECT_PREFIX bytes), so its time should not grow with the page: the figures show whether it
does. The sentences are the tests' own (tests/fixtures/charsets/sentences.json).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.ingest.charset import decode_page  # noqa: E402
from monitor.ingest.extract import extract_page  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "charsets" / "sentences.json"
SENTENCES = json.loads(FIXTURE.read_text(encoding="utf-8"))
CASES = [("ja", "shift_jis"), ("zh", "gb18030"), ("ru", "cp1251"), ("fr", "cp1252"), ("pl", "iso8859_2")]
SIZES = (100_000, 1_000_000, 5 * 1024 * 1024 - 4096)


def page(text: str, size: int, charset: str) -> bytes:
    """A page of about `size` bytes: navigation markup, then the article's paragraph repeated."""
    head = "<!doctype html><html><head><title>Bridge</title></head><body>"
    nav = "<div class=nav><a href=/section>Section</a></div>" * 200
    body = f"<p>{text}</p>\n".encode(charset)
    start = (head + nav + "<article>").encode()
    return start + body * max(1, (size - len(start)) // len(body)) + b"</article></body></html>"


def best_cpu(run: object, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.process_time()
        run()  # type: ignore[operator]
        times.append(time.process_time() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    print(f"CPU: {cpu}; Python {platform.python_version()}")
    print(f"{'language':<9}{'charset':<11}{'bytes':>10} {'read as':<11}", end="")
    print(f"{'decode ms':>10}{'utf-8 ms':>10}{'extract ms':>11}")
    for language, charset in CASES:
        text = SENTENCES[language]
        for size in SIZES:
            content = page(text, size, charset)
            as_utf8 = page(text, size, "utf-8")
            decoded = decode_page(content, "text/html")
            ok = text in decoded.text
            decode = best_cpu(lambda c=content: decode_page(c, "text/html"), args.rounds)
            utf8 = best_cpu(lambda c=as_utf8: decode_page(c, "text/html"), args.rounds)
            extract = best_cpu(lambda c=content: extract_page(c, "https://news.example/a", "text/html"), 1)
            read_as = decoded.charset + ("" if ok else " WRONG")
            print(f"{language:<9}{charset:<11}{len(content):>10} {read_as:<11}{decode * 1000:>10.1f}"
                  f"{utf8 * 1000:>10.1f}{extract * 1000:>11.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
