"""Writes a synthetic corpus: letter files, the generator's ground truth, and a manifest.

Layout of OUT: `letters/<CASE>.synthetic.txt` (and `pdf/<CASE>.synthetic.pdf` with PDFs),
`ground_truth.parquet` (one row per service: what a parser must recover, plus the latent
variables and outcome probability), and `manifest.json` (settings and summary statistics).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from synthetic.generative_model import (
    STREAM_POST_TEXT,
    STREAM_PRE_TEXT,
    CaseGenerator,
    GeneratorSettings,
    SynthCase,
)
from synthetic.render import LetterRenderer

LETTERS_DIR = "letters"
PDF_DIR = "pdf"
GROUND_TRUTH = "ground_truth.parquet"
MANIFEST = "manifest.json"
SUFFIX = ".synthetic.txt"


@dataclass(frozen=True)
class CorpusSummary:
    """What `write_corpus` produced, for the CLI summary and the manifest."""

    letters: int
    services: int
    overturned: int
    partial: int
    out_dir: str
    seconds: float

    @property
    def overturn_rate(self) -> float:
        return self.overturned / self.services if self.services else 0.0


def iter_letters(n: int, settings: GeneratorSettings, *, start: int = 0) -> Iterator[tuple[SynthCase, str]]:
    """(case, letter text) for letters start..n-1; the same prefix for any n, and the same letter i for
    any start (so ranges can be generated apart and joined)."""
    gen = CaseGenerator(settings)
    renderer = LetterRenderer(gen.tables)
    for i in range(start, n):
        case = gen.case(i)
        text = renderer.render(case, gen.stream(i, STREAM_PRE_TEXT), gen.stream(i, STREAM_POST_TEXT))
        yield case, text


def ground_truth_rows(case: SynthCase, file_name: str) -> list[dict[str, Any]]:
    """One row per service: parser targets first, then the generator's latent variables."""
    letter = {
        "letter_id": case.case_number,
        "file": file_name,
        "case_number": case.case_number,
        "date_assigned": case.date_assigned,
        "date_of_injury": case.date_of_injury,
        "ur_denial_date": case.ur_denial_date,
        "application_received": case.application_received,
        "decision_date": case.decision_date,
        "priority": case.priority,
        "patient_age": case.age,
        "patient_sex": case.sex,
        "reviewer_specialty": case.specialty,
        "reviewer_licensure": ", ".join(case.licensure),
        "n_items": len(case.services),
        "chronic": case.chronic,
        "days_injury_to_ur": case.days_injury_to_ur,
        "regions": ", ".join(f"{side} {key}" if side else key for key, side in case.regions),
        "neuro_deficit": case.neuro_deficit,
        "neuro_exam_normal": case.neuro_exam_normal,
        "exam_of_part": case.exam_of_part,
        "exam_other_region": case.exam_other_region,
        "exam_ur_quoted": case.exam_ur_quoted,
        "red_flag": case.red_flag or "none",
        "prior_surgery": case.prior_surgery,
        "failed_conservative": case.failed_conservative,
        "functional_improvement": case.functional_improvement,
        "pain_score": case.pain if case.pain_stated else None,  # as stated in the summary
        "pain_low": case.pain_low if case.pain_stated else None,
        "pain_stated": case.pain_stated,
        "pain_latent": case.pain,  # what the outcome model used
        "ur_no_evidence": case.ur_no_evidence,
        "period_shift": case.shift,
    }
    rows = []
    for svc in case.services:
        rows.append({
            **letter,
            "item_index": svc.item_index,
            "heading": svc.heading,
            "service": svc.service,
            "original_request": svc.original_request,
            "authorized": svc.authorized,
            "partial_ur_certification": svc.partial,
            "partial_form": svc.partial_form,
            "decision": svc.decision,
            "family": svc.family,
            "item_key": svc.item_key,
            "region": svc.region,
            "side": svc.side,
            "associated_surgical_service": svc.associated,
            "drug": svc.drug,
            "drug_months": svc.drug_months,
            "duration_phrase": svc.duration_phrase,
            "drug_start": svc.drug_start,
            "prior_sessions": svc.prior_sessions,
            "prior_imaging_same_region": svc.prior_imaging,
            "compound": svc.compound,
            "governing_section": svc.checklist.section_id if svc.checklist else None,
            "criteria_statuses": json.dumps(svc.checklist.statuses if svc.checklist else {}),
            "outcome_terms": json.dumps(svc.terms, sort_keys=True),
            "logit": svc.logit,
            "p_overturn": svc.p_overturn,
        })
    return rows


def _write_range(start: int, stop: int, settings: GeneratorSettings, out_dir: Path, pdf: bool
                 ) -> list[dict[str, Any]]:
    """Generate letters start..stop-1 into out_dir; return their ground-truth rows."""
    gen = CaseGenerator(settings)
    renderer = LetterRenderer(gen.tables)
    pdf_writer = None
    if pdf:
        from synthetic.pdf import PdfWriter

        pdf_writer = PdfWriter()
    rows: list[dict[str, Any]] = []
    for i in range(start, stop):
        case = gen.case(i)
        text = renderer.render(case, gen.stream(i, STREAM_PRE_TEXT), gen.stream(i, STREAM_POST_TEXT))
        name = case.case_number + SUFFIX
        (out_dir / LETTERS_DIR / name).write_bytes(text.encode("utf-8"))
        if pdf_writer is not None:
            pdf_writer.write(text, out_dir / PDF_DIR / (case.case_number + ".synthetic.pdf"))
        rows.extend(ground_truth_rows(case, f"{LETTERS_DIR}/{name}"))
    return rows


def _range_job(args: tuple[int, int, GeneratorSettings, Path, bool]) -> list[dict[str, Any]]:
    return _write_range(*args)


def write_corpus(
    n: int,
    out_dir: Path,
    settings: GeneratorSettings,
    pdf: bool = False,
    workers: int = 1,
    on_progress: Callable[[int], None] | None = None,
) -> CorpusSummary:
    """Generate n letters into out_dir. Output is identical for any number of workers."""
    import time

    import pandas as pd

    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    (out_dir / LETTERS_DIR).mkdir(parents=True, exist_ok=True)
    if pdf:
        (out_dir / PDF_DIR).mkdir(parents=True, exist_ok=True)
    chunk = 50 if pdf else 500
    jobs = [(a, min(a + chunk, n), settings, out_dir, pdf) for a in range(0, n, chunk)]
    rows: list[dict[str, Any]] = []
    if workers > 1 and len(jobs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            for job, part in zip(jobs, pool.map(_range_job, jobs), strict=True):
                rows.extend(part)
                if on_progress is not None:
                    on_progress(job[1] - job[0])
    else:
        for job in jobs:
            rows.extend(_range_job(job))
            if on_progress is not None:
                on_progress(job[1] - job[0])
    frame = pd.DataFrame(rows, columns=_columns(rows, settings))
    frame.to_parquet(out_dir / GROUND_TRUTH, index=False)
    overturned = int((frame["decision"] == "Overturned").sum()) if len(frame) else 0
    partial = int(frame["partial_ur_certification"].sum()) if len(frame) else 0
    summary = CorpusSummary(letters=n, services=len(frame), overturned=overturned, partial=partial,
                            out_dir=str(out_dir), seconds=time.perf_counter() - t0)
    manifest = {
        "synthetic": True,
        "note": "Synthetic letters generated by imr-triage; not real IMR decisions.",
        "n": n,
        "settings": {k: str(v) for k, v in asdict(settings).items()},
        "pdf": pdf,
        "letters": n,
        "services": summary.services,
        "overturned": overturned,
        "overturn_rate": round(summary.overturn_rate, 4),
        "partial_ur_certification": partial,
        "layout": {
            "letters": f"{LETTERS_DIR}/*{SUFFIX}",
            "pdf": f"{PDF_DIR}/*.synthetic.pdf" if pdf else None,
            "ground_truth": GROUND_TRUTH,
        },
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return summary


def _columns(rows: list[dict[str, Any]], settings: GeneratorSettings) -> list[str]:
    """Column order of the ground truth; an empty corpus still gets every column."""
    if rows:
        return list(rows[0])
    case = CaseGenerator(settings).case(0)
    return list(ground_truth_rows(case, "")[0])
