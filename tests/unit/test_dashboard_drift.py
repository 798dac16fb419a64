"""Dashboard drift panel: `/dashboard/api/drift` serves the latest drift report (path from settings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from training_tables import tiny_table

from features.spec import load_spec
from serving.dashboard import create_dashboard_app
from training.drift import DriftParams, compute_drift


def test_drift_endpoint_reports_absence_then_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "drift.json"
    monkeypatch.setenv("IMR_DRIFT_REPORT", str(path))
    with TestClient(create_dashboard_app(f"sqlite:///{tmp_path / 'scores.db'}")) as client:
        assert client.get("/dashboard/api/drift").json() == {"available": False, "path": str(path)}
        ref, cur = tiny_table(100, seed=0), tiny_table(100, seed=1)
        cur["patient_age"] = cur["patient_age"] + 30
        path.write_text(json.dumps(compute_drift(ref, cur, load_spec(), DriftParams()).as_dict()))
        body = client.get("/dashboard/api/drift").json()
        assert body["available"] and body["drifted"] and body["alerts"] == ["patient_age"]
        assert (body["warn"], body["alert"]) == (0.1, 0.25)
        assert body["columns"][0] == {
            "name": "patient_age",
            "kind": "numeric",
            "psi": body["columns"][0]["psi"],
            "status": "alert",
        }
        page = client.get("/dashboard").text
        assert 'id="chart-drift"' in page and "/static/drift.js" in page
        assert client.get("/dashboard/static/drift.js").status_code == 200
        path.write_text("{}")
        assert client.get("/dashboard/api/drift").status_code == 500
