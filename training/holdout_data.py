"""Rebuild the exact train/holdout frames a saved model was trained and judged on."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from model.artifact import TriageModel
from training.train import labelled_rows


@dataclass
class HoldoutFrames:
    model: TriageModel
    train: pd.DataFrame
    test: pd.DataFrame
    split: dict[str, Any]
    synthetic: bool


def load_holdout_frames(features: Path, model_dir: Path, holdout: Path) -> HoldoutFrames:
    """Labelled rows of `features`, split by the holdout letter ids that `imr train` wrote."""
    for p in (features, holdout):
        if not p.is_file():
            raise FileNotFoundError(f"{p}: not found (run `imr train` first)")
    model = TriageModel.load(model_dir)
    table = labelled_rows(pd.read_parquet(features), model.spec)
    split = json.loads(holdout.read_text(encoding="utf-8"))
    is_test = table["letter_id"].astype(str).isin(set(split.pop("test_letter_ids")))
    if not is_test.any():
        raise ValueError(f"{holdout}: none of its holdout letters are in {features}")
    synthetic = bool(table["synthetic"].astype(bool).all()) if "synthetic" in table else False
    return HoldoutFrames(
        model,
        table.loc[~is_test].reset_index(drop=True),
        table.loc[is_test].reset_index(drop=True),
        split,
        synthetic,
    )
