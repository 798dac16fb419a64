"""`imr synth` draws letters without the NLP stack: the generator reads the feature modules' data and plain
names, never spaCy (it cost about a second of every synth run's start, and a worker's)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_imr_synth_runs_without_importing_spacy(tmp_path: Path) -> None:
    """A fresh interpreter runs `imr synth` on two letters, so every import the command makes when it runs
    is made, and reports whether spaCy was imported."""
    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from imr_triage.cli import app\n"
        f"res = CliRunner().invoke(app, ['synth', '--n', '2', '--out', {str(tmp_path / 'corpus')!r}, "
        f"'--no-progress', '--params', {str(tmp_path / 'no-params.yaml')!r}])\n"
        "assert res.exit_code == 0, res.output\n"
        "print(sorted(m for m in sys.modules if m == 'spacy' or m.startswith('spacy.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert (tmp_path / "corpus" / "ground_truth.parquet").is_file()
    assert out.stdout.strip().splitlines()[-1] == "[]"
