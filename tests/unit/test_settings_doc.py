"""docs/settings.md lists every environment variable with its default, and cannot drift from the code.

The table is generated from the settings classes; this test regenerates it and compares, finds every
pydantic-settings class in the packages (so a new one must be listed), and every variable name the
code spells out (so one read with `os.environ` must be documented too).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from product_sources import REPO, module_paths, syntax_nodes

from imr_triage import settings_doc

VARIABLE = re.compile(r"(IMR|MLFLOW|PROMETHEUS)_[A-Z0-9_]*[A-Z0-9]")


def _trees() -> list[tuple[Path, tuple[ast.AST, ...]]]:
    """Every module of the packages and all its nodes, parsed and walked once per worker (shared with the
    architecture test)."""
    return [(path, syntax_nodes(path)) for path in module_paths().values()]


def test_committed_table_is_the_generated_one() -> None:
    assert settings_doc.documented_table() == settings_doc.render(), (
        "docs/settings.md is out of date: run `python -m imr_triage.settings_doc --write`"
    )


def test_every_settings_class_is_in_the_table() -> None:
    found = set()
    for path, nodes in _trees():
        for node in nodes:
            if isinstance(node, ast.ClassDef) and any(
                getattr(b, "id", getattr(b, "attr", None)) == "BaseSettings" for b in node.bases
            ):
                module = ".".join(path.relative_to(REPO).with_suffix("").parts)
                found.add(f"{module}:{node.name}")
    assert found == set(settings_doc.SETTINGS_CLASSES)


def test_every_variable_the_code_names_is_documented_with_a_meaning() -> None:
    documented = {v.name: v for v in settings_doc.rows()}
    named = set()
    for _path, nodes in _trees():
        for node in nodes:
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and VARIABLE.fullmatch(node.value)
            ):
                named.add(node.value)
    assert named <= set(documented), sorted(named - set(documented))
    assert {"IMR_SCORES_DB_URL", "IMR_SERVE_API_KEYS", "MLFLOW_TRACKING_URI"} <= set(documented)
    assert [v.name for v in documented.values() if not (v.meaning and v.default)] == []
    assert "imr-dev-key" in settings_doc.DOC.read_text(encoding="utf-8")


def test_the_readme_carries_the_same_table() -> None:
    assert settings_doc.documented_table(settings_doc.README) == settings_doc.render(), (
        "README.md's settings table is out of date: run `python -m imr_triage.settings_doc --write`"
    )
