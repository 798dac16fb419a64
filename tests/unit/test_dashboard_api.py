"""Dashboard JSON endpoints over a small SYNTHETIC SQLite scores database (in-process client)."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from serving.dashboard import create_dashboard_app
from serving.plain_reasons import value_words
from serving.scores_db import ScoreFilters, open_scores_db
from serving.synthetic_scores import synthetic_model_run, synthetic_score_rows


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path_factory.mktemp('dash') / 'scores.db'}"
    repo = open_scores_db(url)
    repo.save_scores(synthetic_score_rows(400, seed=5, model_version="1", checklist=True))
    real = [  # rows marked real for these tests only (their ids say so); the rest are SYNTHETIC
        r.model_copy(update={"synthetic": False, "letter_id": "TEST-REAL-" + r.letter_id})
        for r in synthetic_score_rows(60, seed=6, model_version="1")
    ]
    repo.save_scores(real)
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
        ("/dashboard/api/queue?sort=patient_name", 422, "cannot sort by 'patient_name'"),
        ("/dashboard/api/queue?order=up", 422, "order"),
        ("/dashboard/api/summary?origin=imaginary", 422, "origin"),
        ("/dashboard/api/distribution?bins=1000", 422, "bins"),
    ],
)
def test_bad_requests_get_clear_errors(client: TestClient, path: str, status: int, words: str) -> None:
    resp = client.get(path)
    assert resp.status_code == status
    assert words in resp.text


def test_filters_default_to_real_cases_when_any_exist(client: TestClient) -> None:
    opts = client.get("/dashboard/api/filters").json()
    assert opts["origins"] == {"real": True, "synthetic": True} and opts["default_origin"] == "real"
    assert opts["risk_bands"] == ["low", "medium", "high"]
    assert opts["labels"]["mtus_odg"] == "MTUS and ODG"
    assert opts["labels"]["dme"] == "durable medical equipment"
    real = client.get("/dashboard/api/queue", params={"origin": "real", "page_size": 500}).json()
    assert real["total"] == real["in_all"] == 60 and not any(i["synthetic"] for i in real["items"])
    synthetic = client.get("/dashboard/api/summary", params={"origin": "synthetic"}).json()
    assert synthetic["services"] == 400
    assert client.get("/dashboard/api/summary", params={"origin": "all"}).json()["services"] == 460


def test_queue_sorts_filters_and_counts(client: TestClient) -> None:
    repo = client.repo  # type: ignore[attr-defined]
    q = {"origin": "synthetic", "risk_band": "medium", "ur_guideline_source": "mtus"}
    f = ScoreFilters(synthetic=True, risk_band="medium", ur_guideline_source="mtus")
    n = repo.summary(f)["services"]
    params = {**q, "sort": "ur_denial_date", "order": "asc", "page": 2, "page_size": 5}
    page = client.get("/dashboard/api/queue", params=params).json()
    assert (page["total"], page["in_all"], page["page"], page["first"], page["last"]) == (n, 400, 2, 6, 10)
    assert page["pages"] == -(-n // 5) and (page["sort"], page["order"]) == ("ur_denial_date", "asc")
    dates = [i["ur_denial_date"] for i in page["items"]]
    assert dates == sorted(dates)
    assert all(i["risk_band"] == "medium" and i["ur_guideline_source"] == "mtus" for i in page["items"])
    assert page["items"] == [
        {**i, "plain": page["items"][k]["plain"], "words": page["items"][k]["words"]}
        for k, i in enumerate(repo.queue(f, 2, 5, sort="ur_denial_date", descending=False)["items"])
    ]
    last = client.get("/dashboard/api/queue", params={**q, "page": 10_000, "page_size": 5}).json()
    assert last["page"] == last["pages"] and last["last"] == n


def test_reasons_and_categories_come_in_plain_words(client: TestClient) -> None:
    queue = client.get("/dashboard/api/queue", params={"origin": "synthetic", "page_size": 1}).json()
    item = queue["items"][0]
    features = {r["feature"] for r in item["top_reasons"]}
    texts = [r["text"] for r in item["plain"]["reasons"]]
    assert len(texts) == len(item["top_reasons"]) and all(t for t in texts)
    assert not any(f in t for f in features for t in texts), f"raw feature names in {texts}"
    assert item["words"] == {c: value_words(item[c]) for c in item["words"]}
    params = {"ur_guideline_source": "mtus_odg", "page_size": 1}
    both = client.get("/dashboard/api/queue", params=params).json()
    assert both["items"][0]["words"]["ur_guideline_source"] == "MTUS and ODG"
    case = client.get(f"/dashboard/api/case/{item['letter_id']}").json()
    s = case["services"][0]
    assert s["checklist"] and {"criterion", "status", "evidence", "log_odds"} <= set(s["checklist"][0])
    assert s["plain"]["reasons"] and s["item_index"] == 0  # 0-based in data; the page shows 1


def test_a_mistyped_database_is_a_clear_503_and_is_not_created(tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "typo.db"
    with TestClient(create_dashboard_app(f"sqlite:///{missing}")) as c:
        for path in ("/dashboard/api/filters", "/dashboard/api/queue", "/dashboard/api/case/X"):
            resp = c.get(path)
            assert resp.status_code == 503
            assert resp.json()["detail"].startswith(f"{missing}: no scores database there")
        assert c.get("/dashboard").status_code == 200  # the page itself loads and shows the error
    assert not missing.exists()


def test_the_calibration_note_says_where_the_curve_came_from(client: TestClient) -> None:
    """The chart said "a bin of held-out cases" for every curve, also for the one `imr score` draws from
    the labelled letters it scored (letters the model may have trained on); now the note names the source
    and the services per bin, and a model with no curve says so."""
    from serving.dashboard import calibration_note
    from serving.scores_db import CalibrationPoint, ModelRunRow

    cal = client.get("/dashboard/api/calibration").json()
    first = "Each point: mean predicted vs observed overturn rate in one bin, source not recorded."
    assert cal["note"].startswith(first), cal["note"]  # the SYNTHETIC run states no source
    assert "Services per bin: 200, 185, " in cal["note"] and "roc_auc 0.710" in cal["note"]
    assert "held-out" not in cal["note"] and "synthetic" not in cal["note"]
    points = [CalibrationPoint(predicted=0.1, observed=0.1, count=80),
              CalibrationPoint(predicted=0.4, observed=0.0, count=2)]
    repo = client.repo  # type: ignore[attr-defined]
    for version, metrics, words in [
        ("cal-oof", {"reliability_source": "training out-of-fold (cross-fitted)"},
         "out of fold in the model's training: each case predicted by a model fitted without it"),
        ("cal-scored", {"reliability_services": 82},
         "from the 82 services with a known decision that `imr score` scored with this model; they may "
         "include letters it was trained on"),
    ]:  # fmt: skip
        repo.record_model_run(ModelRunRow(model_name="imr-overturn", model_version=version,
                                          calibration=points, metrics=metrics))  # fmt: skip
        got = client.get("/dashboard/api/calibration",
                         params={"model_name": "imr-overturn", "model_version": version}).json()  # fmt: skip
        assert words in got["note"], got["note"]
        assert "Services per bin: 80, 2 (1 bin under 30: little to go on)." in got["note"]
        assert "reliability_services" not in got["note"]
    assert calibration_note([], {}) == "No calibration curve recorded for this model."
