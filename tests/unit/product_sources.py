"""The project's own modules, each read, parsed and walked once per worker: the architecture and settings-doc
tests walk the same syntax trees, and parsing or walking every module again per test cost seconds of the fast
suite."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("letters", "features", "synthetic", "model", "training", "serving", "imr_triage")


@cache
def module_paths() -> dict[str, Path]:
    """Dotted module name (a package under its own name) -> its file, for every module of PACKAGES."""
    out = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            name = ".".join(path.relative_to(REPO).with_suffix("").parts)
            out[name.removesuffix(".__init__")] = path
    return out


@cache
def syntax_tree(path: Path) -> ast.Module:
    """The parsed module; callers only read it."""
    return ast.parse(path.read_text(encoding="utf-8"))


@cache
def syntax_nodes(path: Path) -> tuple[ast.AST, ...]:
    """Every node of the parsed module, in `ast.walk` order (five full walks per worker became one)."""
    return tuple(ast.walk(syntax_tree(path)))
