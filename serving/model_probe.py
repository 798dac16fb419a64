"""Prove a model directory loads and scores in a child process before the server loads it itself.

A damaged LightGBM model file can abort or crash the process that parses it (a truncated
`booster.txt` ends in SIGABRT or SIGSEGV inside LightGBM), which no `try` can catch. The first load
of each new version therefore runs here, in a child: the server loads the model only after the child
loaded it, scored the smoke rows and exited cleanly; a crash becomes a refusal naming the signal.

    python -m serving.model_probe MODEL_DIR [--feature-spec NAME]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path


class ModelProbeError(ValueError):
    """The child process could not load and score the model (crashed, failed or timed out)."""


def probe_in_child(directory: Path, *, feature_spec: str | None, timeout_s: float) -> None:
    """Load and smoke-check `directory` in a child Python process; raise `ModelProbeError` if it fails."""
    # -P: `-m` would put the current folder first on sys.path, and a folder there named like a package
    # (`model/`, the artifact `imr train` writes) would shadow it ("cd models && imr serve" failed)
    cmd = [sys.executable, "-P", "-m", "serving.model_probe", str(directory)]
    if feature_spec:
        cmd += ["--feature-spec", feature_spec]
    env = dict(os.environ)
    # The child imports exactly the modules this process imports.
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    env["IMR_PROBE_PARENT_PID"] = str(os.getpid())
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout_s, env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ModelProbeError(f"{directory}: the probe process did not finish in {timeout_s:g} s") from exc
    if proc.returncode == 0:
        return
    if proc.returncode < 0:
        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = f"signal {-proc.returncode}"
        raise ModelProbeError(f"{directory}: loading the model crashed a probe process ({name})")
    lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    raise ModelProbeError(lines[-1] if lines else f"{directory}: probe exited with {proc.returncode}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m serving.model_probe", description=__doc__)
    ap.add_argument("directory", type=Path)
    ap.add_argument("--feature-spec", default=None)
    args = ap.parse_args(argv)
    parent = os.environ.get("IMR_PROBE_PARENT_PID")
    if parent:
        from serving.parent_watch import exit_with_parent

        exit_with_parent(int(parent), signal.SIGKILL, kernel=False)  # started from a loader thread
    from features.spec import load_spec
    from model.artifact import TriageModel
    from model.predictor import Predictor

    try:
        model = TriageModel.load(args.directory)
        Predictor(model, fast_shap=False).check(load_spec(args.feature_spec))
    except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
