"""Language identification for entries that declare none (py3langid, bundled model).

py3langid holds its model in memory: a byte automaton of 38,000 rows of 256 next states (39
MB) and a feature-by-language table of log probabilities (100,000 x 142 float16, 28 MB),
77 MB of the daemon's resident memory for the life of the process. Here the two tables are
written once, unchanged, to files in the cache folder and memory-mapped; after each text the
pages it touched are dropped from the process (`madvise(MADV_DONTNEED)`: they stay in the
page cache, shared and reclaimable). py3langid's own code scores the text, on the same
numbers, so the language and confidence are those of the bundled model, bit for bit.
"""

from __future__ import annotations

import logging
import mmap
import os
import tempfile
import threading
from array import array
from importlib import metadata
from pathlib import Path
from typing import Any

from monitor.cachedir import cache_dir

MIN_CHARS = 12
SAMPLE_CHARS = 1000
MIN_CONFIDENCE = 0.5
# The model also knows varieties with no ISO 639-1 code: report their macrolanguage, and
# nothing for the rest ('zxx' is "no linguistic content").
_TO_ISO_639_1 = {"wuu": "zh", "yue": "zh", "arz": "ar", "ary": "ar", "gug": "gn", "uzs": "uz", "sdh": "ku"}


def _has_letters(text: str, count: int) -> bool:
    """Does `text` hold at least `count` letters? Stops counting as soon as it does."""
    for ch in text:
        if ch.isalpha():
            count -= 1
            if count <= 0:
                return True
    return count <= 0


log = logging.getLogger("monitor.langid")

# Bump when what `_write_tables` produces changes.
_TABLES_VERSION = 1
_NEXT, _PTC, _SMALL = "nextmove.u32", "ptc.f16", "small.npz"


def tables_dir() -> Path:
    """The cache folder of the mapped tables, for the installed py3langid (in monitor's
    cache folder)."""
    return cache_dir() / f"langid-{_TABLES_VERSION}-{metadata.version('py3langid')}"


def _write_tables(folder: Path) -> None:
    """py3langid's model as two raw tables and the small arrays, into `folder` (atomically:
    a temporary folder renamed into place; a folder already there is kept)."""
    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import load_model

    ptc, pc, classes, nextmove, row, output = load_model(MODEL_DIR / MODEL_FILE)
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=".partial-langid-", dir=folder.parent))
    try:
        np.asarray(nextmove, dtype=np.uint32).tofile(partial / _NEXT)
        ptc = np.ascontiguousarray(ptc, dtype=np.float16)
        ptc.tofile(partial / _PTC)
        np.savez(
            partial / _SMALL, pc=np.asarray(pc, dtype=np.float32), classes=np.array(classes),
            row=np.asarray(row, dtype=np.uint32), out=np.asarray(output, dtype=np.int32),
            ptc_shape=np.array(ptc.shape), next_size=np.array(len(nextmove)),
        )
        for name in (_NEXT, _PTC, _SMALL):
            with (partial / name).open("rb") as handle:
                os.fsync(handle.fileno())
        try:
            partial.rename(folder)
        except OSError:  # another process built it first
            if not (folder / _SMALL).exists():
                raise
    finally:
        for leftover in partial.glob("*") if partial.exists() else ():
            leftover.unlink()
        if partial.exists():
            partial.rmdir()


class _MappedTables:
    """The two large tables, mapped read-only from their files."""

    def __init__(self, folder: Path) -> None:
        import numpy as np

        with np.load(folder / _SMALL) as small:
            self.pc = small["pc"]
            self.classes = [str(c) for c in small["classes"]]
            self.row = array("I", small["row"].tobytes())
            self.out = array("i", small["out"].tobytes())
            features, languages = (int(n) for n in small["ptc_shape"])
            next_size = int(small["next_size"])
        self._maps: list[mmap.mmap] = []
        for name, size in ((_NEXT, 4 * next_size), (_PTC, 2 * features * languages)):
            with (folder / name).open("rb") as handle:
                found = os.fstat(handle.fileno()).st_size
                if found != size:
                    raise ValueError(f"{folder / name}: {found} bytes, not {size}")
                self._maps.append(mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_READ))
        self.nextmove = memoryview(self._maps[0]).cast("I")
        self.ptc = np.frombuffer(self._maps[1], dtype=np.float16).reshape(features, languages)

    def drop_pages(self) -> None:
        """Unmap the pages read so far from this process (the page cache keeps them)."""
        for mapped in self._maps:
            mapped.madvise(mmap.MADV_DONTNEED)


_loading = threading.Lock()
# The identifier and the tables it reads, made once (not per thread: a second identifier's
# pages would never be let go).
_loaded: list[tuple[Any, _MappedTables | None] | None] = [None]


def _load() -> tuple[Any, _MappedTables | None]:
    """py3langid's identifier on the mapped tables, built into the cache at first use; where
    the cache cannot be written or mapped, on its own in-memory model (with a warning)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    folder = tables_dir()
    try:
        if not (folder / _SMALL).exists():
            _write_tables(folder)
        tables = _MappedTables(folder)
    except (OSError, ValueError) as exc:
        log.warning("language identification: tables in %s unusable (%s); model kept in memory", folder, exc)
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True), None
    identifier = LanguageIdentifier(
        tables.ptc, tables.pc, tables.classes, tables.nextmove, tables.out, norm_probs=True, tk_row=tables.row
    )
    return identifier, tables


def _model() -> tuple[Any, _MappedTables | None]:
    loaded = _loaded[0]
    if loaded is None:
        with _loading:
            loaded = _loaded[0]
            if loaded is None:
                loaded = _loaded[0] = _load()
    return loaded


def _classify(sample: str) -> tuple[str, float]:
    """(language code, confidence) of the bundled model; the mapped pages read are let go."""
    identifier, tables = _model()
    try:
        code, confidence = identifier.classify(sample)
    finally:
        if tables is not None:
            tables.drop_pages()
    return str(code), float(confidence)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when too short or unsure.

    Only the first SAMPLE_CHARS characters are looked at: more adds time, not accuracy,
    and an article may hold 100,000.
    """
    sample = " ".join(text[: 4 * SAMPLE_CHARS].split())[:SAMPLE_CHARS]
    if not _has_letters(sample, MIN_CHARS):
        return None
    code, confidence = _classify(sample)
    if confidence < MIN_CONFIDENCE:
        return None
    code = _TO_ISO_639_1.get(str(code), str(code))
    return code if len(code) == 2 else None


def language_confidence(text: str) -> float:
    """How sure the model is of the language of `text` (0 to 1), whatever the language: a
    text decoded with the wrong character set reads as no language in particular."""
    sample = " ".join(text[: 4 * SAMPLE_CHARS].split())[:SAMPLE_CHARS]
    if not _has_letters(sample, MIN_CHARS):
        return 0.0
    return _classify(sample)[1]
