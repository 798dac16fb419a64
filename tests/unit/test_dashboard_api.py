"""Dashboard JSON endpoints over a small SYNTHETIC SQLite scores database (in-process client)."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from serving.dashboard import create_dashboard_app
from serving.scores_db import ScoreFilters, open_scores_db
from serving.synthetic_scores import synthetic_model_run, synthetic_score_rows


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path_factory.mktemp('dash') / 'scores.db'}"
    repo = open_scores_db(url)
    repo.save_scores(synthetic_score_rows(400, seed=5, model_version="1"))
    repo.record_model_run(synthetic_model_run(model_version="1"))
    with TestClient(create_dashboard_app(url)) as c:
        c.repo = repo  # type: ignore[attr-defined]
        yield c
    repo.engine.dispose()


def test_page_and_static_assets_are_served_locally(client: TestClient) -> None:
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "/dashboard/static/chart.umd.min.js" in page.text
    assert "http://" not in page.text and "https://" not in page.text  # nothing from the internet
    js = client.get("/dashboard/static/chart.umd.min.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "Chart.js v4" in js.text[:200]
    assert client.get("/dashboard/static/..%2Fscores_db.py").status_code == 404
    assert client.get("/dashboard/static/.hidden").status_code == 404
    assert client.get("/dashboard/case/SYNTH-05-0000000").status_code == 200


def test_api_numbers_match_the_repository(client: TestClient) -> None:
    repo = client.repo  # type: ignore[attr-defined]
    opts = client.get("/dashboard/api/filters").json()
    assert opts["current_model"]["model_version"] == "1"
    assert "medication" in opts["service_families"]
    q = {"service_family": "medication", "model_name": "imr-overturn", "model_version": "1"}
    f = ScoreFilters(**q)
    assert client.get("/dashboard/api/summary", params=q).json() == repo.summary(f)
    dist = client.get("/dashboard/api/distribution", params=q).json()["bins"]
    assert sum(b["count"] for b in dist) == repo.summary(f)["services"]
    groups = client.get("/dashboard/api/groups/body_region", params=q).json()["groups"]
    assert groups == repo.by_group(f, "body_region")
    assert client.get("/dashboard/api/monthly", params=q).json()["months"] == repo.by_month(f)
    queue = client.get("/dashboard/api/queue", params={**q, "page": 2, "page_size": 10}).json()
    assert queue["total"] == repo.summary(f)["services"] and len(queue["items"]) == 10
    cal = client.get("/dashboard/api/calibration").json()
    assert cal["model"]["model_version"] == "1" and len(cal["calibration"]) == 10


def test_case_detail_and_csv_export(client: TestClient) -> None:
    case = client.get("/dashboard/api/case/SYNTH-05-0000000").json()
    assert case["services"] and all(s["letter_id"] == "SYNTH-05-0000000" for s in case["services"])
    resp = client.get("/dashboard/api/export.csv", params={"service_family": "imaging"})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    assert "attachment" in resp.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert rows and {r["service_family"] for r in rows} == {"imaging"}
    assert len(rows) == client.repo.summary(ScoreFilters(service_family="imaging"))["services"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/dashboard/api/case/NO-SUCH-LETTER", 404, "NO-SUCH-LETTER"),
        ("/dashboard/api/groups/patient_name", 404, "unknown grouping"),
        ("/dashboard/api/summary?date_from=2019-01-01&date_to=2018-01-01", 422, "date_from"),
        ("/dashboard/api/summary?date_from=yesterday", 422, "date"),
        ("/dashboard/api/queue?page=0", 422, "page"),
        ("/dashboard/api/distribution?bins=1000", 422, "bins"),
    ],
)
def test_bad_requests_get_clear_errors(client: TestClient, path: str, status: int, words: str) -> None:
    resp = client.get(path)
    assert resp.status_code == status
    assert words in resp.text
