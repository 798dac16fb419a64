"""MLflow tracking: where runs go, and one call that logs a trained, evaluated model with its context.

Default store is `sqlite:///mlflow.db` in the working directory with artifacts under `./mlartifacts`;
`MLFLOW_TRACKING_URI` points the same code at a shared tracking server (as a retraining job does).
What a run logs names no path of the machine that logged it: the model's files are referred to by
their run URI, and a local store's MLmodel names the model by its run-relative name (MLflow 3 would
write the store's absolute folder there), so a store can be moved or shared as it is.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

import pandas as pd

from model.artifact import TriageModel

DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"
DEFAULT_EXPERIMENT = "imr-triage"
LOCAL_ARTIFACT_DIR = "mlartifacts"
MODEL_NAME = "model"  # the logged pyfunc's name in its run
ARTIFACT_DIR = "triage_model"  # the plain TriageModel directory, logged to the run first


def resolve_tracking_uri(uri: str | None = None) -> str:
    """Explicit URI, else `MLFLOW_TRACKING_URI`, else the project-local SQLite file."""
    return uri or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


def configure(uri: str | None = None, experiment: str = DEFAULT_EXPERIMENT) -> str:
    """Point mlflow at the store and make sure the experiment exists; returns the experiment id.

    For a local SQLite store the experiment's artifacts go to `./mlartifacts` (absolute path), so
    runs, plots and models stay inside the project folder; a server decides its own artifact root.
    """
    import mlflow

    resolved = resolve_tracking_uri(uri)
    mlflow.set_tracking_uri(resolved)
    client = mlflow.MlflowClient()
    found = client.get_experiment_by_name(experiment)
    if found is not None:
        mlflow.set_experiment(experiment)
        return found.experiment_id
    location = None
    if resolved.startswith("sqlite:") or resolved.startswith("file:") or "://" not in resolved:
        location = (Path.cwd() / LOCAL_ARTIFACT_DIR).resolve().as_uri()
    exp_id = client.create_experiment(experiment, artifact_location=location)
    mlflow.set_experiment(experiment)
    return exp_id


def git_commit(cwd: Path | None = None) -> dict[str, str]:
    """HEAD commit and whether the tree had uncommitted changes ('unknown' outside a git repo)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        return {"git_commit": head, "git_dirty": str(bool(dirty)).lower()}
    except (OSError, subprocess.SubprocessError):
        return {"git_commit": "unknown", "git_dirty": "unknown"}


_PARAM_KEY = re.compile(r"^[A-Za-z0-9_\-. :/]+$")  # what MLflow accepts in a param name


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    # a mapping keyed by patterns (`crit_*`) stays one JSON value: its keys are no MLflow param names
    if isinstance(value, dict) and all(_PARAM_KEY.match(str(k)) for k in value):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    elif isinstance(value, dict):
        out[prefix] = json.dumps(value, sort_keys=True)
    else:
        out[prefix] = value


def flatten_params(params: dict[str, Any]) -> dict[str, str]:
    """Nested params -> dotted keys with string values (MLflow's param limit is 6000 chars each); a
    mapping whose keys MLflow would refuse in a name (`crit_*`) is one JSON value under its parent."""
    flat: dict[str, Any] = {}
    _flatten("", params, flat)
    return {k: str(v)[:6000] for k, v in flat.items()}


@dataclass(frozen=True)
class LoggedRun:
    run_id: str
    model_uri: str
    experiment_id: str
    tracking_uri: str


def log_training_run(
    model: TriageModel,
    model_dir: Path,
    example_rows: pd.DataFrame,
    params: dict[str, Any],
    metrics: dict[str, float],
    report_files: list[Path],
    data_fingerprint: dict[str, Any],
    run_name: str | None = None,
    experiment: str = DEFAULT_EXPERIMENT,
    tracking_uri: str | None = None,
    tags: dict[str, str] | None = None,
) -> LoggedRun:
    """One MLflow run: params, metrics, plots/reports, feature spec, data fingerprint, git commit, model."""
    import mlflow

    from model.pyfunc import log_pyfunc_model

    exp_id = configure(tracking_uri, experiment)
    with mlflow.start_run(run_name=run_name) as run:
        mlflow.set_tags(
            {
                **git_commit(),
                **(tags or {}),
                "model_version": model.metadata.model_version,
                "feature_spec_fingerprint": model.metadata.feature_spec_fingerprint,
                "synthetic_training_data": str(model.metadata.synthetic_training_data).lower(),
                "calibration": f"{model.metadata.calibration.get('weighting')}+"
                f"{model.metadata.calibration.get('method')}",
            }
        )
        mlflow.log_params(flatten_params(params))
        clean = {
            k.replace("@", "_at_"): float(v)
            for k, v in metrics.items()
            if isinstance(v, int | float) and v == v
        }
        mlflow.log_metrics(clean)
        for f in report_files:
            if f.is_file():
                mlflow.log_artifact(str(f), artifact_path="plots" if f.suffix == ".png" else "reports")
        with tempfile.TemporaryDirectory() as tmp:
            t = Path(tmp)
            (t / "feature_spec.json").write_text(model.spec.model_dump_json(indent=1), encoding="utf-8")
            (t / "data_fingerprint.json").write_text(json.dumps(data_fingerprint, indent=1), encoding="utf-8")
            (t / "calibration_choice.json").write_text(
                json.dumps(model.metadata.calibration, indent=1), encoding="utf-8"
            )
            for name in ("feature_spec.json", "data_fingerprint.json", "calibration_choice.json"):
                mlflow.log_artifact(str(t / name), artifact_path="context")
        for key, val in data_fingerprint.items():
            if isinstance(val, int | float) and not isinstance(val, bool):
                mlflow.log_metric(f"data.{key}", float(val))
        mlflow.set_tag("data_sha256", str(data_fingerprint.get("sha256", "")))
        # By run URI, not by the local folder: MLmodel records where its artifacts came from.
        mlflow.log_artifacts(str(model_dir), artifact_path=ARTIFACT_DIR)
        source = f"runs:/{run.info.run_id}/{ARTIFACT_DIR}"
        info = log_pyfunc_model(model, source, example_rows, name=MODEL_NAME)
        _drop_local_location(info.model_id)
        return LoggedRun(run.info.run_id, info.model_uri, exp_id, mlflow.get_tracking_uri())


def _drop_local_location(model_id: str) -> None:
    """In a local store, MLmodel's `artifact_path` is the store's absolute folder: name it by the
    model's run-relative name instead (a server store records a location-free mlflow-artifacts URI)."""
    import mlflow
    import yaml

    location = mlflow.get_logged_model(model_id).artifact_location
    if not location.startswith("file:"):
        return
    mlmodel = Path(url2pathname(urlparse(location).path)) / "MLmodel"
    data = yaml.safe_load(mlmodel.read_text(encoding="utf-8"))
    data["artifact_path"] = MODEL_NAME
    mlmodel.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
