"""`imr check-letters` on the 23 VALIDATION letters with a model trained on the TUNE letters only: its
extraction figures equal experiments/extractor-accuracy.md's validation table and its checklist figures
equal `experiments/criteria_eval.py`'s validation output (the same grading code, one source of truth).
Skips when ../shared is absent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from imr_triage.cli import app
from tests.conftest import REPO_ROOT
from training.extraction_grading import markdown_table

pytestmark = [pytest.mark.real, pytest.mark.slow]  # trains a model on 106 real letters

SPLIT = REPO_ROOT / "tests" / "real" / "letter_split.csv"


def _linked(letters: Path, labels: pd.DataFrame, cases: list[str], folder: Path) -> Path:
    """A folder of symlinks to `cases`' PDFs and a labels.csv with their rows (no letter is copied)."""
    pdf = folder / "pdf"
    pdf.mkdir(parents=True)
    for c in cases:
        (pdf / f"{c}.pdf").symlink_to(letters / "pdf" / f"{c}.pdf")
    labels[labels["case_number"].isin(cases)].to_csv(folder / "labels.csv", index=False)
    return pdf


@pytest.fixture(scope="module")
def report(dwc_letters_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    split = pd.read_csv(SPLIT, comment="#", dtype=str)
    labels = pd.read_csv(dwc_letters_dir / "labels.csv", dtype=str)
    tmp = tmp_path_factory.mktemp("lettercheck")
    tune = _linked(dwc_letters_dir, labels, sorted(split.loc[split["split"] == "tune", "case_number"]),
                   tmp / "tune")
    val = _linked(dwc_letters_dir, labels, sorted(split.loc[split["split"] == "validation", "case_number"]),
                  tmp / "validation")
    runner = CliRunner()
    trained = runner.invoke(app, ["train", "--letters", str(tune), "--no-validate", "--out", str(tmp / "m"),
                                  "--no-progress", "--params", str(REPO_ROOT / "params.yaml")])
    assert trained.exit_code == 0, trained.output
    out = tmp / "report" / "val"
    result = runner.invoke(app, ["check-letters", str(val), "--model", str(tmp / "m" / "model"),
                                 "--annotations", str(REPO_ROOT / "tests" / "real" / "annotations.csv"),
                                 "--out", str(out), "--n-bootstrap", "2000", "--seed", "0", "--no-progress"])
    assert result.exit_code == 0, result.output
    return json.loads(out.with_name("val.json").read_text(encoding="utf-8")), result.output


def test_every_validation_letter_is_checked(report):
    r, _ = report
    assert r["inputs"]["letters"] == 23 and not r["inputs"]["parse_failures"]
    labels = r["inputs"]["labels"]
    assert labels["n_compared"] == r["inputs"]["services"] and not labels["mismatches"]
    assert r["model"]["trained_on"]["real_letters"] == 106 and not r["model"]["synthetic_only"]


def test_extraction_figures_equal_the_published_validation_table(report):
    r, _ = report
    published = (REPO_ROOT / "experiments" / "extractor-accuracy.md").read_text(encoding="utf-8").splitlines()
    ours = markdown_table(r["extraction"]["fields"])
    start = published.index(ours[0])
    assert published[start:start + len(ours)] == ours


def test_checklist_figures_equal_criteria_eval(report):
    r, _ = report
    script = subprocess.run([sys.executable, str(REPO_ROOT / "experiments" / "criteria_eval.py")],
                            capture_output=True, text=True, check=True, cwd=REPO_ROOT).stdout
    c = r["guideline_checklist"]
    n = c["services_with_checklist"]
    w = c["with_status"]
    line = f"services with >= 1 met/unmet/not-documented criterion: {w['count']} / {n} ({w['count'] / n:.1%})"
    assert line in script
    for key, label in (("chapter_any", "a chapter the reviewer cited"),
                       ("chapter_first", "the reviewer's first cited chapter")):
        d = c[key]
        assert f"governing chapter = {label}: {d['count']} / {d['of']} ({d['value']:.1%})" in script
    for key, label in (("chapter_any", "any cited chapter"), ("chapter_first", "first cited chapter")):
        d = c[key]
        assert f"letter-level bootstrap 95% interval, {label}: {d['low']:.1%} - {d['high']:.1%}" in script
    e = c["evidence_whole_sentences"]
    assert f"whole sentences found verbatim: {e['count']} / {e['of']} ({e['value']:.1%})" in script
    statuses = ", ".join(f"{k} {v}" for k, v in c["statuses"].items())
    assert f"criterion statuses over all services: {statuses}" in script


def test_writer_style_moves_nothing_on_the_validation_letters(report):
    s = report[0]["writer_style"]
    assert s["max_abs_probability_change"] <= 0.01 and s["changed_fact_cells"] == 0
    assert min(s["summaries_changed_by_rewrite"].values()) > 0
