"""The Makefile: `make demo`, the README's first command, shows each step's progress (issue 23:
no silent wait over 5 s), checked on what `make -n` would run."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT


def test_make_install_lets_pip_show_its_progress(tmp_path: Path) -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    planned = subprocess.run(
        [make, "-n", "-B", "install", f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    steps = [line for line in planned.splitlines() if "pip" in line or " venv " in line]
    assert steps, planned
    assert not [step for step in steps if "--quiet" in step or " -q " in step], planned
    # venv's own call of ensurepip prints nothing for 5 s or more: it runs apart, with output.
    assert "-m venv --without-pip" in planned and "-m ensurepip" in planned
    assert "--progress-bar on" in planned
