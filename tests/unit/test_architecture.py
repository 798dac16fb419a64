"""The layout follows the flow (docs/architecture.md): imports only point downstream, no module imports
itself in a cycle, and the model is scored in one place (`pred_contrib` only in `model/predictor.py`)."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from functools import cache

from product_sources import PACKAGES, module_paths, syntax_nodes

# package -> the project packages it may import (the flow: letters -> features -> model -> training/serving)
ALLOWED: dict[str, set[str]] = {
    "letters": set(),
    "features": {"letters"},
    "synthetic": {"letters", "features"},
    "model": {"letters", "features"},
    "training": {"letters", "features", "model"},
    "serving": {"letters", "features", "model"},
    "imr_triage": {"letters", "features", "synthetic", "model", "training", "serving"},
}


def _imports(nodes: Sequence[ast.AST], name: str, known: set[str], is_package: bool = False) -> set[str]:
    """Project modules a module (all its nodes, `ast.walk` of its tree) imports anywhere in its body
    (deferred imports included)."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()

    def resolve(module: str) -> None:
        while module and module not in known:
            module = module.rpartition(".")[0]
        if module:
            found.add(module)

    typing_only = {  # `if TYPE_CHECKING:` imports never run
        id(n) for node in nodes
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for stmt in node.body for n in ast.walk(stmt)
    }
    for node in nodes:
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                resolve(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            resolve(base)
            for alias in node.names:
                resolve(f"{base}.{alias.name}")
    return found - {name}


@cache
def _graph() -> dict[str, set[str]]:
    """Each project module -> the project modules it imports (built once; the tests only read it)."""
    modules = module_paths()
    known = set(modules)
    return {
        name: _imports(syntax_nodes(path), name, known, path.name == "__init__.py")
        for name, path in modules.items()
    }


def _upstream_imports(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{mod} imports {dep}"
        for mod, deps in graph.items()
        for dep in deps
        if dep.split(".")[0] != mod.split(".")[0] and dep.split(".")[0] not in ALLOWED[mod.split(".")[0]]
    )


def test_every_scanned_package_has_its_import_rule() -> None:
    """The modules scanned are those of the packages ALLOWED rules on (shared with the settings-doc test)."""
    assert sorted(PACKAGES) == sorted(ALLOWED)


def test_packages_import_only_downstream() -> None:
    assert _upstream_imports(_graph()) == []


def test_no_module_import_cycles() -> None:
    graph = _graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep):], dep])
            elif dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_model_is_scored_in_one_place() -> None:
    """Only the predictor asks LightGBM for TreeSHAP contributions; only `RiskBands` walks band edges."""
    contrib, bands = set(), set()
    for name, path in module_paths().items():
        for node in syntax_nodes(path):
            if isinstance(node, ast.Call) and any(k.arg == "pred_contrib" for k in node.keywords):
                contrib.add(name)
            if isinstance(node, ast.For) and isinstance(node.iter, ast.Call):
                walked = ast.unparse(node.iter)  # `for edge, label in zip(edges, labels)`: a band lookup
                if walked.startswith("zip(") and "edge" in walked and "label" in walked:
                    bands.add(name)
    assert sorted(contrib) == ["model.predictor"]
    assert sorted(bands) == ["model.predictor"]


def test_the_guard_sees_a_deferred_upstream_import() -> None:
    """A function-level import against the flow is caught (so the test above can fail)."""
    known = set(module_paths())
    source = "def f():\n    from model.predictor import Predictor\n    from . import records\n"
    deps = _imports(tuple(ast.walk(ast.parse(source))), "letters.fake", known)
    assert deps == {"model.predictor", "letters", "letters.records"}
    assert _upstream_imports({"letters.fake": deps}) == ["letters.fake imports model.predictor"]
