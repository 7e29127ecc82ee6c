"""The stories stage decides the same stories whatever the order articles were stored in
(their ids), the batches they came in, the working directory or the hash seed
(monitor/stories/order.py, `stories_pending`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from monitor.store import Store
from monitor.stories.order import decision_key, in_decision_order
from monitor.stories.settings import StorySettings
from monitor.stories.stage import run_story_stage

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "stories"
T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)


def _load(name: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in (FIXTURES / name).open(encoding="utf-8")]


def corpus() -> list[dict[str, Any]]:
    """Articles that share publication times: one instant for WMT's two stories in five
    languages, one for ECB's look-alike events and a wire text carried by two outlets."""
    items: list[dict[str, Any]] = []
    for n, d in enumerate(_load("wmt_two_stories.jsonl")):
        items.append(
            {
                "feed": f"wmt-{d['language']}",
                "guid": f"w{n}",
                "title": d["title"],
                "text": d["text"],
                "language": d["language"],
                "hours": 0,
            }
        )
    for n, d in enumerate(_load("ecb_lookalike.jsonl")):
        items.append(
            {
                "feed": f"ecb-{n}",
                "guid": f"e{n}",
                "title": d["title"],
                "text": d["text"],
                "language": "en",
                "hours": 1,
            }
        )
    wire = next(d for d in _load("ecb_copies.jsonl") if d["id"] == "21_8ecb")
    for outlet in ("agency", "paper"):
        items.append(
            {
                "feed": f"wire-{outlet}",
                "guid": "wire",
                "title": wire["title"],
                "text": wire["text"],
                "language": "en",
                "hours": 1,
            }
        )
    return items


def stage_outcome(path: Path, items: list[dict[str, Any]], batch_size: int) -> dict[str, Any]:
    """Store `items` in their order (ids follow it), run the stage, and describe what it
    decided by feed and GUID only: stories, copies, headlines, threads, breaking flags."""
    with Store.open(path) as store:
        feeds = sorted({item["feed"] for item in items}, reverse=True)  # feed ids unlike URLs too
        for n, feed in enumerate(feeds, 1):
            store.db.execute(
                "INSERT INTO feeds (id, url, name, language, created) VALUES (?, ?, ?, ?, ?)",
                [n, f"https://{feed}.example/rss", feed, "en", "2024-01-01T00:00:00Z"],
            )
        feed_id = {feed: n for n, feed in enumerate(feeds, 1)}
        for item in items:
            when = (T0 + timedelta(hours=item["hours"])).strftime("%Y-%m-%dT%H:%M:%SZ")
            store.db.execute(
                "INSERT INTO articles (feed_id, guid, title, text, language, published, first_seen, "
                "content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    feed_id[item["feed"]],
                    item["guid"],
                    item["title"],
                    item["text"],
                    item["language"],
                    when,
                    when,
                    f"{item['feed']}/{item['guid']}",
                ],
            )
        run_story_stage(store, StorySettings(batch_size=batch_size))
        rows = store.query(
            "SELECT a.id, f.name || '/' || a.guid AS name, a.story_id, a.duplicate_of FROM articles a "
            "JOIN feeds f ON f.id = a.feed_id"
        )
        name = {row["id"]: row["name"] for row in rows}
        stories = store.query(
            "SELECT id, headline_article_id, thread_id, breaking_at, n_outlets FROM stories "
            "WHERE merged_into IS NULL"
        )
    members: dict[int, list[str]] = {}
    for row in rows:
        members.setdefault(row["story_id"], []).append(row["name"])
    label = {story: min(names) for story, names in members.items()}  # a story by its first member
    return {
        "stories": sorted(
            (
                sorted(members[s["id"]]),
                name[s["headline_article_id"]],
                label.get(s["thread_id"], s["thread_id"]) if s["thread_id"] is not None else None,
                s["breaking_at"],
                s["n_outlets"],
            )
            for s in stories
        ),
        "copies": sorted((row["name"], name[row["duplicate_of"]]) for row in rows if row["duplicate_of"]),
    }


def test_the_stage_decides_alike_whatever_order_the_articles_were_stored_in(tmp_path: Path) -> None:
    items = corpus()
    forward = stage_outcome(tmp_path / "forward.db", items, batch_size=256)
    # Stored the other way round (other ids for each article) and in batches that cut
    # through the articles of one instant.
    backward = stage_outcome(tmp_path / "backward.db", items[::-1], batch_size=3)
    assert forward == backward
    # The wire text is one copy, of the outlet first in the order, whatever came first.
    assert forward["copies"] == [("wire-paper/wire", "wire-agency/wire")]


_CHILD = """
import json, sys
from pathlib import Path
from tests.test_stories_order import corpus, stage_outcome
items = corpus()
if sys.argv[2] == "reverse":
    items.reverse()
print(json.dumps(stage_outcome(Path(sys.argv[1]), items, int(sys.argv[3]))))
"""


def test_the_stage_decides_alike_from_another_folder_process_and_hash_seed(tmp_path: Path) -> None:
    outcomes = []
    for n, (seed, order, batch) in enumerate((("1", "forward", "256"), ("2", "reverse", "4"))):
        folder = tmp_path / f"cwd{n}"
        folder.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(tmp_path / f"{n}.db"), order, batch],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        outcomes.append(json.loads(done.stdout.splitlines()[-1]))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0]["stories"]  # something was decided


def _row(n: int, published: str, content_hash: str, guid: str) -> dict[str, Any]:
    return {"id": n, "published": published, "content_hash": content_hash, "guid": guid}


def test_decision_order_is_publication_time_then_content_and_guid_never_the_id() -> None:
    rows = [
        _row(1, "2024-05-01T12:00:00Z", "b", "1"),
        _row(2, "2024-05-01T11:00:00Z", "z", "9"),
        _row(3, "2024-05-01T12:00:00Z", "a", "2"),
        _row(4, "2024-05-01T12:00:00Z", "a", "1"),
        _row(5, "2024-05-01T12:00:00+00:00", "a", "1"),  # the same text and GUID in another feed
    ]
    assert [r["id"] for r in in_decision_order(rows)] == [2, 4, 5, 3, 1]
    assert decision_key(rows[0])[0] == datetime(2024, 5, 1, 12, tzinfo=UTC)


@given(st.permutations(range(6)), st.permutations(range(6)))
def test_decision_order_depends_on_the_articles_not_on_their_ids_or_arrival(
    arrival: list[int], ids: list[int]
) -> None:
    times = ["2024-05-01T12:00:00Z"] * 4 + ["2024-05-01T13:00:00Z"] * 2
    articles = [(times[n], f"hash{n % 3}", f"g{n}") for n in range(6)]
    first = [_row(n, *articles[n]) for n in range(6)]
    again = [_row(ids[n], *articles[n]) for n in arrival]
    assert [(r["content_hash"], r["guid"]) for r in in_decision_order(first)] == [
        (r["content_hash"], r["guid"]) for r in in_decision_order(again)
    ]
