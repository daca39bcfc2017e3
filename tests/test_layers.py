"""The architecture holds: no lower layer imports a higher one, and no modules form a cycle.

    server.core  <-  server.events  <-  server.domain  <-  realtime | search | animation
                 <-  server.app  <-  web  <-  server.app.asgi, server.cli (composition roots)

Every import counts — at module level or inside a function — except those under
``if TYPE_CHECKING:`` (they never run). docs/architecture.md explains each layer.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("server", "realtime", "search", "animation", "web")

# (prefix, layer, rank): a module belongs to the layer of the longest prefix it starts with.
# Layers of the same rank are peers: they may not import each other.
LAYERS: tuple[tuple[str, str, int], ...] = (
    ("server.core", "core", 0),
    ("server.events", "events", 1),
    ("server.domain", "domain", 2),
    ("realtime", "realtime", 3),
    ("search", "search", 3),
    ("animation", "animation", 3),
    ("server.app", "app", 4),
    ("web", "web", 5),
    ("server.app.asgi", "root", 6),
    ("server.cli", "root", 6),
    ("server", "root", 6),  # server/__init__.py only
)


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """The lines of ``if TYPE_CHECKING:`` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for child in node.body:
                    lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(path: Path, root: Path, modules: set[str]) -> Iterator[Import]:
    """The first-party modules ``path`` imports, resolved to modules that exist."""
    source = module_name(path, root)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_lines(tree)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom) or node.lineno in skipped:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            # ``from package import module`` imports the module; ``from module import name``
            # imports the module.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != source:
                yield Import(source, target, node.lineno)


def import_graph(root: Path, packages: tuple[str, ...] = PACKAGES) -> list[Import]:
    files = [p for package in packages for p in sorted((root / package).rglob("*.py"))]
    files = [p for p in files if "migrations" not in p.parts]
    modules = {module_name(p, root) for p in files}
    return [edge for p in files for edge in imports_of(p, root, modules)]


def layer_of(module: str) -> tuple[str, int]:
    best = max(
        (entry for entry in LAYERS if module == entry[0] or module.startswith(entry[0] + ".")),
        key=lambda entry: len(entry[0]),
    )
    return best[1], best[2]


def layer_violations(edges: list[Import]) -> list[str]:
    found = set()
    for edge in edges:
        (source_layer, source_rank), (target_layer, target_rank) = (
            layer_of(edge.source),
            layer_of(edge.target),
        )
        if source_layer == target_layer or target_rank < source_rank:
            continue
        found.add(
            f"{edge.source}:{edge.line} ({source_layer}) imports {edge.target} ({target_layer})"
        )
    return sorted(found)


def cycles(edges: list[Import]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, set()).add(edge.target)
        graph.setdefault(edge.target, set())
    return [sorted(c) for c in _components(graph) if len(c) > 1]


def _components(graph: Mapping[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_lower_layer_imports_a_higher_one() -> None:
    violations = layer_violations(import_graph(ROOT))
    assert violations == [], "\n".join(violations)


def test_no_import_cycles() -> None:
    found = cycles(import_graph(ROOT))
    assert found == [], "\n".join(" <-> ".join(c) for c in found)


def test_every_module_has_a_layer() -> None:
    edges = import_graph(ROOT)
    modules = {e.source for e in edges} | {e.target for e in edges}
    assert modules, "no first-party import found: the checker reads nothing"
    unlayered = sorted(m for m in modules if layer_of(m)[0] == "root" and m != "server")
    allowed = ("server.app.asgi", "server.cli")
    assert [m for m in unlayered if not m.startswith(allowed)] == []


def _plant(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for package in {p.parent for p in root.rglob("*.py")}:
        (package / "__init__.py").touch()


def test_a_planted_upward_import_is_caught(tmp_path: Path) -> None:
    """The checker reports a core module that imports the HTTP layer, even inside a function,
    but not a TYPE_CHECKING import."""
    _plant(
        tmp_path,
        {
            "server/core/settings.py": "X = 1\n",
            "server/app/http.py": "from server.core.settings import X\n",
            "server/core/db.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from server.app import http\n"
                "def f():\n    from server.app.http import X\n    return X\n"
            ),
            "realtime/hub.py": "import search.sqlite\n",
            "search/sqlite.py": "X = 2\n",
        },
    )
    violations = layer_violations(import_graph(tmp_path))
    assert violations == [
        "realtime.hub:1 (realtime) imports search.sqlite (search)",
        "server.core.db:5 (core) imports server.app.http (app)",
    ]


def test_a_planted_cycle_is_caught(tmp_path: Path) -> None:
    _plant(
        tmp_path,
        {
            "search/backend.py": "def make():\n    from search import sqlite\n",
            "search/sqlite.py": "from search.backend import make\n",
            "search/query.py": "from search.backend import make\n",
        },
    )
    assert cycles(import_graph(tmp_path)) == [["search.backend", "search.sqlite"]]
