"""The models compared on real letters, each fitted on one outer fold's training rows only.

Every candidate reads the same inputs: the spec features named in `train_real.features`, the
empirical-Bayes family prior (fitted inside the fold, cross-fitted on the fold's training rows),
and whatever columns the harness's column adders give (a cross-fitted text score, for example).
LightGBM is the served model and is trained by `training.train.train_model` from the same
`TrainParams` as `imr train --letters`; the others show what a simpler or different learner gets.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from sklearn.linear_model import LogisticRegression

from features.spec import Dtype, FeatureDef, FeatureSpec, Role
from letters.records import Section
from model.encoder import FeatureEncoder
from model.predictor import Predictor
from model.row_columns import FrameColumns
from training.boosting import TrainParams
from training.priors import cross_fitted_prior, fit_family_prior
from training.splits import grouped_folds
from training.text_score import cross_fitted_text_score, fit_text_score, row_texts
from training.train import model_spec, train_model

# (train rows, their labels, their letter ids, test rows, seed) -> (train columns, test columns).
# The train columns must be cross-fitted (no row's value fitted on its own letter's labels); the test
# columns come from a fit on all the train rows. Both frames carry the same numeric columns.
ColumnAdder = Callable[
    [pd.DataFrame, np.ndarray, np.ndarray, pd.DataFrame, int], tuple[pd.DataFrame, pd.DataFrame]
]


@dataclass
class FoldData:
    """One outer fold: what a candidate may fit on and the rows it must score."""

    train: pd.DataFrame
    y: np.ndarray
    groups: np.ndarray
    test: pd.DataFrame
    seed: int
    extra_train: pd.DataFrame = field(default_factory=pd.DataFrame)
    extra_test: pd.DataFrame = field(default_factory=pd.DataFrame)


class Candidate(Protocol):
    name: str
    label: str

    def fit_predict(self, fold: FoldData) -> np.ndarray: ...


class EbmParams(BaseModel):
    """interpret's ExplainableBoostingClassifier settings (main effects only: a GAM)."""

    model_config = ConfigDict(extra="forbid")

    interactions: int = 0
    outer_bags: int = 4
    max_bins: int = 32
    min_samples_leaf: int = 10
    learning_rate: float = 0.02
    max_rounds: int = 2000


class CandidateParams(BaseModel):
    """params.yaml `evaluate_real.candidates`: which learners to compare and their settings."""

    model_config = ConfigDict(extra="forbid")

    models: list[str] = Field(default_factory=lambda: ["lightgbm", "logistic_regression", "ebm"])
    lr_C: float = Field(default=0.1, gt=0)
    lr_max_iter: int = 2000
    ebm: EbmParams = Field(default_factory=EbmParams)


def extended_spec(spec: FeatureSpec, extra: list[str]) -> FeatureSpec:
    """The spec plus numeric columns from column adders (a model using them cannot be served until the
    serving side builds them: `Predictor.check` refuses it)."""
    added = [
        FeatureDef(
            name=n,
            dtype=Dtype.NUMERIC,
            role=Role.SERVICE,
            source=Section.CLINICAL_SUMMARY,
            extractor=n,
            description="Column fitted per fold by a column adder (experiment only).",
        )  # fmt: skip
        for n in extra
        if n not in spec.names
    ]
    return spec.model_copy(update={"features": [*spec.features, *added]}) if added else spec


def _with(frame: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    if extra.empty:
        return frame
    return pd.concat([frame.reset_index(drop=True), extra.reset_index(drop=True)], axis=1)


class LightGBMCandidate:
    """The served model's recipe: `train_model` with the `train_real` settings (seeded per fold), scored
    through the `Predictor` (which computes the text score from the test rows' text, as in serving)."""

    def __init__(
        self,
        spec: FeatureSpec,
        params: TrainParams,
        synthetic: pd.DataFrame | None = None,
        *,
        name: str = "lightgbm",
        label: str = "LightGBM (served recipe)",
    ) -> None:
        self.spec = spec
        self.params = params
        self.synthetic = synthetic
        self.name = name
        self.label = label

    def fit_predict(self, fold: FoldData) -> np.ndarray:
        extra = list(fold.extra_train.columns)
        spec = extended_spec(self.spec, extra)
        features = None if self.params.features is None else [*self.params.features, *extra]
        # inside an outer fold the internal CV would only fill the model's metadata: skipped when it
        # chooses nothing (the fold's model and its scores are the same either way)
        update = {"seed": fold.seed, "features": features, "internal_cv": not self.params.chooses_nothing()}
        params = self.params.model_copy(update=update)
        train = _with(fold.train, fold.extra_train)
        if self.synthetic is not None and len(self.synthetic):
            train = pd.concat([train, self.synthetic], ignore_index=True)  # adder columns: missing there
        model = train_model(train, spec, params).model
        return Predictor(model).predict_proba(_with(fold.test, fold.extra_test))


def _prior_columns(fold: FoldData, params: TrainParams) -> tuple[np.ndarray, np.ndarray]:
    """The family prior's log-odds: cross-fitted on the train rows, fitted on all of them for the test."""
    fp = params.family_prior
    fam = fold.train[fp.feature].to_numpy(dtype=object)
    inner = grouped_folds(fold.y, fold.groups, params.cv_folds, fold.seed)
    train_values = cross_fitted_prior(fam, fold.y, inner, fp)
    test_values = fit_family_prior(fam, fold.y, fp).log_odds(fold.test[fp.feature].to_numpy(dtype=object))
    return train_values, test_values


def _text_columns(fold: FoldData, params: TrainParams) -> tuple[np.ndarray, np.ndarray]:
    """The text score: cross-fitted on the train rows (training's folds), fitted on all of them for the
    test rows."""
    texts = row_texts(fold.train)
    inner = grouped_folds(fold.y, fold.groups, params.cv_folds, fold.seed)
    train_values = cross_fitted_text_score(texts, fold.y, inner, params.text_signal.text)
    test_values = fit_text_score(texts, fold.y, params.text_signal.text).values(FrameColumns(fold.test))
    return train_values, test_values


class LogisticCandidate:
    """L2-regularised logistic regression on the same inputs (imputed, missing-flagged, standardised):
    the facts, the family prior and, with `text_signal`, the text score (cross-fitted for the training
    rows exactly as `train_model` does)."""

    def __init__(
        self,
        spec: FeatureSpec,
        params: TrainParams,
        cp: CandidateParams,
        *,
        name: str = "logistic_regression",
        label: str = "Logistic regression (L2)",
    ) -> None:
        no_text = params.text_signal.model_copy(update={"enabled": False})
        self.spec = model_spec(spec, params.model_copy(update={"text_signal": no_text}))
        self.params = params
        self.cp = cp
        self.name = name
        self.label = label

    def _design(self, fold: FoldData) -> tuple[np.ndarray, np.ndarray]:
        enc = FeatureEncoder(self.spec, linear=True, min_frequency=self.params.encoder.min_frequency)
        xtr = enc.fit_transform(fold.train[self.spec.names]).to_numpy()
        xte = enc.transform(fold.test[self.spec.names]).to_numpy()
        extra_tr = fold.extra_train.to_numpy(dtype=float).reshape(len(fold.train), -1)
        extra_te = fold.extra_test.to_numpy(dtype=float).reshape(len(fold.test), -1)
        if self.params.family_prior.enabled:
            ptr, pte = _prior_columns(fold, self.params)
            extra_tr, extra_te = np.column_stack([extra_tr, ptr]), np.column_stack([extra_te, pte])
        if self.params.text_signal.enabled:
            ttr, tte = _text_columns(fold, self.params)
            extra_tr, extra_te = np.column_stack([extra_tr, ttr]), np.column_stack([extra_te, tte])
        if extra_tr.shape[1]:
            mu = np.nanmean(extra_tr, axis=0)
            sd = np.nanstd(extra_tr, axis=0)
            sd = np.where(sd > 0, sd, 1.0)
            extra_tr = np.nan_to_num((extra_tr - mu) / sd)
            extra_te = np.nan_to_num((extra_te - mu) / sd)
        return np.hstack([xtr, extra_tr]), np.hstack([xte, extra_te])

    def fit_predict(self, fold: FoldData) -> np.ndarray:
        xtr, xte = self._design(fold)
        lr = LogisticRegression(C=self.cp.lr_C, max_iter=self.cp.lr_max_iter)
        return lr.fit(xtr, fold.y).predict_proba(xte)[:, 1]


class EbmCandidate:
    """Explainable boosting (interpret): a GAM of one shape function per input, main effects only."""

    name = "ebm"
    label = "Explainable boosting (GAM)"

    def __init__(self, spec: FeatureSpec, params: TrainParams, cp: CandidateParams) -> None:
        from interpret.glassbox import ExplainableBoostingClassifier  # noqa: F401 - fail early when absent

        self.spec = model_spec(spec, params)
        self.params = params
        self.cp = cp

    def _frame(self, rows: pd.DataFrame, extra: pd.DataFrame, prior: np.ndarray | None) -> pd.DataFrame:
        out = pd.DataFrame(index=range(len(rows)))
        for f in self.spec.features:
            col = rows[f.name].reset_index(drop=True)
            if f.dtype == Dtype.CATEGORICAL:
                out[f.name] = col.astype("object").where(col.notna(), "missing").astype(str)
            else:
                out[f.name] = pd.to_numeric(col.astype("object"), errors="coerce").astype(float)
        for c in extra.columns:
            out[c] = extra[c].to_numpy(dtype=float)
        if prior is not None:
            out["family_prior"] = prior
        return out

    def fit_predict(self, fold: FoldData) -> np.ndarray:
        from interpret.glassbox import ExplainableBoostingClassifier

        ptr = pte = None
        if self.params.family_prior.enabled:
            ptr, pte = _prior_columns(fold, self.params)
        e = self.cp.ebm
        ebm = ExplainableBoostingClassifier(
            interactions=e.interactions, outer_bags=e.outer_bags, max_bins=e.max_bins,
            min_samples_leaf=e.min_samples_leaf, learning_rate=e.learning_rate, max_rounds=e.max_rounds,
            random_state=fold.seed, n_jobs=1,
        )  # fmt: skip
        with warnings.catch_warnings():  # "missing values detected": expected, EBM bins them on their own
            warnings.simplefilter("ignore", UserWarning)
            ebm.fit(self._frame(fold.train, fold.extra_train, ptr), fold.y)
            return ebm.predict_proba(self._frame(fold.test, fold.extra_test, pte))[:, 1]


class BaseRateCandidate:
    name = "base_rate"
    label = "Base rate"

    def fit_predict(self, fold: FoldData) -> np.ndarray:
        return np.full(len(fold.test), float(np.mean(fold.y)))


class FamilyRateCandidate:
    """The family's empirical-Bayes rate, shrunk toward the published prior (no other input)."""

    name = "family_rate"
    label = "Family rate (shrunk to published prior)"

    def __init__(self, params: TrainParams, use_counts: bool = True) -> None:
        self.fp = params.family_prior
        self.use_counts = use_counts
        if not use_counts:
            self.name, self.label = "published_prior", "Published family prior (no fitting)"

    def fit_predict(self, fold: FoldData) -> np.ndarray:
        fam = fold.train[self.fp.feature].to_numpy(dtype=object)
        from model.family_prior import FamilyPrior

        prior = FamilyPrior.fit(
            fam, fold.y, strength_scale=self.fp.strength_scale, recentre=True, use_counts=self.use_counts
        )
        return prior.rate(fold.test[self.fp.feature].to_numpy(dtype=object))


def build_candidates(
    spec: FeatureSpec, params: TrainParams, cp: CandidateParams, synthetic: pd.DataFrame | None = None
) -> tuple[list[Candidate], list[str]]:
    """The candidates named in `cp.models` plus the three baselines; notes say what was left out."""
    out: list[Candidate] = []
    notes: list[str] = []
    for name in cp.models:
        if name == "lightgbm":
            out.append(LightGBMCandidate(spec, params, synthetic))
        elif name == "logistic_regression":
            out.append(LogisticCandidate(spec, params, cp))
        elif name == "ebm":
            try:
                out.append(EbmCandidate(spec, params, cp))
            except ImportError as exc:
                notes.append(f"ebm left out: {exc} (pip install interpret-core)")
        else:
            raise ValueError(f"evaluate_real.candidates.models: unknown model {name!r}")
    out += [FamilyRateCandidate(params), FamilyRateCandidate(params, use_counts=False), BaseRateCandidate()]
    return out, notes
