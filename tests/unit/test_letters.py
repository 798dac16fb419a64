"""Letter text -> Case on tiny synthetic letters: fields, wrapped headings, partial UR, errors."""

from __future__ import annotations

from datetime import date

import pytest

from letters.parser import SYNTHETIC_MARKER, LetterParseError, parse_guideline, parse_text
from tests.unit.letter_texts import DEFAULT_ITEMS, Item, dwc_letter, legacy_letter


def test_dwc_header_credentials_and_summary() -> None:
    case = parse_text(dwc_letter(), "x/CM16-0000001.txt")
    assert case.letter_id == case.case_number == "CM16-0000001"
    assert case.letter_format == "dwc-2016" and not case.synthetic
    assert case.date_assigned == date(2016, 11, 9)
    assert case.date_of_injury == date(2016, 10, 13)
    assert case.decision_date == date(2016, 12, 9)
    assert case.ur_denial_date == date(2016, 11, 3)
    assert case.application_received == date(2016, 11, 4)
    assert case.priority == "Standard"
    assert case.reviewer_licensure == ["California", "Oregon"]
    assert case.reviewer_specialty == "Orthopaedic Surgery"
    assert (case.patient_age, case.patient_sex) == (52, "female")
    assert case.clinical_summary.startswith("The injured worker is a 52 year old female")
    assert "IMR ISSUES" not in case.clinical_summary
    assert case.source_file == "x/CM16-0000001.txt"
    assert case.parse_warnings == []


def test_wrapped_headings_with_colons_quantities_and_partial_certification() -> None:
    services = parse_text(dwc_letter()).services
    assert [s.item_index for s in services] == [0, 1, 2]
    assert [s.decision for s in services] == ["Upheld", "Overturned", "Upheld"]
    assert services[0].heading == services[0].service == "MRI of the left knee without contrast"
    assert services[1].service == (
        "Physical therapy (2 times a week for 6 weeks) for the lumbar spine, QTY: 12 sessions, per the "
        "treating physician's note"
    )
    partial = services[2]
    assert partial.partial_ur_certification and partial.service == "Tramadol 50mg #30"
    assert partial.partial_certification_text.startswith("Tramadol 50mg #60 was the original request.")
    assert partial.heading.endswith("original request, Tramadol 50mg #30 is")
    assert not services[0].partial_ur_certification and services[0].partial_certification_text is None


def test_leaving_eligible_phrasing_of_partial_certification() -> None:
    item = Item((
        "Home care 8 hours a day was the original request. The Claims Administrator authorized",
        "home care 4 hours a day, leaving the original request IMR eligible. The original request,",
        "Home care 8 hours a day is: Overturned",
    ))
    (svc,) = parse_text(dwc_letter((DEFAULT_ITEMS[0], item))).services[1:]
    assert svc.partial_ur_certification and svc.service == "Home care 8 hours a day"
    assert svc.decision == "Overturned"


def test_guideline_lines_and_rationale() -> None:
    s0, s1, s2 = parse_text(dwc_letter()).services
    assert s0.ur_guideline.sources == ["MTUS"]
    assert (s0.ur_guideline.chapter, s0.ur_guideline.year) == ("Knee Complaints", 2004)
    assert s0.reviewer_guideline.sections == ["Special Studies"]
    assert s1.ur_guideline.no_evidence_cited and s1.ur_guideline.sources == []
    assert s1.reviewer_guideline.chapter == "Chronic Pain Medical Treatment"
    assert s2.ur_guideline.sources == ["ODG", "Non-MTUS"] and s2.ur_guideline.chapter == "Pain"
    assert s1.rationale == "Synthetic rationale text. The request is medically necessary."
    assert "MAXIMUS" not in s0.rationale and "Decision rationale" not in s0.rationale


@pytest.mark.parametrize(
    ("raw", "chapter", "year", "pages", "sections"),
    [
        ("Decision based on MTUS Forearm, Wrist, and Hand Complaints 2004, Section(s): Diagnostic "
         "Criteria, Special Studies.", "Forearm, Wrist, and Hand Complaints", 2004, [],
         ["Diagnostic Criteria", "Special Studies"]),
        ("Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): TENS, chronic pain.",
         "Chronic Pain Medical Treatment", 2016, [], ["TENS, chronic pain"]),
        ("Decision based on MTUS ACOEM Chapter 12 Low Back Complaints Page(s): 303-305, 309.",
         "Low Back Complaints", None, ["303-305", "309"], []),
        ("Decision based on MTUS ACOEM Page(s): 303.", None, None, ["303"], []),
    ],
)
def test_parse_guideline_structure(raw, chapter, year, pages, sections) -> None:
    g = parse_guideline(raw)
    assert (g.chapter, g.year, g.pages, g.sections) == (chapter, year, pages, sections)
    assert "MTUS" in g.sources and g.raw == raw


def test_crlf_form_feeds_and_blank_lines_are_tolerated() -> None:
    text = dwc_letter(newline="\r\n").replace("Decision rationale:", "\fDecision rationale:", 1)
    assert parse_text(text).model_dump() == parse_text(dwc_letter()).model_dump()


def test_line_end_hyphen_inside_a_word_or_date_joins_without_space() -> None:
    opening = "The injured worker is a 40 year old male hurt on 10-30-\n2016 at a synthetic site - \nrepeat."
    summary = parse_text(dwc_letter(summary_opening=opening)).clinical_summary
    assert "hurt on 10-30-2016 at a synthetic site - repeat." in summary


def test_legacy_2014_format() -> None:
    case = parse_text(legacy_letter(), "seed/000_abc.txt")
    assert case.letter_format == "legacy-2014" and case.case_number is None
    assert case.letter_id == "000_abc"
    assert case.date_of_injury is None and case.priority is None
    assert case.reviewer_specialty == "Internal Medicine, Rheumatology"
    assert case.reviewer_licensure == ["California"]
    assert (case.patient_age, case.patient_sex) == (61, "male")
    assert [(s.service, s.decision) for s in case.services] == [
        ("Knee brace (hinged)", "Overturned"), ("Gabapentin 600mg, #90", "Upheld")]
    assert case.services[0].ur_guideline.pages == ["340"]
    assert case.services[1].ur_guideline.pages == ["18", "19"]
    assert case.parse_warnings == []


def test_synthetic_marker_sets_flag_and_format() -> None:
    case = parse_text(dwc_letter(marker=SYNTHETIC_MARKER))
    assert case.synthetic and case.letter_format == "synthetic"
    assert len(case.services) == 3


def test_sex_without_age_is_kept_with_a_warning() -> None:
    case = parse_text(dwc_letter(summary_opening="The injured worker is a female hurt at work."))
    assert case.patient_sex == "female" and case.patient_age is None
    assert any("age not found" in w for w in case.parse_warnings)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty text"),
        ("   \n\n", "empty text"),
        ("Dear customer,\nyour parcel has shipped.\nRegards\n", "not an IMR Final Determination letter"),
        ("abc\x00\x01\x02def", "binary data"),
    ],
)
def test_not_a_letter(text: str, reason: str) -> None:
    with pytest.raises(LetterParseError, match=reason) as err:
        parse_text(text, "in/f.txt")
    assert str(err.value).startswith("in/f.txt: ")


def test_missing_decision_word_names_the_item() -> None:
    broken = Item(("Acupuncture 6 sessions for the neck:",))
    text = dwc_letter((DEFAULT_ITEMS[0], broken, DEFAULT_ITEMS[1]))
    with pytest.raises(LetterParseError, match=r"item 1 \('Acupuncture 6 sessions.*decision word"):
        parse_text(text, "f.txt")


def test_letter_without_decisions() -> None:
    with pytest.raises(LetterParseError, match="no disputed-item decisions"):
        parse_text(dwc_letter(items=()), "f.txt")


def test_long_heading_is_flagged_when_a_rationale_lacks_its_full_stop() -> None:
    no_stop = Item(DEFAULT_ITEMS[0].heading_lines, rationale=(
        "Decision rationale: a rationale whose last line", "has no full stop", "and goes on", "and on"))
    case = parse_text(dwc_letter((no_stop, DEFAULT_ITEMS[0])))
    assert len(case.services) == 2
    assert any("unusually long heading" in w for w in case.parse_warnings)


def test_heading_line_ending_in_a_full_stop_is_kept_whole() -> None:
    cut = Item(("Tramadol ER 100 mg.", "#30 for pain: Upheld"))
    case = parse_text(dwc_letter((DEFAULT_ITEMS[0], cut)))
    assert case.services[1].service == "Tramadol ER 100 mg. #30 for pain"
    assert case.parse_warnings == []


def test_heading_that_starts_mid_sentence_is_flagged() -> None:
    odd = Item(("#30 tablets for pain: Upheld",))
    case = parse_text(dwc_letter((odd,)))
    assert case.services[0].service == "#30 tablets for pain"
    assert any("item 0: heading starts mid-sentence" in w for w in case.parse_warnings)


def test_a_letter_without_its_summary_section_gets_an_empty_summary_and_says_why() -> None:
    """Without the section's title or its opening line, the text before the decisions is the reviewer's
    credentials and the process: reading it as the case would make facts of it (session-17 audit)."""
    intro = "case file, including all medical records:"
    text = dwc_letter().replace("CLINICAL CASE SUMMARY", "").replace(intro, "case file:")
    case = parse_text(text, "nosummary.txt")
    assert case.clinical_summary == ""
    assert any("no 'CLINICAL CASE SUMMARY' section found" in w for w in case.parse_warnings)
    assert len(case.services) == len(parse_text(dwc_letter(), "x.txt").services)  # the decisions are kept
    # the title alone, or the opening line alone, still finds the summary
    for kept in (dwc_letter().replace("case file, including all medical records:", "case file:"),
                 dwc_letter().replace("CLINICAL CASE SUMMARY", "")):
        parsed = parse_text(kept, "kept.txt")
        assert "SYNTHETIC test text" in parsed.clinical_summary
        assert not any("section found" in w for w in parsed.parse_warnings)


def test_a_header_date_that_is_no_calendar_date_is_a_warning_naming_its_field() -> None:
    """13/45/2016 failed the whole letter as "unexpected parser error ValueError", naming no field."""
    case = parse_text(dwc_letter().replace("Date of Injury: 10/13/2016", "Date of Injury: 13/45/2016"),
                      "x/CM16-0000001.txt")
    assert case.date_of_injury is None and len(case.services) == len(DEFAULT_ITEMS)
    assert case.parse_warnings == [
        "header field 'date_of_injury': '13/45/2016' is not a date (month must be in 1..12); left empty"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ("Date of Injury: 10/13/2016", "Date of Injury: 10/13/2020"),
            "date_of_injury (2020-10-13) is after ur_denial_date (2016-11-03)",
        ),
        (
            ("11/04/2016", "10/04/2016"),
            "ur_denial_date (2016-11-03) is after application_received (2016-10-04)",
        ),
    ],
)
def test_header_dates_that_run_backwards_are_a_warning_not_a_failure(
    header: tuple[str, str], expected: str
) -> None:
    """A structured case with swapped dates gets a 422; the same dates in a letter were read silently
    as negative claim ages. The letter is still parsed (and scored): it says which dates disagree."""
    case = parse_text(dwc_letter().replace(*header), "x/CM16-0000001.txt")
    assert case.parse_warnings == [f"header dates run backwards: {expected}; check the letter's header"]
    assert len(case.services) == len(DEFAULT_ITEMS)
