"""Print the PRE-REVIEW text of real letters for hand annotation (never the decision or rationale).

    .venv/bin/python experiments/annotation_view.py CM17-0012582 [CASE ...]

Reads ../shared/data/dwc-imr-letters/pdf/CASE.pdf through the project's parser and prints only what the
annotation protocol allows: header facts known before review, the Clinical Case Summary, and per
service its heading, partial-certification text and the claims administrator's guideline line.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LETTERS = REPO.parent / "shared" / "data" / "dwc-imr-letters" / "pdf"
sys.path.insert(0, str(REPO))  # run as a script from anywhere: the project's packages come from this checkout


def view(case_number: str) -> str:
    from letters.ingest import parse_file
    from letters.pre_review import PreReviewCase

    case = PreReviewCase.from_case(parse_file(LETTERS / f"{case_number}.pdf"))
    lines = [
        f"=== {case_number} (pre-review text only) ===",
        f"date of injury: {case.date_of_injury}  UR denial: {case.ur_denial_date}  "
        f"priority: {case.priority}  age: {case.patient_age}  sex: {case.patient_sex}",
        "--- Clinical Case Summary ---",
        case.clinical_summary,
    ]
    for s in case.services:
        lines += [
            f"--- item_index {s.item_index} ---",
            f"heading: {s.heading}",
            f"service (part IMR decides): {s.service}",
            f"partial certification: {s.partial_certification_text or '(none)'}",
            f"claims administrator guideline: {s.ur_guideline_raw or '(none)'}",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(view(arg))
        print()
