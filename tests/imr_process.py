"""`imr ARGS` as its own process, the program a shell or a scheduler runs: the e2e tests that check exit
codes and what reaches stderr run the CLI this way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CLI = "from imr_triage.cli import app; app()"


def run_imr(
    *args: str, cwd: Path, columns: int = 200, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Runs `imr ARGS` in `cwd` with a fixed terminal width (tables are not wrapped mid-word) and one BLAS
    thread (two test workers share the cores)."""
    env = {**os.environ, "COLUMNS": str(columns), "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, env=env, check=False)  # fmt: skip
