"""The synthetic recipe's constraints (params.yaml `train:`): the checklist's counts keep their direction.

Without them a model could raise the likelihood when one more criterion is stated unmet (found on the
seed letter: stating long use of Soma moved the unmet count up and the likelihood with it)."""

from __future__ import annotations

from pathlib import Path

from features.spec import load_spec
from training.boosting import TrainParams, constraint_params
from training.params import load_params, section

ROOT = Path(__file__).resolve().parents[2]


def test_met_count_never_lowers_and_unmet_count_never_raises_the_likelihood() -> None:
    params = TrainParams(**section(load_params(ROOT / "params.yaml"), "train"))
    spec = load_spec()
    wanted = {"criteria_met", "criteria_unmet", "crit_red_flags"}
    columns = [f.name for f in spec.features if f.name in wanted]
    assert len(columns) == 3
    signs = constraint_params(columns, columns, spec, params)["monotone_constraints"]
    monotone = dict(zip(columns, signs, strict=True))
    assert monotone == {"criteria_met": 1, "criteria_unmet": -1, "crit_red_flags": 1}
