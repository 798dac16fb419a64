"""Retraining job: add new letters to the corpus, train a challenger, replace the champion only on evidence.

Steps: parse the new letters, check their decisions against a labels.csv beside them (a service that
disagrees keeps no decision, so it neither trains nor tests; exit 12 at the end, as for a letter that
cannot be read), and add those not already in the corpus (same letter id or case number); extend the
feature table; measure drift of the new letters against the old corpus; choose the test window from the
letters the champion never saw (`training.retrain_window`: the new letters and any dated after its
training data, newest first); train a challenger on everything else; score both on the window, and again
on the window's new letters; promote when registry.decide's margin rule holds and, by default, a letter-
level paired bootstrap puts the gain's lower bound at or above `min_gain_lower_bound`. The challenger is
trained with the champion's recipe (`train:` or `train_real:`, `training.retrain_recipe`), and a window
with real letters adds `imr register`'s gate: no promotion with a Brier on them worse than the base
rate's; both models' figures on those letters carry 95% letter-bootstrap intervals. Every run leaves a
JSON and a markdown report (`training.retrain_report`).

The champion is loaded first: one that cannot be loaded is bad input (`RetrainInputError`), found before
any work. The updated corpus records and feature table are built in memory and written only when the run
has finished (`training.corpus_update.commit_update`, after the decision): a run that fails part-way
leaves them as they were, and its new letters are still new to the next run. """

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from features.spec import FeatureSpec
from letters.records import Case
from model.artifact import TriageModel
from model.model_card import Interval, RealLetterMetrics, Recipe
from model.predictor import Predictor
from model.version_label import version_label
from training.boosting import TrainParams, labelled_rows
from training.comparison import PairedGain, paired_gain
from training.corpus_update import (
    CorpusIngest,
    IngestSummary,
    commit_update,
    corpus_targets,
    ingest_new_letters,
    remove_stale_staging,
    update_features,
)
from training.drift import DriftParams, compute_drift, drift_markdown
from training.error_line import one_line
from training.evaluation import EvaluateParams
from training.params import section
from training.registry import METRIC_FNS, PromotionDecision, RegistryParams, apply_real_letter_gate, decide
from training.retrain_recipe import RecipeChoice, WindowOnRealLetters, challenger_recipe, real_letter_window
from training.retrain_window import TestWindow, choose_test_window, trained_until

DRIFT_JSON = "drift.json"
DRIFT_MD = "drift.md"
CHALLENGER_DIR = "challenger_model"
# The steps a run announces (progress bars know the total from this list).
STEPS = ("champion", "ingest", "features", "drift", "train", "compare", "register", "commit")
Log = Callable[[str], None]


class RetrainInputError(Exception):
    """Bad input found before the run has done or written anything (a missing new-letters folder, a champion
    that cannot be loaded): `imr retrain` prints the message as one line and exits 2, with no report."""


class RetrainExit(IntEnum):
    """Exit status of `imr retrain`, for schedulers (documented in --help and docs/retraining.md)."""

    PROMOTED = 0
    FAILED = 1
    KEPT = 10
    NO_NEW_LETTERS = 11
    BAD_INPUT = 12  # the run finished (outcome in the report) but a new letter could not be read or its
    # decision disagreed with labels.csv (the good letters were used)


class RetrainParams(BaseModel):
    """params.yaml `retrain:` section (the registry names and metric come from `register:`)."""

    model_config = ConfigDict(extra="forbid")

    # Share of the letters the champion never saw (new, or dated after its training data) that form
    # the test window, newest first; with no champion, of all letters.
    holdout_fraction: float = Field(default=0.5, gt=0, lt=1)
    min_test_letters: int = Field(default=30, ge=1)  # the window takes at least this many (when there)
    margin: float | None = Field(default=None, ge=0)  # None: register.margin
    require_credible_gain: bool = True  # also demand the bootstrap lower bound below
    min_gain_lower_bound: float = 0.0  # one-sided lower bound of the gain must reach this
    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    n_bootstrap: int = Field(default=300, ge=50)
    seed: int = 0
    train: dict[str, Any] = Field(default_factory=dict)  # overrides of the `train:` section
    train_real: dict[str, Any] = Field(default_factory=dict)  # overrides of the `train_real:` section


class RetrainJob(BaseModel):
    """Where a run reads and writes: the `imr retrain` options."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    new_letters: Path
    labels: Path | None = None  # None: a labels.csv beside the new letters, if any (`imr train --letters`)
    corpus: Path = Path("data/records")
    corpus_out: Path | None = None  # None: update `corpus` in place
    features: Path | None = Path("data/features.parquet")  # old rows reused when they match
    features_out: Path | None = None  # None: overwrite `features`
    out: Path = Path("reports/retrain")
    tracking_uri: str | None = None
    engine: Literal["pypdfium2", "pypdf"] = "pypdfium2"

    @property
    def corpus_target(self) -> Path:
        return self.corpus_out or self.corpus

    @property
    def features_target(self) -> Path:
        return self.features_out or self.features or Path("data/features.parquet")


class RetrainSettings(BaseModel):
    """Every params.yaml section a run reads, validated once before any work starts."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    retrain: RetrainParams
    registry: RegistryParams = Field(alias="register")  # the `register:` section
    drift: DriftParams
    train: TrainParams  # the synthetic pipeline's recipe
    train_real: TrainParams  # the real-letter recipe (`imr train --letters`)
    evaluate: EvaluateParams

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> RetrainSettings:
        """From params.yaml; a validation error names the section and key (`retrain.holdout_fraction`)."""
        retrain = dict(params.get("retrain") or {})
        return cls.model_validate(
            {
                "retrain": retrain,
                "register": section(params, "register"),
                "drift": section(params, "drift"),
                "train": {**section(params, "train"), **(retrain.get("train") or {})},
                "train_real": {**section(params, "train_real"), **(retrain.get("train_real") or {})},
                "evaluate": section(params, "evaluate"),
            }
        )

    @property
    def margin(self) -> float:
        return self.registry.margin if self.retrain.margin is None else self.retrain.margin

    def recipe(self, name: Recipe) -> TrainParams:
        """The settings of one recipe (its params.yaml section with the `retrain:` overrides)."""
        return self.train_real if name == "train_real" else self.train


@dataclass(frozen=True)
class Champion:
    """The model the champion alias points at, with both of its names."""

    version: str  # registry version number
    model: TriageModel

    @property
    def label(self) -> str:
        return version_label(self.version, self.model.metadata.model_version)


@dataclass
class RetrainResult:
    """Everything the report says; `exit_code` is what the CLI returns."""

    outcome: str
    exit_code: int
    report: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _WindowScores:
    """Both models on the test window: outcomes, probabilities, the paired gain, what the challenger faces."""

    y: np.ndarray
    p_challenger: np.ndarray
    p_champion: np.ndarray | None  # None with no champion (the challenger faces a baseline)
    gain: PairedGain | None
    reference: str
    reference_value: float


@dataclass
class _Run:
    """One run's inputs and the report it fills in as the steps go."""

    job: RetrainJob
    settings: RetrainSettings
    spec: FeatureSpec
    log: Log
    step: Log
    report: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    label_mismatches: int = 0  # rows of labels.csv that disagree with the parsed letters
    invalid_labels: int = 0  # values of labels.csv that are no decision or item at all
    unreadable_letters: int = 0  # new letter files that could not be parsed

    def timed(self, name: str, t0: float) -> None:
        self.seconds[name] = time.perf_counter() - t0


# ---- comparison helpers --------------------------------------------------------------------------
def metrics_of(y: np.ndarray, p: np.ndarray) -> dict[str, float | None]:
    """Every registry metric; None where it is undefined (e.g. AUC when one outcome only)."""
    if y.size == 0:
        return {k: None for k in METRIC_FNS}
    out: dict[str, float | None] = {}
    for k, fn in METRIC_FNS.items():
        try:
            v = float(fn(y, p))
        except ValueError:
            v = float("nan")
        out[k] = v if np.isfinite(v) else None
    return out


def out_of_fold_estimate(model: TriageModel, metric: str) -> float | None:
    """The model's own out-of-fold `metric` recorded at training (its chosen candidate), if any."""
    candidates = model.metadata.calibration.get("candidates") or []
    value = candidates[0].get(metric) if candidates else None
    return None if value is None else float(value)


def performance_drift(
    expected: float | None, y_new: np.ndarray, p_new: np.ndarray, metric: str, p: DriftParams,
    letters_new: np.ndarray | None = None,
) -> dict[str, Any]:
    """Concept drift seen with labels: the champion's metric on the new letters of the window vs its own
    out-of-fold estimate `expected` from training. Label-free PSI cannot see a change in outcome logic.
    A drop no larger than sampling noise (`noise_drop`: how far the metric falls below its observed value
    in the `noise_quantile` of letter resamples of the window) is not flagged, as for PSI: a window of a few
    hundred services otherwise alerts with no drift at all. Always a dict: when the check cannot be made,
    `note` says why and `flagged` is False."""
    from training.metrics import HIGHER_IS_BETTER

    observed = metrics_of(y_new, p_new)[metric]
    out = {
        "metric": metric,
        "n_services": int(y_new.size),
        "alert_drop": p.performance_drop_alert,
        "expected_out_of_fold": expected,
        "observed_on_new_letters": observed,
        "drop": None,
        "noise_drop": None,
        "flagged": False,
        "note": None,
    }
    if y_new.size == 0:
        return out | {"note": "no new letters in the test window"}
    if expected is None:
        return out | {"note": "the champion records no out-of-fold estimate"}
    if observed is None:
        return out | {"note": f"{metric} undefined on the new letters (one outcome only)"}
    higher = HIGHER_IS_BETTER[metric]
    drop = expected - observed if higher else observed - expected
    noise = _noise_drop(y_new, p_new, letters_new, metric, observed, higher, p)
    flagged = drop >= p.performance_drop_alert and (noise is None or drop > noise)
    return out | {"drop": drop, "noise_drop": noise, "flagged": bool(flagged)}


def _noise_drop(y: np.ndarray, p: np.ndarray, letters: np.ndarray | None, metric: str, observed: float,
                higher: bool, params: DriftParams) -> float | None:
    """How far `metric` falls below `observed` (worse direction) in the `noise_quantile` of `noise_draws`
    resamples of the window's letters: a drop this size is sampling noise. None without draws or letters."""
    from training.metrics import letter_resamples

    if params.noise_draws == 0 or letters is None or y.size == 0:
        return None
    fn = METRIC_FNS[metric]
    values = []
    for rows in letter_resamples(letters, params.noise_draws, seed=0):
        try:
            values.append(float(fn(y[rows], p[rows])))
        except ValueError:  # one outcome only in this resample
            continue
    finite = np.asarray([v for v in values if np.isfinite(v)])
    if finite.size == 0:
        return None
    q = params.noise_quantile
    worse = np.quantile(finite, 1 - q) if higher else np.quantile(finite, q)
    return float(observed - worse if higher else worse - observed)


def final_decision(
    point: PromotionDecision, gain: PairedGain | None, params: RetrainParams
) -> PromotionDecision:
    """The registry's margin rule, and (when required and a champion exists) a credible gain."""
    if gain is None or not params.require_credible_gain or not point.promoted:
        return point
    if gain.gain_lower >= params.min_gain_lower_bound:
        return dataclasses.replace(
            point,
            reason=f"{point.reason}; gain {gain.gain:+.5f}, {gain.confidence:.0%} lower bound "
            f"{gain.gain_lower:+.5f} >= {params.min_gain_lower_bound:g} (letter bootstrap, "
            f"{gain.n_bootstrap} resamples)",
        )
    return dataclasses.replace(
        point,
        promoted=False,
        reason=f"not promoted: {point.reason.removeprefix('promoted: ')}; but the gain {gain.gain:+.5f} is "
        f"not credible: {gain.confidence:.0%} lower bound {gain.gain_lower:+.5f} < "
        f"{params.min_gain_lower_bound:g} (letter bootstrap, {gain.n_bootstrap} resamples)",
    )


# ---- the steps -----------------------------------------------------------------------------------
def _ingest(run: _Run) -> CorpusIngest:
    """The new letters added to the corpus in memory (written by `_commit` when the run has finished)."""
    job = run.job
    t0 = time.perf_counter()
    update = ingest_new_letters(job.new_letters, job.corpus, job.engine, job.labels)
    ingest, added = update.summary, update.added
    run.report["ingest"] = ingest.as_dict()
    run.timed("ingest", t0)
    run.log(
        f"new letters: {len(added)} new, {len(ingest.duplicate_letter_ids)} duplicate, "
        f"{len(ingest.failures)} failed; "
        f"corpus {ingest.corpus_letters_before} -> {ingest.corpus_letters_after}"
    )
    if ingest.rechecked_letter_ids:
        run.log("sent again after a decision was withheld, its labels now agree: "
                + ", ".join(ingest.rechecked_letter_ids))
    for f in ingest.failures:
        run.log(f"error: {f['source_file']}: {f['reason']}")
    # an empty drop folder is 'no new letters' (exit 11), not a letter that could not be read
    run.unreadable_letters = sum(not Path(f["source_file"]).is_dir() for f in ingest.failures)
    _log_labels(run, ingest)
    return update


def _log_labels(run: _Run, ingest: IngestSummary) -> None:
    """`imr train --letters`'s line, one error line per mismatched row, and what was left out."""
    check = ingest.labels
    run.log(check.summary())
    for m in check.mismatches:
        run.log(f"error: {m.error_line()}")
    run.invalid_labels = sum(m.invalid for m in check.mismatches)
    run.label_mismatches = len(check.mismatches) - run.invalid_labels
    if ingest.withheld_services:
        n = len(ingest.withheld_services)
        run.log(
            f"left out of training and testing: {n} new service{'s' if n != 1 else ''} whose parsed decision "
            f"disagrees with {Path(check.labels_file or '').name} (added without a decision): "
            + ", ".join(ingest.withheld_services)
        )


def _features(run: _Run, old_cases: list[Case], added: list[Case]) -> pd.DataFrame:
    t0 = time.perf_counter()
    table, how, failed_rows = update_features(run.job.features, old_cases, added, run.spec)
    run.timed("features", t0)
    run.report["feature_table"] = {"rows": len(table), "how": how, "failed_letters": failed_rows}
    return table


@contextmanager
def _quiet_store_log() -> Iterator[None]:
    """MLflow logs a damaged store's SQL error with its traceback before raising it; the raised error becomes
    the one `error:` line of `imr retrain`, so the log's copy is held back while the store is opened."""
    log = logging.getLogger("mlflow.store.db.utils")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        log.setLevel(level)


def _champion(run: _Run) -> Champion | None:
    """The model the champion alias points at, loaded before anything else is done: a store that cannot be
    opened or a champion that cannot be loaded (a checksum mismatch, missing artifact files) is bad input
    (`RetrainInputError`), never a run that trains and registers a challenger against nothing."""
    from model.artifact import load_from_mlflow
    from training.registry import current_champion
    from training.tracking import configure, resolve_tracking_uri

    reg = run.settings.registry
    try:
        with _quiet_store_log():
            configure(run.job.tracking_uri, reg.experiment)
            version = current_champion(reg)
    except Exception as exc:  # noqa: BLE001 - a bad URI, an unreachable server, a damaged database
        uri = resolve_tracking_uri(run.job.tracking_uri)
        raise RetrainInputError(f"{uri}: cannot open the MLflow store ({one_line(exc)})") from exc
    if version is None:
        run.log("no champion yet: the challenger faces the family-rate baseline")
        return None
    uri = f"models:/{reg.model_name}@{reg.champion_alias}"
    try:
        champion = Champion(version, load_from_mlflow(uri))
    except Exception as exc:  # noqa: BLE001 - checksum mismatch, missing files, download errors
        raise RetrainInputError(
            f"{uri} (v{version}): cannot load the champion ({one_line(exc)}); repair it or point the alias "
            "at a good version"
        ) from exc
    run.log(f"champion: {reg.model_name} {champion.label}")
    return champion


def _drift(run: _Run, table: pd.DataFrame, new_ids: set[str], champion: Champion | None) -> None:
    """The new letters against the corpus they join (the champion's world): features and score."""
    is_new = table["letter_id"].astype(str).isin(new_ids).to_numpy()
    ref_rows, cur_rows = table.loc[~is_new], table.loc[is_new]
    if not (len(ref_rows) and len(cur_rows)):
        run.report["drift"] = None
        return
    scores = (None, None)
    if champion is not None:
        predictor = Predictor(champion.model)
        scores = (predictor.predict_proba(ref_rows), predictor.predict_proba(cur_rows))
    d = compute_drift(ref_rows, cur_rows, run.spec, run.settings.drift, *scores).as_dict()
    out = run.job.out
    out.mkdir(parents=True, exist_ok=True)
    (out / DRIFT_JSON).write_text(json.dumps(d, indent=1), encoding="utf-8")
    (out / DRIFT_MD).write_text(
        drift_markdown(d, "Drift: new letters vs the existing corpus"), encoding="utf-8"
    )
    keys = (
        "drifted",
        "alerts",
        "warnings",
        "max_feature_psi",
        "n_features_compared",
        "other_share_reference",
        "other_share_current",
    )
    run.report["drift"] = {k: d[k] for k in keys} | {
        "score_psi": (d["score"] or {}).get("psi"),
        "report": str(out / DRIFT_JSON),
    }
    run.log(f"drift flagged: {'yes' if d['drifted'] else 'no'} (alerts: {', '.join(d['alerts']) or 'none'})")


def _window(run: _Run, labelled: pd.DataFrame, new_ids: set[str], champion: Champion | None) -> TestWindow:
    rp = run.settings.retrain
    window = choose_test_window(
        labelled,
        new_ids,
        has_champion=champion is not None,
        champion_until=trained_until(champion.model.metadata.training_data) if champion else None,
        fraction=rp.holdout_fraction,
        min_letters=rp.min_test_letters,
    )
    test = labelled.iloc[window.test]
    run.report["test_window"] = window.describe() | {
        "n_positive": int(test[run.spec.target].sum()),
        "new_letter_share": float(test["letter_id"].astype(str).isin(new_ids).mean()),
    }
    run.log(
        f"test window: {len(window.test_letters)} letters ({window.n_new_letters} new) from {window.cutoff}; "
        f"{window.rule}"
    )
    return window


def _recipe(run: _Run, table: pd.DataFrame, champion: Champion | None) -> RecipeChoice:
    choice = challenger_recipe(champion.model.metadata.card() if champion else None, table)
    run.report["recipe"] = choice.as_dict()
    run.log(f"challenger recipe: {choice.name} ({choice.why})")
    return choice


def _train(run: _Run, train_rows: pd.DataFrame, recipe: Recipe) -> TriageModel:
    """One call of the one training function, with the recipe's settings (cross-fitted prior and text
    score included for `train_real`, exactly as `imr train --letters` trains)."""
    from training.train import train_model

    t0 = time.perf_counter()
    challenger = train_model(train_rows, run.spec, run.settings.recipe(recipe), recipe=recipe).model
    run.timed("train", t0)
    run.log(f"challenger trained ({recipe}) on {len(train_rows)} services in {run.seconds['train']:.1f}s")
    return challenger


def _compare(
    run: _Run,
    test_rows: pd.DataFrame,
    train_rows: pd.DataFrame,
    new_ids: set[str],
    challenger: TriageModel,
    champion: Champion | None,
) -> _WindowScores:
    """Both models on the window and on its new letters, and what the challenger is judged against."""
    from training.baselines import FamilyRate

    reg, target = run.settings.registry, run.spec.target
    y = test_rows[target].to_numpy(dtype=int)
    new = test_rows["letter_id"].astype(str).isin(new_ids).to_numpy()
    p_chal = Predictor(challenger).predict_proba(test_rows)
    run.report["challenger"] = {
        "content_version": challenger.metadata.model_version,
        "n_train_services": len(train_rows),
        "metrics": metrics_of(y, p_chal),
        "metrics_new_letters": metrics_of(y[new], p_chal[new]),
    }
    if champion is None:
        base = run.settings.evaluate.baselines
        family = FamilyRate(base.family_column, base.family_prior_strength).fit(
            train_rows, train_rows[target].to_numpy(dtype=int)
        )
        run.report["champion"] = None
        ref_value = float(METRIC_FNS[reg.metric](y, family.predict_proba(test_rows)))
        return _WindowScores(y, p_chal, None, None, f"baseline {base.family_column} rate", ref_value)
    p_champ = Predictor(champion.model).predict_proba(test_rows)
    expected = out_of_fold_estimate(champion.model, reg.metric)
    letters = test_rows["letter_id"].to_numpy()
    perf = performance_drift(expected, y[new], p_champ[new], reg.metric, run.settings.drift, letters[new])
    run.report["champion"] = {
        "version": champion.version,
        "content_version": champion.model.metadata.model_version,
        "label": champion.label,
        "metrics": metrics_of(y, p_champ),
        "metrics_new_letters": metrics_of(y[new], p_champ[new]),
    }
    if run.report["drift"] is not None:
        run.report["drift"]["performance"] = perf
        if perf["flagged"]:
            run.report["drift"]["drifted"] = True
            run.report["drift"]["alerts"] = [*run.report["drift"]["alerts"], f"champion {reg.metric} drop"]
    _log_new_letter_metrics(run, int(new.sum()), perf)
    rp = run.settings.retrain
    gain = paired_gain(y, p_chal, p_champ, letters, reg.metric, rp.n_bootstrap, rp.confidence, rp.seed)
    run.report["comparison"] = gain.as_dict()
    return _WindowScores(y, p_chal, p_champ, gain, f"champion {champion.label}", gain.reference_value)


def _on_real_letters(
    run: _Run, challenger: TriageModel, test_rows: pd.DataFrame, scores: _WindowScores
) -> WindowOnRealLetters | None:
    """Both models on the window's real letters: the gate's numbers, each model's figures with 95%
    letter-bootstrap intervals (reported), and the challenger's on its card."""
    rp = run.settings.retrain
    real = real_letter_window(
        test_rows, scores.y, scores.p_challenger, scores.p_champion, n_bootstrap=rp.n_bootstrap, seed=rp.seed
    )
    run.report["real_letter_gate"] = (
        None if real is None else dataclasses.asdict(real.check) | {"passes": real.check.passes()}
    )
    if real is None:
        return None
    for side, metrics in (("challenger", real.metrics), ("champion", real.champion_metrics)):
        if run.report.get(side) is not None:
            dumped = None if metrics is None else metrics.model_dump(mode="json")
            run.report[side]["real_letter_metrics"] = dumped
            run.log(f"{side} on the window's real letters: {_interval_line(metrics)}")
    if real.metrics is not None:
        challenger.metadata.model_card = challenger.metadata.card().model_copy(
            update={"real_letter_metrics": real.metrics}
        )
    return real


def _interval_line(m: RealLetterMetrics | None) -> str:
    if m is None:
        return "n/a (one outcome only)"

    def iv(i: Interval, digits: int) -> str:
        low, high = ("n/a" if b is None else f"{b:.{digits}f}" for b in (i.low, i.high))
        return f"{i.value:.{digits}f} [{low}, {high}]"

    return (
        f"ROC-AUC {iv(m.roc_auc, 3)}, Brier {iv(m.brier, 4)} vs base rate {m.base_rate_brier:.4f} "
        f"({m.n_services} services of {m.n_letters} letters; 95% letter-bootstrap intervals)"
    )


def _log_new_letter_metrics(run: _Run, n_new: int, perf: dict[str, Any]) -> None:
    metric = run.settings.registry.metric
    chal = run.report["challenger"]["metrics_new_letters"][metric]
    champ = run.report["champion"]["metrics_new_letters"][metric]
    run.log(
        f"on the {n_new} new-letter services of the window, {metric}: challenger {_num(chal)}, champion "
        f"{_num(champ)}; champion's out-of-fold estimate {_num(perf['expected_out_of_fold'])}"
        + (f" ({perf['note']})" if perf["note"] else f", drop {perf['drop']:+.4f}")
    )


def _num(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.4f}"


def _register_and_decide(
    run: _Run,
    challenger: TriageModel,
    test_rows: pd.DataFrame,
    window: TestWindow,
    scores: _WindowScores,
    champion: Champion | None,
    real: WindowOnRealLetters | None,
) -> PromotionDecision:
    """Register the challenger (always: the registry keeps every candidate), decide, move the alias."""
    import mlflow

    from training.registry import _log_decision, register_challenger
    from training.tracking import log_training_run

    s, job = run.settings, run.job
    recipe = challenger.metadata.card().training_recipe()
    model_dir = job.out / CHALLENGER_DIR
    challenger.save(model_dir)
    metrics = {f"holdout_{k}": v for k, v in run.report["challenger"]["metrics"].items() if v is not None}
    if champion is not None:
        metrics |= {
            f"champion_holdout_{k}": v for k, v in run.report["champion"]["metrics"].items() if v is not None
        }
    logged = log_training_run(
        challenger,
        model_dir,
        test_rows.head(50),
        {
            recipe: s.recipe(recipe).model_dump(),
            "retrain": s.retrain.model_dump(),
            "register": s.registry.model_dump(),
            "split": window.describe(),
        },
        metrics,
        [],
        {"training": challenger.metadata.training_data},
        run_name=f"retrain {challenger.metadata.model_version}",
        experiment=s.registry.experiment,
        tracking_uri=job.tracking_uri,
        tags={"job": "retrain"},
    )
    version = register_challenger(
        logged.model_uri, s.registry, logged.run_id, challenger.metadata.model_version
    )
    point = decide(
        float(METRIC_FNS[s.registry.metric](scores.y, scores.p_challenger)),
        float(scores.reference_value),
        scores.reference,
        s.registry,
        version,
        champion.version if champion else None,
        len(scores.y),
        margin=s.margin if champion is not None else 0.0,
    )
    decision = apply_real_letter_gate(final_decision(point, scores.gain, s.retrain), real and real.check)
    if decision.promoted:
        mlflow.MlflowClient().set_registered_model_alias(
            s.registry.model_name, s.registry.champion_alias, version
        )
    _log_decision(decision, logged.run_id)
    label = version_label(version, challenger.metadata.model_version)
    run.report["challenger"] |= {
        "version": version,
        "label": label,
        "run_id": logged.run_id,
        "model_uri": logged.model_uri,
    }
    run.report["tracking_uri"] = logged.tracking_uri
    run.report["champion_after"] = label if decision.promoted else (champion.label if champion else None)
    run.report["champion_after_version"] = (
        version if decision.promoted else (champion.version if champion else None)
    )
    return decision


def run_retrain(
    job: RetrainJob,
    settings: RetrainSettings,
    log: Log = print,
    step: Log = lambda _name: None,
    report: dict[str, Any] | None = None,
) -> RetrainResult:
    """The whole job; raises on failure (the CLI turns that into a FAILED report and exit 1), or
    `RetrainInputError` for bad input found before anything was done (exit 2, no report). The corpus and
    the feature table are written only at the end (`_commit`): whatever fails before leaves them as they
    were. `step(name)` is called as each of `STEPS` starts (a progress bar), `log` with each result line;
    `report`, when given, is filled in as the run goes, so a caller whose run was interrupted can say how far
    it got."""
    from features.spec import load_spec

    t0 = time.perf_counter()
    run = _Run(job, settings, load_spec(), log, step, {} if report is None else report)
    run.report.update(
        started_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        new_letters=str(job.new_letters),
        corpus=str(job.corpus_target),
        features=str(job.features_target),
        params={
            "retrain": settings.retrain.model_dump(),
            "register": settings.registry.model_dump(),
            "margin": settings.margin,
        },
    )
    if not job.new_letters.is_dir():  # before the store is touched
        what = "not a folder" if job.new_letters.exists() else "no such folder"
        raise RetrainInputError(f"{job.new_letters}: {what} (new letters)")
    for tmp in remove_stale_staging(corpus_targets(job.corpus_target, job.features_target)):
        log(f"removed {tmp}: a temporary file left by a killed run")
    step("champion")
    champion = _champion(run)
    step("ingest")
    update = _ingest(run)
    if not update.added:
        step("commit")  # nothing new; the records still go to --corpus-out (and this batch's failures)
        _commit(run, update, None, None)
        return _finish(run, "no_new_letters", RetrainExit.NO_NEW_LETTERS, t0)
    step("features")
    table = _features(run, update.old_cases, update.added)
    new_ids = set(update.summary.new_letter_ids)
    step("drift")
    _drift(run, table, new_ids, champion)
    step("train")
    labelled = labelled_rows(table, run.spec)
    recipe = _recipe(run, labelled, champion)
    window = _window(run, labelled, new_ids, champion)
    train_rows, test_rows = labelled.iloc[window.train], labelled.iloc[window.test]
    challenger = _train(run, train_rows, recipe.name)
    step("compare")
    scores = _compare(run, test_rows, train_rows, new_ids, challenger, champion)
    real = _on_real_letters(run, challenger, test_rows, scores)
    step("register")
    decision = _register_and_decide(run, challenger, test_rows, window, scores, champion, real)
    run.report["decision"] = decision.as_dict()
    log(decision.reason)
    step("commit")
    _commit(run, update, table, decision)
    code = RetrainExit.PROMOTED if decision.promoted else RetrainExit.KEPT
    return _finish(run, "promoted" if decision.promoted else "kept", code, t0)


def _commit(
    run: _Run, update: CorpusIngest, table: pd.DataFrame | None, decision: PromotionDecision | None
) -> None:
    """Write the updated corpus records (and feature table) now that the run has finished. Should that
    fail, the error says what the registry already holds: the corpus is as it was, so a rerun adds the same
    letters again."""
    job = run.job
    features = None if table is None else job.features_target
    t0 = time.perf_counter()
    try:
        commit_update(update.records, job.corpus_target, table, features)
    except Exception as exc:
        done = ""
        if decision is not None:
            version = run.report["challenger"]["version"]
            done = f"challenger v{version} registered{' and promoted' if decision.promoted else ''}; "
        raise RuntimeError(
            f"{done}the corpus ({job.corpus_target}) and feature table ({job.features_target}) were left as "
            f"they were, so a rerun adds these letters again: {one_line(exc)}"
        ) from exc
    run.timed("commit", t0)
    if table is not None:
        run.log(f"written: corpus {job.corpus_target}, feature table {job.features_target}")


def input_problems(unreadable_letters: int, label_mismatches: int, invalid_labels: int) -> list[str]:
    """What was wrong with a run's input, counted by kind for its last line: a labels value that is no
    decision at all is not a disagreement with a letter, so it is not counted as one."""
    kinds = [
        (unreadable_letters, "new letter could not be read", "new letters could not be read"),
        (label_mismatches, "label mismatch", "label mismatches"),
        (invalid_labels, "invalid label value", "invalid label values"),
    ]
    return [f"{n} {one if n == 1 else many}" for n, one, many in kinds if n]


def _finish(run: _Run, outcome: str, code: RetrainExit, t0: float) -> RetrainResult:
    """The result; an unreadable new letter, a label mismatch or an invalid label value turns any finished
    outcome into exit 12 (the outcome stays reported, and the good letters were used)."""
    run.seconds["total"] = time.perf_counter() - t0
    problems = input_problems(run.unreadable_letters, run.label_mismatches, run.invalid_labels)
    if problems:
        run.log(
            f"error: {' and '.join(problems)} (listed above): the run finished ({outcome}) "
            f"but exits {int(RetrainExit.BAD_INPUT)}"
        )
        code = RetrainExit.BAD_INPUT
    run.report.update(
        outcome=outcome, exit_code=int(code), seconds={k: round(v, 2) for k, v in run.seconds.items()}
    )
    return RetrainResult(outcome, int(code), run.report)
