"""The grid of recipes for the served real-letter model: how a recipe becomes `train_real` settings, the
choice made on the tune letters only, and the nested estimate (SYNTHETIC tables flagged as real)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from training_tables import tiny_table

from features.spec import load_spec
from tests.conftest import REPO_ROOT
from training.boosting import TrainParams
from training.candidates import CandidateParams
from training.nested_choice import NestedChoice, choice_summary
from training.params import load_params, section
from training.real_cv import RealCVParams, repeated_cv
from training.real_letters import choose_recipe
from training.recipes import RecipeGrid, best_recipe, recipe_label

BASE = TrainParams(
    cv_folds=3, weighting="unweighted", calibration="none", select_rounds=False,
    features=["pain_score"], family_prior={"enabled": True}, monotone={"pain_score": -1},
    lgbm={"num_boost_round": 20, "num_leaves": 3, "min_data_in_leaf": 10},
)  # fmt: skip
GRID = RecipeGrid(
    groups={"pain": ["pain_score"], "back": ["region_low_back", "red_flag_neuro_deficit"]},
    monotone={"red_flag_neuro_deficit": 1},
    recipes=[
        {"name": "prior", "groups": []},
        {"name": "back", "groups": ["back"]},
        {"name": "back_text", "groups": ["back"], "text": True},
        {"name": "lr_back", "learner": "logistic_regression", "groups": ["back", "pain"]},
    ],
    selection_repeats=1,
    nested_repeats=1,
    nested_inner_folds=3,
)
# smaller grids for the runs (logistic regressions fit in milliseconds)
QUICK = GRID.model_copy(update={"recipes": [GRID.recipe("lr_back"), GRID.recipe("lr_back").model_copy(
    update={"name": "lr_prior", "groups": []})]})  # fmt: skip
CHOICE = RecipeGrid(
    groups=GRID.groups, selection_repeats=1,
    recipes=[{"name": "lr_back", "learner": "logistic_regression", "groups": ["back"]},
             {"name": "lr_back_text", "learner": "logistic_regression", "groups": ["back"], "text": True}],
)  # fmt: skip


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    t = tiny_table(60, seed=4).assign(synthetic=False, letter_format="dwc-2016")
    words = np.where(t["overturned"].to_numpy() == 1, "swelling", "aching")
    texts = [f"SYNTHETIC {w}" for w in words]
    return t.assign(summary_text=texts, service_text="SYNTHETIC", ur_guideline_text="")


def test_a_recipe_is_train_real_with_its_features_text_and_constraints() -> None:
    p = GRID.params(GRID.recipe("back_text"), BASE)
    assert p.features == ["region_low_back", "red_flag_neuro_deficit"] and p.text_signal.enabled
    assert p.monotone == {"red_flag_neuro_deficit": 1}  # pain_score's constraint: not read here
    assert p.lgbm == BASE.lgbm and p.family_prior == BASE.family_prior
    assert GRID.twin(GRID.recipe("back_text")).name == "back"
    assert GRID.twin(GRID.recipe("back")) is None
    assert GRID.stack(GRID.recipe("back")).name == "back_text"  # a facts-only recipe's stack
    assert GRID.stack(GRID.recipe("back_text")) is None
    assert GRID.matching(GRID.params(GRID.recipe("back_text"), BASE)).name == "back_text"
    assert GRID.matching(BASE) is None  # pain_score alone is no recipe of this grid
    with pytest.raises(ValueError, match="unknown feature groups"):
        RecipeGrid(groups={}, recipes=[{"name": "x", "groups": ["nope"]}])


def test_a_recipe_may_leave_the_family_prior_out_and_its_twin_leaves_it_out_too() -> None:
    grid = GRID.model_copy(update={"recipes": [
        *GRID.recipes,
        GRID.recipe("back_text").model_copy(update={"name": "back_text_noprior", "family_prior": False}),
        GRID.recipe("back").model_copy(update={"name": "back_noprior", "family_prior": False}),
    ]})  # fmt: skip
    p = grid.params(grid.recipe("back_text_noprior"), BASE)
    assert not p.family_prior.enabled and p.text_signal.enabled
    assert grid.params(grid.recipe("back_text"), BASE).family_prior.enabled
    assert grid.twin(grid.recipe("back_text_noprior")).name == "back_noprior"
    assert grid.twin(grid.recipe("back_text")).name == "back"
    assert grid.matching(p).name == "back_text_noprior"
    assert recipe_label(grid.recipe("back_noprior")).endswith(": back")
    assert "family prior" in recipe_label(grid.recipe("back"))


def test_a_pattern_constraint_stays_with_the_recipes_that_read_a_feature_it_names() -> None:
    base = BASE.model_copy(update={"monotone": {"crit_*": 1}, "no_interaction": ["crit_*"]})
    grid = RecipeGrid(
        groups={"criteria": ["crit_conservative_care", "crit_red_flags"], "pain": ["pain_score"]},
        recipes=[{"name": "criteria", "groups": ["criteria"]}, {"name": "pain", "groups": ["pain"]}],
    )
    assert grid.params(grid.recipe("criteria"), base).monotone == {"crit_*": 1}
    assert grid.params(grid.recipe("pain"), base).monotone == {}
    assert grid.params(grid.recipe("criteria"), base).no_interaction == ["crit_*"]


def test_a_booster_brings_its_own_lightgbm_settings_and_a_whole_spec_pattern_keeps_constraints() -> None:
    gam = {"lgbm": {"num_leaves": 2, "num_boost_round": 50, "bagging_fraction": 1.0, "bagging_freq": 0},
           "no_interaction": ["*"]}  # fmt: skip
    base = BASE.model_copy(update={"monotone": {"crit_*": 1, "pain_score": -1}, "no_interaction": ["crit_*"]})
    grid = RecipeGrid(
        groups={"criteria": ["crit_red_flags"], "spec": ["*"]},
        boosters={"gam": gam},
        recipes=[{"name": "criteria", "groups": ["criteria"]},
                 {"name": "gam_criteria", "groups": ["criteria"], "booster": "gam"},
                 {"name": "gam_criteria_text", "groups": ["criteria"], "text": True, "booster": "gam"},
                 {"name": "gam_all", "groups": ["spec"], "booster": "gam"}],
    )  # fmt: skip
    plain, p = grid.params(grid.recipe("criteria"), base), grid.params(grid.recipe("gam_criteria"), base)
    assert plain.lgbm == base.lgbm and plain.no_interaction == ["crit_*"]  # no booster: train_real's own
    assert p.lgbm.num_leaves == 2 and p.lgbm.bagging_freq == 0 and p.no_interaction == ["*"]
    assert p.family_prior == base.family_prior and p.text_signal == base.text_signal
    # the twin has the same booster: the facts-only model of a GAM is a GAM
    assert grid.twin(grid.recipe("gam_criteria_text")).name == "gam_criteria"
    assert grid.matching(grid.params(grid.recipe("gam_criteria_text"), base)).name == "gam_criteria_text"
    assert grid.params(grid.recipe("gam_all"), base).monotone == {"crit_*": 1, "pain_score": -1}
    assert "LightGBM (gam)" in recipe_label(grid.recipe("gam_all"))
    with pytest.raises(ValueError, match="is not a grid booster"):
        RecipeGrid(recipes=[{"name": "x", "booster": "nope"}])
    with pytest.raises(ValueError, match="is not a grid booster"):  # a logistic regression has no booster
        RecipeGrid(boosters={"gam": gam}, recipes=[{"name": "x", "learner": "logistic_regression",
                                                    "booster": "gam"}])  # fmt: skip


def test_the_best_recipe_is_the_highest_mean_and_ties_go_to_the_simpler() -> None:
    per = {"a": {"roc_auc": [0.6, 0.7]}, "b": {"roc_auc": [0.65, 0.65]}, "c": {"roc_auc": [0.7, 0.6]}}
    assert best_recipe(per, ["a", "b", "c"]) == "a"
    per["c"]["roc_auc"] = [0.8, 0.8]
    assert best_recipe(per, ["a", "b", "c"]) == "c"


def test_the_choice_reads_the_tune_letters_only(table: pd.DataFrame) -> None:
    spec = load_spec()
    cv = RealCVParams(folds=3, repeats=1, n_bootstrap=0, stability_runs=2, grid=CHOICE)
    letters = sorted(table["case_number"].unique())
    split = {c: ("tune" if i % 3 else "validation") for i, c in enumerate(letters)}
    first = choose_recipe(table, spec, BASE, cv, split)
    validation = table["case_number"].map(split).eq("validation")
    scrambled = table.copy()
    scrambled.loc[validation, "overturned"] = 1 - scrambled.loc[validation, "overturned"]
    scrambled.loc[validation, "summary_text"] = "SYNTHETIC changed"
    again = choose_recipe(scrambled, spec, BASE, cv, split)
    assert again.chosen == first.chosen and again.as_dict() == first.as_dict()
    assert first.as_dict()["n_letters"] == sum(v == "tune" for v in split.values())


def test_nested_choice_chooses_inside_each_fold(table: pd.DataFrame) -> None:
    spec = load_spec()
    nested = NestedChoice(spec, QUICK, BASE, CandidateParams())
    cv = RealCVParams(folds=3, repeats=1, n_bootstrap=0, stability_runs=2)
    res = repeated_cv(table, spec, BASE, cv, candidates=[nested])  # test rows reach it without labels
    assert len(nested.choices) == 3 and set(nested.choices) <= {"lr_prior", "lr_back"}
    assert choice_summary(nested.choices)["folds"] == 3
    p = res.oof["nested_choice"]
    assert p.shape == (1, len(table)) and np.all((p > 0) & (p < 1))


def test_params_yaml_grid_holds_the_served_recipe_and_its_text_counterpart() -> None:
    params = load_params(REPO_ROOT / "params.yaml")
    cv = RealCVParams(**section(params, "evaluate_real"))
    served = cv.grid.matching(TrainParams(**section(params, "train_real")))
    assert served is not None and served.learner == "lightgbm"
    # issue #23 compares the stack with the facts-only model, whichever of the two is served
    assert (cv.grid.twin(served) if served.text else cv.grid.stack(served)) is not None
    # every other LightGBM recipe names its booster, so serving another one changes none of them
    assert all(r.booster is not None for r in cv.grid.recipes if r.learner == "lightgbm")
