"""`imr train --letters DIR`: one model on every real letter of a directory (no holdout), with a model
card whose real-letter numbers come from cross-validating exactly this recipe on the same letters.

Synthetic rows join only at a stated weight; the card says how many of each the model saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from features.spec import FeatureSpec
from model.model_card import RealLetterMetrics
from training.boosting import TrainParams, TrainResult
from training.letter_labels import RealLetters, load_real_letters
from training.real_cv import RealCVParams
from training.train import train_model


@dataclass
class RealTrainingRun:
    result: TrainResult
    letters: RealLetters
    metrics: RealLetterMetrics | None
    synthetic_services: int
    oof: pd.DataFrame | None = None  # the recipe's out-of-fold predictions on these letters (for register)

    def summary(self) -> dict[str, Any]:
        meta = self.result.model.metadata
        card = meta.card()
        return {
            "model_version": meta.model_version,
            "trained_on": card.trained_on.model_dump(mode="json"),
            "real_letter_metrics": None if self.metrics is None else self.metrics.model_dump(mode="json"),
            "warning": card.warning,
            "label_check": self.letters.labels.as_dict(),
            "parse_failures": self.letters.parse_failures,
            "dropped_services": self.letters.dropped,
            "calibration": meta.calibration.get("reason"),
        }


def train_on_real_letters(
    letters_dir: Path,
    spec: FeatureSpec,
    params: TrainParams,
    cv: RealCVParams,
    *,
    labels: Path | None = None,
    synthetic: pd.DataFrame | None = None,
    validate: bool = True,
) -> RealTrainingRun:
    """Parse, check labels, validate the recipe by repeated grouped CV (for the card), train on all."""
    from training.real_letters import validate_recipe

    data = load_real_letters(letters_dir, spec, labels)
    real = data.table
    if real.empty or real[spec.target].nunique() < 2:
        raise ValueError(f"{letters_dir}: no labelled services of both outcomes among the parsed letters")
    table = real
    n_syn = 0
    if synthetic is not None:
        if params.synthetic_weight is None:
            raise ValueError("synthetic rows need a weight (--synthetic-weight)")
        syn = synthetic.assign(synthetic=True)
        n_syn = len(syn)
        table = pd.concat([real, syn], ignore_index=True)
    validation = (
        validate_recipe(real, spec, params, cv, cv.card_repeats, synthetic=synthetic) if validate else None
    )
    metrics = None if validation is None else validation.metrics
    result = train_model(table, spec, params, recipe="train_real")
    card = result.model.metadata.card()
    card.real_letter_metrics = metrics
    card.notes.append(data.labels.summary())
    result.model.metadata.model_card = card
    return RealTrainingRun(result, data, metrics, n_syn, None if validation is None else validation.oof)
