"""The `imr check-letters` report as `OUT.md` (people) and `OUT.json` (machines): values only, no letter
text (case numbers, items, field names, figures)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from training.extraction_grading import markdown_table
from training.letter_check import LetterCheckReport

LABELS = {"model": "Model", "published_prior": "Published family prior (nothing fitted)",
          "training_base_rate": "Constant: the model's training base rate"}


def _clean(v: Any) -> Any:
    """NaN -> null, so OUT.json is strict JSON."""
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_clean(x) for x in v]
    return v


def _num(v: float | None, digits: int = 3) -> str:
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.{digits}f}"


def _ci(d: dict[str, Any], digits: int = 3) -> str:
    value = _num(d["value"], digits)
    if d.get("low") is None or math.isnan(d["low"]):
        return value
    return f"{value} [{_num(d['low'], digits)}, {_num(d['high'], digits)}]"


def _rate(d: dict[str, Any]) -> str:
    return f"{d['count']} / {d['of']} = {_ci(d)}"


def _model_table(mf: dict[str, Any] | None) -> list[str]:
    """Section 2's table for one set of services: each predictor with intervals, then paired differences."""
    if mf is None:
        return ["No service has a known decision (parsed Overturned/Upheld, agreeing with the labels): "
                "nothing to measure.", ""]
    lines = [f"{mf['services']} services of {mf['letters']} letters, {mf['overturned']} overturned; "
             f"observed rate {_ci(mf['observed_rate'])}.", "",
             "| predictor | ROC-AUC | Brier | ECE | mean predicted |", "|---|---|---|---|---|"]
    for name, p in mf["predictors"].items():
        lines.append(f"| {LABELS.get(name, name)} | {_ci(p['roc_auc'])} | {_ci(p['brier'], 4)} "
                     f"| {_ci(p['ece'], 4)} | {_ci(p['mean_predicted'])} |")
    lines += ["", "Paired differences (same letter resamples):", ""]
    lines += [f"- {k}: {_ci(v, 4)}" for k, v in mf["differences"].items()]
    return [*lines, ""]


def markdown(report: LetterCheckReport, command: str | None = None) -> str:
    r = report
    m = r.model
    lines = ["# Letter check", ""]
    if command:
        lines += [f"Reproduce: `{command}`", ""]
    boot = (f"{r.n_bootstrap} letter-level bootstrap resamples (seed {r.seed}); 95% intervals in brackets"
            if r.n_bootstrap else "no bootstrap (--n-bootstrap 0): point values only")
    lines += [f"Model `{m['version']}`: trained on {m['trained_on']['real_letters']} real and "
              f"{m['trained_on']['synthetic_letters']} SYNTHETIC letters. {boot}.", ""]
    if m["synthetic_only"]:
        lines += ["**This model never saw a real letter (SYNTHETIC-only model): its figures below are those "
                  "of a model trained on the project's synthetic corpus.**", ""]
    if m["warning"]:
        lines += [f"Model card warning: {m['warning']}", ""]
    i = r.inputs
    lines += ["## 1. Inputs", "",
              f"- files: {i['files']}; letters parsed: {i['letters']}; services: {i['services']}; "
              f"services with a known decision: {i['services_with_decision']}",
              f"- parse failures: {len(i['parse_failures'])}"]
    lines += [f"  - `{f['file']}`: {f['reason']}" for f in i["parse_failures"]]
    lines += [f"- labels: {i['labels']['summary']}"]
    lines += [f"  - {x}" for x in i["labels"]["mismatches"]]
    lines += ["", "## 2. Model on these letters", ""]
    seen = m.get("letters_seen_in_training") or []
    if seen:
        lines += [f"**{len(seen)} of these {i['letters']} letters were in the model's training data**: "
                  "figures on them are training figures, not evidence of how it does on new letters. "
                  + ("The second table leaves them out." if r.model_figures_unseen else
                     "None of the letters is new to the model."), ""]
    lines += _model_table(r.model_figures)
    if r.model_figures_unseen:
        lines += ["### Only the letters the model was not trained on", ""]
        lines += _model_table(r.model_figures_unseen)
    c = r.checklist
    lines += ["## 3. Guideline checklist", "",
              f"- services with a checklist: {c['services_with_checklist']} of {c['services']}",
              f"- services with >= 1 met/unmet/not-documented criterion: {_rate(c['with_status'])}",
              f"- services where the reviewer cited a chapter of the table: {c['reviewer_cited_a_chapter']}",
              f"- governing chapter = a chapter the reviewer cited: {_rate(c['chapter_any'])}",
              f"- governing chapter = the reviewer's first cited chapter: {_rate(c['chapter_first'])}",
              "- evidence texts that are whole sentences found verbatim: "
              f"{_rate(c['evidence_whole_sentences'])}",
              f"- sign contradictions (met lowering / unmet raising): {_rate(c['sign_contradictions'])}",
              f"- repeated criteria: {c['repeated_criteria']}",
              f"- share of criteria among the three largest items per service (pooled): "
              f"{_rate(c['top3_criteria_share'])}",
              "- criterion statuses: " + ", ".join(f"{k} {v}" for k, v in c["statuses"].items()), ""]
    lines += ["## 4. Extraction", ""]
    e = r.extraction
    if e is None:
        lines += ["Not measured: pass `--annotations FILE` (the format of tests/real/annotations.csv).", ""]
    else:
        lines += [f"{e['services_annotated']} annotated services of {e['letters_annotated']} letters "
                  f"(`{e['annotations_file']}`; {e['services_not_annotated']} services of these letters "
                  "have no annotation row).", "", *markdown_table(e["fields"]), "",
                  f"Every error of the fields with fewer than {e['small']} positives (values):", ""]
        for field, errs in e["small_field_errors"].items():
            lines.append(f"- **{field}**: " + ("no errors" if not errs else "; ".join(
                f"{x['case_number']} item {x['item_index']}: annotated {x['annotated']}, extracted "
                f"{x['extracted']}" for x in errs)))
        lines += ["", f"Service headings mapped to a specific family (not `other`): "
                  f"{_rate(e['specific_family'])}", ""]
    s = r.style
    lines += ["## 5. Writer style", "",
              f"{s['letters']} letters, {s['services']} services, {len(s['rewrites'])} rewrites of each "
              "Clinical Case Summary.", "",
              f"- max |change in probability|: {_num(s['max_abs_probability_change'], 4)} "
              f"(target <= {s['target_max_abs_probability_change']})",
              f"- (service, fact) cells that changed: {s['changed_fact_cells']} (target 0)"
              + (f"; facts: {', '.join(s['changed_facts'])}" if s["changed_facts"] else ""),
              "- summaries changed per rewrite: " + ", ".join(
                  f"{k} {v}" for k, v in s["summaries_changed_by_rewrite"].items()), ""]
    return "\n".join(lines)


def write_report(report: LetterCheckReport, out: Path, command: str | None = None) -> dict[str, Path]:
    """`out`.md and `out`.json (parent folders made)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    md, js = out.with_name(out.name + ".md"), out.with_name(out.name + ".json")
    md.write_text(markdown(report, command) + "\n", encoding="utf-8")
    js.write_text(json.dumps(_clean(report.as_dict()), indent=1, allow_nan=False) + "\n", encoding="utf-8")
    return {"markdown": md, "json": js}
