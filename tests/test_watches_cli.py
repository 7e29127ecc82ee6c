"""`monitor watches ...` and `monitor watch ...` on a real config and database."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import main

from .watches_helpers import FEEDS, Item, add, open_store

CONFIG = """settings:
  database: monitor.db
feeds:
{feeds}
watches:
{watches}
"""


def setup(tmp_path: Path, watches: str) -> Path:
    feeds = "\n".join(f"  - url: {f.url}\n    name: {f.name}" for f in FEEDS)
    path = tmp_path / "feeds.yaml"
    path.write_text(CONFIG.format(feeds=feeds, watches=watches), encoding="utf-8")
    return path


def run(path: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--config", str(path), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_list_show_test_backfill_prune(tmp_path: Path) -> None:
    path = setup(tmp_path, "  - name: Putin\n    names: [Putin]\n  - name: Cup\n    query: cup*\n")
    with open_store(tmp_path / "monitor.db") as store:
        add(
            store,
            [
                Item(2, "Путин прибыл в Пекин", "Визит Путина.", "ru", 0),
                Item(0, "Putin in Beijing", "Putin arrived.", "en", 1),
                Item(0, "Cups and saucers", "", "en", 30),
                Item(1, "Rien à voir", "", "fr", 30),
            ],
        )
    assert "not matched yet" in run(path, "watches", "list")
    tested = run(path, "watch", "test", "putin")
    assert "2 articles in 2 stories" in tested and "Путин" in tested and "nothing saved" in tested
    out = run(path, "watches", "backfill")
    assert "Putin backfilled over 4 articles (2 matches)" in out
    listed = run(path, "watches", "list")
    assert "Putin" in listed and "2 in all" in listed
    shown = run(path, "watch", "show", "Putin", "--days", "3")
    assert "2 matching articles" in shown and "ru" in shown and "Novosti 1" in shown
    assert "1 matched, 1 outlet  " in shown  # not "1 outlets"
    data = json.loads(run(path, "watch", "show", "Cup", "--json", "--days", "2"))
    days = data["attention"]["days"]
    assert [d["articles"] for d in days] == [0, 1] and days[1]["total"] == 2 and days[1]["share"] == 0.5
    assert data["top_stories"][0]["why"] == {"terms": ["cup*"]}
    # removing a watch from the file keeps its history until pruned
    setup(tmp_path, "  - name: Cup\n    query: cup*\n")
    assert "removed" in run(path, "watches", "list")
    assert run(path, "watch", "show", "Putin").startswith("Putin (removed)")
    assert "Deleted 1 watch: Putin" in run(path, "watches", "prune")
    result = CliRunner().invoke(main, ["--config", str(path), "watch", "show", "Putin"])
    assert result.exit_code == 1 and "no watch named 'Putin'" in result.output


def test_bad_watch_is_a_one_line_error(tmp_path: Path) -> None:
    path = setup(tmp_path, "  - name: A\n    query: (climate\n")
    result = CliRunner().invoke(main, ["--config", str(path), "watches", "list"])
    assert result.exit_code == 1
    assert f"{path}:12: watches.A.query: a parenthesis is opened and never closed at position 1" in (
        result.output
    )
