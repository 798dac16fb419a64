"""Tiny SYNTHETIC letters for parser tests, in the layouts of the real formats.

Only the structural labels match real letters; every sentence here is written for the tests, and
each letter is marked synthetic in its summary. Builders return text; `letter_pdf` renders it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FILLER = (
    "This filler paragraph is synthetic test text that stands in for the boilerplate of a letter. "
    "It says nothing about any real person."
)


@dataclass(frozen=True)
class Item:
    """One disputed item as the test wants it written."""

    heading_lines: tuple[str, ...]  # the heading as wrapped lines, the last one ending with the decision
    ur: tuple[str, ...] = ("Claims Administrator guideline: Decision based on MTUS Knee Complaints 2004.",)
    reviewer: tuple[str, ...] = (
        "MAXIMUS guideline: Decision based on MTUS Knee Complaints 2004, Section(s):",
        "Special Studies.",
    )
    rationale: tuple[str, ...] = (
        "Decision rationale: The synthetic reviewer explains the test decision here in a few",
        "words that wrap over two lines. Therefore the request is not medically necessary.",
    )


DEFAULT_ITEMS: tuple[Item, ...] = (
    Item(("MRI of the left knee without contrast: Upheld",)),
    Item(
        ("Physical therapy (2 times a week for 6 weeks) for the lumbar spine, QTY: 12 sessions, per the",
         "treating physician's note: Overturned"),
        ur=("Claims Administrator guideline: The Claims Administrator did not cite any medical evidence",
            "for its decision."),
        reviewer=("MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016,",
                  "Section(s): Physical medicine treatment."),
        rationale=("Decision rationale: Synthetic rationale text. The request is medically necessary.",),
    ),
    Item(
        ("Tramadol 50mg #60 was the original request. Tramadol 50mg #30 was authorized by the",
         "Claims Administrator. The remaining IMR eligible portion of the original request,",
         "Tramadol 50mg #30 is:", "Upheld"),
        ur=("Claims Administrator guideline: The Claims Administrator based their decision on",
            "recommendation(s) outside of the MTUS Guidelines. Decision based on Non-MTUS Citation",
            "Official Disability Guidelines (ODG), Pain Chapter, Opioids."),
    ),
)


def dwc_letter(items: tuple[Item, ...] = DEFAULT_ITEMS, *, marker: str | None = None,
               summary_opening: str = "The injured worker is a 52 year old female who was hurt at work.",
               newline: str = "\n") -> str:
    """A letter in the 2016-17 layout: header block, credentials, summary, items."""
    lines = [] if marker is None else [marker]
    lines += [
        "Case Number: CM16-0000001",
        "Date Assigned: 11/09/2016 Date of Injury: 10/13/2016",
        "Decision Date: 12/09/2016 UR Denial Date: 11/03/2016",
        "Priority: Standard Application ",
        "Received: ",
        "11/04/2016",
        "HOW THE IMR FINAL DETERMINATION WAS MADE",
        FILLER,
        "The Expert Reviewer has the following credentials:",
        "State(s) of Licensure: California, Oregon",
        "Certification(s)/Specialty: Orthopaedic Surgery",
        "CLINICAL CASE SUMMARY",
        "The expert reviewer developed the following clinical case summary based on a review of the",
        "case file, including all medical records:",
        summary_opening + " This summary is SYNTHETIC test text.",
        "IMR ISSUES, DECISIONS AND RATIONALES",
        "The Final Determination was based on decisions for the disputed items/services set forth below:",
    ]
    for it in items:
        lines += [*it.heading_lines, *it.ur, *it.reviewer, *it.rationale]
    return newline.join(lines) + newline


def legacy_letter() -> str:
    """A letter in the older 2014 layout: no header block, double-spaced, prose credentials."""
    lines = [
        " HOW THE IMR FINAL DETERMINATION WAS MADE ",
        "This synthetic reviewer is Board Certified in Internal Medicine, has a subspecialty in",
        "Rheumatology and is licensed to practice in California. " + FILLER,
        "CLINICAL CASE SUMMARY ",
        "The expert reviewer developed the following clinical case summary based on a review of the",
        "case file, including all medical records: ",
        "The patient is a 61-year-old man with synthetic knee pain. ",
        "IMR ISSUES, DECISIONS AND RATIONALES ",
        "The Final Determination was based on decisions for the disputed items/services set forth below: ",
        "Knee brace (hinged): Overturned ",
        "Claims Administrator guideline: Decision based on MTUS ACOEM Chapter 13 Knee Complaints",
        "Page(s): 340.  ",
        "MAXIMUS guideline: Decision based on MTUS ACOEM Page(s): 338-340. ",
        "Decision rationale: Synthetic rationale. Therefore, the request is medically necessary. ",
        "Gabapentin 600mg, #90: Upheld ",
        "Claims Administrator guideline: Decision based on MTUS Chronic Pain Treatment Guidelines",
        "Page(s): 18, 19. ",
        "MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines Page(s): 18.",
        "Decision rationale: Synthetic rationale. Therefore, the request is not medically necessary. ",
    ]
    return "\n \n".join(lines) + "\n"


def letter_pdf(text: str, path: Path, lines_per_page: int = 20) -> Path:
    """Render text to a multi-page PDF with reportlab, one text line per PDF line."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter)
    lines = text.splitlines()
    for start in range(0, len(lines), lines_per_page):
        y = 740
        for line in lines[start : start + lines_per_page]:
            c.drawString(40, y, line)
            y -= 14
        c.showPage()
    c.save()
    return path
