"""monitor.cachedir: the one cache folder the language tables, the gazetteer and the models share."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cachedir import cache_dir, lines_made_once
from monitor.entities.gazetteer import default_gazetteer_path
from monitor.ingest.langid import tables_dir
from monitor.stories.e5onnx import model_cache_dir


def test_the_cache_folder_follows_monitor_then_xdg_then_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MONITOR_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "")  # empty: as if unset
    assert cache_dir() == tmp_path / "home" / ".cache" / "monitor"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "monitor"
    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"


def test_every_built_thing_lies_in_the_one_cache_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MONITOR_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "monitor"
    assert tables_dir().parent == folder
    assert default_gazetteer_path().parent == folder
    assert Path(model_cache_dir()) == folder


def test_lines_are_made_once_by_a_child_then_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The child's lines are written to the cache folder; the next call reads them (the script
    is not run again: a failing one would fall back to `make_here`)."""
    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path))
    assert lines_made_once("made.txt", "print('a'); print('b')", lambda: ["here"]) == ["a", "b"]
    assert (tmp_path / "made.txt").read_text(encoding="utf-8") == "a\nb"
    assert lines_made_once("made.txt", "raise SystemExit(1)", lambda: ["here"]) == ["a", "b"]


def test_lines_are_made_here_when_the_child_fails_and_unwritable_cache_is_no_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path))
    assert lines_made_once("failed.txt", "raise SystemExit(1)", lambda: ["here"]) == ["here"]
    assert not (tmp_path / "failed.txt").exists()
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path / "file"))  # a folder cannot be made there
    assert lines_made_once("made.txt", "print('a')", lambda: ["here"]) == ["a"]
