"""Some recipes of `evaluate_real.grid`, compared on the tune letters only (the choice's own procedure).

    PYTHONPATH=$PWD .venv/bin/python experiments/tune_recipes.py --recipes gam_all_text,lr_all_text
    ... --recipes a,b --pair a,b    # also a minus b, paired on letter resamples (evaluate_real.n_bootstrap)

The same repeated grouped CV as the choice inside `imr evaluate-real` (`grid.selection_repeats` x
`folds`, seeded alike, so a recipe's figures match that run's), on the tune letters of
tests/real/letter_split.csv; the validation letters are dropped before anything is fitted. Prints
mean ROC-AUC, its per-repeat range, mean Brier against the base rate's, and out-of-fold ECE.
Reads ../shared/data/dwc-imr-letters (skips with a message when absent); writes nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from real_letter_inputs import LETTERS, letters_missing, real_letter_settings, tune_rows
from threadpoolctl import threadpool_limits

from features.spec import load_spec
from training.candidates import BaseRateCandidate, FamilyRateCandidate
from training.letter_labels import load_real_letters
from training.real_cv import repeated_cv
from training.recipes import grid_candidates


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recipes", required=True, help="comma-separated recipe names of evaluate_real.grid")
    ap.add_argument("--params", type=Path, default=Path("params.yaml"))
    ap.add_argument("--repeats", type=int, default=None, help="[evaluate_real.grid.selection_repeats]")
    ap.add_argument("--pair", default=None, help="A,B: also print A minus B with letter-bootstrap intervals")
    ap.add_argument("--all-letters", action="store_true",
                    help="every letter instead of the tune letters: an ablation figure, never a choice")
    args = ap.parse_args()
    if letters_missing():
        return 0
    base, cv = real_letter_settings(args.params)
    names = [n.strip() for n in args.recipes.split(",") if n.strip()]
    grid = cv.grid.model_copy(update={"recipes": [cv.grid.recipe(n) for n in names]})
    spec = load_spec()
    real = load_real_letters(LETTERS, spec).table
    tune = real if args.all_letters else tune_rows(real, grid.select_on)
    candidates = [*grid_candidates(spec, grid, base, cv.candidates), FamilyRateCandidate(base),
                  BaseRateCandidate()]  # fmt: skip
    repeats = args.repeats or grid.selection_repeats
    with threadpool_limits(limits=1):
        boot = cv.n_bootstrap if args.pair else 0  # intervals only when a difference is asked for
        settings = cv.model_copy(update={"n_bootstrap": boot})
        res = repeated_cv(tune, spec, base, settings, candidates=candidates, repeats=repeats)
    y = res.y
    which = "all" if args.all_letters else grid.select_on
    print(f"{which} letters: {tune['letter_id'].nunique()}, services {len(y)}, overturned "
          f"{int(y.sum())}; {repeats} x {cv.folds}-fold grouped CV\n")  # fmt: skip
    print("| Recipe | Mean ROC-AUC | per repeat (min-max) | Mean Brier | ECE |")
    print("|---|---|---|---|---|")
    for name in res.per_repeat:
        auc, per = res.per_repeat[name]["roc_auc"], res.per_repeat[name]
        print(f"| {name} | {np.mean(auc):.3f} | {min(auc):.3f}-{max(auc):.3f} "
              f"| {np.mean(per['brier']):.4f} | {np.mean(per['ece']):.3f} |")  # fmt: skip
    if args.pair:
        a, b = (n.strip() for n in args.pair.split(","))
        for metric, d in res.difference(a, b).items():
            print(f"\n{a} minus {b}, {metric}: {d.value:+.4f} [{d.low:+.4f}, {d.high:+.4f}]", end="")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
