"""What the served real-letter recipe owes to each of its choices: repeated grouped CV of variants.

    PYTHONPATH=$PWD .venv/bin/python experiments/real_letter_ablation.py [--repeats 10]

Reads ../shared/data/dwc-imr-letters (skips with a message when absent), the `train_real` and
`evaluate_real` sections of params.yaml, and prints a markdown table: each variant's ROC-AUC and
Brier (mean over repeats, 95% letter-bootstrap interval) and its ROC-AUC minus the family-rate
baseline on the same resamples. Nothing is written; experiments/real-letter-model.md quotes it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from real_letter_inputs import LETTERS, letters_missing, real_letter_settings
from threadpoolctl import threadpool_limits

from features.spec import load_spec
from training.boosting import TrainParams
from training.candidates import BaseRateCandidate, FamilyRateCandidate, LightGBMCandidate
from training.letter_labels import load_real_letters
from training.real_cv import repeated_cv


def variants(base: TrainParams) -> dict[str, TrainParams]:
    raw = base.model_dump()
    features = list(base.features or [])

    def v(**update: object) -> TrainParams:
        return TrainParams(**{**raw, **update})

    return {
        "served recipe (train_real)": base,
        "+ patient_age": v(features=[*features, "patient_age"]),
        "without the family prior": v(family_prior={**raw["family_prior"], "enabled": False}),
        "family prior (and family) only": v(features=[]),
        "all spec features": v(features=None),
        "sigmoid calibration (inner CV)": v(calibration="sigmoid"),
        "rounds by inner-CV early stopping": v(
            select_rounds=True, lgbm={**raw["lgbm"], "num_boost_round": 200}
        ),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = ap.parse_args()
    if letters_missing():
        return 0
    base, cv = real_letter_settings(args.params)
    spec = load_spec()
    real = load_real_letters(LETTERS, spec).table
    per_letter = real.groupby("letter_id")[spec.target].sum().sort_values(ascending=False)
    n_pos, hit = int(real[spec.target].sum()), int((per_letter > 0).sum())
    top3 = int(per_letter.iloc[:3].sum())
    print(
        f"{len(real)} services, {n_pos} overturned in {hit} of {len(per_letter)} letters; "
        f"the 3 letters with most overturns hold {top3}\n"
    )
    print(f"{args.repeats} x {cv.folds}-fold grouped CV, {cv.n_bootstrap} letter resamples\n")
    print("| Variant | ROC-AUC | Brier | ROC-AUC minus family rate | single-run range |")
    print("|---|---|---|---|---|")
    with threadpool_limits(limits=1):
        for name, p in variants(base).items():
            cands = [LightGBMCandidate(spec, p), FamilyRateCandidate(p), BaseRateCandidate()]
            res = repeated_cv(real, spec, p, cv, candidates=cands, repeats=args.repeats)
            s, d = res.summary["lightgbm"], res.differences["lightgbm"]["roc_auc"]
            runs = res.per_repeat["lightgbm"]["roc_auc"][: cv.stability_runs]
            print(
                f"| {name} | {s['roc_auc'].value:.3f} [{s['roc_auc'].low:.3f}, {s['roc_auc'].high:.3f}] | "
                f"{s['brier'].value:.4f} | {d.value:+.3f} [{d.low:+.3f}, {d.high:+.3f}] | "
                f"{max(runs) - min(runs):.3f} |",
                flush=True,
            )
        base_brier = res.summary["base_rate"]["brier"].value
        print(f"\nBase-rate Brier on the same folds: {base_brier:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
