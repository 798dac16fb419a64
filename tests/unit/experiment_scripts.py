"""An `experiments/` script loaded as a module, for the probe schema tests that read its loader.

The scripts are run from the command line, not installed; they are registered in `sys.modules` under
their own name so the dataclasses and pydantic models they define resolve as in a script run.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"


def load_script(name: str) -> ModuleType:
    """experiments/<name>.py as module `name` (once per process: a second call returns the same module)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, EXPERIMENTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
