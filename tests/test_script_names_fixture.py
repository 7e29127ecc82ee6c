"""The hand-labelled names of blurbs written without capitals are well formed: every surface
is where the label says, types are PER or ORG, one entry per entity per blurb, and the
fixture agrees with the benchmark's gold labels (bench/data/script_names_gold.jsonl)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "script_names" / "blurbs.jsonl"
GOLD = Path(__file__).parent.parent / "bench" / "data" / "script_names_gold.jsonl"
CASES: list[dict[str, Any]] = [json.loads(line) for line in FIXTURE.read_text("utf-8").splitlines()]
GOLD_LINES: list[dict[str, Any]] = [json.loads(line) for line in GOLD.read_text("utf-8").splitlines()]

# Scripts that have capital letters: a blurb in them does not belong to these labels.
CASED_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN")
LINE_FIELDS = {"id", "language", "names", "title", "text"}


def _problems(line: dict[str, Any], text: str | None) -> list[str]:
    """What is wrong with one labelled line (empty when nothing is); `text` None skips the
    substring checks (the gold file carries no text)."""
    found: list[str] = []
    if set(line) - LINE_FIELDS:
        found.append(f"unknown fields {sorted(set(line) - LINE_FIELDS)}")
    seen: set[str] = set()
    for entry in line["names"]:
        if set(entry) - {"surface", "type", "name", "also"} or not {"surface", "type", "name"} <= set(entry):
            found.append(f"bad fields {sorted(entry)}")
            continue
        if entry["type"] not in ("PER", "ORG"):
            found.append(f"type {entry['type']!r} of {entry['name']!r}")
        if not entry["name"].strip() or not _latin(entry["name"]):
            found.append(f"canonical name {entry['name']!r} is not written in Latin letters")
        if entry["name"] in seen:
            found.append(f"{entry['name']!r} listed twice (use 'also')")
        seen.add(entry["name"])
        for surface in [entry["surface"], *entry.get("also", [])]:
            if not surface.strip() or surface != surface.strip():
                found.append(f"empty or padded surface {surface!r}")
            elif text is not None and surface not in text:
                found.append(f"surface {surface!r} not in the text")
    return found


def _latin(name: str) -> bool:
    return all(not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in name)


def _script_of(text: str) -> str:
    """The script most of the text's letters are written in."""
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            script = unicodedata.name(ch, "?").split()[0]
            counts[script] = counts.get(script, 0) + 1
    return max(counts, key=lambda script: counts[script])


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_fixture_labels_are_in_their_blurb(case: dict[str, Any]) -> None:
    assert _problems(case, case["title"] + "\n" + case["text"]) == []
    assert _script_of(case["text"]) not in CASED_SCRIPTS


def test_fixture_agrees_with_the_gold_labels() -> None:
    gold = {line["id"]: line for line in GOLD_LINES}
    for case in CASES:
        assert case["id"] in gold, case["id"]
        assert case["names"] == gold[case["id"]]["names"], case["id"]
        assert case["language"] == gold[case["id"]]["language"], case["id"]


def test_fixture_spreads_over_languages_and_holds_blurbs_without_names() -> None:
    languages = {case["language"] for case in CASES}
    assert {"zh", "ko", "th", "ar", "fa", "he", "hi", "ka", "ta", "ur"} <= languages
    assert any(not case["names"] for case in CASES)
    assert len({case["id"] for case in CASES}) == len(CASES)


def test_gold_lines_are_well_formed() -> None:
    assert len({line["id"] for line in GOLD_LINES}) == len(GOLD_LINES)
    problems = {line["id"]: _problems(line, None) for line in GOLD_LINES}
    assert {key: found for key, found in problems.items() if found} == {}


def test_one_entity_has_one_type() -> None:
    """The same canonical name is always a person or always an organisation."""
    types: dict[str, set[str]] = {}
    for line in GOLD_LINES:
        for entry in line["names"]:
            types.setdefault(entry["name"], set()).add(entry["type"])
    assert {name: kinds for name, kinds in types.items() if len(kinds) > 1} == {}
