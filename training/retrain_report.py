"""The retraining report: retrain.json (every number, for machines) and retrain.md (the same, for people)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPORT_JSON = "retrain.json"
REPORT_MD = "retrain.md"


def write_report(report: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """retrain.json (machine-readable) and retrain.md (the same numbers for a person)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    js, md = out_dir / REPORT_JSON, out_dir / REPORT_MD
    js.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    md.write_text(retrain_markdown(report), encoding="utf-8")
    return js, md


def _fmt(v: Any, digits: int = 4) -> str:
    return f"{v:.{digits}f}" if isinstance(v, float) else "n/a" if v is None else str(v)


def _ingest(ing: dict[str, Any]) -> list[str]:
    lines = [
        "## Ingestion",
        "",
        f"Files read: {ing['n_files']}; new letters: {ing['n_new']}; already in the corpus: "
        f"{ing['n_duplicate']}; failed: {ing['n_failed']}. Corpus: {ing['corpus_letters_before']} -> "
        f"{ing['corpus_letters_after']} letters.",
        "",
    ]
    rechecked = ing.get("rechecked_letter_ids") or []
    if rechecked:
        lines += ["Sent again after a decision was withheld, its labels now agreeing (as new): "
                  + ", ".join(rechecked) + ".", ""]
    failed = [f"- FAILED {f['source_file']}: {f['reason']}" for f in ing["failures"][:20]]
    if failed:
        lines += [*failed, ""]
    return lines + _labels(ing)


def _labels(ing: dict[str, Any]) -> list[str]:
    """The labels.csv check of the new letters: the summary line, each mismatch, what was left out."""
    labels = ing.get("labels")
    if not labels:
        return []
    lines = [f"Labels: {labels['summary']}.", ""]
    if labels["mismatches"]:
        lines += [*[f"- MISMATCH {m}" for m in labels["mismatches"]], ""]
    withheld = ing.get("withheld_services") or []
    if withheld:
        n = len(withheld)
        lines += [
            f"Left out of training and testing: {n} new service{'s' if n != 1 else ''} whose parsed decision "
            f"disagrees with the labels (added to the corpus without a decision): {', '.join(withheld)}.",
            "",
        ]
    return lines


def _drift(d: dict[str, Any]) -> list[str]:
    lines = [
        "## Drift (new letters vs existing corpus)",
        "",
        f"Drift flagged: **{'yes' if d['drifted'] else 'no'}**; alerts: {', '.join(d['alerts']) or 'none'}; "
        f"warnings: {', '.join(d['warnings']) or 'none'}; features compared: "
        f"{d.get('n_features_compared', 'n/a')}; max feature PSI {_fmt(d['max_feature_psi'])}; "
        f"score PSI {_fmt(d['score_psi'])}. Full table: `{d['report']}`.",
        "",
    ]
    perf = d.get("performance")
    if perf and perf.get("note"):
        lines += [f"Champion concept-drift check not made: {perf['note']}.", ""]
    elif perf:
        lines += [
            f"Champion {perf['metric']} on the {perf['n_services']} new-letter services of the test window: "
            f"{perf['observed_on_new_letters']:.4f} vs its out-of-fold {perf['expected_out_of_fold']:.4f} at "
            f"training (drop {perf['drop']:+.4f}; concept-drift alert from {perf['alert_drop']:g}): "
            f"**{'flagged' if perf['flagged'] else 'not flagged'}**.",
            "",
        ]
    return lines


def _window(w: dict[str, Any]) -> list[str]:
    trained = (
        f" The champion trained on letters up to {w['champion_trained_until']}."
        if w.get("champion_trained_until")
        else ""
    )
    return [
        "## Test window (letters neither model trained on; the same rows for both)",
        "",
        f"{w['rule']}: {w['n_test']} services, {w['n_letters']} letters from {w['cutoff']}, "
        f"{w['n_positive']} overturned; {w['n_new_letters']} letters ({w['new_letter_share']:.0%} of the "
        f"services) are new in this run.{trained}",
        "",
    ]


def _metrics_table(r: dict[str, Any]) -> list[str]:
    chal, champ = r["challenger"], r.get("champion") or {}
    chal_name = f"challenger {chal.get('label') or chal.get('content_version', '')}".strip()
    champ_name = f"champion {champ['label']}" if champ else "champion (none)"
    lines = [
        f"| metric | {chal_name}: window | {champ_name}: window | challenger: new letters | "
        "champion: new letters |",
        "|---|---|---|---|---|",
    ]
    for k, v in chal["metrics"].items():
        lines.append(
            f"| {k} | {_fmt(v, 5)} | {_fmt((champ.get('metrics') or {}).get(k), 5)} | "
            f"{_fmt(chal['metrics_new_letters'].get(k), 5)} | "
            f"{_fmt((champ.get('metrics_new_letters') or {}).get(k), 5)} |"
        )
    return [*lines, ""]


def _interval(i: dict[str, Any] | None, digits: int) -> str:
    """`value [low, high]`; a bound no resample defined reads n/a."""
    if not i:
        return "n/a"
    low, high = (_fmt(i.get(k), digits) for k in ("low", "high"))
    return f"{_fmt(i['value'], digits)} [{low}, {high}]"


def _real_letters(r: dict[str, Any]) -> list[str]:
    """Both models on the window's real letters, each figure with its 95% letter-bootstrap interval."""
    sides = [s for s in ("challenger", "champion") if "real_letter_metrics" in (r.get(s) or {})]
    if not sides:
        return []
    rows, about = [], ""
    for side in sides:
        entry = r[side]
        name = f"{side} {entry.get('label') or entry.get('content_version', '')}".strip()
        m = entry["real_letter_metrics"]
        if m is None:
            rows.append(f"| {name} | n/a (one outcome only) | | | |")
            continue
        about = about or (
            f" {m['n_services']} services of {m['n_letters']} letters, {m['n_overturned']} overturned; "
            f"{m['method']}."
        )
        rows.append(
            f"| {name} | {_interval(m['roc_auc'], 3)} | {_interval(m['brier'], 4)} | "
            f"{m['base_rate_brier']:.4f} | {_fmt(m.get('ece'), 3)} |"
        )
    return [
        "## Real letters of the test window",
        "",
        f"Each figure with its 95% interval (the same letter resamples for both models).{about}",
        "",
        "| model | ROC-AUC [95%] | Brier [95%] | base-rate Brier | ECE |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ]


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
    if r.get("ingest"):
        lines += _ingest(r["ingest"])
    if r.get("drift"):
        lines += _drift(r["drift"])
    if r.get("test_window"):
        lines += _window(r["test_window"])
    if r.get("recipe"):
        lines += [f"Challenger recipe: `{r['recipe']['name']}:` ({r['recipe']['why']}).", ""]
    if r.get("challenger"):
        lines += _metrics_table(r)
    c = r.get("comparison")
    if c:
        lines += [
            f"Gain in {c['metric']} on the window (positive = challenger better): {c['gain']:+.5f}; "
            f"{c['confidence']:.0%} one-sided bounds [{c['gain_lower']:+.5f}, {c['gain_upper']:+.5f}] "
            f"from {c['n_bootstrap']} letter-level paired bootstrap resamples of {c['n_letters']} letters.",
            "",
        ]
    lines += _real_letters(r)
    gate = r.get("real_letter_gate")
    if gate:
        verdict = "passed" if gate["passes"] else "failed"
        lines += [
            f"Real-letter gate: challenger Brier {gate['brier']:.5f} vs the base rate's "
            f"{gate['base_rate_brier']:.5f} on the {gate['source']}: **{verdict}**.",
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


# What a report of a run stopped part-way keeps: the sections complete by the time the train step starts
# (later ones are filled in piece by piece, and kept only once the decision, the last of them, is made).
_DONE_BEFORE_TRAINING = (
    "started_at", "new_letters", "corpus", "features", "params", "ingest", "feature_table", "drift",
    "test_window", "recipe",
)  # fmt: skip


def interrupted_report(partial: dict[str, Any], signal_name: str, exit_code: int, step: str | None) -> dict:
    """The report of a run stopped by a signal (Ctrl-C, a scheduler's SIGTERM): how far it got and what the
    registry and the corpus hold now, so the report in --out never still shows the previous run's outcome."""
    decided = "decision" in partial
    report = dict(partial) if decided else {k: partial[k] for k in _DONE_BEFORE_TRAINING if k in partial}
    version = (partial.get("challenger") or {}).get("version")
    if version is not None:
        promoted = bool((partial.get("decision") or {}).get("promoted"))
        registry = f"challenger v{version} registered{' and promoted' if promoted else ' (not promoted)'}"
    elif step == "register":
        registry = "the challenger may already be registered: check the registry's aliases"
    else:
        registry = "nothing registered"
    if step == "commit":
        corpus = (
            "interrupted while writing the corpus and feature table: each file is whole, old or new "
            "(cases.parquet is written last; while it is old, a rerun adds these letters again)"
        )
    else:
        corpus = "the corpus and feature table were left as they were, so a rerun adds these letters again"
    where = f" during the {step} step" if step else ""
    report |= {
        "outcome": "interrupted",
        "exit_code": exit_code,
        "error": f"interrupted by {signal_name}{where}: {registry}; {corpus}",
        "interrupted_step": step,
    }
    return report
