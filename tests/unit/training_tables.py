"""Tiny generated feature tables (synthetic, spec-shaped) for training unit tests.

The outcome depends on a few features plus one interaction, so a tree model has something to
find that a linear one partly misses; letters have 1-4 services and dated UR denials.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from features.spec import Dtype, FeatureSpec, load_spec


def tiny_table(n_letters: int = 300, seed: int = 0, spec: FeatureSpec | None = None) -> pd.DataFrame:
    spec = spec or load_spec()
    rng = np.random.default_rng(seed)
    per_letter = rng.integers(1, 5, n_letters)
    n = int(per_letter.sum())
    letter = np.repeat(np.arange(n_letters), per_letter)
    item = np.concatenate([np.arange(k) for k in per_letter])
    data: dict[str, object] = {
        "letter_id": [f"SYN-{i:05d}" for i in letter],
        "item_index": item,
        "case_number": [f"SYN-{i:05d}" for i in letter],
        "synthetic": True,
        "letter_format": "synthetic",
        "ur_denial_date": (pd.Timestamp("2016-01-01") + pd.to_timedelta(letter * 2, unit="D")).date,
        "heading": "synthetic service",
        "service": "synthetic service",
    }
    for f in spec.features:
        if f.dtype == Dtype.NUMERIC:
            col = rng.normal(10, 5, n).round(1)
            col[rng.random(n) < 0.1] = np.nan
        elif f.dtype == Dtype.BOOLEAN:
            col = rng.random(n) < 0.3
        elif f.dtype == Dtype.CATEGORICAL:
            levels = f.levels or ["a", "b", "c"]
            col = rng.choice(levels, n)
        else:
            col = np.array(["synthetic text"] * n, dtype=object)
        data[f.name] = col
    df = pd.DataFrame(data)
    logit = (
        -2.8
        + 2.0 * (df["service_family"] == "physical_medicine")
        - 1.5 * (df["service_family"] == "medication")
        + 0.2 * (df["pain_score"].fillna(10) - 10)
        + 2.5 * (df["region_low_back"] & df["red_flag_neuro_deficit"])
    )
    df["overturned"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return df[spec.table_columns]
