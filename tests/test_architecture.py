"""Dependencies point one way. Read from the code in src/: no import cycles (imports inside
functions count: they run, only later), the service never imports the course toolkit, and
importing a module's questions does no work until a check runs."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import pytest

from launchpad.paths import REPO_ROOT

SRC = REPO_ROOT / "src"
SERVICE, TOOLKIT = "sentiment_api", "launchpad"
QUESTIONS = SRC / TOOLKIT / "questions"
# What importing a question package must not load: the app, the model runtimes, the registry,
# the Docker client. A check imports them when it runs.
HEAVY = ("fastapi", "torch", "transformers", "mlflow", "sentiment_api", "docker")


@dataclass
class ImportGraph:
    """Which module of src/ imports which other module of src/, and where (file:line)."""

    modules: dict[str, Path]
    edges: dict[str, dict[str, str]] = field(default_factory=dict)

    def resolve(self, dotted: str) -> str | None:
        """The module of src/ a dotted name lives in (its longest known prefix), or None."""
        parts = dotted.split(".")
        while parts:
            if (name := ".".join(parts)) in self.modules:
                return name
            parts.pop()
        return None


def module_names(src: Path) -> dict[str, Path]:
    modules = {}
    for path in sorted(src.rglob("*.py")):
        if (path.with_suffix("") / "__init__.py").is_file():
            continue  # a package shadows the module of the same name, as it does for Python
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def import_targets(node: ast.AST, module: str, is_package: bool, graph: ImportGraph) -> set:
    """The modules of src/ an import statement in `module` makes Python import (None for
    modules outside src/). `from pkg import name` imports pkg.name when that is a module,
    else pkg. The parent packages that every import also initialises are left out: they
    would tie each submodule to its package."""
    if isinstance(node, ast.Import):
        return {graph.resolve(alias.name) for alias in node.names}
    if not isinstance(node, ast.ImportFrom):
        return set()
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        anchor = package[: len(package) - (node.level - 1)]
        base = ".".join(anchor + ([base] if base else []))
    return {
        f"{base}.{alias.name}" if f"{base}.{alias.name}" in graph.modules else graph.resolve(base)
        for alias in node.names
    }


def import_graph(src: Path = SRC) -> ImportGraph:
    graph = ImportGraph(module_names(src))
    for module, path in graph.modules.items():
        edges = graph.edges.setdefault(module, {})
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            for target in import_targets(node, module, path.name == "__init__.py", graph):
                if target not in (None, module):
                    edges.setdefault(target, f"{path.relative_to(src.parent)}:{node.lineno}")
    return graph


def strongly_connected(edges: dict[str, dict[str, str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that reach each other, largest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(edges) + 100))
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(groups, key=len, reverse=True)


def a_cycle(group: list[str], edges: dict[str, dict[str, str]]) -> list[str]:
    """One shortest way round `group`, from its first module back to it (breadth first)."""
    start, members = group[0], set(group)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for v in frontier:
            for w in sorted(edges.get(v, {})):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if w in members and w not in came_from:
                    came_from[w] = v
                    following.append(w)
        frontier = following
    raise AssertionError(f"{group} is not a cycle")


def describe(cycle: list[str], edges: dict[str, dict[str, str]]) -> str:
    steps = [f"{a} -> {b} ({edges[a][b]})" for a, b in pairwise(cycle)]
    return "\n    ".join(steps)


def test_the_graph_sees_imports_inside_functions_and_relative_imports(tmp_path):
    package = tmp_path / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from pkg import a, b\n")
    (package / "a.py").write_text("def f():\n    from .b import g\n    return g\n")
    (package / "b.py").write_text("def g():\n    import pkg.a\n")
    graph = import_graph(tmp_path / "src")
    assert set(graph.edges["pkg"]) == {"pkg.a", "pkg.b"}  # submodules, not the package itself
    [group] = strongly_connected(graph.edges)
    assert a_cycle(group, graph.edges) == ["pkg.a", "pkg.b", "pkg.a"]


def test_no_import_cycles_in_src():
    graph = import_graph()
    found = [a_cycle(group, graph.edges) for group in strongly_connected(graph.edges)]
    assert not found, "import cycles (first the shortest way round each group):\n" + "\n".join(
        f"  {' -> '.join(cycle)}\n    {describe(cycle, graph.edges)}" for cycle in found
    )


def test_the_service_imports_nothing_from_the_toolkit():
    found = []
    for path in sorted((SRC / SERVICE).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            elif isinstance(node, ast.Call) and node.args:  # importlib.import_module("...")
                called = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if called in ("import_module", "__import__") and isinstance(
                    node.args[0], ast.Constant
                ):
                    names = [str(node.args[0].value)]
            if any(name.split(".")[0] == TOOLKIT for name in names):
                found.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert not found, f"the service must run without the course toolkit: {found}"


def question_packages() -> list[str]:
    names = {p.stem for p in QUESTIONS.iterdir() if re.fullmatch(r"m\d\d(\.py)?", p.name)}
    return sorted(names)


# Runs in a fresh interpreter: records every process started while the package is imported
# (and still starts it), then prints what was started and which heavy modules are loaded.
IMPORT_AND_REPORT = """
import importlib
import json
import subprocess
import sys

started = []


class Recorded(subprocess.Popen):
    def __init__(self, args, *rest, **options):
        started.append(args if isinstance(args, str) else [str(a) for a in args])
        super().__init__(args, *rest, **options)


subprocess.Popen = Recorded
importlib.import_module(sys.argv[1])
heavy = [name for name in json.loads(sys.argv[2]) if name in sys.modules]
print(json.dumps({"started": started, "heavy": heavy}))
"""


@pytest.mark.parametrize("package", question_packages())
def test_importing_a_question_package_does_no_work(package, tmp_path):
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            IMPORT_AND_REPORT,
            f"launchpad.questions.{package}",
            json.dumps(HEAVY),
        ],
        cwd=tmp_path,
        env={**os.environ, "LAUNCHPAD_WORKSPACE": str(tmp_path / "workspace")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert not report["started"], f"importing {package} started processes: {report['started']}"
    assert not report["heavy"], f"importing {package} loaded {report['heavy']}"
