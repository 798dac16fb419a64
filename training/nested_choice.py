"""The nested estimate of choosing a recipe (`evaluate_real.grid`): the whole choice redone inside every
outer fold as one candidate. Kept apart from `training.recipes` because it runs the repeated CV
(`training.real_cv`), which itself reads the grid."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from features.spec import FeatureSpec
from training.boosting import TrainParams
from training.candidates import CandidateParams, FoldData
from training.real_cv import RealCVParams, repeated_cv
from training.recipes import RecipeGrid, best_recipe, grid_candidates


@dataclass
class NestedChoice:
    """The whole procedure as one candidate: inside each outer fold, the grid is compared by grouped CV
    on the fold's training letters only, and the winner is refitted on them to score the fold."""

    spec: FeatureSpec
    grid: RecipeGrid
    base: TrainParams
    cp: CandidateParams
    name: str = "nested_choice"
    label: str = "Recipe chosen inside each outer fold (nested)"
    choices: list[str] = field(default_factory=list)

    def fit_predict(self, fold: FoldData) -> np.ndarray:
        candidates = grid_candidates(self.spec, self.grid, self.base, self.cp)
        inner = RealCVParams(folds=self.grid.nested_inner_folds, repeats=1, seed=fold.seed, n_bootstrap=0)
        train = fold.train.reset_index(drop=True)
        result = repeated_cv(train, self.spec, self.base, inner, candidates=candidates)
        chosen = best_recipe(result.per_repeat, [c.name for c in candidates])
        self.choices.append(chosen)
        return next(c for c in candidates if c.name == chosen).fit_predict(fold)


def choice_summary(choices: Sequence[str]) -> dict[str, Any]:
    counts = pd.Series(list(choices), dtype=object).value_counts()
    return {"folds": len(choices), "chosen": {str(k): int(v) for k, v in counts.items()}}
