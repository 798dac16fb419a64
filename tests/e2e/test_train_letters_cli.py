"""`imr train --letters`, `imr explain --json --model OUT/model`, `imr register --letters` and
`imr evaluate-real` as subprocesses on SYNTHETIC letters in the real format (with a labels.csv), and
with a local MLflow store. The generator marks its letters synthetic, so the card must count them so."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml

from letters.ingest import parse_file
from synthetic.corpus import iter_letters
from synthetic.generative_model import GeneratorSettings
from tests.conftest import REPO_ROOT
from tests.imr_process import run_imr

pytestmark = pytest.mark.slow
N_LETTERS = 160
# the served recipe, its stack (the same with the text score), a logistic regression
KEPT_RECIPES = {"gam_criteria_noprior", "gam_criteria_text_noprior", "lr_criteria_text"}
SERVED = "gam_criteria_noprior"  # params.yaml train_real
STACK = "gam_criteria_text_noprior"
FOLDS = 3  # outer folds of evaluate-real (5 in params.yaml): the same code path, fewer fits


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("train-letters")
    letters = root / "letters" / "pdf"
    letters.mkdir(parents=True)
    rows = []
    for i, (_case, text) in enumerate(iter_letters(N_LETTERS, GeneratorSettings(seed=31))):
        path = letters / f"synthetic-{i:04d}.txt"
        path.write_text(text, encoding="utf-8")
        case = parse_file(path)
        rows += [{"case_number": case.case_number, "item_index": s.item_index, "decision": s.decision}
                 for s in case.services]  # fmt: skip
    pd.DataFrame(rows).to_csv(letters.parent / "labels.csv", index=False)
    params = yaml.safe_load((REPO_ROOT / "params.yaml").read_text(encoding="utf-8"))
    params["train_real"]["lgbm"]["num_boost_round"] = 30
    params["train_real"]["cv_folds"] = 3  # inner cross-fitting of the prior and text score
    params["evaluate_real"].update(
        folds=FOLDS, repeats=2, stability_runs=2, card_repeats=2, n_bootstrap=50, prior_strength_scales=[1.0],
        candidates={"models": ["lightgbm", "logistic_regression"]}, report=str(root / "reports" / "real"),
    )  # fmt: skip
    grid = params["evaluate_real"]["grid"]
    grid.update(selection_repeats=1, nested_repeats=1)
    grid["boosters"]["gam"]["lgbm"]["num_boost_round"] = 30  # the served recipe's booster: train_real's
    grid["recipes"] = [r for r in grid["recipes"] if r["name"] in KEPT_RECIPES]
    (root / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    split = pd.DataFrame({"case_number": sorted({r["case_number"] for r in rows})})
    split["split"] = ["validation" if i % 3 == 0 else "tune" for i in range(len(split))]
    split.to_csv(root / "split.csv", index=False)
    return {"root": root, "letters": letters, "params": root / "params.yaml", "split": root / "split.csv"}


def test_train_on_letters_explain_and_register(
    world: dict[str, Path], empty_mlflow_store: Callable[[Path], str]
) -> None:
    root, params = world["root"], str(world["params"])
    out = root / "out"
    r = run_imr("train", "--letters", str(world["letters"]), "--out", str(out), "--params", params, cwd=root)
    assert r.returncode == 0, r.stderr
    assert "0 mismatches" in r.stdout and "real-letter CV of this recipe: ROC-AUC" in r.stdout
    card = json.loads((out / "model" / "model_card.json").read_text())
    assert card["trained_on"]["synthetic_letters"] == N_LETTERS and card["trained_on"]["real_letters"] == 0
    assert card["validated_on_real"] is True and card["real_letter_metrics"]["n_letters"] == N_LETTERS
    assert card["warning"].startswith("This model never saw a real letter")
    assert (out / "real_cv_oof.parquet").is_file()
    # the served recipe reads neither a family prior (session 25) nor the text score (session 26): no derived
    # column and no text model travel with it
    assert not (out / "model" / "text_signal.json").exists()
    assert not (out / "model" / "derived_columns.json").exists()

    letter = sorted(world["letters"].glob("*.txt"))[:2]
    r = run_imr("explain", *map(str, letter), "--json", "--model", str(out / "model"), cwd=root)
    assert r.returncode == 0, r.stderr
    assert "never saw a real letter" in r.stderr
    data = json.loads(r.stdout)
    version = json.loads((out / "model" / "metadata.json").read_text())["model_version"]
    for item in data:
        assert item["model"]["version"] == version
        assert item["model"]["trained_on"] == {"real_letters": 0, "synthetic_letters": N_LETTERS}
        assert item["model"]["validated_on_real"] is True
        assert all(0 <= s["overturn_likelihood"] <= 1 for s in item["services"])

    store = empty_mlflow_store(root / "mlflow.db")  # migrated already: what is proved is the registration
    reg = run_imr("register", "--letters", str(world["letters"]), "--model", str(out / "model"),
               "--out", str(root / "reg" / "registry.json"), "--params", params,
               "--tracking-uri", store, cwd=root)  # fmt: skip
    assert reg.returncode == 0, reg.stderr
    decision = json.loads((root / "reg" / "registry.json").read_text())
    assert decision["version"] == "1" and decision["n_services"] == len(
        pd.read_parquet(out / "real_cv_oof.parquet")
    )
    # scored from the registry, the scores are stored under the label the API stores them under, so the
    # dashboard shows one model once whichever scored it (it showed a content version and "v1 (...)")
    db = root / "scores.db"
    scored = run_imr("score", str(letter[0]), "--db", f"sqlite:///{db}", "--no-progress",
                     "--model-uri", f"models:/{decision['model_name']}@challenger",
                     "--tracking-uri", f"sqlite:///{root / 'mlflow.db'}", cwd=root)  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    from serving.scores_db import open_scores_db

    repo = open_scores_db(f"sqlite:///{db}")
    assert [(m["model_name"], m["model_version"]) for m in repo.models()] == [
        (decision["model_name"], f"v1 ({version})")
    ]
    repo.engine.dispose()
    brier = card["real_letter_metrics"]["brier"]["value"]
    if brier > card["real_letter_metrics"]["base_rate_brier"]:
        assert not decision["promoted"] and decision["reason"].startswith("refused: Brier on real letters")

    both = run_imr(
        "train", str(root / "x.parquet"), "--letters", str(world["letters"]), "--params", params, cwd=root
    )
    assert both.returncode != 0 and "exactly one of FEATURES" in both.stdout + both.stderr


def test_evaluate_real_writes_the_report(world: dict[str, Path]) -> None:
    root = world["root"]
    r = run_imr("evaluate-real", "--letters", str(world["letters"]), "--params", str(world["params"]),
             "--split", str(world["split"]), cwd=root)  # fmt: skip
    assert r.returncode == 0, r.stderr
    report = json.loads((root / "reports" / "real.json").read_text())
    models = report["cross_validation"]["models"]
    assert set(models) == KEPT_RECIPES | {"family_rate", "published_prior", "base_rate"}
    assert report["served"] == SERVED and report["facts_only_twin"] is None and report["stack"] == STACK
    assert report["cross_validation"]["reference"] == "family_rate"
    choice = report["recipe_choice"]
    assert choice["chosen"] in KEPT_RECIPES and choice["select_on"] == "tune"
    assert report["nested"]["choices"]["folds"] == FOLDS and "nested_choice" in report["nested"]["models"]
    assert report["validation_split"]["n_test_letters"] == len(range(0, N_LETTERS, 3))
    pairs = report["paired_differences"]["cross_validation"]
    assert f"{SERVED} - {STACK}" in pairs and f"{SERVED} - family_rate" in pairs
    assert choice["chosen"] == SERVED or f"{SERVED} - {choice['chosen']}" in pairs
    assert report["time_split"]["n_test_letters"] > 0 and report["calibration"]["reliability"]
    assert (root / "reports" / "real-reliability.png").stat().st_size > 1000
    text = (root / "reports" / "real.md").read_text()
    assert f"Repeated grouped CV (2 x {FOLDS}-fold, by letter)" in text
    assert "The served recipe against the targets" in text
    assert f"Lower bound of ROC-AUC of the stack ({STACK}) minus the served facts-only model above 0" in text
