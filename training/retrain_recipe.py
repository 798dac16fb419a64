"""How `imr retrain` trains and judges a challenger: with the champion's own recipe, and on real letters
by the same gate as `imr register`.

A champion from `imr train --letters` was made with `train_real:` (criteria, the family prior and the
text score, cross-fitted); a challenger trained with the synthetic `train:` settings on the same real
letters is another model altogether (ROC-AUC 0.505 against the family rate's 0.572 on the 129 shared
letters), so comparing the two says nothing about the new letters. The recipe is the one the champion's
model card records; with no champion, the corpus decides (real letters: `train_real`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from model.model_card import Interval, ModelCard, RealLetterMetrics, Recipe
from training import metrics as M
from training.registry import RealLetterCheck
from training.train import synthetic_mask


@dataclass(frozen=True)
class RecipeChoice:
    """The params.yaml section the challenger is trained with, and why that one."""

    name: Recipe
    why: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def challenger_recipe(champion_card: ModelCard | None, table: pd.DataFrame) -> RecipeChoice:
    """The champion's recipe (recorded on its card, or read from what it was trained on); with no
    champion, `train_real` when the corpus holds real letters and `train` for a synthetic one."""
    if champion_card is not None:
        name = champion_card.training_recipe()
        if champion_card.recipe is not None:
            return RecipeChoice(name, "the champion's model card records it")
        real = champion_card.trained_on.real_letters
        return RecipeChoice(
            name, f"the champion's card records no recipe; it was trained on {real} real letters"
        )
    real = ~synthetic_mask(table)
    if real.any():
        n = int(table.loc[real, "letter_id"].nunique())
        return RecipeChoice("train_real", f"no champion; the corpus holds {n} real letters")
    return RecipeChoice("train", "no champion; the corpus holds synthetic letters only")


@dataclass(frozen=True)
class WindowOnRealLetters:
    """The challenger on the real letters of the test window: the registry's gate and the card's numbers."""

    check: RealLetterCheck
    metrics: RealLetterMetrics | None  # None when the window's real services have one outcome only


def real_letter_window(
    test_rows: pd.DataFrame, y: np.ndarray, p_challenger: np.ndarray
) -> WindowOnRealLetters | None:
    """The challenger's Brier on the window's real services against the base rate's on the same
    services (`imr register`'s gate), and point metrics for its model card; None without real letters."""
    real = ~synthetic_mask(test_rows)
    if not real.any():
        return None
    yr, pr = y[real], p_challenger[real]
    letters = int(test_rows.loc[real, "letter_id"].nunique())
    base = M.brier(yr, np.full(len(yr), yr.mean()))
    source = f"retrain test window: {len(yr)} services of {letters} real letters neither model trained on"
    check = RealLetterCheck(M.brier(yr, pr), base, source)
    if len(np.unique(yr)) < 2:
        return WindowOnRealLetters(check, None)
    metrics = RealLetterMetrics(
        method="imr retrain's test window (the newest letters the champion never saw; the challenger "
        "not trained on them), point estimates",
        n_letters=letters,
        n_services=len(yr),
        n_overturned=int(yr.sum()),
        roc_auc=Interval(value=M.roc_auc(yr, pr)),
        brier=Interval(value=check.brier),
        base_rate_brier=base,
        ece=M.ece(yr, pr),
    )
    return WindowOnRealLetters(check, metrics)
