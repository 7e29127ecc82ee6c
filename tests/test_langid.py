"""Language identification on py3langid's tables mapped from the cache (monitor.ingest.langid)."""

from __future__ import annotations

import logging
import re
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from pathlib import Path

import pytest

from monitor.ingest import langid

DEMO_FEEDS = Path(__file__).resolve().parent.parent / "demo" / "feeds"


# Scripts the demo news lacks.
OTHER_SCRIPTS = [
    "Правительство объявило во вторник о новой пенсионной реформе, которая вызвала протесты.",
    "أعلنت الحكومة يوم الثلاثاء عن إصلاح جديد لنظام التقاعد أثار احتجاجات في العاصمة.",
    "政府周二宣布了一项新的养老金改革，引发了首都的抗议活动。",
    "政府は火曜日に新しい年金改革を発表し、首都で抗議活動が起きた。",
    "Η κυβέρνηση ανακοίνωσε την Τρίτη μια νέα συνταξιοδοτική μεταρρύθμιση.",
    "सरकार ने मंगलवार को एक नए पेंशन सुधार की घोषणा की, जिससे राजधानी में विरोध हुआ।",
    "Уряд у вівторок оголосив нову пенсійну реформу, яка викликала протести у столиці.",
    "!!! ??? 12345 ... ---",
    "",
]


def demo_texts() -> list[str]:
    """Title and text of every item of the bundled demo news (many languages and scripts)."""
    texts = []
    for file in sorted(DEMO_FEEDS.glob("*.xml")):
        for item in re.findall(r"<item>(.*?)</item>", file.read_text(encoding="utf-8"), re.S):
            title = re.search(r"<title>(.*?)</title>", item, re.S)
            text = re.search(r"<description>(.*?)</description>", item, re.S)
            texts.append(f"{unescape(title[1]) if title else ''}\n{unescape(text[1]) if text else ''}")
    return texts


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder where the tables were built once, by the first use of the identifier."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MONITOR_CACHE_DIR", str(folder))
        langid._loaded[0] = None
        langid._model()
        langid._loaded[0] = None
    return folder


@pytest.fixture
def fresh_cache(built: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The built cache folder, and the identifier made anew from it (and after the test)."""
    monkeypatch.setenv("MONITOR_CACHE_DIR", str(built))
    langid._loaded[0] = None
    yield built
    langid._loaded[0] = None


def mapped_rss_kb(folder: Path) -> int:
    """Resident kB of this process's mappings of files under `folder`."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 5 and "-" in parts[0] and len(parts[1]) == 4:
            inside = len(parts) > 5 and parts[5].startswith(str(folder))
        elif inside and parts[0] == "Rss:":
            total += int(parts[1])
    return total


def test_mapped_tables_give_the_bundled_models_languages_and_confidences_exactly(fresh_cache: Path) -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    in_memory = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    texts = demo_texts() + OTHER_SCRIPTS
    expected = [in_memory.classify(text) for text in texts]
    assert len({code for code, _confidence in expected}) >= 14  # a multilingual sample
    assert [langid._classify(text) for text in texts] == expected
    assert langid._model()[1] is not None  # the mapped tables answered, not a fallback
    assert (langid.tables_dir() / "ptc.f16").is_file()
    assert not list(fresh_cache.glob(".partial-*"))


def test_the_pages_a_text_read_are_let_go_after_it(fresh_cache: Path) -> None:
    folder = langid.tables_dir()
    tables = langid._model()[1]
    assert tables is not None
    text = " ".join(demo_texts()[:20])
    tables.nextmove[0]  # touch a page, as scoring does
    float(tables.ptc[5000, 0])
    assert mapped_rss_kb(folder) > 0
    assert langid.detect_language(text) is not None
    assert mapped_rss_kb(folder) == 0


def test_tables_of_the_wrong_size_fall_back_to_the_model_in_memory(
    fresh_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    text = "Le gouvernement a annoncé mardi une nouvelle réforme des retraites en France."
    expected = langid._classify(text)
    shutil.copytree(langid.tables_dir(), tmp_path / langid.tables_dir().name)
    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path))
    ptc = langid.tables_dir() / "ptc.f16"
    with ptc.open("r+b") as handle:
        handle.truncate(ptc.stat().st_size - 2)
    langid._loaded[0] = None
    with caplog.at_level(logging.WARNING, logger="monitor.langid"):
        assert langid._classify(text) == expected
    assert langid._model()[1] is None
    assert f"{ptc}: {ptc.stat().st_size} bytes, not {ptc.stat().st_size + 2}" in caplog.text


def test_threads_starting_together_share_one_model_whose_pages_are_let_go(fresh_cache: Path) -> None:
    folder = langid.tables_dir()
    texts = demo_texts()[:8]
    start = threading.Barrier(len(texts))

    def detect(text: str) -> tuple[str | None, int]:
        start.wait()
        return langid.detect_language(text), id(langid._model()[0])

    with ThreadPoolExecutor(len(texts)) as pool:
        found = list(pool.map(detect, texts))
    assert all(language for language, _model in found)
    assert len({model for _language, model in found}) == 1
    maps = Path("/proc/self/maps").read_text()
    assert maps.count(str(folder / "ptc.f16")) == 1
    assert mapped_rss_kb(folder) == 0
