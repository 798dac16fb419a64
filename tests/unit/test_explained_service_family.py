"""The request's service family is shown and stored from the letter's own taxonomy reading, also when the
model does not read it: the real-letter recipe reads criterion statuses only, and its explanations (the
`imr explain` table's "[family]", the API's and the scores database's `service_family`) said nothing, which
the table showed as "other" for an MRI. SYNTHETIC letters and a tiny model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from training_tables import tiny_table

from features.spec import load_spec
from features.table import build_feature_table
from letters.parser import parse_text
from model.explanations import explain_case
from model.predictor import Predictor
from tests.synthetic_letter_files import write_synthetic_letters
from training.train import TrainParams, train_model

STATUSES = ["crit_conservative_care", "crit_objective_findings", "crit_repeat_study"]


@pytest.fixture(scope="module")
def criteria_only(tmp_path_factory: pytest.TempPathFactory) -> Predictor:
    """A model on criterion statuses alone, as params.yaml's train_real is."""
    table = tiny_table(120, seed=3)
    rng = np.random.default_rng(3)
    for col in STATUSES:
        table[col] = rng.choice(["met", "unmet", "not_documented", "not_applicable"], len(table))
    table["synthetic"], table["letter_format"] = False, "dwc-2016"
    settings = TrainParams(cv_folds=2, weighting="unweighted", calibration="none", select_rounds=False,
                           features=STATUSES, family_prior={"enabled": False},
                           encoder={"ordinal": {"crit_*": {"unmet": 0, "not_documented": 1, "met": 2}}},
                           lgbm={"num_boost_round": 20, "num_leaves": 2, "min_data_in_leaf": 5})  # fmt: skip
    model = train_model(table, load_spec(), settings).model
    assert "service_family" not in {f.name for f in model.input_spec.features}
    return Predictor.load(model.save(tmp_path_factory.mktemp("criteria-only") / "model"))


def test_the_family_comes_from_the_letter_when_the_model_does_not_read_it(
    criteria_only: Predictor, tmp_path: Path
) -> None:
    for path in write_synthetic_letters(tmp_path, 4, seed=9):
        case = parse_text(path.read_text(encoding="utf-8"), path.name)
        families = build_feature_table([case], with_target=False)["service_family"].tolist()
        shown = [s.service_family for s in explain_case(criteria_only, case).services]
        assert shown == families and all(f is not None for f in shown)
