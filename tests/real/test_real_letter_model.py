"""The real-letter model on the shared DWC letters (skipped when ../shared is absent): every parsed
decision agrees with labels.csv, the model card counts 129 real letters and holds CV metrics from
inside-fold fits, and explanations of a real letter carry the card's facts."""

from __future__ import annotations

from pathlib import Path

import pytest
from threadpoolctl import threadpool_limits

from features.spec import load_spec
from letters.ingest import parse_file
from model.explanations import explain_case
from model.predictor import Predictor
from tests.conftest import REPO_ROOT
from training.boosting import TrainParams
from training.params import load_params, section
from training.real_cv import RealCVParams
from training.real_training import train_on_real_letters

pytestmark = [pytest.mark.real, pytest.mark.slow]


def test_train_on_the_shared_letters(dwc_letters_dir: Path) -> None:
    params = load_params(REPO_ROOT / "params.yaml")
    train = TrainParams(**section(params, "train_real"))
    cv = RealCVParams(**{**section(params, "evaluate_real"), "card_repeats": 2, "n_bootstrap": 100})
    with threadpool_limits(limits=1):
        run = train_on_real_letters(dwc_letters_dir / "pdf", load_spec(), train, cv)
    assert run.letters.labels.ok and run.letters.labels.n_compared == 292 and run.letters.problems == []
    card = run.result.model.metadata.card()
    assert card.trained_on.real_letters == 129 and card.trained_on.real_services == 292
    assert card.trained_on.synthetic_letters == 0 and card.trained_on.ur_denial_dates[0].startswith("2016-")
    m = card.real_letter_metrics
    assert m is not None and m.n_overturned == 37 and m.roc_auc.low <= m.roc_auc.value <= m.roc_auc.high
    assert m.base_rate_brier == pytest.approx(0.1107, abs=5e-4)
    assert set(run.oof.columns) >= {"letter_id", "item_index", "y", "lightgbm", "family_rate"}

    letter = sorted((dwc_letters_dir / "pdf").glob("*.pdf"))[0]
    explained = explain_case(Predictor(run.result.model), parse_file(letter))
    assert explained.model.trained_on.real_letters == 129 and explained.model.validated_on_real
    assert all(0 <= s.overturn_likelihood <= 1 for s in explained.services)
