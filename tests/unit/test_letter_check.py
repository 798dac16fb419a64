"""`imr check-letters` on SYNTHETIC letters (`imr synth`'s generator) with a small model trained in
seconds: the report's numbers against independent computations, and bad input handled the batch way."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import brier_score_loss, roc_auc_score
from training_tables import tiny_table
from typer.testing import CliRunner

from imr_triage.cli import app
from tests.synthetic_letter_files import write_synthetic_letters

# the whole `imr check-letters` command (a model trained, letters parsed, a report written) ten times over: an
# end-to-end check kept out of the fast suite's 60 s (it runs in `make test`)
pytestmark = pytest.mark.slow
N_LETTERS = 6


@pytest.fixture(scope="module")
def letters_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """N_LETTERS SYNTHETIC letters as text files, as `imr synth` writes them."""
    folder = tmp_path_factory.mktemp("letters")
    write_synthetic_letters(folder, N_LETTERS, seed=5)
    return folder


def _run(*args: str) -> object:
    return CliRunner().invoke(app, ["check-letters", *args, "--no-progress"])


@pytest.fixture(scope="module")
def report(cli_model_dir: Path, letters_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("report") / "check"
    result = _run(str(letters_dir), "--model", str(cli_model_dir), "--out", str(out), "--n-bootstrap", "0")
    assert result.exit_code == 0, result.output
    assert out.with_suffix(".md").read_text(encoding="utf-8").startswith("# Letter check")
    return json.loads(out.with_name("check.json").read_text(encoding="utf-8"))


def test_scores_are_those_of_imr_explain(report: dict, cli_model_dir: Path, letters_dir: Path):
    from letters.ingest import parse_file
    from model.explanations import explain_case
    from model.predictor import Predictor

    predictor = Predictor.load(cli_model_dir)
    expected = {}
    for path in sorted(letters_dir.iterdir()):
        case = parse_file(path)
        for s in explain_case(predictor, case).services:
            expected[(case.case_number, s.item_index)] = s.overturn_likelihood
    got = {(s["case_number"], s["item_index"]): s["probability"] for s in report["services"]}
    assert got == pytest.approx(expected)
    assert report["inputs"]["letters"] == N_LETTERS and report["inputs"]["parse_failures"] == []
    assert report["inputs"]["labels"]["labels_file"] is None  # no labels.csv: parsed decisions unchecked


def test_model_figures_match_an_independent_computation(report: dict, cli_model_dir: Path):
    from model.family_prior import published_family_priors

    rows = [s for s in report["services"] if s["overturned"] is not None]
    y = np.array([s["overturned"] for s in rows])
    p = np.array([s["probability"] for s in rows])
    assert 0 < y.sum() < len(y), "the synthetic batch needs both outcomes"
    fig = report["model_on_these_letters"]["predictors"]
    assert fig["model"]["roc_auc"]["value"] == pytest.approx(roc_auc_score(y, p))
    assert fig["model"]["brier"]["value"] == pytest.approx(brier_score_loss(y, p))
    assert fig["model"]["mean_predicted"]["value"] == pytest.approx(p.mean())
    assert report["model_on_these_letters"]["observed_rate"]["value"] == pytest.approx(y.mean())
    assert fig["model"]["roc_auc"]["low"] is None  # --n-bootstrap 0: no interval
    priors = published_family_priors()
    prior = np.array([priors.prior_mean(s["service_family"] or "unknown") for s in rows])
    assert fig["published_prior"]["brier"]["value"] == pytest.approx(brier_score_loss(y, prior))
    meta = json.loads((cli_model_dir / "metadata.json").read_text(encoding="utf-8"))
    base = meta["training_data"]["n_positive"] / meta["training_data"]["n_services"]
    assert fig["training_base_rate"]["mean_predicted"]["value"] == pytest.approx(base)
    diff = report["model_on_these_letters"]["differences"]["roc_auc: model - published_prior"]["value"]
    assert diff == pytest.approx(roc_auc_score(y, p) - roc_auc_score(y, prior))
    assert report["model"]["synthetic_only"] is True


def test_model_figures_on_a_hand_computable_case():
    from training.model_check import model_figures

    y = np.array([0, 0, 1, 1])
    fig = model_figures(y, {"m": np.array([0.1, 0.4, 0.35, 0.8]), "c": np.full(4, 0.5)},
                        np.array(["a", "b", "c", "d"]), n_bootstrap=0, seed=0)
    m = fig["predictors"]["m"]
    assert m.roc_auc.value == pytest.approx(0.75)  # 3 of 4 (positive, negative) pairs ordered right
    assert m.brier.value == pytest.approx((0.01 + 0.16 + 0.4225 + 0.04) / 4)
    assert fig["differences"]["roc_auc: m - c"].value == pytest.approx(0.25)
    assert math.isnan(m.roc_auc.low)
    boot = model_figures(y, {"m": np.array([0.1, 0.4, 0.35, 0.8])}, np.array(["a", "a", "b", "b"]),
                         n_bootstrap=200, seed=1)["predictors"]["m"]
    assert boot.brier.low <= boot.brier.value <= boot.brier.high


def test_checklist_and_style_sections(report: dict):
    c = report["guideline_checklist"]
    assert c["services"] == len(report["services"])
    assert c["with_status"]["of"] == c["services_with_checklist"] > 0
    assert c["evidence_whole_sentences"]["of"] > 0
    s = report["writer_style"]
    assert s["letters"] == N_LETTERS and len(s["rewrites"]) == 12  # 11 person forms and the worker named
    assert "IW+he/she" in s["rewrites"]  # other writers' names too (session 22)
    assert max(s["summaries_changed_by_rewrite"].values()) > 0  # the rewrites reach these summaries
    assert s["max_abs_probability_change"] <= 0.01 and s["changed_fact_cells"] == 0


def _extracted(letters_dir: Path) -> pd.DataFrame:
    from features.table import build_feature_table
    from letters.ingest import parse_paths

    return build_feature_table(parse_paths([letters_dir]).cases, with_target=False)


def test_extraction_graded_against_annotations(cli_model_dir: Path, letters_dir: Path, tmp_path: Path):
    """SYNTHETIC annotations equal to the extraction but for one age: that one error, by value."""
    ex = _extracted(letters_dir)
    ann = ex[["case_number", "item_index", "patient_age", "service_family"]].astype(object)
    first = ann.index[ann["patient_age"].notna()][0]
    ann.loc[first, "patient_age"] = float(ann.loc[first, "patient_age"]) + 10
    path = tmp_path / "annotations.csv"
    ann.to_csv(path, index=False)
    out = tmp_path / "r"
    result = _run(str(letters_dir), "--model", str(cli_model_dir), "--annotations", str(path),
                  "--out", str(out), "--n-bootstrap", "50")
    assert result.exit_code == 0, result.output
    e = json.loads(out.with_name("r.json").read_text(encoding="utf-8"))["extraction"]
    age = next(r for r in e["fields"] if r["field"] == "patient_age")
    stated = int(ann["patient_age"].notna().sum())
    assert (age["annotated"], age["extracted"], age["TP"]) == (stated, stated, stated - 1)
    family = next(r for r in e["fields"] if r["field"] == "service_family")
    assert family["precision"] == family["recall"] == 1.0
    assert e["services_annotated"] == len(ex)
    if stated < 10:
        assert len(e["small_field_errors"]["patient_age"]) == 1


@pytest.mark.parametrize(("columns", "needle"), [
    ("case_number,item_index,pain_scor", "column 'pain_scor'"),
    ("case,item_index,pain_score", "missing column case_number"),
])
def test_bad_annotation_columns_are_one_line_errors(cli_model_dir, letters_dir, tmp_path, columns, needle):
    path = tmp_path / "ann.csv"
    path.write_text(columns + "\nX,0,1\n", encoding="utf-8")
    result = _run(str(letters_dir), "--model", str(cli_model_dir), "--annotations", str(path),
                  "--out", str(tmp_path / "r"))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and needle in lines[0], result.output


def test_annotations_of_no_letter_in_the_batch_name_the_column(cli_model_dir, letters_dir, tmp_path):
    path = tmp_path / "ann.csv"
    path.write_text("case_number,item_index,pain_score\nNO-SUCH-CASE,0,5\n", encoding="utf-8")
    one = sorted(letters_dir.iterdir())[0]
    result = _run(str(one), "--model", str(cli_model_dir), "--annotations", str(path),
                  "--out", str(tmp_path / "r"), "--n-bootstrap", "0")
    assert result.exit_code == 2
    assert str(path) in result.output and "column case_number" in result.output


def test_a_corrupt_letter_is_listed_and_the_rest_scored(cli_model_dir, letters_dir, tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    for p in sorted(letters_dir.iterdir())[:3]:
        (batch / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    (batch / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    out = tmp_path / "r"
    result = _run(str(batch), "--model", str(cli_model_dir), "--out", str(out), "--n-bootstrap", "0")
    assert result.exit_code == 1
    assert "broken.pdf" in result.output
    report = json.loads(out.with_name("r.json").read_text(encoding="utf-8"))
    assert report["inputs"]["letters"] == 3
    assert [Path(f["file"]).name for f in report["inputs"]["parse_failures"]] == ["broken.pdf"]


def test_a_missing_model_and_an_empty_batch_are_one_line_errors(cli_model_dir, tmp_path):
    result = _run(str(tmp_path), "--model", str(tmp_path / "nope"))
    assert result.exit_code == 2 and "nope: no model directory" in result.output
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in ("a.txt", "b.txt"):
        (bad / name).write_text("SYNTHETIC: not a letter\n", encoding="utf-8")
    out = str(tmp_path / "r")
    result = _run(str(bad), str(tmp_path / "absent.txt"), "--model", str(cli_model_dir), "--out", out)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()  # every failed file named on its own line, then the outcome
    assert [ln.split(": ")[1] for ln in lines[:-1]] == [str(tmp_path / "absent.txt"), str(bad / "a.txt"),
                                                        str(bad / "b.txt")]  # fmt: skip
    assert all(ln.startswith("error: ") for ln in lines) and len(lines) == 4
    assert lines[-1].startswith("error: no services parsed from ") and lines[-1].endswith("(3 files failed)")


def test_letters_the_model_was_trained_on_are_named_and_left_out_of_a_second_table(
    letters_dir: Path, tmp_path: Path
) -> None:
    """A check of letters the model already saw would report training figures as if they were new: the
    card keeps the real case numbers trained on, and the report names the overlap and measures the rest."""
    from features.spec import load_spec
    from letters.ingest import parse_file
    from training.boosting import TrainParams
    from training.train import train_model

    seen = sorted(str(parse_file(p).case_number) for p in sorted(letters_dir.iterdir())[:2])
    table = tiny_table(150)
    table["synthetic"] = False  # trained as real letters, two of them the batch's own case numbers
    first = table["letter_id"].isin(sorted(table["letter_id"].unique())[:2])
    mapping = dict(zip(sorted(table.loc[first, "letter_id"].unique()), seen, strict=True))
    table.loc[first, "case_number"] = table.loc[first, "letter_id"].map(mapping)
    params = TrainParams(cv_folds=2, weighting="unweighted", calibration="sigmoid",
                         lgbm={"num_boost_round": 20})
    model = train_model(table, load_spec(), params).model
    model.save(tmp_path / "model")
    assert set(seen) <= set(model.metadata.card().trained_on.real_case_numbers)

    out = tmp_path / "check"
    result = _run(str(letters_dir), "--model", str(tmp_path / "model"), "--out", str(out),
                  "--n-bootstrap", "0")
    assert result.exit_code == 0, result.output
    report = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert report["model"]["letters_seen_in_training"] == seen
    unseen = report["model_on_letters_not_trained_on"]
    assert unseen is not None and unseen["letters"] == N_LETTERS - 2
    text = out.with_suffix(".md").read_text(encoding="utf-8")
    assert f"2 of these {N_LETTERS} letters were in the model's training data" in text
    assert "Only the letters the model was not trained on" in text
