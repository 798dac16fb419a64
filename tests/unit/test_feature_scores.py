"""The fast path's per-feature answer: every non-zero contribution, by name, in the model's order."""

from __future__ import annotations

import math

import numpy as np

from serving.feature_scores import nonzero_contributions


def _filtered(per_feature: np.ndarray, names: list[str]) -> list[dict[str, float]]:
    """The plain reading of the contract: each row's features whose value is not exactly 0."""
    return [{f: v for f, v in zip(names, row, strict=True) if v != 0.0} for row in per_feature.tolist()]


def test_nonzero_contributions_equal_the_filtered_rows_in_order():
    names = ["a", "never_split", "b", "c", "d"]
    per_feature = np.array(
        [
            [0.5, 0.0, -0.25, 1e-300, 2.0],  # no zero among used features: one dict(zip) call
            [0.0, 0.0, 0.125, -0.0, math.nan],  # zeros (and -0.0) left out, NaN kept
            [0.0, 0.0, 0.0, 0.0, 0.0],
            [-1.0, 0.0, 3.0, 4.0, 5.0],
        ]
    )
    got = nonzero_contributions(per_feature, names)
    want = _filtered(per_feature, names)
    assert [list(g) for g in got] == [list(w) for w in want]  # same keys in the same order
    assert [list(g.values()) for g in got][0] == [0.5, -0.25, 1e-300, 2.0]
    assert got[1]["b"] == 0.125 and math.isnan(got[1]["d"]) and set(got[1]) == {"b", "d"}
    assert got[2] == {} and got[3] == want[3]
    assert nonzero_contributions(np.zeros((0, 5)), names) == []
