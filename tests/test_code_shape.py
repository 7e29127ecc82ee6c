"""The shape the code keeps: no class over 300 lines anywhere in the package (issue 23 split
the daemon by role and the web queries by subject to get there)."""

from __future__ import annotations

import ast
from pathlib import Path

import monitor

MAX_CLASS_LINES = 300


def test_no_class_is_over_300_lines() -> None:
    package = Path(monitor.__file__).parent
    sizes = {
        f"{path.relative_to(package)}:{node.name}": (node.end_lineno or node.lineno) - node.lineno + 1
        for path in sorted(package.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
    }
    assert len(sizes) > 50  # the walk found the package's classes
    assert {name: lines for name, lines in sizes.items() if lines > MAX_CLASS_LINES} == {}
