"""The recipes compared for the served real-letter model: a small grid fixed in `params.yaml`
(`evaluate_real.grid`) before any all-letter run, the choice made on the tune letters only, and a
nested estimate of choosing that way (the choice redone inside every outer fold).

A recipe is the served `train_real` settings with its feature groups, the text score on or off, and
a learner (LightGBM through `train_model`, or the L2 logistic regression on the same inputs); a LightGBM
recipe may name a booster of the grid (its own LightGBM settings, e.g. depth-1 trees: a GAM). With
a few dozen overturned services, choosing among many recipes on the folds one reports flatters the
winner; the grid is small, every member is reported, and the nested row says what the choice is worth.
"""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from features.spec import FeatureSpec
from training.boosting import LgbmParams, TrainParams
from training.candidates import Candidate, CandidateParams, LightGBMCandidate, LogisticCandidate

Learner = Literal["lightgbm", "logistic_regression"]


class Booster(BaseModel):
    """LightGBM settings a recipe may name instead of train_real's own (`evaluate_real.grid.boosters`)."""

    model_config = ConfigDict(extra="forbid")

    lgbm: LgbmParams
    no_interaction: list[str] = Field(default_factory=list, description="as train_real.no_interaction")
    note: str = ""


class Recipe(BaseModel):
    """One member of the grid: which feature groups, whether the text score, which learner."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    learner: Learner = "lightgbm"
    groups: list[str] = Field(default_factory=list, description="feature groups")
    family_prior: bool = Field(default=True, description="the family prior as an input")
    text: bool = False
    booster: str | None = Field(default=None, description="a grid booster; None: train_real's")
    note: str = ""


class RecipeGrid(BaseModel):
    """params.yaml `evaluate_real.grid`: the feature groups and the recipes built from them."""

    model_config = ConfigDict(extra="forbid")

    groups: dict[str, list[str]] = Field(default_factory=dict)
    recipes: list[Recipe] = Field(default_factory=list)
    boosters: dict[str, Booster] = Field(default_factory=dict)
    monotone: dict[str, Literal[-1, 1]] = Field(
        default_factory=dict, description="constraints added to train_real's where a recipe reads the feature"
    )
    compare_with: list[str] = Field(
        default_factory=lambda: ["facts_before"],
        description="recipes the served one is also paired with in the report (earlier served recipes)",
    )
    select_on: str = "tune"  # the split (tests/real/letter_split.csv) the choice is made on
    selection_repeats: int = Field(default=10, ge=1)
    nested_repeats: int = Field(default=10, ge=0)  # outer repeats of the nested estimate (0: skip it)
    nested_inner_folds: int = Field(default=5, ge=2)

    @model_validator(mode="after")
    def _known_groups(self) -> RecipeGrid:
        for r in self.recipes:
            unknown = sorted(set(r.groups) - set(self.groups))
            if unknown:
                raise ValueError(f"recipe {r.name!r}: unknown feature groups {unknown}")
            if r.booster is not None and (r.booster not in self.boosters or r.learner != "lightgbm"):
                raise ValueError(f"recipe {r.name!r}: booster {r.booster!r} is not a grid booster")
        names = [r.name for r in self.recipes]
        if len(set(names)) != len(names):
            raise ValueError(f"recipe names repeat: {names}")
        return self

    def recipe(self, name: str) -> Recipe:
        for r in self.recipes:
            if r.name == name:
                return r
        raise KeyError(f"no recipe named {name!r} in evaluate_real.grid")

    def features(self, recipe: Recipe) -> list[str]:
        out: list[str] = []
        for g in recipe.groups:
            out += [f for f in self.groups[g] if f not in out]
        return out

    def params(self, recipe: Recipe, base: TrainParams) -> TrainParams:
        """`base` (train_real) with the recipe's features, family prior and text switches and booster."""
        text = base.text_signal.model_copy(update={"enabled": recipe.text})
        prior = base.family_prior.model_copy(update={"enabled": recipe.family_prior})
        features = self.features(recipe)
        wanted = {**base.monotone, **self.monotone}
        # for what the recipe reads (a pattern such as `crit_*`: when it names one of its features, or a
        # feature pattern such as `*` takes it in)
        monotone = {k: v for k, v in wanted.items()
                    if any(fnmatchcase(f, k) or fnmatchcase(k, f) for f in features)}  # fmt: skip
        update = {"features": features, "text_signal": text, "family_prior": prior, "monotone": monotone}
        if recipe.booster is not None:
            b = self.boosters[recipe.booster]
            update |= {"lgbm": b.lgbm, "no_interaction": b.no_interaction}
        return base.model_copy(update=update)

    def twin(self, recipe: Recipe) -> Recipe | None:
        """The same recipe without the text score (its facts-only model), if the grid has it."""
        return self._with_text(recipe, False) if recipe.text else None

    def stack(self, recipe: Recipe) -> Recipe | None:
        """The same recipe with the text score (the stack of issue #23), if the grid has it: what a
        facts-only served recipe is compared with."""
        return None if recipe.text else self._with_text(recipe, True)

    def _with_text(self, recipe: Recipe, text: bool) -> Recipe | None:
        """The grid's recipe that differs from `recipe` only in reading the text score or not."""
        key = (recipe.learner, recipe.groups, recipe.booster, recipe.family_prior)
        for r in self.recipes:
            if r.text == text and (r.learner, r.groups, r.booster, r.family_prior) == key:
                return r
        return None

    def matching(self, params: TrainParams) -> Recipe | None:
        """The LightGBM recipe whose settings are exactly `params` (the served recipe), if any."""
        for r in self.recipes:
            if r.learner == "lightgbm" and self.params(r, params) == params:
                return r
        return None


def recipe_label(recipe: Recipe) -> str:
    learner = "LightGBM" if recipe.learner == "lightgbm" else "Logistic regression"
    if recipe.booster is not None:
        learner += f" ({recipe.booster})"
    prior = ["family prior"] if recipe.family_prior else []
    inputs = " + ".join([*prior, *recipe.groups, *(["text score"] if recipe.text else [])]) or "nothing"
    return f"{learner}: {inputs}"


def recipe_candidate(
    spec: FeatureSpec, grid: RecipeGrid, recipe: Recipe, base: TrainParams, cp: CandidateParams
) -> Candidate:
    params = grid.params(recipe, base)
    if recipe.learner == "lightgbm":
        return LightGBMCandidate(spec, params, name=recipe.name, label=recipe_label(recipe))
    return LogisticCandidate(spec, params, cp, name=recipe.name, label=recipe_label(recipe))


def grid_candidates(
    spec: FeatureSpec, grid: RecipeGrid, base: TrainParams, cp: CandidateParams
) -> list[Candidate]:
    return [recipe_candidate(spec, grid, r, base, cp) for r in grid.recipes]


def best_recipe(per_repeat: dict[str, dict[str, list[float]]], names: Sequence[str]) -> str:
    """The recipe with the highest mean ROC-AUC over repeats (the issue's measure); ties: the earlier,
    i.e. simpler, recipe of the grid."""
    return max(names, key=lambda n: (round(float(np.mean(per_repeat[n]["roc_auc"])), 6), -names.index(n)))


def split_rows(table: pd.DataFrame, split: dict[str, str], which: str) -> np.ndarray:
    """Rows of the letters the split file puts in `which` (by case number)."""
    return table["case_number"].astype(str).map(split).eq(which).to_numpy()
