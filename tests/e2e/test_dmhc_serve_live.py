"""DMHC model end to end: train on a sample of the real CSV, log + register it under its own name in a
temporary SQLite MLflow store (the project's registration code), and serve it with `imr serve`
(live uvicorn) using the DMHC spec and phrase table: scores with explanations that say "no guideline"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from tests.e2e.serve_support import SCORE_KEY, Registry, server_env, start_server

pytestmark = [pytest.mark.slow, pytest.mark.real]

SAMPLE_ROWS = 3000


def test_dmhc_model_trained_registered_and_served(
    dmhc_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_mlflow_store: Callable[[Path], str]
) -> None:
    from features.dmhc_features import dmhc_feature_table, load_dmhc_spec
    from letters.dmhc import read_dmhc_csv
    from model.predictor import Predictor
    from training.dmhc_benchmark import DmhcBenchmarkParams, year_split
    from training.dmhc_registry import log_and_register

    monkeypatch.chdir(tmp_path)  # the local store puts artifacts under ./mlartifacts
    spec = load_dmhc_spec()
    table = dmhc_feature_table(read_dmhc_csv(dmhc_csv).rows, spec).sample(SAMPLE_ROWS, random_state=0)
    params = DmhcBenchmarkParams(
        n_bootstrap=20,
        train={
            "cv_folds": 2,
            "weighting": "unweighted",
            "calibration": "sigmoid",
            "model_name": "imr-overturn-dmhc",
            "lgbm": {"num_boost_round": 60},
        },
    )
    year, result, train, test = year_split(table.reset_index(drop=True), spec, params)
    model_dir = tmp_path / "model"
    result.model.save(model_dir)
    uri = empty_mlflow_store(tmp_path / "mlflow.db")
    decision = log_and_register(result.model, model_dir, train, test, year, params, uri)
    assert decision.model_name == "imr-overturn-dmhc"
    # the first version is judged against the per-treatment rate (on a 3k sample it may lose: no assert
    # on the outcome); the server follows the challenger alias, which registration always sets
    assert decision.reference == "baseline treatment_rate" and decision.version == "1"

    registry = Registry(root=tmp_path, uri=uri, name="imr-overturn-dmhc")
    env = server_env(
        registry,
        IMR_SERVE_FEATURE_SPEC="dmhc_feature_spec.yaml",
        IMR_SERVE_GUIDELINE_PHRASES="dmhc_guideline_phrases.yaml",
        IMR_SERVE_MODEL_ALIAS="challenger",
        IMR_SERVE_POLL_INTERVAL_S="0",
    )
    server = start_server(tmp_path / "serve", env)
    try:
        features = {
            "diagnosis_category": "Infectious",
            "diagnosis_subcategory": "Hepatitis",
            "review_type": "medical necessity",
            "age_range": "51-64",
            "patient_gender": "male",
        }
        case = {
            "case_id": "SYNTHETIC-DMHC-1",
            "services": [{"heading": "Pharmacy/Prescription Drugs / Anti-virals", "features": features}],
        }
        with server.client(SCORE_KEY) as client:
            resp = client.post("/v1/score", json=case)
            assert resp.status_code == 200, resp.text
            body = resp.json()
            refused = client.post("/v1/score", json={"services": [{"heading": "x", "features": {"x": 1}}]})
            spec_resp = client.get("/v1/model")
        assert body["model"]["name"] == "imr-overturn-dmhc"
        assert body["model"]["version"] == decision.version
        (svc,) = body["services"]
        assert svc["service_family"] == "pharmacy"
        row = {
            **features,
            "treatment_category": "Pharmacy/Prescription Drugs",
            "treatment_subcategory": "Anti-virals",
            "service_family": "pharmacy",
        }
        expected = float(Predictor(result.model).predict_proba(pd.DataFrame([row]))[0])
        assert svc["overturn_likelihood"] == pytest.approx(expected, abs=1e-9)
        assert svc["reasons"], "no reasons returned"
        for reason in svc["reasons"]:
            assert reason["feature"] in spec.names
            assert reason["no_guideline"] is True and reason["citations"] == []
            assert reason["note"].startswith("No guideline phrase for this feature.")
        assert refused.status_code == 422  # the DMHC request model has no feature `x`
        if spec_resp.status_code == 200:
            names = [f["name"] for f in spec_resp.json().get("features", [])]
            assert names == spec.names
    finally:
        server.stop()
