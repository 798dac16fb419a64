"""What both training engines (local and Dask) share: the `train:` settings, LightGBM parameters, the
encoder they fit, and the result they return. Kept apart so neither engine imports the other."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from features.spec import Dtype, FeatureSpec
from model.artifact import TriageModel
from model.encoder import FeatureEncoder
from model.text_signal import TEXT_FEATURE, TextSignalParams

Weighting = Literal["unweighted", "balanced"]


class LgbmParams(BaseModel):
    """LightGBM hyperparameters (params.yaml `train.lgbm`)."""

    model_config = ConfigDict(extra="allow")

    learning_rate: float = 0.05
    num_boost_round: int = 400
    num_leaves: int = 15
    min_data_in_leaf: int = 40
    feature_fraction: float = 0.8
    bagging_fraction: float = 0.8
    bagging_freq: int = 1
    lambda_l2: float = 1.0


class EncoderParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_frequency: int = 5
    max_levels: int = 50
    # categorical feature (or a `crit_*` pattern) -> its levels, lowest first, or level -> rank (levels may
    # share a rank): encoded as one rank column (model.encoder.FeatureEncoder `ordinal`)
    ordinal: dict[str, list[str] | dict[str, float]] = Field(default_factory=dict)

    def ordinal_levels(self, spec: FeatureSpec) -> dict[str, list[str] | dict[str, float]]:
        """The ordinal settings resolved against a spec's categorical features (a pattern may match
        none of a model's features; a plain name the spec lacks is an error)."""
        names = [f.name for f in spec.features if f.dtype == Dtype.CATEGORICAL]
        out: dict[str, list[str] | dict[str, float]] = {}
        for key, levels in self.ordinal.items():
            hits = [n for n in names if fnmatchcase(n, key)]
            if not hits and not any(ch in key for ch in "*?["):
                raise ValueError(f"train.encoder.ordinal: {key!r} is not a categorical feature of the model")
            out.update(dict.fromkeys(hits, levels))
        return out


class FamilyPriorParams(BaseModel):
    """The empirical-Bayes family prior as a model input (model/family_prior.py): observed family rates
    shrunk toward the published ones, fitted on real rows (all rows when none is real)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    feature: str = "service_family"  # the spec feature the prior is a function of (and reported under)
    strength_scale: float = Field(default=1.0, ge=0)  # multiplies every published strength
    recentre: bool = True  # prior level = base rate of the fitted rows (else the published level)
    monotone: bool = True  # the booster may only raise the likelihood with the prior


class TextScoreParams(BaseModel):
    """The text signal's score as a model input (`case_text_score`, model/text_signal.py): fitted on the
    real rows, cross-fitted for the rows the booster trains on; the model carries the fitted signal
    and computes the score from the text of every row it scores."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    monotone: bool = True  # the booster may only raise the likelihood with the score
    text: TextSignalParams = Field(default_factory=TextSignalParams)


class TrainParams(BaseModel):
    """params.yaml `train:` section (and `train_real:` for `imr train --letters`)."""

    model_config = ConfigDict(extra="ignore")

    seed: int = 0
    test_fraction: float = Field(default=0.2, gt=0, lt=1)
    cv_folds: int = Field(default=5, ge=2)
    weighting: Literal["auto", "unweighted", "balanced"] = "auto"
    calibration: Literal["auto", "isotonic", "sigmoid", "none"] = "auto"
    selection_metric: Literal["brier", "log_loss"] = "brier"
    num_threads: int = 1  # >1 only on an idle machine: OpenMP spin-waits badly when cores are shared
    model_name: str = "imr-overturn"
    engine: Literal["local", "dask"] = "local"  # dask: DaskLGBMClassifier (training/dask_train.py)
    dask_scheduler: str = "local"  # engine dask: scheduler address, or 'local' for a LocalCluster
    dask_workers: int = Field(default=2, ge=1)  # engine dask with 'local': LocalCluster workers
    encoder: EncoderParams = Field(default_factory=EncoderParams)
    lgbm: LgbmParams = Field(default_factory=LgbmParams)
    # small-data options (real letters); the defaults leave the synthetic pipeline's model unchanged
    features: list[str] | None = None  # spec features the model reads (None: all of them)
    family_prior: FamilyPriorParams = Field(default_factory=FamilyPriorParams)
    text_signal: TextScoreParams = Field(default_factory=TextScoreParams)
    # False: exactly lgbm.num_boost_round (CV early stopping is noise on ~300 rows)
    select_rounds: bool = True
    logit_shrink: float = Field(
        default=1.0,
        gt=0,
        le=1,
        description="with calibration none: the booster's log-odds scaled toward the training base rate by "
        "this fixed factor (1: unchanged; model.calibration.shrink_toward_base)",
    )
    # False: skip the internal grouped CV when it has nothing to choose (fixed weighting and rounds,
    # calibration none); the model then carries no out-of-fold reliability. Outer CV folds use it.
    internal_cv: bool = True
    monotone: dict[str, Literal[-1, 1]] = Field(
        default_factory=dict,
        description="numeric, boolean or ordinal spec feature (or a `crit_*` pattern) -> +1 (only raises) "
        "or -1 (only lowers)",
    )
    no_interaction: list[str] = Field(
        default_factory=list,
        description="features (or patterns such as `crit_*`) that enter additively: trees splitting on one "
        "of them split on nothing else",
    )
    synthetic_weight: float | None = Field(
        default=None,
        ge=0,
        description="weight of each synthetic service when real ones are present (real: 1)",
    )

    @model_validator(mode="after")
    def _shrink_without_fitted_calibrator(self) -> TrainParams:
        if self.logit_shrink != 1.0 and self.calibration != "none":
            raise ValueError(
                "train.logit_shrink needs calibration none: a fitted calibrator sets its own scale"
            )
        return self

    def chooses_nothing(self) -> bool:
        """Fixed weighting and rounds, no calibrator: the internal CV would only give metadata."""
        return self.weighting != "auto" and not self.select_rounds and self.calibration == "none"

    def uses_small_data_options(self) -> bool:
        return bool(
            self.features is not None or self.family_prior.enabled or not self.select_rounds
            or self.synthetic_weight is not None or self.text_signal.enabled or not self.internal_cv
            or self.logit_shrink != 1.0
        )


@dataclass
class CandidateScore:
    weighting: str
    calibration: str
    brier: float
    log_loss: float
    ece: float
    roc_auc: float


@dataclass
class TrainResult:
    """The fitted model plus what was learned on the way (kept for reports and MLflow)."""

    model: TriageModel
    oof: pd.DataFrame  # letter_id, y, raw score per weighting, calibrated probability of the choice
    candidates: list[CandidateScore]
    best_rounds: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)


def lgb_params(p: TrainParams, weighting: str, pos_weight: float) -> dict[str, Any]:
    params = {
        "objective": "binary",
        "metric": "binary_logloss",
        "verbosity": -1,
        "seed": p.seed,
        "num_threads": p.num_threads,
        "deterministic": True,
        "force_row_wise": True,
        **p.lgbm.model_dump(exclude={"num_boost_round"}),
    }
    if weighting == "balanced":
        params["scale_pos_weight"] = pos_weight
    return params


def unique_names(names: list[str]) -> list[str]:
    """LightGBM refuses repeated feature names; suffix repeats (the artifact keeps the encoder's names)."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        k = seen.get(n, 0)
        seen[n] = k + 1
        out.append(n if k == 0 else f"{n}__{k}")
    return out


def _monotone(
    columns: list[str], owners: list[str], spec: FeatureSpec, params: TrainParams
) -> list[int] | None:
    """LightGBM's per-column constraint list, or None when nothing is constrained."""
    ordinal = params.encoder.ordinal_levels(spec)
    wanted: dict[str, int] = {}
    for key, sign in params.monotone.items():  # a pattern (crit_*) names every model feature it matches
        hits = [f.name for f in spec.features if fnmatchcase(f.name, key)]
        wanted.update(dict.fromkeys(hits or ([] if any(c in key for c in "*?[") else [key]), sign))
    if params.family_prior.enabled and params.family_prior.monotone:
        wanted["family_prior"] = 1
    if params.text_signal.enabled and params.text_signal.monotone:
        wanted[TEXT_FEATURE] = 1  # the derived text score: a numeric column of the model's spec
    if not wanted:
        return None
    kinds = {f.name: f.dtype for f in spec.features}
    bad = [n for n in wanted if n != "family_prior" and n not in ordinal
           and kinds.get(n) not in (Dtype.NUMERIC, Dtype.BOOLEAN)]  # fmt: skip
    if bad:
        raise ValueError(
            f"train.monotone: only numeric, boolean or ordinal model features can be constrained: {bad}"
        )
    # a derived column by its name; a spec feature only on its own (single) column
    return [
        wanted.get(col, 0) if col == "family_prior" or col == owner else 0
        for col, owner in zip(columns, owners, strict=True)
    ]


def _matching(spec: FeatureSpec, keys: list[str]) -> list[str]:
    """The model features named by `keys` (names or patterns such as `crit_*`)."""
    return [f.name for f in spec.features if any(fnmatchcase(f.name, k) for k in keys)]


def constraint_params(
    columns: list[str], owners: list[str], spec: FeatureSpec, params: TrainParams
) -> dict[str, Any]:
    """LightGBM's monotone and interaction constraints for these columns (empty: none), for both engines.
    A feature in `no_interaction` enters additively: a tree that splits on it splits on nothing else, so
    its TreeSHAP contribution is its own term of the model (for a criterion: of the sign its monotone
    status says)."""
    out: dict[str, Any] = {}
    monotone = _monotone(columns, owners, spec, params)
    if monotone is not None:
        out["monotone_constraints"] = monotone
    alone = set(_matching(spec, params.no_interaction))
    if alone:
        own = [[j] for j, owner in enumerate(owners) if owner in alone]
        rest = [j for j, owner in enumerate(owners) if owner not in alone]
        out["interaction_constraints"] = own + ([rest] if rest else [])
    return out


def make_encoder(spec: FeatureSpec, p: TrainParams) -> FeatureEncoder:
    return FeatureEncoder(spec, min_frequency=p.encoder.min_frequency, max_levels=p.encoder.max_levels,
                          ordinal=p.encoder.ordinal_levels(spec) or None)  # fmt: skip


def labelled_rows(table: pd.DataFrame, spec: FeatureSpec) -> pd.DataFrame:
    """Rows with a known 0/1 target (unknown decisions cannot train or evaluate)."""
    y = pd.to_numeric(table[spec.target], errors="coerce")
    out = table.loc[y.isin([0, 1])].copy()
    out[spec.target] = y.loc[out.index].astype(int)
    return out.reset_index(drop=True)


def training_rows(table: pd.DataFrame, spec: FeatureSpec) -> pd.DataFrame:
    """The labelled rows a booster is fitted on; a ValueError unless both outcomes are among them."""
    data = labelled_rows(table, spec)
    if data.empty or data[spec.target].nunique() < 2:
        raise ValueError("training table needs both overturned and upheld services")
    return data


