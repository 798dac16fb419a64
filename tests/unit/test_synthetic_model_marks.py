"""A model trained on SYNTHETIC letters alone says so on every score it gives: the `imr score` line, the
API's typed fields and start-up warning, the stored rows and the dashboard. A model whose card counts
real letters shows none of it. (SYNTHETIC letters; the "real" model is the same booster under a card
that counts real letters, built with the card's public constructor.)"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from letter_texts import dwc_letter
from model_sources import NoModel
from typer.testing import CliRunner

from imr_triage.cli import app as cli
from model.artifact import TriageModel
from model.model_card import ModelCard, TrainedOn, card_from_training_data, stored_synthetic_notice
from serving.app import create_app
from serving.dashboard import create_dashboard_app
from serving.schemas import EXAMPLE_CASE, EXAMPLE_FEATURES
from serving.scores_db import open_scores_db
from serving.settings import ServingSettings

HEADERS = {"X-API-Key": "imr-dev-key"}
NOT_EVIDENCE = "its scores are not evidence about real IMR outcomes."


@pytest.fixture(scope="module")
def real_card_model_dir(cli_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CLI tests' model saved again under a card that counts real letters."""
    model = TriageModel.load(cli_model_dir)
    card = ModelCard(trained_on=TrainedOn(real_letters=40, real_services=90, synthetic_letters=150),
                     recipe="train_real")  # fmt: skip
    model.metadata = model.metadata.model_copy(update={"model_card": card})
    return model.save(tmp_path_factory.mktemp("real-card") / "model")


def _letters(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for number in ("CM16-0000101", "CM16-0000102"):
        (folder / f"{number}.txt").write_text(dwc_letter().replace("CM16-0000001", number), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def scored(cli_model_dir: Path, real_card_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One scores database, the letters scored by `imr score` with each model: (db, stderr by model)."""
    tmp = tmp_path_factory.mktemp("marks")
    letters = _letters(tmp / "letters")
    db = f"sqlite:///{tmp / 'scores.db'}"
    runs = {}
    for name, model, version in (("synthetic", cli_model_dir, []), ("real", real_card_model_dir, ["real-1"])):
        args = ["score", str(letters), "--model", str(model), "--db", db, "--no-progress"]
        res = CliRunner().invoke(cli, [*args, *(["--model-version", *version] if version else [])])
        assert res.exit_code == 0, res.output
        runs[name] = res.stderr
    return db, runs


def test_one_rule_says_which_models_are_synthetic_only() -> None:
    synthetic = ModelCard(trained_on=TrainedOn(synthetic_letters=20000, synthetic_services=45000))
    mixed = ModelCard(trained_on=TrainedOn(real_letters=40, real_services=90, synthetic_letters=1000))
    assert synthetic.synthetic_only and not mixed.synthetic_only
    assert synthetic.synthetic_notice("imr-overturn-3fa9c2b1d0e4") == (
        "SYNTHETIC-ONLY MODEL: imr-overturn-3fa9c2b1d0e4 was trained on 20,000 SYNTHETIC letters and no "
        "real letter; " + NOT_EVIDENCE
    )
    assert mixed.synthetic_notice("imr-overturn-3fa9c2b1d0e4") is None
    assert card_from_training_data({"n_letters": 12}, None).synthetic_only  # not known: synthetic
    assert not card_from_training_data({"n_letters": 12}, False).synthetic_only
    assert synthetic.as_dict()["synthetic_only"] is True and mixed.as_dict()["synthetic_only"] is False
    assert synthetic.training_recipe() == "train" and mixed.training_recipe() == "train_real"
    assert stored_synthetic_notice().startswith("SYNTHETIC-ONLY MODEL: ")


def test_imr_score_names_a_synthetic_only_model_on_one_line(cli_model_dir: Path, scored: Any) -> None:
    _db, runs = scored
    version = TriageModel.load(cli_model_dir).metadata.model_version
    assert [ln for ln in runs["synthetic"].splitlines() if "SYNTHETIC" in ln] == [
        f"SYNTHETIC-ONLY MODEL: {version} was trained on 150 SYNTHETIC letters and no real letter; "
        + NOT_EVIDENCE
    ]
    assert "SYNTHETIC" not in runs["real"]
    assert "scored 6 services in 2 cases with imr-overturn real-1 -> sqlite:///" in runs["real"]


def test_stored_rows_carry_the_mark(cli_model_dir: Path, scored: Any) -> None:
    db, _runs = scored
    repo = open_scores_db(db)
    version = TriageModel.load(cli_model_dir).metadata.model_version
    rows = repo.case_rows("CM16-0000101") + repo.case_rows("CM16-0000102")
    marks = {(r["model_version"], r["model_synthetic_only"]) for r in rows}
    assert marks == {(version, True), ("real-1", False)}
    by_model = {m["model_version"]: m["model_synthetic_only"] for m in repo.models()}
    assert by_model == {version: True, "real-1": False}
    repo.engine.dispose()


def test_dashboard_marks_scores_of_a_synthetic_only_model(cli_model_dir: Path, scored: Any) -> None:
    db, _runs = scored
    version = TriageModel.load(cli_model_dir).metadata.model_version
    with TestClient(create_dashboard_app(db)) as c:
        opts = c.get("/dashboard/api/filters").json()
        assert {m["model_version"]: m["model_synthetic_only"] for m in opts["models"]} == {
            version: True, "real-1": False
        }
        assert opts["synthetic_model_notice"] == stored_synthetic_notice()
        for v, marked in ((version, True), ("real-1", False)):
            q = {"model_name": "imr-overturn", "model_version": v, "origin": "all"}
            items = c.get("/dashboard/api/queue", params=q).json()["items"]
            assert len(items) == 6 and {i["model_synthetic_only"] for i in items} == {marked}
        case = c.get("/dashboard/api/case/CM16-0000101").json()
        assert {(s["model_version"], s["model_synthetic_only"]) for s in case["services"]} == {
            (version, True), ("real-1", False)
        }
        assert case["synthetic_model_notice"] == stored_synthetic_notice()
        for page in ("/dashboard", "/dashboard/case/CM16-0000101"):
            assert 'id="model-banner"' in c.get(page).text
        for script in ("dashboard.js", "case.js"):  # the pages draw the banner and labels from these fields
            js = c.get(f"/dashboard/static/{script}").text
            assert "model_synthetic_only" in js and "synthetic_model_notice" in js and "model-banner" in js


def _api(model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("IMR_SCORES_DB_URL", f"sqlite:///{tmp_path / 'api-scores.db'}")
    settings = ServingSettings(
        _env_file=None, poll_interval_s=0, model_path=model_dir, probe_new_models=False
    )
    return TestClient(create_app(settings))


@pytest.mark.parametrize("kind", ["synthetic", "real"])
def test_api_responses_say_whether_the_model_is_synthetic_only(
    kind: str, cli_model_dir: Path, real_card_model_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    model_dir = cli_model_dir if kind == "synthetic" else real_card_model_dir
    synthetic = kind == "synthetic"
    letter = dwc_letter().replace("CM16-0000001", "CM16-0000201")
    with caplog.at_level(logging.WARNING, logger="serving.app"), _api(model_dir, tmp_path, monkeypatch) as c:
        info = c.get("/v1/model", headers=HEADERS).json()
        responses = {
            "model": info,
            "text": c.post("/v1/score?store=true", json={"text": letter}, headers=HEADERS).json(),
            "case": c.post("/v1/score", json=EXAMPLE_CASE, headers=HEADERS).json(),
            "letter": c.post("/v1/score/letter", files={"file": ("a.txt", letter.encode(), "text/plain")},
                             headers=HEADERS).json(),
            "batch": c.post("/v1/score/batch?store=true", json=[{"text": letter}, EXAMPLE_CASE],
                            headers=HEADERS).json(),
            "features": c.post("/v1/score/features", json=EXAMPLE_FEATURES, headers=HEADERS).json(),
        }  # fmt: skip
        stored = c.app.state.scores_db.get().case_rows("CM16-0000201")  # type: ignore[attr-defined]
    assert responses["text"]["services"] and responses["batch"]["n_ok"] == 2, responses
    notice = (
        f"SYNTHETIC-ONLY MODEL: {info['label']} was trained on 150 SYNTHETIC letters and no real letter; "
        + NOT_EVIDENCE
    )
    for name, body in responses.items():
        assert body["model_synthetic_only"] is synthetic, name
        assert body["model_synthetic_notice"] == (notice if synthetic else None), name
    assert info["model_card"]["synthetic_only"] is synthetic
    assert stored and {r["model_synthetic_only"] for r in stored} == {synthetic}
    warnings = [r.getMessage() for r in caplog.records if r.name == "serving.app"]
    assert warnings == ([f"serving {model_dir}: {notice}"] if synthetic else [])
    if not synthetic:
        assert not any("SYNTHETIC-ONLY" in str(body) for body in responses.values())


def test_openapi_shows_the_marks_on_every_score_response_and_the_model() -> None:
    with TestClient(create_app(ServingSettings(_env_file=None, poll_interval_s=0), source=NoModel())) as c:
        schemas = c.get("/openapi.json").json()["components"]["schemas"]
    for name in ("ScoreResponse", "BatchResponse", "FeatureBatchResponse", "ModelInfo"):
        props = schemas[name]["properties"]
        assert props["model_synthetic_only"]["type"] == "boolean", name
        assert "model_synthetic_only" in schemas[name]["required"], name
        assert "SYNTHETIC letters only" in props["model_synthetic_only"]["description"], name
        assert {t.get("type") for t in props["model_synthetic_notice"]["anyOf"]} == {"string", "null"}, name
