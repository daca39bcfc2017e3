"""The metrics of ``animation`` stay pure: they import the standard library and each other,
never the database or the server, so they run anywhere (a worker thread, a benchmark, a
test) on records built by hand."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import animation

PURE = (
    "records",
    "levels",
    "responses",
    "participation",
    "practice",
    "members",
    "onboarding",
    "alerts",
    "health",
    "individual",
)
FOLDER = Path(animation.__file__).parent


def imported(source: str) -> set[str]:
    """The top-level names of the modules ``source`` imports (``from . import`` aside)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module == "animation":
            found |= {f"animation.{alias.name}" for alias in node.names}  # its submodules
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


@pytest.mark.parametrize("name", PURE)
def test_a_metric_module_imports_only_the_standard_library_and_other_metrics(name: str) -> None:
    modules = imported((FOLDER / f"{name}.py").read_text(encoding="utf-8"))
    outside = {
        m
        for m in modules
        if m.split(".")[0] not in sys.stdlib_module_names
        and m.removeprefix("animation.") not in PURE
    }
    assert not outside, f"animation/{name}.py imports {sorted(outside)}"
