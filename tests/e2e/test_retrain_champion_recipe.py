"""`imr retrain` trains its challenger with the champion's recipe, on SYNTHETIC letters (no ../shared needed).

Two champions are trained on the same small synthetic corpus, one with the `train:` recipe and one
with `train_real:` (recorded on their model cards as `imr train` and `imr train --letters` record it),
each registered in its own temporary SQLite store. The challenger of each retrain must carry its
champion's settings: before this, every challenger was trained with `train:`. The real-letter recipe's
own figures are measured on real letters in tests/real/test_retrain_real.py.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from imr_triage.cli import app
from tests.conftest import REPO_ROOT
from training.params import load_params, section

pytestmark = pytest.mark.slow

MODEL = "imr-overturn-recipe-e2e"
TRAIN_REAL = {**section(load_params(REPO_ROOT / "params.yaml"), "train_real"), "cv_folds": 3}
PARAMS: dict[str, Any] = {
    "train": {
        "seed": 0, "cv_folds": 3, "weighting": "unweighted", "calibration": "sigmoid",
        "lgbm": {"num_boost_round": 40},
    },
    "train_real": TRAIN_REAL,
    "register": {"model_name": MODEL, "margin": 0.005, "metric": "roc_auc", "experiment": "recipe-e2e"},
    "retrain": {"holdout_fraction": 0.5, "n_bootstrap": 50, "seed": 0},
}  # fmt: skip


def _synth(out: Path, n: int, start: str, end: str, first_id: int) -> Path:
    res = CliRunner().invoke(app, [
        "synth", "--n", str(n), "--seed", str(first_id), "--out", str(out), "--period-start", start,
        "--period-end", end, "--first-id", str(first_id), "--no-progress", "--params", str(out / "none"),
    ])  # fmt: skip
    assert res.exit_code == 0, res.output
    return out / "letters"


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, empty_mlflow_store: Callable[[Path], str]
) -> Iterator[dict[str, Path]]:
    """A SYNTHETIC corpus (records + features), newer SYNTHETIC letters, and one store per champion."""
    root = tmp_path_factory.mktemp("recipe")
    with contextlib.chdir(root):  # a local MLflow store puts artifacts under ./mlartifacts
        yield _build(root, empty_mlflow_store)


def _build(root: Path, empty_mlflow_store: Callable[[Path], str]) -> dict[str, Path]:
    import mlflow

    from features.spec import load_spec
    from features.table import build_feature_table
    from letters.ingest import parse_paths, write_records
    from training.boosting import TrainParams
    from training.registry import RegistryParams, register_challenger
    from training.tracking import log_training_run
    from training.train import train_model

    old = _synth(root / "old", 300, "2016-10", "2017-01", 1)
    new = _synth(root / "new", 150, "2017-06", "2017-09", 50001)
    parsed = parse_paths([old])
    write_records(parsed, root / "records")
    table = build_feature_table(parsed.cases)
    table.to_parquet(root / "features.parquet", index=False)
    (root / "params.yaml").write_text(yaml.safe_dump(PARAMS), encoding="utf-8")
    reg = RegistryParams(**PARAMS["register"])
    for recipe in ("train", "train_real"):
        model = train_model(table, load_spec(), TrainParams(**PARAMS[recipe]), recipe=recipe).model
        model.save(root / recipe / "champion")
        uri = empty_mlflow_store(root / recipe / "mlflow.db")
        logged = log_training_run(model, root / recipe / "champion", table.head(20), {}, {}, [], {},
                                  experiment=reg.experiment, tracking_uri=uri)  # fmt: skip
        version = register_challenger(logged.model_uri, reg, logged.run_id)
        mlflow.MlflowClient().set_registered_model_alias(MODEL, "champion", version)
    return {"root": root, "new": new}


def _retrain(world: dict[str, Path], recipe: str) -> tuple[dict, dict]:
    root, work = world["root"], world["root"] / recipe
    shutil.copytree(root / "records", work / "records")
    res = CliRunner().invoke(app, [
        "retrain", "--new-letters", str(world["new"]), "--corpus", str(work / "records"),
        "--features", str(root / "features.parquet"), "--features-out", str(work / "features.parquet"),
        "--out", str(work / "report"), "--params", str(root / "params.yaml"),
        "--tracking-uri", f"sqlite:///{work / 'mlflow.db'}", "--no-progress",
    ])  # fmt: skip
    report = json.loads((work / "report" / "retrain.json").read_text(encoding="utf-8"))
    assert res.exit_code == report["exit_code"] and report["outcome"] in ("promoted", "kept"), res.output
    meta = json.loads((work / "report" / "challenger_model" / "metadata.json").read_text(encoding="utf-8"))
    return report, meta


@pytest.mark.parametrize("recipe", ["train", "train_real"])
def test_the_challenger_is_trained_with_the_champions_recipe(world: dict[str, Path], recipe: str) -> None:
    from training.boosting import TrainParams

    report, meta = _retrain(world, recipe)
    assert report["recipe"] == {"name": recipe, "why": "the champion's model card records it"}
    assert meta["params"] == TrainParams(**PARAMS[recipe]).model_dump(mode="json")
    assert meta["model_card"]["recipe"] == recipe
    # the champion's own inputs: train_real reads its criterion statuses only (session 26), train the spec
    assert (sorted(meta["encoded_columns"]) == sorted(TRAIN_REAL["features"])) == (recipe == "train_real")
    assert report["ingest"]["n_new"] == 150 and report["test_window"]["n_new_letters"] > 0
    assert report["real_letter_gate"] is None  # SYNTHETIC letters: no real-letter gate
    assert f"Challenger recipe: `{recipe}:`" in (world["root"] / recipe / "report" / "retrain.md").read_text()
