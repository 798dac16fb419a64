"""The promotion rule: direction-aware, margin-respecting, and explicit about what it compared."""

from __future__ import annotations

import math

import pytest

from training.registry import PromotionDecision, RegistryParams, beats, decide


@pytest.mark.parametrize(
    ("challenger", "reference", "metric", "margin", "expected"),
    [
        (0.80, 0.79, "roc_auc", 0.005, True),
        (0.80, 0.797, "roc_auc", 0.005, False),  # better, but not by the margin
        (0.79, 0.80, "roc_auc", 0.0, False),
        (0.080, 0.090, "brier", 0.005, True),  # lower is better
        (0.090, 0.080, "brier", 0.0, False),
        (0.30, 0.30, "log_loss", 0.0, True),  # a tie passes a zero margin
        (math.nan, 0.5, "roc_auc", 0.0, False),  # an unscorable challenger never wins
        (0.6, math.nan, "roc_auc", 0.0, True),
    ],
)
def test_beats(challenger: float, reference: float, metric: str, margin: float, expected: bool) -> None:
    assert beats(challenger, reference, metric, margin) is expected


def test_decision_carries_numbers_and_reason() -> None:
    params = RegistryParams(metric="roc_auc", margin=0.01)
    d = decide(0.805, 0.80, "champion v3", params, version="4", previous_champion="3", n_services=900)
    assert isinstance(d, PromotionDecision)
    assert d.promoted is False
    assert d.reference == "champion v3" and d.previous_champion == "3"
    assert "0.80500" in d.reason and "0.80000" in d.reason and "margin 0.01" in d.reason
    first = decide(0.70, 0.60, "baseline family_rate", params, "1", None, 900, margin=0.0)
    assert first.promoted and first.margin == 0.0
    assert first.as_dict()["challenger_value"] == 0.70


def test_params_validate_metric_and_margin() -> None:
    with pytest.raises(ValueError, match="register.metric"):
        RegistryParams(metric="accuracy")
    with pytest.raises(ValueError, match="margin"):
        RegistryParams(margin=-0.1)
