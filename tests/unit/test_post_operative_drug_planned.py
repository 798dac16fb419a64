"""Round-95 kind K3 (session 41): a drug requested under a post-operative heading ("Norco 5/325mg #30
(post-operative)") beside the operation it is for is planned, 0 months, whatever earlier use the summary
tells; a post-operative therapy so requested has not started (no duration), and without an operation
requested the heading's drug is read from the summary as any drug is (features/drug_durations.py
`DurationsOfUse.duration_of_use_months`). The kinds tables read one service per case, so the letters with
an operation beside the drug are built here. Every summary is SYNTHETIC, invented for it."""

from __future__ import annotations

from datetime import date

import pytest

from tests.unit.synthetic_cases import durations_of

SUMMARIES = [
    "{He} has a torn meniscus. The surgeon requested a right knee arthroscopy and oxycodone for after it.",
    "{He} has taken oxycodone 5 mg since 03/01/2016 for a flare of back pain. A discectomy was requested.",
    "A right shoulder decompression was requested, with oxycodone to follow the operation.",
]
DRUG = "Oxycodone 5mg #40 (post-operative)"


def _durations(summary: str, headings: list[str]) -> list[object]:
    text = f"SYNTHETIC. The claimant is a 45 year old who was hurt at work on 01/02/2016. {summary}"
    return durations_of(text, headings, injury=date(2016, 1, 2), ur=date(2016, 12, 1))


@pytest.mark.parametrize("summary", SUMMARIES)
@pytest.mark.parametrize("pronoun", ["He", "She"])
def test_a_post_operative_drug_beside_its_operation_is_planned(summary: str, pronoun: str) -> None:
    _, drug = _durations(summary.format(He=pronoun), ["Right knee arthroscopy", DRUG])
    assert drug == 0.0


def test_a_post_operative_therapy_beside_its_operation_has_no_duration() -> None:
    """Near-miss: post-operative care that is no drug is not started, not planned at 0 (round 12)."""
    therapy_heading = "Post-operative physical therapy x 12 for the right knee"
    _, therapy = _durations(SUMMARIES[0].format(He="He"), ["Right knee arthroscopy", therapy_heading])
    assert therapy is None


def test_without_an_operation_requested_the_drug_is_read_from_the_summary() -> None:
    """Near-miss: no operation among the requests, so the heading's drug keeps the use the summary tells."""
    (drug,) = _durations(SUMMARIES[1].format(He="He"), [DRUG])
    assert drug == pytest.approx(9.0, abs=0.05)
