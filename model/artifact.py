"""`TriageModel`: the one fitted artifact (spec + encoder + LightGBM booster + calibrator + metadata).

Training builds it, MLflow stores it, `model.predictor.Predictor` scores with it; it lives in `model`
so serving never imports training code. It holds; it does not score. Saved as booster text and JSON
(no pickles): a reload gives identical raw scores, probabilities and contributions, and the same
model always writes the same bytes. A model with derived features (the text signal's score) also
holds their fitted state (`text_signal.json`) and names them in `derived_features.json`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import lightgbm as lgb
from pydantic import BaseModel, Field

from features.spec import Dtype, FeatureSpec
from model.calibration import ScoreCalibrator
from model.derived_columns import (
    DERIVED_FEATURES_FILE,
    DerivedFeature,
    ModelEncoder,
    Rows,
    derive_rows,
    derived_feature_from_dict,
    derived_from_dict,
)
from model.encoder import FeatureEncoder
from model.model_card import CARD_FILE, ModelCard, card_from_training_data

BOOSTER_FILE = "booster.txt"
ENCODER_FILE = "encoder.json"
CALIBRATOR_FILE = "calibrator.json"
SPEC_FILE = "feature_spec.json"
METADATA_FILE = "metadata.json"
DERIVED_FILE = "derived_columns.json"  # only when the model has derived inputs (e.g. the family prior)
CHECKSUMS_FILE = "checksums.json"
ARTIFACT_FILES = (BOOSTER_FILE, ENCODER_FILE, CALIBRATOR_FILE, SPEC_FILE, METADATA_FILE)  # always present
# Model-version tag holding `artifact_digest` of a registered artifact, set when it is registered.
DIGEST_TAG = "imr.artifact_sha256"
ARTIFACT_FORMAT = 2  # 2: encoder as JSON (1: a pickled `features.encoder`)


class ModelMetadata(BaseModel):
    """What a served prediction needs to be traceable: versions, data fingerprint, metrics, choices."""

    model_version: str = Field(
        description="Content version: the model name and a digest of what the model computes (booster, "
        "calibrator, encoded columns, training data), e.g. 'imr-overturn-3fa9c2b1d0e4'. The same training "
        "run on the same data gives the same version, so a DVC pipeline reproduces it byte for byte."
    )
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
    model_card: ModelCard | None = Field(
        default=None,
        description="What the model was trained on and its real-letter metrics (model/model_card.py).",
    )

    def card(self) -> ModelCard:
        """The model card (rebuilt from the training counts for models saved before cards existed)."""
        return self.model_card or card_from_training_data(self.training_data, self.synthetic_training_data)


class TriageModel:
    """What a trained model is: its spec, fitted encoder, booster, calibrator and metadata, and the
    derived features it computes into a row before encoding (`derive`)."""

    def __init__(
        self,
        spec: FeatureSpec,
        encoder: FeatureEncoder | ModelEncoder,
        booster: lgb.Booster,
        calibrator: ScoreCalibrator,
        metadata: ModelMetadata,
        derived_features: list[DerivedFeature] | None = None,
    ) -> None:
        self.spec = spec
        self.encoder = encoder
        self.booster = booster
        self.calibrator = calibrator
        self.metadata = metadata
        self.derived_features: list[DerivedFeature] = list(derived_features or [])
        missing = [d.name for d in self.derived_features if d.name not in spec.names]
        if missing:
            raise ValueError(f"derived features missing from the model's spec: {missing}")
        self.encoded_columns: list[str] = list(encoder.get_feature_names_out())
        self.feature_of_column: list[str] = list(encoder.feature_of_column)

    @property
    def derived_feature_names(self) -> list[str]:
        return [d.name for d in self.derived_features]

    @property
    def input_spec(self) -> FeatureSpec:
        """The features a caller sends (the spec less what the model derives itself)."""
        derived = set(self.derived_feature_names)
        if not derived:
            return self.spec
        kept = [f for f in self.spec.features if f.name not in derived]
        return self.spec.model_copy(update={"features": kept})

    @property
    def read_feature_names(self) -> list[str]:
        """The caller's features the model reads, directly or through a derived feature (the text score
        reads the text features; no other text feature reaches the booster): what a row may lack."""
        derived_inputs = {name for d in self.derived_features for name in d.input_features}
        return [
            f.name for f in self.input_spec.features if f.dtype != Dtype.TEXT or f.name in derived_inputs
        ]

    def derive(self, rows: Rows) -> Rows:
        """`rows` with the model's derived features computed into them (unchanged when it has none)."""
        return derive_rows(rows, self.derived_features)

    # ---- persistence -----------------------------------------------------------------------
    def save(self, directory: Path | str) -> Path:
        """Write the artifact files into `directory` (created if needed); returns the directory."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        (out / BOOSTER_FILE).write_text(self.booster.model_to_string(), encoding="utf-8")
        (out / ENCODER_FILE).write_text(json.dumps(self.encoder.to_dict(), indent=1), encoding="utf-8")
        (out / CALIBRATOR_FILE).write_text(self.calibrator.model_dump_json(indent=1), encoding="utf-8")
        (out / SPEC_FILE).write_text(self.spec.model_dump_json(indent=1), encoding="utf-8")
        (out / METADATA_FILE).write_text(self.metadata.model_dump_json(indent=1), encoding="utf-8")
        if isinstance(self.encoder, ModelEncoder):
            derived = json.dumps(self.encoder.derived_to_dict(), indent=1)
            (out / DERIVED_FILE).write_text(derived, encoding="utf-8")
        if self.derived_features:
            for d in self.derived_features:
                d.save_state(out)
            state = json.dumps([d.to_dict() for d in self.derived_features], indent=1)
            (out / DERIVED_FEATURES_FILE).write_text(state, encoding="utf-8")
        (out / CARD_FILE).write_text(json.dumps(self.metadata.card().as_dict(), indent=1), encoding="utf-8")
        write_checksums(out)
        return out

    @classmethod
    def load(cls, directory: Path | str) -> TriageModel:
        """Load a saved artifact; a missing or corrupt file raises naming the file."""
        src = Path(directory)
        absent = [n for n in ARTIFACT_FILES if not (src / n).is_file()]
        if absent:
            raise FileNotFoundError(f"{src}: not a TriageModel directory, missing {absent}")
        verify_checksums(src)  # before LightGBM parses anything: a damaged booster can abort the process
        try:
            metadata = ModelMetadata.model_validate_json((src / METADATA_FILE).read_text(encoding="utf-8"))
            if metadata.artifact_format != ARTIFACT_FORMAT:
                raise ValueError(f"artifact format {metadata.artifact_format}, expected {ARTIFACT_FORMAT}")
            spec = FeatureSpec.model_validate_json((src / SPEC_FILE).read_text(encoding="utf-8"))
            calibrator = ScoreCalibrator.model_validate_json(
                (src / CALIBRATOR_FILE).read_text(encoding="utf-8")
            )
            booster = lgb.Booster(model_str=(src / BOOSTER_FILE).read_text(encoding="utf-8"))
            state = json.loads((src / ENCODER_FILE).read_text(encoding="utf-8"))
            encoder: FeatureEncoder | ModelEncoder = FeatureEncoder.from_dict(spec, state)
            if (src / DERIVED_FILE).is_file():
                derived = json.loads((src / DERIVED_FILE).read_text(encoding="utf-8"))
                encoder = ModelEncoder(encoder, [derived_from_dict(d) for d in derived])
            features: list[DerivedFeature] = []
            if (src / DERIVED_FEATURES_FILE).is_file():
                states = json.loads((src / DERIVED_FEATURES_FILE).read_text(encoding="utf-8"))
                features = [derived_feature_from_dict(d, src) for d in states]
            model = cls(spec, encoder, booster, calibrator, metadata, features)
        except Exception as exc:  # noqa: BLE001 - re-raised with the directory named
            raise ValueError(f"{src}: cannot load TriageModel: {exc}") from exc
        if booster.num_feature() != len(model.encoded_columns):
            raise ValueError(
                f"{src}: booster expects {booster.num_feature()} columns, encoder gives "
                f"{len(model.encoded_columns)}"
            )
        return model

    def describe(self) -> dict[str, Any]:
        """JSON-ready summary for `GET /v1/model` and reports."""
        return json.loads(self.metadata.model_dump_json())


class ChecksumError(ValueError):
    """An artifact file's bytes differ from the checksum recorded when the model was saved."""


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_checksums(directory: Path) -> Path:
    """Record the SHA-256 of every artifact file in `checksums.json` (sorted keys: same bytes each time):
    the five always present, and the derived columns and model card when saved."""
    names = [*ARTIFACT_FILES, *(n for n in (DERIVED_FILE, CARD_FILE) if (directory / n).is_file())]
    files = {name: _file_sha256(directory / name) for name in names}
    out = directory / CHECKSUMS_FILE
    out.write_text(json.dumps({"algorithm": "sha256", "files": files}, indent=1, sort_keys=True) + "\n")
    return out


def artifact_digest(directory: Path | str) -> str | None:
    """One SHA-256 naming the whole artifact (the digest of its `checksums.json`), or None for an
    artifact saved before checksums were recorded. The registry records it on each version."""
    manifest = Path(directory) / CHECKSUMS_FILE
    return _file_sha256(manifest) if manifest.is_file() else None


def verify_checksums(directory: Path | str, expected_digest: str | None = None) -> bool:
    """Raise `ChecksumError` naming the first file whose bytes differ from the recorded checksum (or a
    manifest that differs from `expected_digest`, the registry's record). False when the artifact
    records no checksums (saved before they existed), True when every file matches."""
    src = Path(directory)
    manifest = src / CHECKSUMS_FILE
    if not manifest.is_file():
        if expected_digest is not None:
            raise ChecksumError(f"{src}: {CHECKSUMS_FILE} is missing but the registry recorded a checksum")
        return False
    if expected_digest is not None and _file_sha256(manifest) != expected_digest:
        raise ChecksumError(f"{src}: {CHECKSUMS_FILE} differs from the checksum recorded at registration")
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ChecksumError(f"{src}: {CHECKSUMS_FILE} is not a checksum manifest ({exc})") from exc
    unrecorded = [n for n in ARTIFACT_FILES if n not in recorded]
    if unrecorded:
        raise ChecksumError(f"{src}: {CHECKSUMS_FILE} records no checksum for {unrecorded}")
    for name in sorted(recorded):
        if not (src / name).is_file():
            raise ChecksumError(f"{src / name}: missing, but recorded in {CHECKSUMS_FILE}")
        if _file_sha256(src / name) != recorded[name]:
            raise ChecksumError(f"{src / name}: checksum mismatch (changed since the model was saved)")
    return True


def content_version(
    model_name: str, booster: lgb.Booster, calibrator: ScoreCalibrator, encoded_columns: list[str],
    data_hash: str, *, derived: str = "",
) -> str:
    """`<model name>-<12 hex>`: a digest of what the model computes, so one version names one model
    (`derived`: the derived columns' JSON state, empty for a model without them)."""
    h = hashlib.sha256()
    parts = (booster.model_to_string(), calibrator.model_dump_json(), "\x1f".join(encoded_columns), data_hash)
    if derived:
        parts += (derived,)
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    return f"{model_name}-{h.hexdigest()[:12]}"


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
    return TriageModel.load(find_artifact_dir(local, model_uri))


def find_artifact_dir(local: Path, model_uri: str) -> Path:
    """The TriageModel directory inside a downloaded MLflow model (mlflow keeps it under
    `artifacts/<its name>`); found by its files, the shallowest first."""
    found = sorted(
        (p.parent for p in local.rglob(METADATA_FILE) if (p.parent / BOOSTER_FILE).is_file()),
        key=lambda d: len(d.parts),
    )
    if not found:
        raise FileNotFoundError(f"{model_uri}: no TriageModel artifact found under {local}")
    return found[0]
