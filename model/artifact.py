"""`TriageModel`: the one fitted artifact (spec + encoder + LightGBM booster + calibrator + metadata).

Training builds it, MLflow stores it, serving and explanations load it; it lives in `features` so
serving never imports training code. Saved as booster text + JSON + a joblib'd encoder so a reload
gives identical raw scores, probabilities and contributions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import lightgbm as lgb
import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from features.calibration import ScoreCalibrator
from features.spec import FeatureSpec

BOOSTER_FILE = "booster.txt"
ENCODER_FILE = "encoder.joblib"
CALIBRATOR_FILE = "calibrator.json"
SPEC_FILE = "feature_spec.json"
METADATA_FILE = "metadata.json"
ARTIFACT_FORMAT = 1


class ModelMetadata(BaseModel):
    """What a served prediction needs to be traceable: versions, data fingerprint, metrics, choices."""

    model_version: str = Field(description="Human-readable version, e.g. 'imr-overturn 2026-11-01T12:00'.")
    artifact_format: int = ARTIFACT_FORMAT
    feature_spec_version: int
    feature_spec_fingerprint: str
    training_data: dict[str, Any] = Field(default_factory=dict, description="hash and row counts")
    metrics: dict[str, Any] = Field(default_factory=dict)
    calibration: dict[str, Any] = Field(
        default_factory=dict, description="chosen weighting and calibration, the candidates and why"
    )
    params: dict[str, Any] = Field(default_factory=dict)
    encoded_columns: list[str] = Field(default_factory=list)
    feature_of_column: list[str] = Field(default_factory=list)
    synthetic_training_data: bool | None = None
    created_at: str = ""


@dataclass(frozen=True)
class Contributions:
    """Per-row additive log-odds contributions of encoded columns; `values.sum(1) + expected == raw`."""

    values: pd.DataFrame
    expected_value: np.ndarray  # one per row (constant for a given booster)
    feature_of_column: list[str]


class TriageModel:
    """Raw feature rows -> calibrated overturn probability, raw log-odds and contributions."""

    def __init__(
        self,
        spec: FeatureSpec,
        encoder: Any,
        booster: lgb.Booster,
        calibrator: ScoreCalibrator,
        metadata: ModelMetadata,
        predict_threads: int = 1,
    ) -> None:
        self.spec = spec
        self.encoder = encoder
        self.booster = booster
        self.calibrator = calibrator
        self.metadata = metadata
        # One OpenMP thread: on a busy 2-core host more threads spin-wait and run many times slower.
        self.predict_threads = predict_threads
        self.encoded_columns: list[str] = list(encoder.get_feature_names_out())
        self.feature_of_column: list[str] = list(encoder.feature_of_column)

    # ---- prediction ------------------------------------------------------------------------
    def encode(self, df: pd.DataFrame) -> pd.DataFrame:
        """Encoded float frame (columns = `encoded_columns`); the booster was trained on this layout."""
        return self.encoder.transform(df)

    def _matrix(self, df: pd.DataFrame) -> np.ndarray:
        return np.ascontiguousarray(self.encode(df).to_numpy(dtype=np.float64))

    def predict_raw(self, df: pd.DataFrame) -> np.ndarray:
        """Uncalibrated log-odds from the booster."""
        if len(df) == 0:
            return np.empty(0)
        return np.asarray(
            self.booster.predict(self._matrix(df), raw_score=True, num_threads=self.predict_threads),
            dtype=np.float64,
        )

    def predict_proba(self, df: pd.DataFrame) -> np.ndarray:
        """Calibrated probability that IMR overturns the UR denial of each service."""
        return self.calibrator.apply(self.predict_raw(df))

    def contributions(self, df: pd.DataFrame) -> Contributions:
        """TreeSHAP contributions (LightGBM `pred_contrib`) per encoded column, in log-odds."""
        if len(df) == 0:
            empty = pd.DataFrame(columns=self.encoded_columns, dtype=np.float64)
            return Contributions(empty, np.empty(0), self.feature_of_column)
        contrib = np.asarray(
            self.booster.predict(self._matrix(df), pred_contrib=True, num_threads=self.predict_threads),
            dtype=np.float64,
        )
        values = pd.DataFrame(contrib[:, :-1], columns=self.encoded_columns, index=df.index)
        return Contributions(values, contrib[:, -1].copy(), self.feature_of_column)

    # ---- persistence -----------------------------------------------------------------------
    def save(self, directory: Path | str) -> Path:
        """Write the artifact files into `directory` (created if needed); returns the directory."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        (out / BOOSTER_FILE).write_text(self.booster.model_to_string(), encoding="utf-8")
        joblib.dump(self.encoder, out / ENCODER_FILE)
        (out / CALIBRATOR_FILE).write_text(self.calibrator.model_dump_json(indent=1), encoding="utf-8")
        (out / SPEC_FILE).write_text(self.spec.model_dump_json(indent=1), encoding="utf-8")
        (out / METADATA_FILE).write_text(self.metadata.model_dump_json(indent=1), encoding="utf-8")
        return out

    @classmethod
    def load(cls, directory: Path | str) -> TriageModel:
        """Load a saved artifact; a missing or corrupt file raises naming the file."""
        src = Path(directory)
        needed = [BOOSTER_FILE, ENCODER_FILE, CALIBRATOR_FILE, SPEC_FILE, METADATA_FILE]
        absent = [n for n in needed if not (src / n).is_file()]
        if absent:
            raise FileNotFoundError(f"{src}: not a TriageModel directory, missing {absent}")
        try:
            metadata = ModelMetadata.model_validate_json((src / METADATA_FILE).read_text(encoding="utf-8"))
            if metadata.artifact_format != ARTIFACT_FORMAT:
                raise ValueError(f"artifact format {metadata.artifact_format}, expected {ARTIFACT_FORMAT}")
            spec = FeatureSpec.model_validate_json((src / SPEC_FILE).read_text(encoding="utf-8"))
            calibrator = ScoreCalibrator.model_validate_json(
                (src / CALIBRATOR_FILE).read_text(encoding="utf-8")
            )
            booster = lgb.Booster(model_str=(src / BOOSTER_FILE).read_text(encoding="utf-8"))
            encoder = joblib.load(src / ENCODER_FILE)
        except Exception as exc:  # noqa: BLE001 - re-raised with the directory named
            raise ValueError(f"{src}: cannot load TriageModel: {exc}") from exc
        model = cls(spec, encoder, booster, calibrator, metadata)
        if booster.num_feature() != len(model.encoded_columns):
            raise ValueError(
                f"{src}: booster expects {booster.num_feature()} columns, encoder gives "
                f"{len(model.encoded_columns)}"
            )
        return model

    def describe(self) -> dict[str, Any]:
        """JSON-ready summary for `GET /v1/model` and reports."""
        return json.loads(self.metadata.model_dump_json())


def load_from_mlflow(model_uri: str, dst: Path | str | None = None) -> TriageModel:
    """Load the TriageModel inside a logged/registered MLflow model (e.g. 'models:/imr-overturn@champion').

    Downloads only the artifact directory; no pyfunc or training code is needed to serve it.
    """
    import mlflow

    local = Path(
        mlflow.artifacts.download_artifacts(
            artifact_uri=model_uri, dst_path=None if dst is None else str(dst)
        )
    )
    # mlflow stores the artifact directory under its own name inside `artifacts/`; find it by content
    found = sorted(p.parent for p in local.rglob(METADATA_FILE) if (p.parent / BOOSTER_FILE).is_file())
    if not found:
        raise FileNotFoundError(f"{model_uri}: no TriageModel artifact found under {local}")
    return TriageModel.load(found[0])
