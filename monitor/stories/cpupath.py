"""Which e5-small graph to run on this CPU: a pure choice from the CPU's flags.

ONNX Runtime picks its matrix kernels by cpuid, so no graph here can trap on a missing
instruction; what differs between CPUs is speed and, for int8, the result. Measured on a
Xeon with AVX-512 VNNI and AMX, and on the same Xeon with AVX-512, VNNI and AMX hidden from
cpuid (what ONNX Runtime then runs is its AVX2 code, as on an AMD EPYC of the Zen 3 kind);
docs/performance.md has the figures:

- int8 (8-bit weights per output channel, activations quantized per call) is the reference
  path: where VNNI (AVX-512 or AVX) or AMX multiply bytes, it is the fastest by far.
- Without VNNI the int8 kernels multiply with VPMADDUBSW, which saturates when two products
  of a byte and a signed byte add up past 32,767: the same graph then gives other vectors
  (cosine 0.9945 to the reference on one text in 200). With 7-bit weights (`int7`, the
  quantizer's reduce_range) no sum can saturate; it runs as fast, and agrees with the
  reference to 0.9957 or more.
- fp32 (the 4-bit weights widened as they are, no quantization) is the safe path: plain
  float kernels on any CPU, 0.995 or more to the reference, two to three times slower.

Everywhere, texts run two at a time on one thread each (`parallel_runs`): one run on two
threads measured half as fast on texts of 60-100 tokens.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["SAFE_PATH", "EmbedPath", "choose_path", "cpu_flags", "forced_path", "path_named"]

Weights = Literal["int8", "int7", "fp32"]


@dataclass(frozen=True)
class EmbedPath:
    """How the e5-small graph runs: its weights, and whether texts run side by side."""

    weights: Weights
    parallel_runs: bool = True
    why: str = ""
    """What in the CPU's flags led here, for the log line that names the path."""

    def __str__(self) -> str:
        runs = "texts side by side, one thread each" if self.parallel_runs else "one text at a time"
        because = f" ({self.why})" if self.why else ""
        return f"{self.weights}, {runs}{because}"


SAFE_PATH = EmbedPath("fp32", why="the safe path: float kernels on any CPU")

# cpuid features (as Linux names them in /proc/cpuinfo) under which int8 multiplies bytes
# without saturating sums: AVX-512 VNNI, AVX-VNNI, AMX.
_BYTE_DOT = frozenset({"avx512_vnni", "avx_vnni", "amx_int8"})
# Arm's byte dot product (SDOT/UDOT), which ONNX Runtime's int8 kernels use where present.
_ARM_DOT = frozenset({"asimddp"})


def choose_path(flags: Iterable[str], machine: str = "x86_64") -> EmbedPath:
    """The path for a CPU with these flags (Linux's names, as in /proc/cpuinfo's "flags" or
    "Features") and this `platform.machine()`.

    int8 where bytes are multiplied without saturating (VNNI or AMX on x86, the dot
    product on Arm); int7 on other x86 with AVX2, where int8 would saturate; fp32 anywhere
    else, or when the flags say nothing (unreadable, an unknown machine).
    """
    have = frozenset(flag.strip().lower() for flag in flags)
    arch = machine.strip().lower()
    if arch in ("x86_64", "amd64", "i686", "i386", "x86"):
        dot = sorted(have & _BYTE_DOT)
        if dot:
            return EmbedPath("int8", why=f"x86 with {', '.join(dot)}")
        if "avx2" in have:
            return EmbedPath("int7", why="x86 with AVX2 and no VNNI or AMX: 7-bit weights never saturate")
    elif arch in ("aarch64", "arm64") and have & _ARM_DOT:
        return EmbedPath("int8", why="Arm with the byte dot product (asimddp)")
    why = f"{arch or 'unknown machine'} without a fast int8 path" if have else "CPU flags unknown"
    return EmbedPath("fp32", why=why)


def cpu_flags(cpuinfo: str = "/proc/cpuinfo") -> frozenset[str]:
    """The CPU's feature flags as Linux lists them (the first "flags" or "Features" line);
    empty where there is no such file (macOS, Windows) or it cannot be read."""
    value = _cpuinfo_value(cpuinfo, ("flags", "Features"))
    return frozenset(value.split()) if value is not None else frozenset()


def cpu_model(cpuinfo: str = "/proc/cpuinfo") -> str:
    """The CPU's model name (Linux), else what `platform` knows."""
    value = _cpuinfo_value(cpuinfo, ("model name", "Model", "Hardware"))
    if value is not None:
        return value.strip()
    return platform.processor() or platform.machine() or "unknown CPU"


def _cpuinfo_value(cpuinfo: str, keys: tuple[str, ...]) -> str | None:
    """The value of the first line of `cpuinfo` keyed by one of `keys`; None where there is
    none, no such file or it cannot be read."""
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key.strip() in keys:
                    return value
    except OSError:
        pass
    return None


def path_named(name: str) -> EmbedPath:
    """The path called `name` ("int8", "int7" or "fp32"), chosen by hand."""
    key = name.strip().lower()
    if key not in ("int8", "int7", "fp32"):
        raise ValueError(f"MONITOR_EMBED_PATH: expected int8, int7 or fp32, not {name!r}")
    weights: Weights = "int8" if key == "int8" else "int7" if key == "int7" else "fp32"
    return EmbedPath(weights, why="chosen by MONITOR_EMBED_PATH")


def forced_path() -> EmbedPath | None:
    """The path set in $MONITOR_EMBED_PATH (for measuring, or to override the choice), if any."""
    name = os.environ.get("MONITOR_EMBED_PATH", "").strip()
    return path_named(name) if name else None
