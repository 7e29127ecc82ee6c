"""The e5-small paths (int8, int7, fp32 weights) against the reference vectors, and the
self-test at load that sends a path giving wrong vectors back to the safe one."""

from __future__ import annotations

import json
import logging
import platform
import shutil
from pathlib import Path

import numpy as np
import pytest

from monitor.stories import e5onnx
from monitor.stories.cpupath import SAFE_PATH, choose_path, cpu_flags, path_named
from monitor.stories.e5onnx import E5Onnx

STORIES = Path(__file__).parent / "fixtures" / "stories"


def reference() -> tuple[list[str], np.ndarray]:
    lines = (STORIES / "e5_paths.jsonl").read_text(encoding="utf-8").splitlines()
    vectors = np.load(STORIES / "e5_paths_int8.npy").astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return [json.loads(line)["text"] for line in lines], vectors


@pytest.mark.parametrize("weights", ["int8", "int7", "fp32"])
def test_every_path_agrees_with_the_reference_on_every_text(weights: str) -> None:
    if weights == "int8" and choose_path(cpu_flags(), platform.machine()).weights != "int8":
        # Never chosen here: without VNNI or AMX its kernels saturate (4 of these texts under
        # 0.995 on AVX2, docs/performance.md).
        pytest.skip("int8 is not a path of this CPU")
    texts, expected = reference()
    assert len(texts) == len(set(texts)) == 38
    model = E5Onnx(embed_path=path_named(weights))
    cosines = (model.embed(texts) * expected).sum(axis=1)
    worst = int(np.argmin(cosines))
    assert cosines[worst] >= 0.995, (weights, float(cosines[worst]), texts[worst][:60])
    assert model.embed_path is not None and model.embed_path.weights == weights


def test_a_path_that_fails_its_self_test_gives_way_to_the_safe_one(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """An int8 build that loads but gives wrong vectors (its weights overwritten, its
    manifest made to match, so the cache's own check passes): the self-test catches it,
    one warning says so, and the texts go through the fp32 graph."""
    texts, _ = reference()
    texts = texts[:3]
    safe = E5Onnx(embed_path=SAFE_PATH)
    expected = safe.embed(texts)
    E5Onnx(embed_path=path_named("int8")).load()  # both builds in the usual cache, then copied
    path = safe.path
    for weights in ("int8", "fp32"):
        key = e5onnx._build_key(path, weights)
        shutil.copytree(Path(e5onnx.model_cache_dir()) / key, tmp_path / key)
    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path))
    folder = tmp_path / e5onnx._build_key(path, "int8")
    data = folder / "graph.onnx.data"
    raw = bytearray(data.read_bytes())
    middle = len(raw) // 2
    raw[middle : middle + len(raw) // 8] = bytes(len(raw) // 8)
    data.write_bytes(bytes(raw))
    (folder / "manifest.json").write_text(json.dumps(e5onnx._manifest(str(folder), folder.name)))

    monkeypatch.setenv("MONITOR_EMBED_PATH", "int8")
    caplog.set_level(logging.INFO, logger="monitor.embed")
    model = E5Onnx()
    vectors = model.embed(texts)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "int8 path failed its self-test (cosine" in warnings[0], warnings
    assert model.embed_path == SAFE_PATH
    assert np.array_equal(vectors, expected)


def test_the_self_test_passes_on_the_chosen_path() -> None:
    model = E5Onnx()
    model.load()
    assert model._self_test() is None
    assert model.embed_path is not None and model.embed_path.why
