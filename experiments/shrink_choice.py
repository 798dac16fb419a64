"""How far to pull the served recipe's log-odds toward the base rate (`train_real.logit_shrink`).

    PYTHONPATH=$PWD .venv/bin/python experiments/shrink_choice.py [--all-letters] [--repeats N]

Runs the served recipe with no shrink (scale 1) in the repeated grouped CV of `tune_recipes.py`, on
the tune letters of tests/real/letter_split.csv unless `--all-letters` (an ablation, never the
choice), then scales each out-of-fold log-odds toward the rows' base rate by each candidate factor and
prints the mean Brier per factor beside the base rate's. The scale is monotone, so ROC-AUC is the same
for every factor. (Training applies the scale around each fold's own training base rate; here the
centre is the rate of all rows scored, a difference of about 0.01 in the centre.) Writes nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from real_letter_inputs import LETTERS, letters_missing, real_letter_settings, tune_rows
from threadpoolctl import threadpool_limits

from features.spec import load_spec
from training.candidates import BaseRateCandidate
from training.letter_labels import load_real_letters
from training.real_cv import repeated_cv
from training.recipes import grid_candidates

SCALES = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--params", type=Path, default=Path("params.yaml"))
    ap.add_argument("--repeats", type=int, default=None, help="[evaluate_real.grid.selection_repeats]")
    ap.add_argument("--all-letters", action="store_true", help="every letter: an ablation, never the choice")
    args = ap.parse_args()
    if letters_missing():
        return 0
    base, cv = real_letter_settings(args.params)
    base = base.model_copy(update={"logit_shrink": 1.0})
    recipe = cv.grid.matching(base)
    if recipe is None:
        print("train_real matches no LightGBM recipe of evaluate_real.grid")
        return 1
    served = recipe.name
    grid = cv.grid.model_copy(update={"recipes": [cv.grid.recipe(served)]})
    spec = load_spec()
    real = load_real_letters(LETTERS, spec).table
    rows = real if args.all_letters else tune_rows(real, grid.select_on)
    repeats = args.repeats or grid.selection_repeats
    candidates = [*grid_candidates(spec, grid, base, cv.candidates), BaseRateCandidate()]
    with threadpool_limits(limits=1):
        res = repeated_cv(rows, spec, base, cv.model_copy(update={"n_bootstrap": 0}), candidates=candidates,
                          repeats=repeats)  # fmt: skip
    y = res.y.astype(float)
    centre = np.log(y.mean() / (1 - y.mean()))
    base_brier = np.mean(res.per_repeat["base_rate"]["brier"])
    which = "all" if args.all_letters else grid.select_on
    print(f"{which} letters: {rows['letter_id'].nunique()}, services {len(y)}, overturned {int(y.sum())}; "
          f"{repeats} x {cv.folds}-fold grouped CV; recipe {served}, mean ROC-AUC "
          f"{np.mean(res.per_repeat[served]['roc_auc']):.3f}\n")  # fmt: skip
    print("| logit_shrink | mean Brier | base rate's Brier |")
    print("|---|---|---|")
    for s in SCALES:
        briers = []
        for p in res.oof[served]:
            z = centre + s * (np.log(p / (1 - p)) - centre)
            briers.append(np.mean((1 / (1 + np.exp(-z)) - y) ** 2))
        print(f"| {s} | {np.mean(briers):.5f} | {base_brier:.5f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
