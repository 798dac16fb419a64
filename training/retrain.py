"""Retraining job: add new letters to the corpus, train a challenger, replace the champion only on evidence.

Steps: parse the new letters and add those not already in the corpus (same letter id or case number);
extend the feature table; split the updated table in time (the newest letters are the holdout); train a
challenger on the rest; score the champion (the registry alias) and the challenger on the SAME holdout;
promote when registry.decide's margin rule holds and, by default, a letter-level paired bootstrap puts
the gain's lower bound at or above `min_gain_lower_bound`. Drift of the new letters against the old
corpus is measured on the way. Every run leaves a JSON and a markdown report, whatever the outcome.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from features.spec import FeatureSpec
from features.table import build_feature_frames, build_feature_table
from letters.ingest import IngestResult, load_failures, load_records, parse_paths, write_records
from letters.records import Case
from model.artifact import TriageModel
from model.predictor import Predictor
from training.comparison import PairedGain, paired_gain
from training.drift import DriftParams, compute_drift, drift_markdown
from training.registry import PromotionDecision, RegistryParams, decide
from training.splits import holdout_split
from training.train import TrainParams, labelled_rows, train_model

REPORT_JSON = "retrain.json"
REPORT_MD = "retrain.md"
DRIFT_JSON = "drift.json"
DRIFT_MD = "drift.md"


class RetrainExit(IntEnum):
    """Exit status of `imr retrain`, for schedulers (documented in --help and docs/retraining.md)."""

    PROMOTED = 0
    FAILED = 1
    KEPT = 10
    NO_NEW_LETTERS = 11


class RetrainParams(BaseModel):
    """params.yaml `retrain:` section (the registry names and metric come from `register:`)."""

    model_config = ConfigDict(extra="forbid")

    holdout_fraction: float = Field(default=0.25, gt=0, lt=1)  # newest letters (by UR denial date)
    margin: float | None = Field(default=None, ge=0)  # None: register.margin
    require_credible_gain: bool = True  # also demand the bootstrap lower bound below
    min_gain_lower_bound: float = 0.0  # one-sided lower bound of the gain must reach this
    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    n_bootstrap: int = Field(default=300, ge=50)
    seed: int = 0
    train: dict[str, Any] = Field(default_factory=dict)  # overrides of the `train:` section


@dataclass
class IngestSummary:
    """What incremental ingestion did with the new letter files."""

    n_files: int
    new_letter_ids: list[str]
    duplicate_letter_ids: list[str]
    failures: list[dict[str, str]]
    corpus_letters_before: int
    corpus_letters_after: int

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d.update(
            n_new=len(self.new_letter_ids),
            n_duplicate=len(self.duplicate_letter_ids),
            n_failed=len(self.failures),
        )
        return d


def merge_new_cases(corpus: list[Case], parsed: IngestResult) -> tuple[list[Case], list[Case], list[str]]:
    """(merged corpus, newly added cases, duplicate letter ids): a letter is known by id or case number."""
    known_ids = {c.letter_id for c in corpus}
    known_numbers = {c.case_number for c in corpus if c.case_number}
    added: list[Case] = []
    duplicates: list[str] = []
    for case in parsed.cases:
        if case.letter_id in known_ids or (case.case_number and case.case_number in known_numbers):
            duplicates.append(case.letter_id)
            continue
        added.append(case)
        known_ids.add(case.letter_id)
        if case.case_number:
            known_numbers.add(case.case_number)
    return [*corpus, *added], added, duplicates


def ingest_new_letters(
    new_letters: Path, corpus_dir: Path, corpus_out: Path, engine: str = "pypdfium2"
) -> tuple[IngestSummary, list[Case], list[Case]]:
    """Parse `new_letters`, add the unseen ones to the corpus records and write them to `corpus_out`."""
    corpus = load_records(corpus_dir) if (corpus_dir / "cases.parquet").exists() else []
    old_failures = load_failures(corpus_dir) if corpus else []
    parsed = parse_paths([new_letters], engine=engine)  # type: ignore[arg-type]
    merged, added, duplicates = merge_new_cases(corpus, parsed)
    write_records(IngestResult(cases=merged, failures=[*old_failures, *parsed.failures]), corpus_out)
    summary = IngestSummary(
        n_files=len(parsed.cases) + len(parsed.failures),
        new_letter_ids=[c.letter_id for c in added],
        duplicate_letter_ids=duplicates,
        failures=[{"source_file": f.source_file, "reason": f.reason} for f in parsed.failures],
        corpus_letters_before=len(corpus),
        corpus_letters_after=len(merged),
    )
    return summary, corpus, added


def _build_rows(cases: list[Case], spec: FeatureSpec, failed: list[str]) -> list[pd.DataFrame]:
    """Feature rows in chunks; a letter whose features cannot be built is named and skipped."""
    frames, failed_here = build_feature_frames(cases, spec)
    failed.extend(failed_here)
    return frames


def update_features(
    existing: Path | None, old_cases: list[Case], added: list[Case], spec: FeatureSpec
) -> tuple[pd.DataFrame, str, list[str]]:
    """Old rows reused when the existing table matches the corpus and the spec (else rebuilt); new built."""
    failed: list[str] = []
    reuse = None
    if existing is not None and existing.is_file():
        table = pd.read_parquet(existing)
        same_cols = list(table.columns) == list(spec.table_columns)
        same_letters = set(table["letter_id"].astype(str)) == {c.letter_id for c in old_cases}
        if same_cols and same_letters:
            reuse = table
    old = [reuse] if reuse is not None else _build_rows(old_cases, spec, failed)
    frames = [f for f in [*old, *_build_rows(added, spec, failed)] if len(f)]
    table = pd.concat(frames, ignore_index=True) if frames else build_feature_table([], spec=spec)
    how = "reused existing rows, built new ones" if reuse is not None else "rebuilt from the corpus"
    return table, how, failed


def performance_drift(
    champion: TriageModel,
    test_rows: pd.DataFrame,
    spec: FeatureSpec,
    new_ids: set[str],
    metric: str,
    p: DriftParams,
) -> dict[str, Any] | None:
    """Concept drift seen with labels: the champion's metric on the new holdout letters vs its own
    out-of-fold estimate (recorded at training). Label-free PSI cannot see a change in outcome logic."""
    from training.metrics import HIGHER_IS_BETTER
    from training.registry import METRIC_FNS

    candidates = champion.metadata.calibration.get("candidates") or []
    expected = candidates[0].get(metric) if candidates else None
    rows = test_rows.loc[test_rows["letter_id"].astype(str).isin(new_ids)]
    if expected is None or rows.empty or rows[spec.target].nunique() < 2:
        return None
    y = rows[spec.target].to_numpy(dtype=int)
    observed = float(METRIC_FNS[metric](y, Predictor(champion).predict_proba(rows)))
    drop = float(expected) - observed if HIGHER_IS_BETTER[metric] else observed - float(expected)
    return {
        "metric": metric,
        "expected_out_of_fold": float(expected),
        "observed_on_new_letters": observed,
        "n_services": len(rows),
        "drop": drop,
        "alert_drop": p.performance_drop_alert,
        "flagged": bool(drop >= p.performance_drop_alert),
    }


@dataclass
class RetrainResult:
    """Everything the report says; `exit_code` is what the CLI returns."""

    outcome: str
    exit_code: int
    report: dict[str, Any] = field(default_factory=dict)


def _metrics_of(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    from training.registry import METRIC_FNS

    return {k: float(fn(y, p)) for k, fn in METRIC_FNS.items()}


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


def run_retrain(
    new_letters: Path,
    corpus_dir: Path,
    corpus_out: Path,
    features_path: Path | None,
    features_out: Path,
    out_dir: Path,
    all_params: dict[str, Any],
    tracking_uri: str | None = None,
    engine: str = "pypdfium2",
    log: Any = print,
) -> RetrainResult:
    """The whole job; raises on failure (the CLI turns that into a FAILED report and exit 1)."""
    import mlflow

    from features.spec import load_spec
    from model.artifact import load_from_mlflow
    from training.baselines import FamilyRate
    from training.evaluation import EvaluateParams
    from training.params import section
    from training.registry import METRIC_FNS, _log_decision, current_champion, register_challenger
    from training.tracking import configure, log_training_run

    t0 = time.perf_counter()
    rp = RetrainParams(**(all_params.get("retrain") or {}))
    reg = RegistryParams(**section(all_params, "register"))
    drift_p = DriftParams(**section(all_params, "drift"))
    train_p = TrainParams(**{**section(all_params, "train"), **rp.train})
    margin = reg.margin if rp.margin is None else rp.margin
    spec = load_spec()
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "new_letters": str(new_letters),
        "corpus": str(corpus_out),
        "features": str(features_out),
        "params": {"retrain": rp.model_dump(), "register": reg.model_dump(), "margin": margin},
    }
    seconds: dict[str, float] = {}

    if not new_letters.is_dir():
        raise FileNotFoundError(f"{new_letters}: new-letters directory not found")
    ingest, old_cases, added = ingest_new_letters(new_letters, corpus_dir, corpus_out, engine)
    report["ingest"] = ingest.as_dict()
    seconds["ingest"] = time.perf_counter() - t0
    log(
        f"new letters: {len(added)} new, {len(ingest.duplicate_letter_ids)} duplicate, "
        f"{len(ingest.failures)} failed; "
        f"corpus {ingest.corpus_letters_before} -> {ingest.corpus_letters_after}"
    )
    if not added:
        report.update(outcome="no_new_letters", exit_code=int(RetrainExit.NO_NEW_LETTERS), seconds=seconds)
        return RetrainResult("no_new_letters", int(RetrainExit.NO_NEW_LETTERS), report)

    t = time.perf_counter()
    table, how, failed_rows = update_features(features_path, old_cases, added, spec)
    features_out.parent.mkdir(parents=True, exist_ok=True)
    table.to_parquet(features_out, index=False)
    seconds["features"] = time.perf_counter() - t
    report["feature_table"] = {"rows": len(table), "how": how, "failed_letters": failed_rows}

    configure(tracking_uri, reg.experiment)
    previous = current_champion(reg)
    champion: TriageModel | None = None
    if previous is not None:
        champion = load_from_mlflow(f"models:/{reg.model_name}@{reg.champion_alias}")
    log(f"champion: {reg.model_name} v{previous}" if previous else "no champion yet")

    # Drift: the new letters against the corpus they join (the champion's world), features and score.
    new_ids = set(ingest.new_letter_ids)
    is_new = table["letter_id"].astype(str).isin(new_ids).to_numpy()
    ref_rows, cur_rows = table.loc[~is_new], table.loc[is_new]
    drift_report = None
    if len(ref_rows) and len(cur_rows):
        scores = (
            (Predictor(champion).predict_proba(ref_rows), Predictor(champion).predict_proba(cur_rows))
            if champion
            else (None, None)
        )
        drift_report = compute_drift(ref_rows, cur_rows, spec, drift_p, *scores).as_dict()
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / DRIFT_JSON).write_text(json.dumps(drift_report, indent=1), encoding="utf-8")
        (out_dir / DRIFT_MD).write_text(
            drift_markdown(drift_report, "Drift: new letters vs the existing corpus"), encoding="utf-8"
        )
        log(
            f"drift flagged: {drift_report['drifted']} "
            f"(alerts: {', '.join(drift_report['alerts']) or 'none'})"
        )
    report["drift"] = (
        {
            k: drift_report[k]
            for k in (
                "drifted",
                "alerts",
                "warnings",
                "max_feature_psi",
                "other_share_reference",
                "other_share_current",
            )
        }
        | {"score_psi": (drift_report["score"] or {}).get("psi"), "report": str(out_dir / DRIFT_JSON)}
        if drift_report
        else None
    )

    # Same time-ordered holdout for both models: the newest letters of the updated corpus.
    t = time.perf_counter()
    labelled = labelled_rows(table, spec)
    split = holdout_split(labelled, rp.holdout_fraction, rp.seed)
    train_rows, test_rows = labelled.iloc[split.train], labelled.iloc[split.test]
    result = train_model(train_rows, spec, train_p)
    challenger = result.model
    seconds["train"] = time.perf_counter() - t
    report["holdout"] = split.describe() | {
        "n_letters": int(test_rows["letter_id"].nunique()),
        "n_positive": int(test_rows[spec.target].sum()),
        "new_letter_share": float(test_rows["letter_id"].astype(str).isin(new_ids).mean()),
    }
    y = test_rows[spec.target].to_numpy(dtype=int)
    p_chal = Predictor(challenger).predict_proba(test_rows)
    report["challenger"] = {"metrics": _metrics_of(y, p_chal), "n_train_services": len(train_rows)}
    log(
        f"challenger trained on {len(train_rows)} services in {seconds['train']:.1f}s; "
        f"holdout {len(test_rows)}"
    )

    gain: PairedGain | None = None
    if champion is not None:
        p_champ = Predictor(champion).predict_proba(test_rows)
        report["champion"] = {"version": previous, "metrics": _metrics_of(y, p_champ)}
        if report["drift"] is not None:
            perf = performance_drift(champion, test_rows, spec, new_ids, reg.metric, drift_p)
            report["drift"]["performance"] = perf
            if perf and perf["flagged"]:
                report["drift"]["drifted"] = True
                report["drift"]["alerts"] = [*report["drift"]["alerts"], f"champion {reg.metric} drop"]
            log(f"champion performance on new letters: {perf}")
        gain = paired_gain(
            y,
            p_chal,
            p_champ,
            test_rows["letter_id"].to_numpy(),
            reg.metric,
            rp.n_bootstrap,
            rp.confidence,
            rp.seed,
        )
        reference, ref_value = f"champion v{previous}", gain.reference_value
        report["comparison"] = gain.as_dict()
    else:
        ev = EvaluateParams(**section(all_params, "evaluate"))
        family = FamilyRate(ev.baselines.family_column, ev.baselines.family_prior_strength).fit(
            train_rows, train_rows[spec.target].to_numpy(dtype=int)
        )
        reference = f"baseline {ev.baselines.family_column} rate"
        ref_value = METRIC_FNS[reg.metric](y, family.predict_proba(test_rows))
        report["champion"] = None

    # Register the challenger (always: the registry keeps every candidate) and decide.
    model_dir = out_dir / "challenger_model"
    challenger.save(model_dir)
    metrics = {f"holdout_{k}": v for k, v in report["challenger"]["metrics"].items()}
    if report["champion"]:
        metrics |= {f"champion_holdout_{k}": v for k, v in report["champion"]["metrics"].items()}
    logged = log_training_run(
        challenger,
        model_dir,
        test_rows.head(50),
        {
            "train": train_p.model_dump(),
            "retrain": rp.model_dump(),
            "register": reg.model_dump(),
            "split": split.describe(),
        },
        metrics,
        [],
        {"training": challenger.metadata.training_data},
        run_name=f"retrain {challenger.metadata.model_version}",
        experiment=reg.experiment,
        tracking_uri=tracking_uri,
        tags={"job": "retrain"},
    )
    version = register_challenger(logged.model_uri, reg, logged.run_id)
    point = decide(
        float(METRIC_FNS[reg.metric](y, p_chal)),
        float(ref_value),
        reference,
        reg,
        version,
        previous,
        len(y),
        margin=margin if champion is not None else 0.0,
    )
    decision = final_decision(point, gain, rp)
    if decision.promoted:
        mlflow.MlflowClient().set_registered_model_alias(reg.model_name, reg.champion_alias, version)
    _log_decision(decision, logged.run_id)
    outcome = "promoted" if decision.promoted else "kept"
    code = RetrainExit.PROMOTED if decision.promoted else RetrainExit.KEPT
    seconds["total"] = time.perf_counter() - t0
    report.update(
        outcome=outcome,
        exit_code=int(code),
        decision=decision.as_dict(),
        challenger=report["challenger"]
        | {"version": version, "run_id": logged.run_id, "model_uri": logged.model_uri},
        champion_after=f"v{version}" if decision.promoted else (f"v{previous}" if previous else None),
        tracking_uri=logged.tracking_uri,
        seconds={k: round(v, 2) for k, v in seconds.items()},
    )
    log(decision.reason)
    return RetrainResult(outcome, int(code), report)


def write_report(report: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """retrain.json (machine-readable) and retrain.md (the same numbers for a person)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    js, md = out_dir / REPORT_JSON, out_dir / REPORT_MD
    js.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    md.write_text(retrain_markdown(report), encoding="utf-8")
    return js, md


def _fmt(v: Any) -> str:
    return f"{v:.4f}" if isinstance(v, float) else "n/a" if v is None else str(v)


def retrain_markdown(r: dict[str, Any]) -> str:
    """Markdown view of the retrain report."""
    lines = [
        "# Retraining report",
        "",
        f"Started {r.get('started_at')}; new letters from `{r.get('new_letters')}`.",
        "",
        f"**Outcome: {r.get('outcome')}** (exit code {r.get('exit_code')})",
        "",
    ]
    if r.get("error"):
        lines += [f"Error: `{r['error']}`", ""]
    ing = r.get("ingest")
    if ing:
        lines += [
            "## Ingestion",
            "",
            f"Files read: {ing['n_files']}; new letters: {ing['n_new']}; already in the corpus: "
            f"{ing['n_duplicate']}; failed: {ing['n_failed']}. Corpus: {ing['corpus_letters_before']} -> "
            f"{ing['corpus_letters_after']} letters.",
            "",
        ]
        lines += [f"- FAILED {f['source_file']}: {f['reason']}" for f in ing["failures"][:20]]
    d = r.get("drift")
    if d:
        lines += [
            "## Drift (new letters vs existing corpus)",
            "",
            f"Drift flagged: **{'yes' if d['drifted'] else 'no'}**; "
            f"alerts: {', '.join(d['alerts']) or 'none'}; "
            f"warnings: {', '.join(d['warnings']) or 'none'}; max feature PSI {_fmt(d['max_feature_psi'])}; "
            f"score PSI {_fmt(d['score_psi'])}. Full table: `{d['report']}`.",
            "",
        ]
        perf = d.get("performance")
        if perf:
            lines += [
                f"Champion {perf['metric']} on the {perf['n_services']} new-letter holdout services: "
                f"{perf['observed_on_new_letters']:.4f} vs its out-of-fold "
                f"{perf['expected_out_of_fold']:.4f} "
                f"at training (drop {perf['drop']:+.4f}; concept-drift alert from {perf['alert_drop']:g}): "
                f"**{'flagged' if perf['flagged'] else 'not flagged'}**.",
                "",
            ]
    if r.get("holdout"):
        h = r["holdout"]
        lines += [
            "## Holdout (same rows for both models)",
            "",
            f"{h['kind']} split, newest letters from {h['cutoff']}: {h['n_test']} services, {h['n_letters']} "
            f"letters, {h['n_positive']} overturned; {h['new_letter_share']:.0%} from the new letters.",
            "",
        ]
    if r.get("challenger"):
        champ = r.get("champion") or {}
        lines += ["| metric | challenger | champion |", "|---|---|---|"]
        for k, v in r["challenger"]["metrics"].items():
            lines.append(f"| {k} | {v:.5f} | {_fmt((champ.get('metrics') or {}).get(k))} |")
        lines.append("")
    c = r.get("comparison")
    if c:
        lines += [
            f"Gain in {c['metric']} (positive = challenger better): {c['gain']:+.5f}; "
            f"{c['confidence']:.0%} one-sided bounds [{c['gain_lower']:+.5f}, {c['gain_upper']:+.5f}] "
            f"from {c['n_bootstrap']} letter-level paired bootstrap resamples of {c['n_letters']} letters.",
            "",
        ]
    dec = r.get("decision")
    if dec:
        lines += [
            "## Decision",
            "",
            dec["reason"],
            "",
            f"Champion after this run: {r.get('champion_after')}.",
            "",
        ]
    if r.get("seconds"):
        lines += [f"Seconds: {r['seconds']}", ""]
    return "\n".join(lines)
