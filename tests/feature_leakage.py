"""Helpers for the leakage tests: rewrite every post-review part of a letter with adversarial text.

The replacement text is full of phrases the extractors react to (fractures, weakness, failed care,
sessions, guideline names), so a feature that read post-review text would change.
"""

from __future__ import annotations

import re
from datetime import date

from letters.records import Case, GuidelineCitation

ADVERSARIAL = (
    "The patient is a 71-year-old female with a fracture, metastatic cancer, an infection and cauda "
    "equina syndrome after a fall from a ladder; 3/5 weakness and decreased sensation; status post "
    "lumbar fusion in 2010. She completed 36 sessions of physical therapy, chiropractic and acupuncture "
    "without relief; conservative care failed. Functional improvement was documented. Pain 10/10. "
    "She has taken Soma and Norco for 48 months. A prior MRI of the lumbar spine showed a herniation. "
    "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Knee."
)
_DECISION_LINE = re.compile(r"(?m)(:\s*)(Upheld|Overturned)(\s*)$")


def flip(decision: str | None) -> str:
    return "Upheld" if decision == "Overturned" else "Overturned"


def rewrite_post_review_record(case: Case) -> Case:
    """The same case with decision, reviewer guideline, rationale and decision date all replaced."""
    services = [
        s.model_copy(
            update={
                "decision": flip(s.decision),
                "reviewer_guideline": GuidelineCitation(raw=ADVERSARIAL, sources=["ODG"], chapter="Knee"),
                "rationale": ADVERSARIAL,
            }
        )
        for s in case.services
    ]
    return case.model_copy(update={"services": services, "decision_date": date(1999, 1, 1)})


def rewrite_post_review_text(text: str) -> str:
    """Letter text with decision words flipped, reviewer guideline lines and rationales prefixed by
    adversarial text, and the decision date changed (before parsing)."""
    text = _DECISION_LINE.sub(lambda m: f"{m.group(1)}{flip(m.group(2))}{m.group(3)}", text)
    text = text.replace("MAXIMUS guideline:", f"MAXIMUS guideline: {ADVERSARIAL}")
    text = text.replace("Decision rationale:", f"Decision rationale: {ADVERSARIAL}")
    return re.sub(r"Decision Date:\s*\d{1,2}/\d{1,2}/\d{4}", "Decision Date: 01/01/1999", text)
