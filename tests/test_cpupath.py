from __future__ import annotations

from pathlib import Path

import pytest

from monitor.stories.cpupath import SAFE_PATH, EmbedPath, choose_path, cpu_flags, cpu_model, path_named

CPUINFO = Path(__file__).parent / "fixtures" / "cpuinfo"


@pytest.mark.parametrize(
    ("listing", "machine", "weights"),
    [
        ("xeon-amx.txt", "x86_64", "int8"),  # AVX-512 VNNI, AVX-VNNI, AMX
        ("epyc-7763.txt", "x86_64", "int7"),  # AVX2 and FMA only: int8 would saturate
        ("haswell-e5-2680v3.txt", "x86_64", "int7"),
        ("skylake-gold-6148.txt", "x86_64", "int7"),  # AVX-512 without VNNI saturates too
        ("graviton2-neoverse-n1.txt", "aarch64", "int8"),  # the byte dot product
        ("raspberrypi4-cortex-a72.txt", "aarch64", "fp32"),
    ],
)
def test_the_path_follows_the_cpus_flags(listing: str, machine: str, weights: str) -> None:
    chosen = choose_path(cpu_flags(str(CPUINFO / listing)), machine)
    assert chosen.weights == weights and chosen.parallel_runs


def test_the_reason_names_the_flags_that_decided() -> None:
    assert "amx_int8" in str(choose_path(cpu_flags(str(CPUINFO / "xeon-amx.txt"))))
    assert "AVX2" in str(choose_path(cpu_flags(str(CPUINFO / "epyc-7763.txt"))))


@pytest.mark.parametrize(
    ("flags", "machine"),
    [
        ((), "x86_64"),  # flags unknown (no /proc/cpuinfo: macOS, Windows)
        (("sse2", "sse4_2", "avx"), "x86_64"),  # x86 without AVX2
        (("avx512_vnni", "avx2"), "riscv64"),  # flags that mean nothing on this machine
        (("asimddp",), ""),  # an unknown machine
    ],
)
def test_anything_unknown_gets_the_safe_path(flags: tuple[str, ...], machine: str) -> None:
    assert choose_path(flags, machine).weights == SAFE_PATH.weights == "fp32"


def test_a_single_vnni_flag_is_enough_and_case_does_not_matter() -> None:
    assert choose_path({"AVX2", "AVX_VNNI"}, "AMD64").weights == "int8"
    assert choose_path({"avx2", "amx_int8"}).weights == "int8"


def test_cpu_flags_and_model_read_the_first_processor(tmp_path: Path) -> None:
    flags = cpu_flags(str(CPUINFO / "epyc-7763.txt"))
    assert {"avx2", "fma", "sse4a"} <= flags and "avx512f" not in flags and "4890.85" not in flags
    assert cpu_flags(str(CPUINFO / "graviton2-neoverse-n1.txt")) >= {"asimd", "asimddp"}
    assert cpu_model(str(CPUINFO / "epyc-7763.txt")) == "AMD EPYC 7763 64-Core Processor"
    assert cpu_model(str(CPUINFO / "raspberrypi4-cortex-a72.txt")) == "BCM2835"
    assert cpu_flags(str(tmp_path / "missing")) == frozenset()


def test_a_path_named_by_hand() -> None:
    assert path_named(" FP32 ") == EmbedPath("fp32", why="chosen by MONITOR_EMBED_PATH")
    with pytest.raises(ValueError, match="'int4'"):
        path_named("int4")
