"""What was tried beside the grid for the served boosted GAM, on the tune letters only (issue #19).

    PYTHONPATH=$PWD .venv/bin/python experiments/gam_variants.py [--repeats 10]

The same repeated grouped CV as the grid's choice (`grid.selection_repeats` x `folds`, seeded alike),
on the tune letters of tests/real/letter_split.csv; validation letters are dropped before any fit.
Variants:
- text_cv's facts-only logistic regression (`training.text_cv.FactsLR`: every encoded spec feature,
  rare levels pooled below 2, C = 1, balanced weights, no prior) and three of its settings, to see
  whether its all-letter 0.683 holds on the tune letters;
- the served recipe `gam_criteria_text` and `gam_checklist_text` with Platt scaling fitted on inner
  cross-fitted scores (`calibration: sigmoid`), and with a stronger-regularised booster (STRONG:
  learning rate 0.01, at least 15 services per leaf, L2 20).
Prints mean ROC-AUC, per-repeat range, mean Brier and ECE. Reads ../shared/data/dwc-imr-letters
(skips with a message when absent); writes nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from real_letter_inputs import LETTERS, letters_missing, real_letter_settings, tune_rows
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from features.spec import FeatureSpec, load_spec
from model.encoder import FeatureEncoder
from training.candidates import BaseRateCandidate, FamilyRateCandidate, FoldData, LightGBMCandidate
from training.letter_labels import load_real_letters
from training.real_cv import repeated_cv

STRONG = {"learning_rate": 0.01, "min_data_in_leaf": 15, "lambda_l2": 20.0}  # over the gam booster


class FactsLR:
    """text_cv's facts-only LR as a candidate of the real-letter harness."""

    def __init__(self, spec: FeatureSpec, name: str, *, min_frequency: int, C: float, balanced: bool) -> None:
        self.spec, self.name, self.label = spec, name, name
        self.min_frequency, self.C, self.balanced = min_frequency, C, balanced

    def fit_predict(self, fold: FoldData) -> np.ndarray:
        enc = FeatureEncoder(self.spec, linear=True, min_frequency=self.min_frequency).fit(fold.train)
        lr = LogisticRegression(C=self.C, class_weight="balanced" if self.balanced else None, max_iter=5000)
        return lr.fit(enc.matrix(fold.train), fold.y).predict_proba(enc.matrix(fold.test))[:, 1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=None, help="[evaluate_real.grid.selection_repeats]")
    ap.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = ap.parse_args()
    if letters_missing():
        return 0
    base, cv = real_letter_settings(args.params)
    g = cv.grid
    spec = load_spec()
    real = load_real_letters(LETTERS, spec).table
    tune = tune_rows(real, g.select_on)
    candidates: list = [
        FactsLR(spec, "text_cv FactsLR (min freq 2, C 1, balanced)", min_frequency=2, C=1.0, balanced=True),
        FactsLR(spec, "FactsLR, min freq 5", min_frequency=5, C=1.0, balanced=True),
        FactsLR(spec, "FactsLR, unweighted", min_frequency=2, C=1.0, balanced=False),
        FactsLR(spec, "FactsLR, unweighted, C 0.1", min_frequency=2, C=0.1, balanced=False),
    ]
    for name in ["gam_criteria_text", "gam_checklist_text"]:
        p = g.params(g.recipe(name), base)
        strong = p.model_copy(update={"lgbm": p.lgbm.model_copy(update=STRONG)})
        candidates += [
            LightGBMCandidate(spec, p, name=name, label=name),
            LightGBMCandidate(
                spec, p.model_copy(update={"calibration": "sigmoid"}), name=f"{name} + Platt", label=name
            ),  # fmt: skip
            LightGBMCandidate(spec, strong, name=f"{name}, stronger regularisation", label=name),
        ]
    candidates += [FamilyRateCandidate(base), BaseRateCandidate()]
    repeats = args.repeats or g.selection_repeats
    with threadpool_limits(limits=1):
        res = repeated_cv(tune, spec, base, cv.model_copy(update={"n_bootstrap": 0}), candidates=candidates,
                          repeats=repeats)  # fmt: skip
    print(f"{g.select_on} letters: {tune['letter_id'].nunique()}, services {len(res.y)}, overturned "
          f"{int(res.y.sum())}; {repeats} x {cv.folds}-fold grouped CV\n")  # fmt: skip
    print("| Variant | Mean ROC-AUC | per repeat (min-max) | Mean Brier | ECE |")
    print("|---|---|---|---|---|")
    for name, per in res.per_repeat.items():
        auc = per["roc_auc"]
        print(f"| {name} | {np.mean(auc):.3f} | {min(auc):.3f}-{max(auc):.3f} | {np.mean(per['brier']):.4f} "
              f"| {np.mean(per['ece']):.3f} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
