"""deploy/monitor@.service: the template unit of issue 17's roles, checked as systemd reads it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

ROLES = ("poll", "stories", "deliver")


def test_the_template_unit_verifies_for_each_role(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    text = (ROOT / "deploy" / "monitor@.service").read_text(encoding="utf-8")
    for needed in (
        "User=monitor",
        "Restart=on-failure",
        "run --role %i",
        "EnvironmentFile=/etc/monitor/monitor.env",
    ):
        assert needed in text
    monitor = Path(sys.executable).parent / "monitor"
    env = tmp_path / "monitor.env"
    shutil.copy(ROOT / "deploy" / "monitor.env.example", env)
    text = text.replace("/opt/monitor/.venv/bin/monitor", str(monitor)).replace(
        "/etc/monitor/monitor.env", str(env)
    )
    (tmp_path / "monitor@.service").write_text(text, encoding="utf-8")
    units = []
    for role in ROLES:  # an instance is a symlink to the template, as `systemctl enable` makes
        (tmp_path / f"monitor@{role}.service").symlink_to(tmp_path / "monitor@.service")
        units.append(str(tmp_path / f"monitor@{role}.service"))
    result = subprocess.run(
        [analyze, "verify", "--man=no", *units], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    problems = [line for line in result.stderr.splitlines() if "monitor" in line]
    assert not problems, problems


def test_the_example_environment_gives_every_role_a_metrics_port_and_no_password() -> None:
    unit = (ROOT / "deploy" / "monitor@.service").read_text(encoding="utf-8")
    example = (ROOT / "deploy" / "monitor.env.example").read_text(encoding="utf-8")
    settings = dict(
        line.split("=", 1) for line in example.splitlines() if line.strip() and not line.startswith("#")
    )
    (used,) = re.findall(r"\$\{(MONITOR_METRICS_PORT_)%i\}", unit)
    ports = [settings[f"{used}{role}"] for role in ROLES]
    assert all(p.isdigit() for p in ports) and len(set(ports)) == len(ports)
    url = settings["MONITOR_DATABASE_URL"]
    assert url.startswith("postgresql://") and ":" not in url.split("//", 1)[1].split("@", 1)[0]
    assert "PGPASSFILE" in settings
