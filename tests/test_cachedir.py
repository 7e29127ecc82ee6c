"""monitor.cachedir: the one cache folder the language tables, the gazetteer and the models share."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cachedir import cache_dir
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
