"""Guideline checklists graded per service (issue #18): whether a criterion has a status, whether the
governing chapter is one the IMR reviewer cited, and whether each evidence text is a whole sentence
found verbatim in the pre-review text.

One definition for `experiments/criteria_eval.py` and `imr check-letters`. The reviewer's guideline line
is post-review text: it is read here only to grade, never by a feature.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from features.checklist import sentence_bounds
from features.criteria import CriteriaTable
from features.criteria_facts import LetterFacts, derive_facts
from features.extractors.criteria_level import case_checklists
from features.governing import cited_chapters
from features.service_families import load_taxonomy
from letters.pre_review import PreReviewCase
from letters.records import Case

STATUSES = ("met", "unmet", "not_documented", "not_applicable")


def whole_sentence(text: str, start: int, end: int) -> bool:
    """The span is verbatim text that starts and ends on sentence boundaries (a heading counts whole)."""
    if not (0 <= start < end <= len(text)):
        return False
    return sentence_bounds(text, start, end) == (start, end)


def letter_bootstrap(
    rows: list[dict[str, object]], key: str, n: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """2.5% and 97.5% quantiles of the share of `key` over letters resampled with replacement."""
    by_letter: dict[object, list[int]] = {}
    for r in rows:
        by_letter.setdefault(r["case_number"], []).append(int(r[key]))  # type: ignore[call-overload]
    letters = list(by_letter)
    rng = random.Random(seed)
    shares = []
    for _ in range(n):
        pick = [v for _ in letters for v in by_letter[rng.choice(letters)]]
        shares.append(sum(pick) / len(pick))
    shares.sort()
    return shares[int(0.025 * n)], shares[int(0.975 * n) - 1]


def placement(table: CriteriaTable, service_text: str, section_id: str | None) -> str:
    """How the service got its section: `named` (the section's selectors name its type, a subgroup its
    heading names, or its family in a phase such as post-operative), `family` (a family-level stand-in),
    `section_less` (the table lists its type as governed by no section) or `none`."""
    cls = load_taxonomy().classify(service_text)
    if section_id is None or not section_id:
        return "section_less" if cls.type in getattr(table, "section_less", {}) else "none"
    values = {"service_family": cls.family, "service_type": cls.type}
    facts = derive_facts(table, values, service_text=service_text, item_index=0,  # type: ignore[arg-type]
                         letter=LetterFacts(()))
    groups = {g for g in (facts["drug_group"], facts["modality_kind"]) if g}
    section = table.sections[section_id]
    named = any(cls.type in (m.types or ()) or groups & set(m.groups or ())
                or (cls.family in (m.families or ()) and bool(m.phases or m.surgery_in_letter))
                for m in section.match)
    return "named" if named else "family"


@dataclass
class LetterChecklists:
    """One letter's graded checklists: a row of values per service and its evidence-text counts."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    evidence_total: int = 0
    evidence_ok: int = 0


def grade_letter(case: Case, table: CriteriaTable, case_number: str | None = None) -> LetterChecklists:
    """Each service's checklist (from the pre-review view) graded; values only, no letter text."""
    number = case_number or case.case_number or case.letter_id
    view = PreReviewCase.from_case(case)
    by_index = {s.item_index: s for s in case.services}
    pre = {s.item_index: s for s in view.services}
    out = LetterChecklists()
    for cl in case_checklists(case):
        svc = by_index[cl.item_index]
        texts = {"clinical_summary": view.clinical_summary,
                 "service_heading": pre[cl.item_index].service,
                 "partial_certification": pre[cl.item_index].partial_certification_text}
        for item in cl.checklist:
            for ev in item.evidence:
                out.evidence_total += 1
                text = texts.get(ev.section) or ""
                ok = (ev.start is not None and ev.end is not None and text[ev.start:ev.end] == ev.text
                      and whole_sentence(text, ev.start, ev.end))
                out.evidence_ok += ok
        reviewer = cited_chapters(table, svc.reviewer_guideline.raw if svc.reviewer_guideline else None)
        counts = cl.counts()
        out.rows.append({
            "case_number": number,
            "item_index": cl.item_index,
            "section_id": cl.section_id or "",
            "chapter_key": cl.chapter_key or "",
            "reviewer_chapters": ";".join(reviewer),
            "chapter_first": int(bool(reviewer) and cl.chapter_key == reviewer[0]),
            "chapter_any": int(bool(reviewer) and cl.chapter_key in reviewer),
            "met": counts["met"],
            "unmet": counts["unmet"],
            "not_documented": counts["not_documented"],
            "not_applicable": counts["not_applicable"],
            "overturned": int(svc.decision == "Overturned"),
            "placement": placement(table, pre[cl.item_index].service, cl.section_id),
        })
    return out


def has_status(row: dict[str, Any]) -> bool:
    """At least one criterion met, unmet or not documented (a checklist that says something)."""
    return bool(row["met"] or row["unmet"] or row["not_documented"])
