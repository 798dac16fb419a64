"""How `imr retrain` trains and judges a challenger: with the champion's own recipe, and on real letters
by the same gate as `imr register`.

A champion from `imr train --letters` was made with `train_real:` (criteria, the family prior and the
text score, cross-fitted); a challenger trained with the synthetic `train:` settings on the same real
letters is another model altogether (ROC-AUC 0.505 against the family rate's 0.572 on the 129 shared
letters), so comparing the two says nothing about the new letters. The recipe is the one the champion's
model card records; with no champion, the corpus decides (real letters: `train_real`).

On the window's real letters both models get ROC-AUC and Brier with 95% letter-level bootstrap intervals
(one function, `real_letter_metrics`, for both): the challenger's go on its model card, as
`imr train --letters` puts its cross-validated ones there, and both go in the report.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from model.model_card import Interval, ModelCard, RealLetterMetrics, Recipe
from training import metrics as M
from training.letter_bootstrap import Interval as BootInterval
from training.model_check import model_figures
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
    """The real letters of the test window: the registry's gate (challenger) and both models' figures."""

    check: RealLetterCheck
    metrics: RealLetterMetrics | None  # the challenger's (its card's); None when one outcome only
    champion_metrics: RealLetterMetrics | None = None  # None also when there is no champion


WINDOW_METHOD = (
    "imr retrain's test window (the newest letters the champion never saw; the challenger not trained on "
    "them); 95% intervals from {n} resamples of whole letters"
)


def _card_interval(i: BootInterval) -> Interval:
    """The card's interval; bounds that no resample defined (NaN) are left out, never written as NaN."""
    def bound(v: float) -> float | None:
        return float(v) if np.isfinite(v) else None

    return Interval(value=i.value, low=bound(i.low), high=bound(i.high))


def real_letter_metrics(
    y: np.ndarray, p: np.ndarray, letters: np.ndarray, *, n_bootstrap: int, seed: int
) -> RealLetterMetrics | None:
    """One model's figures on real letters with 95% letter-level bootstrap intervals (training.model_check,
    as `imr check-letters` measures them); the challenger's and the champion's both come from here, and
    the same letters and seed give both the same resamples. None when the services have one outcome."""
    if len(np.unique(y)) < 2:
        return None
    f = model_figures(y, {"model": p}, letters, n_bootstrap=n_bootstrap, seed=seed)["predictors"]["model"]
    return RealLetterMetrics(
        method=WINDOW_METHOD.format(n=n_bootstrap),
        n_letters=int(len(set(letters.tolist()))),
        n_services=len(y),
        n_overturned=int(y.sum()),
        roc_auc=_card_interval(f.roc_auc),
        brier=_card_interval(f.brier),
        base_rate_brier=M.brier(y, np.full(len(y), y.mean())),
        ece=f.ece.value,
    )


def real_letter_window(
    test_rows: pd.DataFrame,
    y: np.ndarray,
    p_challenger: np.ndarray,
    p_champion: np.ndarray | None = None,
    *,
    n_bootstrap: int = 300,
    seed: int = 0,
) -> WindowOnRealLetters | None:
    """The challenger's Brier on the window's real services against the base rate's on the same
    services (`imr register`'s gate), and each model's figures with intervals; None without real letters."""
    real = ~synthetic_mask(test_rows)
    if not real.any():
        return None
    yr, pr = y[real], p_challenger[real]
    letters = test_rows.loc[real, "letter_id"].astype(str).to_numpy()
    base = M.brier(yr, np.full(len(yr), yr.mean()))
    n_letters = len(set(letters))
    source = f"retrain test window: {len(yr)} services of {n_letters} real letters neither model trained on"
    check = RealLetterCheck(M.brier(yr, pr), base, source)

    def figures(p: np.ndarray | None) -> RealLetterMetrics | None:
        if p is None:
            return None
        return real_letter_metrics(yr, p[real], letters, n_bootstrap=n_bootstrap, seed=seed)

    return WindowOnRealLetters(check, figures(p_challenger), figures(p_champion))
