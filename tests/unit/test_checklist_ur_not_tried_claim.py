"""Session 24 nurse check, on SYNTHETIC letters: the UR's account that care was not attempted, in a summary
whose record lists the care already given, is the UR's claim the record contradicts; a checklist does not
read "conservative care not tried" from it (the failed-care fact keeps the protocol's value). The UR's claim
alone (no care listed by the record) and the UR's "no documentation of conservative care" keep it."""

from __future__ import annotations

from datetime import date

from tests.unit.synthetic_cases import NO_CITATION, checklists_of, criterion_status

MRI = "MRI of the right knee"
TRAMADOL = "Tramadol 50mg #60"
CARE = "Treatment to date has included physical therapy, anti-inflammatory medication and modified duty. "
SUMMARY = ("The injured worker is a 47 year old male who twisted his right knee on 10/03/2016. {care}On "
           "12/09/2016 he reported right knee pain rated 8/10. The examination showed medial joint line "
           "tenderness. The physician requested an MRI of the right knee and tramadol. The request for "
           "tramadol was denied as pain medications other than opioids had not yet been tried. The request "
           "for the MRI was denied because the worker had never tried any conservative care. This is "
           "SYNTHETIC test text.")


def _status(summary: str, criterion: str, item: int) -> str | None:
    checklists = checklists_of(summary, [MRI, TRAMADOL], injury=date(2016, 10, 3), ur=date(2017, 1, 5),
                               ur_line=NO_CITATION)
    return criterion_status(checklists[item], criterion)


def test_the_urs_not_attempted_claim_against_the_records_list_of_care_is_not_read() -> None:
    summary = SUMMARY.format(care=CARE)
    # care listed, then 8/10: the failed-care rule of session 23 decides once the UR's claim is not read
    assert _status(summary, "conservative_care_failed", 0) == "met"
    assert _status(summary, "first_line_failed", 1) == "not_documented"  # "medications": which, and how?


def test_the_urs_claim_alone_or_its_no_documentation_of_care_keeps_care_not_tried() -> None:
    alone = SUMMARY.format(care="")
    assert _status(alone, "conservative_care_failed", 0) == "unmet"
    assert _status(alone, "first_line_failed", 1) == "unmet"
    documentation = SUMMARY.format(care=CARE).replace(
        "the worker had never tried any conservative care",
        "a lack of documentation of conservative care")
    assert _status(documentation, "conservative_care_failed", 0) == "unmet"
    so_far = SUMMARY.format(care=CARE).replace(
        "The request for the MRI was denied because the worker had never tried any conservative care.",
        "Utilization review found no documented conservative care so far for the worker.")
    assert _status(so_far, "conservative_care_failed", 0) == "unmet"
