"""Population stability index (PSI) per feature and for the score, between a reference and a current table.

A model trained on one period scores a later one; PSI says, per input, how far the later population
moved (numeric features binned on the reference's quantiles, categorical and boolean ones by level,
missing values as their own bin). Levels are normalised exactly as the model's encoder reads them
(`Standard` and `standard` are one level, `yes`/`1`/`True` one truth value), so drift reports what
the model sees, not how a letter was typed. Every spec feature is compared; one the current side
lacks is listed as not compared. Thresholds come from params (`drift:`), not from this module.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from features.spec import Dtype, FeatureSpec
from model.encoder import MISSING_LEVEL as ENCODER_MISSING
from model.encoder import category_level, truth_value
from training.drift_noise import LetterDraws, letter_noise_psi

MISSING_LEVEL = "(missing)"
SCORE_NAME = "score"
OTHER_FAMILY = "other"


class DriftParams(BaseModel):
    """params.yaml `drift:` section."""

    model_config = ConfigDict(extra="ignore")

    warn: float = Field(default=0.1, ge=0)  # PSI from which a feature is reported as moved
    alert: float = Field(default=0.25, ge=0)  # PSI from which it is flagged as drifted
    bins: int = Field(default=10, ge=2)  # quantile bins of numeric features (reference quantiles)
    epsilon: float = Field(default=1e-4, gt=0)  # floor for empty bins (PSI is infinite otherwise)
    other_share_alert: float = Field(default=0.05, ge=0)  # rise of the `other` family share that alerts
    # A PSI no larger than this quantile of the PSI a sample of as many letters as the current side holds,
    # drawn from the reference's own letters, shows (no drift, sampling noise alone) is not flagged: small
    # windows and many-level features otherwise alert with no drift at all (training/drift_noise.py).
    noise_quantile: float = Field(default=0.99, gt=0, lt=1)
    noise_draws: int = Field(default=200, ge=0)  # samples behind that quantile (0: no noise check)
    family_column: str = "service_family"
    # With labels (retraining): the champion's metric on the new letters may fall this far below its
    # own out-of-fold estimate before it counts as concept drift (metric units, worse direction).
    performance_drop_alert: float = Field(default=0.025, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> DriftParams:
        if self.alert < self.warn:
            raise ValueError(f"drift.alert ({self.alert}) must be >= drift.warn ({self.warn})")
        return self


def psi_from_shares(reference: np.ndarray, current: np.ndarray, epsilon: float = 1e-4) -> float:
    """PSI = sum((c - r) * ln(c / r)) over bins; shares are floored at `epsilon` and renormalised."""
    r = np.clip(np.asarray(reference, dtype=float), epsilon, None)
    c = np.clip(np.asarray(current, dtype=float), epsilon, None)
    r, c = r / r.sum(), c / c.sum()
    return float(np.sum((c - r) * np.log(c / r)))


def noise_psi(reference_share: np.ndarray, n_current: int, p: DriftParams, seed: int = 0) -> float | None:
    """The `noise_quantile` of the PSI between the reference shares and `noise_draws` samples of
    `n_current` rows drawn from them: how large PSI gets from sampling noise alone, with no drift. None
    when not computed (no draws, or no rows)."""
    if p.noise_draws == 0 or n_current == 0 or reference_share.sum() == 0:
        return None
    rng = np.random.default_rng(seed)
    drawn = rng.multinomial(n_current, reference_share / reference_share.sum(), size=p.noise_draws)
    r = np.clip(reference_share, p.epsilon, None)
    r = r / r.sum()
    c = np.clip(drawn / n_current, p.epsilon, None)
    c = c / c.sum(axis=1, keepdims=True)
    psis = np.sum((c - r) * np.log(c / r), axis=1)
    return float(np.quantile(psis, p.noise_quantile))


def numeric_edges(reference: pd.Series, bins: int) -> np.ndarray:
    """Inner bin edges at the reference's quantiles (ties collapse, so a constant feature has none)."""
    values = pd.to_numeric(reference, errors="coerce").dropna().to_numpy(dtype=float)
    if values.size == 0:
        return np.array([])
    qs = np.quantile(values, np.linspace(0, 1, bins + 1)[1:-1])
    return np.unique(qs)


def _numeric_bins(s: pd.Series, edges: np.ndarray) -> np.ndarray:
    """Each row's bin among `edges.size + 1` value bins, then the missing bin (as `_numeric_counts`)."""
    v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    missing = np.isnan(v)
    out = np.full(v.size, edges.size + 1, dtype=np.int64)
    out[~missing] = np.searchsorted(edges, v[~missing], side="right")
    return out


def _numeric_counts(s: pd.Series, edges: np.ndarray) -> np.ndarray:
    v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    missing = np.isnan(v)
    idx = np.searchsorted(edges, v[~missing], side="right")
    counts = np.bincount(idx, minlength=edges.size + 1).astype(float)
    return np.append(counts, float(missing.sum()))


def _level(value: object, dtype: Dtype) -> str:
    if dtype == Dtype.BOOLEAN:
        t = truth_value(value)
        return "true" if t == 1.0 else "false" if t == 0.0 else MISSING_LEVEL
    level = category_level(value)
    return MISSING_LEVEL if level == ENCODER_MISSING else level


def _levels(s: pd.Series, dtype: Dtype) -> pd.Series:
    """Each value as the level the encoder reads: categories lowercased and stripped, booleans as
    true/false; anything missing (or unreadable as a truth value) is MISSING_LEVEL."""
    codes, uniques = pd.factorize(s.astype("object"), use_na_sentinel=True)
    names = np.array([_level(u, dtype) for u in uniques] + [MISSING_LEVEL], dtype=object)
    return pd.Series(names[codes], index=s.index, dtype="object")  # code -1 (missing) -> last


@dataclass(frozen=True)
class FeatureDrift:
    """PSI of one column and the level/bin shares behind it (for the report)."""

    name: str
    kind: str  # numeric | categorical | score
    psi: float
    status: str  # ok | warn | alert
    n_reference: int
    n_current: int
    bins: list[str]
    reference_share: list[float]
    current_share: list[float]
    # PSI a sample of this size shows without drift (`noise_psi`); a PSI at or below it is "ok"
    noise_psi: float | None = None
    within_noise: bool = False  # the PSI crossed `warn` but not its noise level, so it is not flagged


def _status(psi: float, p: DriftParams) -> str:
    return "alert" if psi >= p.alert else "warn" if psi >= p.warn else "ok"


def column_drift(
    name: str,
    reference: pd.Series,
    current: pd.Series,
    dtype: Dtype,
    p: DriftParams,
    kind: str | None = None,
    letters: LetterDraws | None = None,
) -> FeatureDrift:
    """PSI of one column: numeric on reference-quantile bins, otherwise by level (missing is a level).
    With `letters` (both sides name their letters) the noise level resamples whole letters."""
    numeric = dtype == Dtype.NUMERIC
    if numeric:
        edges = numeric_edges(reference, p.bins)
        r, c = _numeric_counts(reference, edges), _numeric_counts(current, edges)
        bounds = ["-inf", *[f"{e:g}" for e in edges], "inf"]
        labels = [f"[{lo}, {hi})" for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)] + [MISSING_LEVEL]
        keep = (r + c) > 0
        labels = [lab for lab, k in zip(labels, keep, strict=True) if k]
        r, c = r[keep], c[keep]
        row_bins = lambda: (np.cumsum(keep) - 1)[_numeric_bins(reference, edges)]  # noqa: E731
    else:
        rl, cl = _levels(reference, dtype), _levels(current, dtype)
        labels = sorted(set(rl.unique()) | set(cl.unique()))
        r = rl.value_counts().reindex(labels, fill_value=0).to_numpy(dtype=float)
        c = cl.value_counts().reindex(labels, fill_value=0).to_numpy(dtype=float)
        row_bins = lambda: pd.Categorical(rl, categories=labels).codes.astype(np.int64)  # noqa: E731
    noise = None
    if r.sum() == 0 or c.sum() == 0:
        psi = float("nan")
        r_share, c_share = r, c
    else:
        r_share, c_share = r / r.sum(), c / c.sum()
        psi = psi_from_shares(r_share, c_share, p.epsilon)
        if letters is not None and len(reference) == len(letters.codes):
            noise = letter_noise_psi(row_bins(), len(labels), letters, p.noise_quantile, p.epsilon)
        else:
            noise = noise_psi(r_share, int(c.sum()), p)
    status = "ok" if math.isnan(psi) else _status(psi, p)
    within_noise = status != "ok" and noise is not None and psi <= noise
    if within_noise:
        status = "ok"
    return FeatureDrift(
        name,
        kind or str(dtype),
        psi,
        status,
        int(reference.notna().sum()) if numeric else len(reference),
        int(current.notna().sum()) if numeric else len(current),
        labels,
        [round(float(x), 6) for x in r_share],
        [round(float(x), 6) for x in c_share],
        None if noise is None else round(noise, 6),
        within_noise,
    )


@dataclass
class DriftReport:
    """Every column's PSI plus the summary a scheduler or dashboard needs."""

    params: dict[str, Any]
    n_reference: int
    n_current: int
    features: list[FeatureDrift]
    score: FeatureDrift | None
    other_share_reference: float | None
    other_share_current: float | None
    notes: list[str] = field(default_factory=list)
    not_compared: list[str] = field(default_factory=list)  # spec features one side lacks

    @property
    def alerts(self) -> list[str]:
        names = [f.name for f in self.features if f.status == "alert"]
        if self.score is not None and self.score.status == "alert":
            names.append(SCORE_NAME)
        if self.other_share_alert:
            names.append(f"{OTHER_FAMILY} family share")
        return names

    @property
    def warnings(self) -> list[str]:
        cols = [*self.features, *([self.score] if self.score else [])]
        return [f.name for f in cols if f.status == "warn"]

    @property
    def other_share_alert(self) -> bool:
        if self.other_share_reference is None or self.other_share_current is None:
            return False
        rise = self.other_share_current - self.other_share_reference
        return rise >= float(self.params["other_share_alert"])

    @property
    def drifted(self) -> bool:
        return bool(self.alerts)

    def as_dict(self) -> dict[str, Any]:
        ranked = sorted(self.features, key=lambda f: -1.0 if math.isnan(f.psi) else f.psi, reverse=True)
        return {
            "params": self.params,
            "n_reference": self.n_reference,
            "n_current": self.n_current,
            "drifted": self.drifted,
            "alerts": self.alerts,
            "warnings": self.warnings,
            "max_feature_psi": max((f.psi for f in self.features if not math.isnan(f.psi)), default=None),
            "score": _finite(asdict(self.score)) if self.score else None,
            "other_share_reference": self.other_share_reference,
            "other_share_current": self.other_share_current,
            "other_share_alert": self.other_share_alert,
            "features": [_finite(asdict(f)) for f in ranked],
            "n_features_compared": len(self.features),
            "not_compared": self.not_compared,
            "notes": self.notes,
        }


def _finite(d: dict[str, Any]) -> dict[str, Any]:
    """JSON has no NaN: a PSI that could not be computed is null."""
    if isinstance(d.get("psi"), float) and math.isnan(d["psi"]):
        d["psi"] = None
    return d


def _other_share(df: pd.DataFrame, column: str) -> float | None:
    if column not in df or len(df) == 0:
        return None
    return float((_levels(df[column], Dtype.CATEGORICAL) == OTHER_FAMILY).mean())


def compute_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    spec: FeatureSpec,
    params: DriftParams,
    reference_scores: np.ndarray | None = None,
    current_scores: np.ndarray | None = None,
) -> DriftReport:
    """PSI for every spec feature (and for the score when both sides have one); a feature one table
    lacks is listed in `not_compared`, never silently dropped."""
    if reference.empty:
        raise ValueError("reference table is empty: nothing to compare with")
    if current.empty:
        raise ValueError("current table is empty: no recent cases to check")
    notes: list[str] = []
    out: list[FeatureDrift] = []
    compared = [f for f in spec.features if f.dtype != Dtype.TEXT]
    for side, table in (("reference", reference), ("current", current)):
        if not any(f.name in table for f in compared):  # not a feature table: nothing could be compared
            shown = ", ".join(map(str, list(table.columns)[:8])) + (", ..." if len(table.columns) > 8 else "")
            raise ValueError(
                f"{side} table has none of the {len(compared)} features of the spec (its columns: "
                f"{shown}): not a feature table from `imr features`"
            )
    absent = [f.name for f in compared if f.name not in reference or f.name not in current]
    if absent:
        notes.append(f"{len(absent)} of {len(compared)} features not in both tables, not compared: "
                     f"{', '.join(absent)}")
    letters = LetterDraws.of(reference, current, params.noise_draws)  # None: services drawn one by one
    for f in compared:
        if f.name not in absent:
            ref, cur = reference[f.name], current[f.name]
            out.append(column_drift(f.name, ref, cur, f.dtype, params, letters=letters))
    score = None
    if reference_scores is not None and current_scores is not None:
        # Binned on the reference scores' quantiles, like any numeric column.
        score = column_drift(
            SCORE_NAME, pd.Series(reference_scores), pd.Series(current_scores), Dtype.NUMERIC, params,
            kind="score", letters=letters,
        )
    else:
        notes.append("score PSI not computed (needs a model for the reference, or scores on both sides)")
    noisy = [f for f in [*out, *([score] if score else [])] if f.within_noise]
    if noisy:
        sample = (
            f"{len(current)} current rows from {letters.n_current_letters} letters (a PSI no larger than "
            f"{params.noise_quantile:.0%} of samples of as many letters drawn from the reference show"
            if letters is not None
            else f"{len(current)} current rows (a PSI no larger than {params.noise_quantile:.0%} of samples "
            "that size show"
        )
        notes.append(
            f"not flagged, within sampling noise for {sample} with no drift): "
            + ", ".join(f"{f.name} {f.psi:.3f} <= {f.noise_psi:.3f}" for f in noisy)
        )
    return DriftReport(
        params.model_dump(),
        len(reference),
        len(current),
        out,
        score,
        _other_share(reference, params.family_column),
        _other_share(current, params.family_column),
        notes,
        absent,
    )


def drift_markdown(report: dict[str, Any], title: str = "Drift report") -> str:
    """Human-readable version of `DriftReport.as_dict()` (what the JSON says, as a table)."""
    p = report["params"]
    lines = [
        f"# {title}",
        "",
        f"Reference rows: {report['n_reference']}; current rows: {report['n_current']}; features "
        f"compared: {report.get('n_features_compared', len(report['features']))}. "
        f"PSI thresholds: warn >= {p['warn']}, alert >= {p['alert']}.",
        "",
        f"**Drift flagged: {'yes' if report['drifted'] else 'no'}**"
        + (f" (alerts: {', '.join(report['alerts'])})" if report["alerts"] else ""),
        "",
    ]
    ref_share, cur_share = report.get("other_share_reference"), report.get("other_share_current")
    if ref_share is not None or cur_share is not None:  # one side may lack the service_family column

        def share(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.3%}"

        lines += [
            f"Share of `{OTHER_FAMILY}` service family: reference {share(ref_share)}, "
            f"current {share(cur_share)} (alert on a rise of {p['other_share_alert']:.1%}).",
            "",
        ]
    lines += ["| column | kind | PSI | status |", "|---|---|---|---|"]
    rows = ([report["score"]] if report.get("score") else []) + report["features"]
    for f in rows:
        psi = "n/a" if f["psi"] is None else f"{f['psi']:.4f}"
        lines.append(f"| {f['name']} | {f['kind']} | {psi} | {f['status']} |")
    for n in report.get("notes", []):
        lines += ["", f"Note: {n}"]
    return "\n".join(lines) + "\n"
