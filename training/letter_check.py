"""`imr check-letters`: a model and the extraction measured on a batch of NEW labelled letters in one step.

Parses the letters (a bad file is listed and the rest go on), scores and explains every service through
`imr explain`'s own path (`model.explanations.explain_case`), and grades: the model against baselines that
fit nothing on these letters, the guideline checklists, the extracted facts (given hand annotations) and
writer-style invariance. Decisions and the reviewer's guideline line are post-review text: read here
only to grade, never by a feature.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from features.criteria import load_criteria
from features.spec import load_spec
from features.table import build_feature_table
from letters.ingest import expand_inputs, parse_file
from letters.records import Case
from model.explanations import explain_case
from model.predictor import Predictor
from training import checklist_grading, explanation_grading, extraction_grading
from training.letter_bootstrap import ratio_interval
from training.letter_labels import LabelCheck, compare_with_labels, find_labels
from training.model_check import model_figures, published_prior_rates, training_base_rate
from training.style_check import StyleResult

OUTCOMES = {"Overturned": 1, "Upheld": 0}


class LetterCheckError(ValueError):
    """A bad input (annotations, labels, nothing parsed): one line naming the file and the problem;
    `failures` ({file, reason}) are the files that failed on the way, each to be named on its own line."""

    def __init__(self, message: str, failures: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.failures = failures or []


@dataclass
class LetterCheckReport:
    """Every section of the report as values (no letter text), ready for OUT.json and OUT.md."""

    model: dict[str, Any]
    inputs: dict[str, Any]
    model_figures: dict[str, Any] | None
    checklist: dict[str, Any]
    extraction: dict[str, Any] | None
    style: dict[str, Any]
    services: list[dict[str, Any]] = field(default_factory=list)
    model_figures_unseen: dict[str, Any] | None = None  # the letters it was not trained on, when it saw some
    n_bootstrap: int = 0
    seed: int = 0

    @property
    def failed(self) -> bool:
        """Any letter failed to parse or any label disagreed: the batch exits non-zero."""
        return bool(self.inputs["parse_failures"] or self.inputs["labels"]["mismatches"])

    def as_dict(self) -> dict[str, Any]:
        return {"model": self.model, "bootstrap": {"n": self.n_bootstrap, "seed": self.seed,
                                                   "unit": "letter", "level": 0.95},
                "inputs": self.inputs, "model_on_these_letters": self.model_figures,
                "model_on_letters_not_trained_on": self.model_figures_unseen,
                "guideline_checklist": self.checklist, "extraction": self.extraction,
                "writer_style": self.style, "services": self.services}


def _rate(k: int, n: int, lo: float, hi: float) -> dict[str, Any]:
    return {"count": k, "of": n, "value": k / n if n else math.nan, "low": lo, "high": hi}


def _share(rows: list[dict[str, Any]], key: str, *, n: int, seed: int) -> dict[str, Any]:
    """Share of rows with `key`, interval as experiments/criteria_eval.py computes it (letters resampled)."""
    k = sum(int(r[key]) for r in rows)
    lo, hi = (math.nan, math.nan)
    if rows and n > 0:
        lo, hi = checklist_grading.letter_bootstrap(rows, key, n, seed)
    return _rate(k, len(rows), lo, hi)


def _ratio(by_letter: dict[str, tuple[float, float]], *, n: int, seed: int) -> dict[str, Any]:
    num = [v[0] for v in by_letter.values()]
    den = [v[1] for v in by_letter.values()]
    value, lo, hi = ratio_interval(num, den, n=n, seed=seed)
    return {"count": int(sum(num)), "of": int(sum(den)), "value": value, "low": lo, "high": hi}


def default_labels(inputs: Iterable[Path]) -> Path | None:
    """labels.csv beside the letters (as `imr train --letters` finds it): the first input that has one."""
    for p in inputs:
        found = find_labels(p if p.is_dir() else p.parent)
        if found is not None:
            return found
    return None


def read_annotations(path: Path) -> pd.DataFrame:
    """The annotations file, its columns checked against the feature spec before any letter is read."""
    try:
        ann = extraction_grading.read_annotations(path)
        spec = load_spec()
        known = pd.DataFrame(columns=[*spec.id_columns, *spec.meta_columns, *spec.names])
        extraction_grading.check_annotation_columns(path, ann, known)
    except ValueError as exc:
        raise LetterCheckError(str(exc)) from exc
    return ann


def check_letters(
    inputs: list[Path],
    predictor: Predictor,
    *,
    labels_file: Path | None = None,
    annotations_file: Path | None = None,
    n_bootstrap: int = 1000,
    seed: int = 0,
    on_letter: Callable[[str], None] | None = None,
) -> LetterCheckReport:
    """Parse, explain and grade every letter of `inputs`; see the module docstring."""
    annotations = read_annotations(annotations_file) if annotations_file is not None else None
    files, missing = expand_inputs(inputs)
    failures = [{"file": str(m.source_file), "reason": m.reason} for m in missing]
    table = load_criteria()
    cases: list[Case] = []
    explained: dict[str, list[dict[str, Any]]] = {}
    graded: dict[str, checklist_grading.LetterChecklists] = {}
    style = StyleResult()
    for path in files:
        if on_letter is not None:
            on_letter(path.name)
        try:
            case = parse_file(path)
            if not case.services:
                raise ValueError("no disputed services found in the letter")
            number = str(case.case_number or case.letter_id)
            if number in explained:
                raise ValueError(f"case number {number} appears twice in the batch")
            letter = explain_case(predictor, case)
            grades = checklist_grading.grade_letter(case, table, number)
            letter_style = StyleResult()
            letter_style.add_letter(case, predictor)
        except Exception as exc:  # noqa: BLE001 - reported per letter, the rest still run
            failures.append({"file": str(path), "reason": str(exc).removeprefix(f"{path}: ")
                             or type(exc).__name__})
            continue
        explained[number] = [s.model_dump(mode="json") for s in letter.services]
        graded[number] = grades
        style.merge(letter_style)
        cases.append(case)
    if not cases:
        raise LetterCheckError(
            f"no services parsed from {', '.join(str(p) for p in inputs)} ({len(failures)} files failed)",
            failures,
        )
    labels_path = labels_file or default_labels(inputs)
    try:
        labels = (compare_with_labels(cases, labels_path, ", ".join(str(p) for p in inputs)) if labels_path
                  else LabelCheck(None))
    except ValueError as exc:
        raise LetterCheckError(str(exc)) from exc
    services = _service_rows(cases, explained, labels)
    meta = predictor.metadata
    card = meta.card()
    base_rate = training_base_rate(meta.training_data)
    inputs_section = {
        "letters": len(cases), "services": len(services), "files": len(files) + len(missing),
        "parse_failures": failures,
        "labels": {**labels.as_dict(), "summary": labels.summary()},
        "services_with_decision": sum(s["overturned"] is not None for s in services),
    }
    trained = set(card.trained_on.real_case_numbers)
    seen = sorted(n for n in (str(c.case_number or c.letter_id) for c in cases) if n in trained)
    model = {"version": meta.model_version, "trained_on": card.trained_on.model_dump(mode="json"),
             "synthetic_only": card.synthetic_only, "validated_on_real": card.validated_on_real,
             "warning": card.warning, "training_base_rate": base_rate,
             "letters_seen_in_training": seen}
    return LetterCheckReport(
        model=model,
        inputs=inputs_section,
        model_figures=_model_section(services, base_rate, n=n_bootstrap, seed=seed),
        model_figures_unseen=(_model_section([x for x in services if x["case_number"] not in trained],
                                             base_rate, n=n_bootstrap, seed=seed) if seen else None),
        checklist=_checklist_section(graded, explained, n=n_bootstrap, seed=seed),
        extraction=(_extraction_section(annotations_file, annotations, cases, n=n_bootstrap, seed=seed)
                    if annotations is not None and annotations_file is not None else None),
        style=style.as_dict(),
        services=services,
        n_bootstrap=n_bootstrap,
        seed=seed,
    )


def _service_rows(
    cases: list[Case], explained: dict[str, list[dict[str, Any]]], labels: LabelCheck
) -> list[dict[str, Any]]:
    """One row of values per service: probability, family, published prior, outcome (None when the
    decision is unknown or disagrees with the labels file)."""
    bad_items, bad_letters = labels.bad_services(), labels.bad_letters()
    rows = []
    for case in cases:
        number = str(case.case_number or case.letter_id)
        decisions = {s.item_index: s.decision for s in case.services}
        for s in explained[number]:
            item = int(s["item_index"])
            y = OUTCOMES.get(decisions.get(item) or "")
            if (number, item) in bad_items or number in bad_letters:
                y = None
            rows.append({"case_number": number, "item_index": item, "service_family": s["service_family"],
                         "probability": s["overturn_likelihood"], "overturned": y})
    priors = published_prior_rates([r["service_family"] for r in rows])
    for r, p in zip(rows, priors, strict=True):
        r["published_prior"] = float(p)
    return rows


def _model_section(
    services: list[dict[str, Any]], base_rate: float | None, *, n: int, seed: int
) -> dict[str, Any] | None:
    scored = [s for s in services if s["overturned"] is not None]
    if not scored:
        return None
    y = np.array([s["overturned"] for s in scored])
    predictions = {"model": np.array([s["probability"] for s in scored]),
                   "published_prior": np.array([s["published_prior"] for s in scored])}
    if base_rate is not None:
        predictions["training_base_rate"] = np.full(len(scored), base_rate)
    letters = np.array([s["case_number"] for s in scored])
    fig = model_figures(y, predictions, letters, n_bootstrap=n, seed=seed)
    return {
        "letters": len({s["case_number"] for s in scored}), "services": len(scored),
        "overturned": int(y.sum()),
        "predictors": {k: v.as_dict() for k, v in fig["predictors"].items()},
        "observed_rate": fig["observed_rate"].as_dict(),
        "differences": {k: v.as_dict() for k, v in fig["differences"].items()},
    }


def _checklist_section(
    graded: dict[str, checklist_grading.LetterChecklists], explained: dict[str, list[dict[str, Any]]],
    *, n: int, seed: int,
) -> dict[str, Any]:
    rows = [{**r, "has_status": int(checklist_grading.has_status(r))}
            for g in graded.values() for r in g.rows]
    cited = [r for r in rows if r["reviewer_chapters"]]
    per_letter = {c: explanation_grading.grade(s) for c, s in explained.items()}
    figures = explanation_grading.grade([s for ss in explained.values() for s in ss])
    return {
        "services": sum(len(s) for s in explained.values()),
        "services_with_checklist": len(rows),
        "with_status": _share(rows, "has_status", n=n, seed=seed),
        "reviewer_cited_a_chapter": len(cited),
        "chapter_any": _share(cited, "chapter_any", n=n, seed=seed),
        "chapter_first": _share(cited, "chapter_first", n=n, seed=seed),
        "evidence_whole_sentences": _ratio({c: (g.evidence_ok, g.evidence_total) for c, g in graded.items()},
                                           n=n, seed=seed),
        "sign_contradictions": _ratio({c: (int(f.get("contradictions", 0)), int(f.get("signed", 0)))
                                       for c, f in per_letter.items()}, n=n, seed=seed),
        "repeated_criteria": int(figures.get("repeated", 0)),  # type: ignore[call-overload]
        "top3_criteria_share": _ratio({c: (int(f.get("top_criteria", 0)), int(f.get("top_items", 0)))
                                       for c, f in per_letter.items()}, n=n, seed=seed),
        "statuses": {k: sum(int(r[k]) for r in rows) for k in checklist_grading.STATUSES},
        "explanation_figures": figures,
    }


def _extraction_section(
    path: Path, annotations: pd.DataFrame, cases: list[Case], *, n: int, seed: int
) -> dict[str, Any]:
    extracted = build_feature_table(cases, with_target=False)
    try:
        merged = extraction_grading.match_annotations(path, annotations, extracted)
    except ValueError as exc:
        raise LetterCheckError(str(exc)) from exc
    fields = extraction_grading.fields_of(annotations)
    rows = extraction_grading.score_table(merged, fields, n_bootstrap=n, seed=seed)
    by_letter = {str(c): (extraction_grading.specific_family_share(g["service_family"]) * len(g), len(g))
                 for c, g in extracted.groupby("case_number", sort=True)}
    return {
        "annotations_file": str(path),
        "services_annotated": len(merged),
        "letters_annotated": int(merged["case_number"].nunique()),
        "services_not_annotated": len(extracted) - len(merged),
        "fields": rows,
        "small_field_errors": extraction_grading.small_field_errors(merged, rows),
        "small": extraction_grading.SMALL,
        "specific_family": _ratio(by_letter, n=n, seed=seed),
    }
