"""One feature spec from which the encoder, the MLflow signature and the API request model are built.

The spec is data (`feature_spec.yaml`); this module validates it and refuses, at load time, any
feature that would read a post-review section of the letter (decision, reviewer guideline,
rationale, decision date), so leakage is impossible by construction rather than by review.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from features.package_data import parse_yaml
from letters.records import POST_REVIEW_SECTIONS, Section

DEFAULT_SPEC_FILE = "feature_spec.yaml"

# Table layout shared by `build_feature_table`, training and serving.
ID_COLUMNS: tuple[str, ...] = ("letter_id", "item_index")
TARGET_COLUMN = "overturned"  # 1 = Overturned, 0 = Upheld, missing when the decision is unknown
POSITIVE_DECISION = "Overturned"


class Dtype(StrEnum):
    """How a raw feature value is typed and encoded; `text` is reserved for learned text features."""

    NUMERIC = "numeric"
    BOOLEAN = "boolean"
    CATEGORICAL = "categorical"
    TEXT = "text"


class Role(StrEnum):
    """Which unit a feature describes: the whole case (letter) or one disputed service."""

    CASE = "case"
    SERVICE = "service"


class PostReviewFeatureError(ValueError):
    """Raised when a spec names a feature that reads a post-review section (label leakage)."""


class FeatureDef(BaseModel):
    """One model input: what it is, where in the letter it comes from and which extractor sets it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    dtype: Dtype
    role: Role
    source: Section = Field(description="The letter section the extractor reads.")
    description: str
    extractor: str = Field(
        description="Name of the extractor in `features.extractors.registered_extractors()`."
    )
    levels: list[str] | None = Field(
        default=None, description="Known levels of a categorical (documentation and API hints only)."
    )
    unit: str | None = None

    @field_validator("source")
    @classmethod
    def _pre_review_only(cls, source: Section) -> Section:
        if source in POST_REVIEW_SECTIONS:
            raise PostReviewFeatureError(
                f"source section {source.value!r} is post-review (written by the IMR reviewer); "
                "features may only read pre-review sections"
            )
        if source == Section.REVIEWER_META:
            raise ValueError(
                "source section 'reviewer_meta' (the IMR reviewer's licensure and specialty) says who "
                "decides, not what the case is: no feature may read it"
            )
        return source


class FeatureSpec(BaseModel):
    """The ordered feature list plus the table layout (ids, target, meta columns)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    id_columns: list[str] = Field(default_factory=lambda: list(ID_COLUMNS))
    target: str = TARGET_COLUMN
    meta_columns: list[str] = Field(default_factory=list)
    features: list[FeatureDef]

    @model_validator(mode="after")
    def _unique_names(self) -> FeatureSpec:
        names = [f.name for f in self.features]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate feature names in spec: {dupes}")
        reserved = set(self.id_columns) | {self.target}
        clash = sorted(reserved & set(names))
        if clash:
            raise ValueError(f"feature names clash with id/target columns: {clash}")
        return self

    # ---- lookups ---------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return [f.name for f in self.features]

    def feature(self, name: str) -> FeatureDef:
        for f in self.features:
            if f.name == name:
                return f
        raise KeyError(f"no feature named {name!r} in the spec")

    def by_dtype(self, dtype: Dtype) -> list[FeatureDef]:
        return [f for f in self.features if f.dtype == dtype]

    @property
    def table_columns(self) -> list[str]:
        """Column order of `build_feature_table`: ids, meta (not already features), features, target."""
        meta = [c for c in self.meta_columns if c not in self.names]
        return [*self.id_columns, *meta, *self.names, self.target]

    # ---- derived schemas -------------------------------------------------------------------
    def python_type(self, feature: FeatureDef) -> type:
        return {
            Dtype.NUMERIC: float,
            Dtype.BOOLEAN: bool,
            Dtype.CATEGORICAL: str,
            Dtype.TEXT: str,
        }[feature.dtype]

    def request_model(self, name: str = "ServiceFeatures") -> type[BaseModel]:
        """A pydantic model of one raw feature row (plain JSON types, every field optional)."""
        fields: dict[str, Any] = {}
        for f in self.features:
            desc = f.description + (f" Levels: {', '.join(f.levels)}." if f.levels else "")
            fields[f.name] = (self.python_type(f) | None, Field(default=None, description=desc))
        model = create_model(name, __config__=ConfigDict(extra="forbid"), **fields)
        model.__doc__ = "Raw pre-review features of one disputed service, as built by `features.table`."
        return model

    def mlflow_column_types(self) -> dict[str, str]:
        """MLflow `ColSpec` type names for the raw feature columns (all may be missing)."""
        return {
            f.name: {
                Dtype.NUMERIC: "double",
                Dtype.BOOLEAN: "boolean",
                Dtype.CATEGORICAL: "string",
                Dtype.TEXT: "string",
            }[f.dtype]
            for f in self.features
        }

    def mlflow_input_schema(self) -> Any:
        """An `mlflow.types.Schema` of the raw feature columns (mlflow imported only when asked)."""
        from mlflow.types import ColSpec, Schema

        return Schema(
            [ColSpec(t, name, required=False) for name, t in self.mlflow_column_types().items()]
        )

    def fingerprint(self) -> str:
        """Short stable hash of the spec, logged with models so a mismatched spec is caught."""
        import hashlib

        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]


def load_spec(path: Path | str | None = None) -> FeatureSpec:
    """Load and validate a spec: a file path, or the name of a packaged spec (e.g.
    `dmhc_feature_spec.yaml`); the packaged `feature_spec.yaml` when none is given. Packaged specs
    are parsed once per process (the model is frozen, so sharing it is safe)."""
    if path is None:
        return _packaged_spec(DEFAULT_SPEC_FILE)
    if _is_packaged_name(path):
        return _packaged_spec(str(path))
    return _load_spec(path)


def _is_packaged_name(path: Path | str) -> bool:
    """A bare file name that is not a file here but is one in the `features` package."""
    p = Path(path)
    return (
        len(p.parts) == 1
        and not p.exists()
        and resources.files("features").joinpath(p.name).is_file()
    )


@lru_cache(maxsize=8)
def _packaged_spec(name: str) -> FeatureSpec:
    return _load_spec(None, name)


def _load_spec(path: Path | str | None, packaged: str = DEFAULT_SPEC_FILE) -> FeatureSpec:
    if path is None:
        text = resources.files("features").joinpath(packaged).read_text(encoding="utf-8")
        origin = f"features/{packaged}"
    else:
        text = Path(path).read_text(encoding="utf-8")
        origin = str(path)
    data = parse_yaml(text)
    if not isinstance(data, dict):
        raise ValueError(f"{origin}: expected a mapping at top level")
    try:
        return FeatureSpec.model_validate(data)
    except ValueError as exc:
        # pydantic wraps the PostReviewFeatureError; re-raise it by type so callers can catch it.
        if "post-review" in str(exc):
            raise PostReviewFeatureError(f"{origin}: {exc}") from exc
        raise ValueError(f"{origin}: invalid feature spec: {exc}") from exc
