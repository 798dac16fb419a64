"""What the real-letter experiment scripts share: where the letters are, the settings, the tune rows.

One place, so `gam_variants.py`, `tune_recipes.py` and `real_letter_ablation.py` read the same letters
with the same `params.yaml` sections and the same tune split.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from training.boosting import TrainParams
from training.params import load_params, section
from training.real_cv import RealCVParams
from training.recipes import split_rows
from training.text_cv import read_split

LETTERS = Path("../shared/data/dwc-imr-letters/pdf")
SPLIT = Path("tests/real/letter_split.csv")


def letters_missing() -> bool:
    """True (and says so) when the shared real letters are absent: the scripts then skip."""
    if LETTERS.is_dir():
        return False
    print(f"skipped: {LETTERS} not found (the shared real letters)")
    return True


def real_letter_settings(params_path: Path) -> tuple[TrainParams, RealCVParams]:
    """The served recipe's settings (`train_real`) and the CV settings (`evaluate_real`)."""
    params = load_params(params_path)
    return TrainParams(**section(params, "train_real")), RealCVParams(**section(params, "evaluate_real"))


def tune_rows(real: pd.DataFrame, select_on: str) -> pd.DataFrame:
    """The services of the split's `select_on` letters (the tune letters), reindexed."""
    return real.loc[split_rows(real, read_split(SPLIT), select_on)].reset_index(drop=True)
