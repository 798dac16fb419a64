"""The MLflow model states what it needs where it is served, pinned to the versions that trained it."""

from __future__ import annotations

import inspect
from importlib.metadata import version
from types import ModuleType

import pytest


@pytest.fixture(scope="module")
def pyfunc() -> ModuleType:
    """`model.pyfunc`, imported when a test here runs: it imports MLflow (half a second), which no other
    fast test module needs at collection."""
    from model import pyfunc

    return pyfunc


def test_requirements_pin_the_installed_versions_of_what_the_wrapper_imports(pyfunc: ModuleType) -> None:
    reqs = dict(r.split("==") for r in pyfunc.pyfunc_requirements())
    assert {"imr-triage", "mlflow", "lightgbm", "pandas", "numpy"} <= set(reqs)
    assert all(reqs[name] == version(name) for name in reqs)


def test_logging_states_them_instead_of_inferring(pyfunc: ModuleType) -> None:
    """Inference loads the model in a subprocess on every registration (seconds each)."""
    assert "pip_requirements=pyfunc_requirements()" in inspect.getsource(pyfunc.log_pyfunc_model)
