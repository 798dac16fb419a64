"""`imr retrain` checks new letters against the labels.csv beside them, as `imr train --letters` does.

The real CLI, as a subprocess, on SYNTHETIC letters in the real format with a labels.csv holding one
deliberately wrong decision: the run prints `imr train --letters`'s summary line and one error line
naming the case and item, trains without that service (its decision is withheld in the corpus) but
with every other one, and exits 12 while reporting its outcome. A file in the batch that is not a letter
is one error line and exits 12 too, while the labels of letters outside the batch are not compared (one
labels.csv may cover many batches). Run again on the same folder (nothing new), it still says so, and
`--no-exit-code` does not hide it.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml

from letters.ingest import load_records, parse_file
from tests.imr_process import run_imr
from tests.synthetic_letter_files import write_synthetic_letters

pytestmark = pytest.mark.slow
N_LETTERS = 60
FLIP = {"Upheld": "Overturned", "Overturned": "Upheld"}
PARAMS = {
    "train": {
        "seed": 0, "cv_folds": 3, "weighting": "unweighted", "calibration": "sigmoid",
        "lgbm": {"num_boost_round": 30},
    },
    "register": {"model_name": "imr-overturn-labels-e2e", "metric": "roc_auc", "experiment": "labels-e2e"},
    "retrain": {"n_bootstrap": 50, "min_test_letters": 10},
}  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, empty_mlflow_store: Callable[[Path], str]) -> dict:
    """60 SYNTHETIC letters in new/pdf/, labels.csv beside pdf/ with one decision flipped."""
    root = tmp_path_factory.mktemp("retrain-labels")
    rows = []
    for path in write_synthetic_letters(root / "new" / "pdf", N_LETTERS, seed=41):
        case = parse_file(path)
        rows += [{"case_number": case.case_number, "item_index": s.item_index, "decision": s.decision}
                 for s in case.services]  # fmt: skip
    labels = pd.DataFrame(rows)
    counts = labels.groupby("case_number")["item_index"].transform("size")
    wrong = labels.index[(counts > 1) & (labels["item_index"] == 1)][0]  # a letter with other services
    labels.loc[wrong, "decision"] = FLIP[labels.loc[wrong, "decision"]]
    elsewhere = pd.DataFrame([{"case_number": "CM99-0000001", "item_index": 0, "decision": "Upheld"}])
    # a labels file that also covers a letter of another batch, and a file in the batch that is no letter
    pd.concat([labels, elsewhere]).to_csv(root / "new" / "labels.csv", index=False)
    (root / "new" / "pdf" / "scan-that-failed.pdf").write_bytes(b"not a pdf at all")
    (root / "params.yaml").write_text(yaml.safe_dump(PARAMS), encoding="utf-8")
    empty_mlflow_store(root / "mlflow.db")  # the store every test's `imr retrain` registers into
    return {"root": root, "labels": labels, "wrong": labels.loc[wrong]}


def _retrain(world: dict, out: str, *extra: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    root = world["root"]
    res = run_imr(
        "retrain", "--new-letters", str(root / "new" / "pdf"), "--corpus", str(root / "records"),
        "--features", str(root / "features.parquet"), "--out", str(root / out),
        "--params", str(root / "params.yaml"), "--tracking-uri", f"sqlite:///{root / 'mlflow.db'}",
        "--no-progress", *extra, cwd=root,
    )  # fmt: skip
    return res, json.loads((root / out / "retrain.json").read_text(encoding="utf-8"))


def test_a_wrong_label_is_named_left_out_and_fails_the_exit_code(world: dict) -> None:
    root, labels, wrong = world["root"], world["labels"], world["wrong"]
    case, item = wrong["case_number"], int(wrong["item_index"])
    res, report = _retrain(world, "report", "--new-corpus")
    n = len(labels)
    assert f"{root / 'new' / 'labels.csv'}: {n} of {n} labelled services compared, 1 mismatches" in res.stderr
    errors = [line for line in res.stderr.splitlines() if line.startswith("error: label mismatch: ")]
    parsed = FLIP[wrong["decision"]]
    assert errors == [
        f"error: label mismatch: {case} item {item}: parsed decision '{parsed}', label '{wrong['decision']}'"
    ]
    unreadable = [line for line in res.stderr.splitlines() if "scan-that-failed.pdf" in line]
    assert len(unreadable) == 1 and unreadable[0].startswith("error: "), res.stderr
    assert "1 new letter could not be read and 1 label mismatch" in res.stderr
    assert "left out of training and testing: 1 new service whose parsed decision" in res.stderr
    # the run went on to the end with the good rows; the exit code says something was wrong
    assert report["outcome"] in ("promoted", "kept"), res.stderr
    assert res.returncode == report["exit_code"] == 12
    assert report["ingest"]["n_new"] == N_LETTERS
    assert report["ingest"]["withheld_services"] == [f"{case} item {item}"]
    trained_and_tested = report["challenger"]["n_train_services"] + report["test_window"]["n_test"]
    assert trained_and_tested == n - 1  # every labelled service but the wrong one
    stored = next(c for c in load_records(root / "records") if c.case_number == case)
    assert [s.item_index for s in stored.services if s.decision is None] == [item]  # its letter's others kept
    table = pd.read_parquet(root / "features.parquet")
    row = table[(table["case_number"] == case) & (table["item_index"] == item)]
    assert len(row) == 1 and row["overturned"].isna().all()  # in the corpus, never a training label
    md = (root / "report" / "retrain.md").read_text(encoding="utf-8")
    assert f"- MISMATCH {case} item {item}: parsed decision" in md and "(exit code 12)" in md

    again, second = _retrain(world, "report2", "--no-exit-code")  # nothing new; the labels still disagree
    assert second["outcome"] == "no_new_letters" and again.returncode == second["exit_code"] == 12
    assert f"{n} of {n} labelled services compared, 1 mismatches" in again.stderr
