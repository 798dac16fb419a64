"""`imr retrain` on the shared real letters (skipped when ../shared is absent): the challenger is trained
with `train_real:`, the recipe of the real-letter champion (its model card says so) or, with no champion,
of a corpus of real letters, and the real-letter Brier gate is applied on the test window.

Before this, the challenger was trained with the synthetic `train:` settings: on the 129 letters it
scored ROC-AUC 0.505 on the window against the family rate's 0.572. The letters are read in place
(symlinks in a temporary folder split them by UR denial date); no letter text is written anywhere.
Read from the shared folder, the letters are checked against the labels.csv beside it; the challenger's
and the champion's figures on the window's real letters carry 95% letter-bootstrap intervals, on the
challenger's card, in retrain.json and in retrain.md.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from imr_triage.cli import app
from tests.conftest import REPO_ROOT
from training.boosting import TrainParams
from training.params import load_params, section

pytestmark = [pytest.mark.real, pytest.mark.slow]
PARAMS = REPO_ROOT / "params.yaml"  # the served recipe, as a user runs it


def _imr(*args: str):  # noqa: ANN202 - click Result
    res = CliRunner().invoke(app, list(args))
    return res


@pytest.fixture(scope="module")
def split_letters(tmp_path_factory: pytest.TempPathFactory, real_letters_parsed: object) -> dict[str, Any]:
    """The older half of the letters (by UR denial date) in `old/`, the newer half in `new/` (symlinks)."""
    root = tmp_path_factory.mktemp("retrain-real")
    cases = sorted(real_letters_parsed.cases, key=lambda c: (str(c.ur_denial_date), c.letter_id))  # type: ignore[attr-defined]
    half = len(cases) // 2
    for name, part in (("old", cases[:half]), ("new", cases[half:])):
        (root / name).mkdir()
        for case in part:
            src = Path(case.source_file)
            (root / name / src.name).symlink_to(src)
    return {"root": root, "old": root / "old", "new": root / "new", "example": cases[:5]}  # type: ignore[dict-item]


@pytest.fixture()
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    """A local MLflow store puts its artifacts under ./mlartifacts: run in a temporary folder."""
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(cwd)


def _train_real() -> dict:
    return TrainParams(**section(load_params(PARAMS), "train_real")).model_dump(mode="json")


def _challenger(report_dir: Path) -> dict:
    return json.loads((report_dir / "challenger_model" / "metadata.json").read_text(encoding="utf-8"))


def _assert_intervals(report: dict, report_dir: Path, sides: tuple[str, ...]) -> None:
    """Each side's real-letter ROC-AUC and Brier in retrain.json are `value` inside `[low, high]`, from
    the retrain's letter bootstrap, and retrain.md shows them."""
    md = (report_dir / "retrain.md").read_text(encoding="utf-8")
    assert "## Real letters of the test window" in md
    for side in sides:
        m = report[side]["real_letter_metrics"]
        assert m["n_letters"] == report["test_window"]["n_letters"]
        assert f"{report['params']['retrain']['n_bootstrap']} resamples of whole letters" in m["method"]
        for k in ("roc_auc", "brier"):
            assert m[k]["low"] < m[k]["value"] < m[k]["high"], (side, k, m[k])
        r = m["roc_auc"]
        assert f"{r['value']:.3f} [{r['low']:.3f}, {r['high']:.3f}]" in md


def _retrain(work: Path, letters: Path, *extra: str) -> tuple[int, dict]:
    res = _imr(
        "retrain", "--new-letters", str(letters), "--corpus", str(work / "records"),
        "--features", str(work / "features.parquet"), "--out", str(work / "report"),
        "--params", str(PARAMS), "--tracking-uri", f"sqlite:///{work / 'mlflow.db'}", "--no-progress", *extra,
    )  # fmt: skip
    report = json.loads((work / "report" / "retrain.json").read_text(encoding="utf-8"))
    assert res.exit_code == report["exit_code"] and report["outcome"] != "failed", res.output
    return res.exit_code, report


def test_without_a_champion_a_real_corpus_trains_the_real_letter_recipe(
    dwc_letters_dir: Path, in_tmp: Path
) -> None:
    code, report = _retrain(in_tmp, dwc_letters_dir / "pdf", "--new-corpus")
    assert report["ingest"]["n_new"] == 129 and report["champion"] is None
    assert report["recipe"]["name"] == "train_real" and "129 real letters" in report["recipe"]["why"]
    meta = _challenger(in_tmp / "report")
    assert meta["params"] == _train_real() and meta["model_card"]["recipe"] == "train_real"
    # train_real's inputs, and the text score exactly when train_real reads it (cross-fitted as in
    # train --letters)
    assert set(meta["encoded_columns"]) - {"case_text_score"} == set(_train_real()["features"])
    assert ("case_text_score" in meta["encoded_columns"]) == _train_real()["text_signal"]["enabled"]
    gate = report["real_letter_gate"]
    assert gate["passes"] == (gate["brier"] <= gate["base_rate_brier"])
    assert f"{report['test_window']['n_letters']} real letters" in gate["source"]
    card = meta["model_card"]["real_letter_metrics"]  # the window's numbers, not "never validated"
    assert card["n_services"] == report["test_window"]["n_test"]
    assert card["roc_auc"]["value"] == pytest.approx(report["challenger"]["metrics"]["roc_auc"])
    assert card == report["challenger"]["real_letter_metrics"]  # the card carries the intervals too
    _assert_intervals(report, in_tmp / "report", ("challenger",))
    labels = report["ingest"]["labels"]  # the labels.csv beside pdf/, as `imr train --letters` reads it
    assert labels["labels_file"] == str(dwc_letters_dir / "labels.csv") and labels["n_compared"] > 0
    assert labels["summary"].endswith(f"{labels['n_compared']} of {labels['n_labelled']} labelled services "
                                      f"compared, {len(labels['mismatches'])} mismatches")  # fmt: skip
    assert code in ((0, 10) if not labels["mismatches"] else (12,))


def test_a_real_letter_champion_gets_a_real_letter_challenger(
    split_letters: dict[str, Any], in_tmp: Path
) -> None:
    champ = in_tmp / "champ"
    res = _imr("train", "--letters", str(split_letters["old"]), "--no-validate", "--out", str(champ),
               "--params", str(PARAMS))  # fmt: skip
    assert res.exit_code == 0, res.output
    res = _imr("parse", str(split_letters["old"]), "--out", str(in_tmp / "records"), "--no-progress")
    assert res.exit_code == 0, res.output
    _register_champion(champ / "model", f"sqlite:///{in_tmp / 'mlflow.db'}", split_letters["example"])

    code, report = _retrain(in_tmp, split_letters["new"])
    assert report["champion"] is not None and report["recipe"] == {
        "name": "train_real",
        "why": "the champion's model card records it",
    }
    meta = _challenger(in_tmp / "report")
    assert meta["params"] == _train_real() and meta["model_card"]["recipe"] == "train_real"
    # both models on the same real letters, which the champion never saw
    window = report["test_window"]
    assert window["n_new_letters"] == window["n_letters"] and report["real_letter_gate"] is not None
    assert report["comparison"]["n_letters"] == window["n_letters"]
    refused = "refused: Brier on real letters" in report["decision"]["reason"]
    assert refused != report["real_letter_gate"]["passes"]
    _assert_intervals(report, in_tmp / "report", ("challenger", "champion"))
    assert report["ingest"]["labels"]["labels_file"] is None  # symlinks in a temporary folder: no labels.csv
    assert code in (0, 10)


def _register_champion(model_dir: Path, uri: str, example_cases: list) -> None:
    import mlflow

    from features.table import build_feature_table
    from model.artifact import TriageModel
    from training.registry import RegistryParams, register_challenger
    from training.tracking import log_training_run

    reg = RegistryParams(**section(load_params(PARAMS), "register"))
    model = TriageModel.load(model_dir)
    example = build_feature_table(example_cases)  # a few rows as the logged model's input example
    logged = log_training_run(
        model, model_dir, example, {}, {}, [], {}, experiment=reg.experiment, tracking_uri=uri
    )
    version = register_challenger(logged.model_uri, reg, logged.run_id)
    mlflow.MlflowClient().set_registered_model_alias(reg.model_name, reg.champion_alias, version)
