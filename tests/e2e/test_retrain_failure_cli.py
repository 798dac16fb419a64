"""A failed `imr retrain` loses no letters: the corpus and the feature table are written only when the run
has finished, so a rerun after the repair trains the challenger on the same new letters.

The real CLI, as a subprocess, on SYNTHETIC letters with a registered champion in a temporary SQLite MLflow
store. Before this, a run whose champion failed its checksum had already rewritten cases.parquet and the
feature table when it failed (exit 1), and the rerun found every new letter a duplicate (`no_new_letters`,
exit 11): the challenger was never trained on them. Now a champion that cannot be loaded is bad input found
before anything is done (one line, exit 2, no report), a run that fails part-way (here at the training step,
through a params value naming a feature the spec lacks) exits 1 with its report and leaves both files
byte-identical, and the rerun with both repaired trains on the new letters.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from tests.imr_process import run_imr
from tests.synthetic_letter_files import write_synthetic_letters

pytestmark = pytest.mark.slow
MODEL = "imr-overturn-failure-e2e"
N_OLD, N_NEW = 60, 30
PARAMS: dict[str, Any] = {
    "train": {
        "seed": 0, "cv_folds": 3, "weighting": "unweighted", "calibration": "sigmoid",
        "lgbm": {"num_boost_round": 30},
    },
    "register": {"model_name": MODEL, "metric": "roc_auc", "experiment": "failure-e2e"},
    "retrain": {"n_bootstrap": 50, "min_test_letters": 10},
}  # fmt: skip


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, empty_mlflow_store: Callable[[Path], str]
) -> Iterator[Path]:
    """Records and features of N_OLD SYNTHETIC letters, N_NEW others, and a champion trained on the old."""
    root = tmp_path_factory.mktemp("retrain-failure")
    with contextlib.chdir(root):  # a local MLflow store puts artifacts under ./mlartifacts
        yield _build(root, empty_mlflow_store)


def _build(root: Path, empty_mlflow_store: Callable[[Path], str]) -> Path:
    import mlflow

    from features.spec import load_spec
    from features.table import build_feature_table
    from letters.ingest import parse_paths, write_records
    from training.boosting import TrainParams
    from training.registry import RegistryParams, register_challenger
    from training.tracking import log_training_run
    from training.train import train_model

    (root / "new").mkdir()
    for path in write_synthetic_letters(root / "old", N_OLD + N_NEW, seed=7)[N_OLD:]:
        path.rename(root / "new" / path.name)  # one generator run: distinct case numbers
    parsed = parse_paths([root / "old"])
    write_records(parsed, root / "records")
    table = build_feature_table(parsed.cases)
    table.to_parquet(root / "features.parquet", index=False)
    (root / "params.yaml").write_text(yaml.safe_dump(PARAMS), encoding="utf-8")
    bad = {**PARAMS, "retrain": {**PARAMS["retrain"], "train": {"features": ["no_such_feature"]}}}
    (root / "bad-params.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    model = train_model(table, load_spec(), TrainParams(**PARAMS["train"]), recipe="train").model
    model.save(root / "champion")
    reg = RegistryParams(**PARAMS["register"])
    store = empty_mlflow_store(root / "mlflow.db")
    logged = log_training_run(model, root / "champion", table.head(20), {}, {}, [], {},
                              experiment=reg.experiment, tracking_uri=store)  # fmt: skip
    version = register_challenger(logged.model_uri, reg, logged.run_id)
    mlflow.MlflowClient().set_registered_model_alias(MODEL, "champion", version)
    return root


def _retrain(root: Path, out: str, params: str = "params.yaml") -> subprocess.CompletedProcess[str]:
    return run_imr(
        "retrain", "--new-letters", str(root / "new"), "--corpus", str(root / "records"),
        "--features", str(root / "features.parquet"), "--out", str(root / out),
        "--params", str(root / params),
        "--tracking-uri", f"sqlite:///{root / 'mlflow.db'}", "--no-progress", cwd=root,
    )  # fmt: skip


def _corpus_files(root: Path) -> dict[str, bytes]:
    """The corpus records and the feature table, and any other file beside them (a temporary one)."""
    files = [*(root / "records").iterdir(), *root.glob("*features.parquet*")]
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(files) if p.is_file()}


def _errors(res: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in res.stderr.splitlines() if line.startswith("error: ")]


def test_a_failed_run_leaves_the_corpus_and_a_rerun_trains_on_the_letters(world: Path) -> None:
    root = world
    before = _corpus_files(root)
    boosters = sorted((root / "mlartifacts").rglob("booster.txt"))
    assert boosters
    good = {p: p.read_bytes() for p in boosters}

    # 1. a damaged champion: bad input found before anything is done
    for p in boosters:
        p.write_bytes(good[p] + b"\n# SYNTHETIC damage\n")
    res = _retrain(root, "report-damaged")
    assert res.returncode == 2, res.stderr
    errors = _errors(res)
    assert len(errors) == 1 and errors[0].startswith(
        f"error: models:/{MODEL}@champion (v1): cannot load the champion (ChecksumError: "
    ), res.stderr
    assert "checksum mismatch" in errors[0] and "new letters:" not in res.stderr
    assert not (root / "report-damaged").exists()
    assert _corpus_files(root) == before

    # 2. champion repaired, but the training step fails: exit 1 with a report, corpus and features unchanged
    for p, data in good.items():
        p.write_bytes(data)
    res = _retrain(root, "report-failed", "bad-params.yaml")
    report = json.loads((root / "report-failed" / "retrain.json").read_text(encoding="utf-8"))
    assert res.returncode == 1 and report["outcome"] == "failed", res.stderr
    assert f"new letters: {N_NEW} new, 0 duplicate" in res.stderr  # it got as far as ingesting them
    assert "train.features names features the spec does not have" in report["error"]
    assert _corpus_files(root) == before  # byte-identical, no temporary file left beside them

    # 3. the rerun after the repair trains the challenger with the new letters and only then writes them
    res = _retrain(root, "report")
    report = json.loads((root / "report" / "retrain.json").read_text(encoding="utf-8"))
    assert res.returncode == report["exit_code"] and report["outcome"] in ("promoted", "kept"), res.stderr
    ingest = report["ingest"]
    assert (ingest["n_new"], ingest["n_duplicate"]) == (N_NEW, 0)
    assert ingest["corpus_letters_after"] == N_OLD + N_NEW
    assert report["test_window"]["n_new_letters"] > 0 and report["challenger"]["version"] == "2"
    table = pd.read_parquet(root / "features.parquet")
    assert table["letter_id"].nunique() == N_OLD + N_NEW
    assert sorted(p.name for p in (root / "records").iterdir()) == [
        "cases.parquet", "failures.csv", "services.parquet"
    ]  # fmt: skip

    # 4. the same letters again: now they are in the corpus
    res = _retrain(root, "report-again")
    assert res.returncode == 11 and f"new letters: 0 new, {N_NEW} duplicate" in res.stderr, res.stderr
