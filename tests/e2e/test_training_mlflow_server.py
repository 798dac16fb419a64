"""Train, evaluate, register and promote against a real `mlflow server` on 127.0.0.1 (SQLite backend).

This is how a retraining job talks to a shared tracking server: over HTTP, artifacts proxied by
the server. The corpus is a tiny generated (synthetic) feature table so the test takes seconds.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.e2e.child_process import free_port, stop_process

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from training_tables import tiny_table  # noqa: E402

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow

SMALL_PARAMS = {
    "train": {"cv_folds": 3, "lgbm": {"num_boost_round": 60}},
    "evaluate": {"n_bootstrap": 50, "shap_sample": 200},
    "register": {"model_name": "imr-overturn-e2e", "margin": 0.005},
}


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("mlflow-server")
    port = free_port()
    log = (root / "server.log").open("w")
    proc = subprocess.Popen(
        [
            str(BIN / "mlflow"),
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--backend-store-uri",
            f"sqlite:///{root / 'mlflow.db'}",
            "--artifacts-destination",
            str(root / "artifacts"),
            "--workers",
            "1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=root,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"mlflow server exited early: {(root / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"mlflow server not healthy in 90 s: {(root / 'server.log').read_text()[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        stop_process(proc, grace_s=20)
        log.close()


@dataclass
class Ran:
    returncode: int
    stdout: str


def _imr(args: list[str]) -> Ran:
    """`imr ARGS` in this process (the CLI itself, as a job runs it; the tracking server is the separate
    process here): importing the stack once instead of per command keeps the test to seconds."""
    from typer.testing import CliRunner

    from imr_triage.cli import app

    res = CliRunner().invoke(app, args)
    assert res.exit_code in (0, 3), f"imr {args[0]} failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return Ran(res.exit_code, res.stdout)


def test_train_register_promote_against_live_server(
    mlflow_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow
    import pandas as pd

    tiny_table(500, seed=7).to_parquet(tmp_path / "features.parquet")
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(SMALL_PARAMS))
    monkeypatch.chdir(tmp_path)  # the commands' relative paths (params.yaml, models/, reports/)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server)  # the only way the commands learn the server
    monkeypatch.setenv("MPLBACKEND", "Agg")
    _imr(["train", "features.parquet", "--out", "models"])
    _imr(["evaluate", "features.parquet"])
    first = _imr(["register", "features.parquet", "--exit-code"])
    decision1 = json.loads((tmp_path / "reports" / "registry.json").read_text())
    assert first.returncode == 0 and decision1["promoted"] is True
    assert decision1["reference"] == "baseline family_rate"
    assert decision1["challenger_value"] > decision1["reference_value"]
    run1 = json.loads((tmp_path / "reports" / "registry_run.json").read_text())
    assert run1["tracking_uri"] == mlflow_server

    # the same model again: equal to the champion, so it cannot clear the margin
    second = _imr(["register", "features.parquet", "--exit-code"])
    decision2 = json.loads((tmp_path / "reports" / "registry.json").read_text())
    assert second.returncode == 3 and decision2["promoted"] is False
    content = json.loads((tmp_path / "models" / "model" / "metadata.json").read_text())["model_version"]
    assert decision2["reference"] == f"champion v1 ({content})"  # one name: registry number + content
    assert decision2["challenger_value"] == pytest.approx(decision2["reference_value"])

    mlflow.set_tracking_uri(mlflow_server)
    client = mlflow.MlflowClient()
    name = SMALL_PARAMS["register"]["model_name"]
    assert str(client.get_model_version_by_alias(name, "champion").version) == "1"
    assert str(client.get_model_version_by_alias(name, "challenger").version) == "2"
    v2 = client.get_model_version(name, "2")
    assert v2.tags["promotion.promoted"] == "false"
    v1_tag = client.get_model_version(name, "1").tags["content_version"]
    assert v2.tags["content_version"] == v1_tag == content
    assert f"v2 ({content}) as @challenger" in second.stdout

    run = client.get_run(run1["run_id"])
    assert run.data.metrics["roc_auc"] > 0.5
    assert "family_rate.roc_auc" in run.data.metrics and "ece_ci_high" in run.data.metrics
    assert run.data.tags["git_commit"] and run.data.tags["data_sha256"]
    assert run.data.params["train.lgbm.num_boost_round"] == "60"
    arts = {a.path for a in client.list_artifacts(run.info.run_id, "plots")}
    assert {"plots/roc.png", "plots/pr.png", "plots/reliability.png", "plots/shap_summary.png"} <= arts
    ctx = {a.path for a in client.list_artifacts(run.info.run_id, "context")}
    assert "context/feature_spec.json" in ctx and "context/data_fingerprint.json" in ctx

    # the registered pyfunc takes plain JSON-typed columns and agrees with the saved artifact
    from model.artifact import TriageModel, load_from_mlflow
    from model.predictor import Predictor

    pyfunc = mlflow.pyfunc.load_model(f"models:/{name}@champion")
    rows = pd.read_parquet(tmp_path / "features.parquet").head(20)
    spec_cols = pyfunc.metadata.get_input_schema().input_names()
    records = json.loads(rows[spec_cols].to_json(orient="records"))
    out = pyfunc.predict(pd.DataFrame.from_records(records))
    local = TriageModel.load(tmp_path / "models" / "model")
    expected = Predictor(local).predict_proba(rows)
    assert out["overturn_probability"].to_numpy() == pytest.approx(expected, abs=1e-9)
    served = load_from_mlflow(f"models:/{name}@champion")
    assert served.metadata == local.metadata
