"""The model probe's child process imports the project's packages whatever folder the server runs in: started
beside a `model/` artifact folder (`cd models && imr serve --model-path model`), the child imported that
folder as the `model` package and refused every model ("no such file .../model/guideline_phrases.yaml")."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.synthetic_explain_model import synthetic_model_dir

pytestmark = pytest.mark.slow

# run as `imr serve` runs it: the installed packages, no repository root on sys.path, started in `cwd`
PROBE = ("from pathlib import Path; from serving.model_probe import probe_in_child; "
         "probe_in_child(Path('model'), feature_spec=None, timeout_s=120)")


def test_a_model_folder_in_the_current_folder_does_not_shadow_the_model_package(tmp_path: Path) -> None:
    shutil.copytree(synthetic_model_dir(), tmp_path / "model")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([sys.executable, "-P", "-c", PROBE], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=180, check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
