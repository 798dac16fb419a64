"""Nothing runs at import: the extractors, the feature table and the explanation and scoring paths import
without reading the packaged criteria table; it is read when the extractors are first listed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a fresh interpreter importing the whole stack: seconds, not a unit check

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_extractors_reads_no_criteria_table() -> None:
    """A fresh interpreter imports the extractors, the feature table and the explanation and scoring paths;
    the packaged criteria table is read only when an extractor is first listed."""
    probe = (
        "import features.extractors, features.extractors.criteria_level, features.table, model.explanations, "
        "serving.case_rows\n"
        "from features.criteria import _packaged\n"
        "print(_packaged.cache_info().currsize)\n"
        "features.extractors.registered_extractors()\n"
        "print(_packaged.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.split() == ["0", "1"]
