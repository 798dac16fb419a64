"""Session 23 (issue #18), on SYNTHETIC letters: a criterion about first-line drugs reads what the record
says of first-line drugs (`care_kinds` of the criterion), not the letter-level failed care that another kind
of care (acupuncture not had, therapy that failed) decides; the annotated column keeps its letter-level
value."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from features.care_kinds import failed_care_of_kinds, kinds_named
from features.criteria import load_criteria
from features.evidence import EvidenceSpan
from features.extractors.criteria_level import case_checklists
from features.table import build_feature_table
from letters.records import Case, GuidelineCitation, Section, ServiceDecision
from synthetic.latent_criteria import failed_care_by_kind
from synthetic.tables import SynthTables

TABLE = load_criteria()
UR_LINE = "The Claims Administrator did not cite any medical evidence for its decision."
OPENING = ("The injured worker is a 52 year old female injured on 02/10/2016 lifting a crate. She reports "
           "low back pain rated 7/10 with spasm. ")
RELAXANT = "Cyclobenzaprine 7.5mg #20"


def _case(care: str, heading: str = RELAXANT) -> Case:
    services = [ServiceDecision(item_index=0, heading=heading, service=heading,
                                decision="Upheld",  # type: ignore[arg-type]
                                ur_guideline=GuidelineCitation(raw=UR_LINE))]
    summary = OPENING + care + " This is SYNTHETIC test text."
    return Case(letter_id="SYNTH-CARE23", synthetic=True, letter_format="synthetic",
                date_of_injury=date(2016, 2, 10), ur_denial_date=date(2016, 11, 20), clinical_summary=summary,
                services=services)


def _first_line(case: Case) -> tuple[str, list[str]]:
    item = next(i for i in case_checklists(case)[0].checklist if i.criterion_id == "first_line_failed")
    return item.status, [e.text for e in item.evidence]


def _span(sentence: str, words: str) -> EvidenceSpan:
    start = sentence.index(words)
    return EvidenceSpan(Section.CLINICAL_SUMMARY, start, start + len(words), words, sentence=sentence,
                        sentence_start=0, sentence_end=len(sentence))


def test_care_kinds_are_named_by_words_and_drug_classes() -> None:
    assert kinds_named(TABLE, "She has tried naproxen") == {"first_line_drugs"}
    assert kinds_named(TABLE, "pain medications and Tylenol") == {"first_line_drugs"}
    assert kinds_named(TABLE, "acupuncture and physical therapy") == frozenset()
    assert kinds_named(TABLE, "opioid medications") == frozenset()  # a second-line drug itself


def test_failed_care_of_a_kind_reads_only_the_statements_about_it() -> None:
    kinds = ["first_line_drugs"]
    listed = "Treatment has included naproxen and physical therapy, without relief."
    found = failed_care_of_kinds(TABLE, kinds, "yes", [_span(listed, "physical therapy, without relief")])
    assert found[0] == "yes"
    mixed = "Naproxen helped, but physical therapy gave no relief."
    found = failed_care_of_kinds(TABLE, kinds, "yes", [_span(mixed, "physical therapy gave no relief")])
    assert found == ("not_stated", [])
    none = "She has not had acupuncture."
    found = failed_care_of_kinds(TABLE, kinds, "no", [_span(none, "not had acupuncture")])
    assert found == ("not_stated", [])
    assert failed_care_of_kinds(TABLE, kinds, "not_stated", []) == ("not_stated", [])
    assert failed_care_of_kinds(TABLE, kinds, None, []) == (None, [])


def test_acupuncture_not_had_leaves_first_line_drugs_not_documented() -> None:
    case = _case("She has not had acupuncture.")
    assert _first_line(case)[0] == "not_documented"
    row = build_feature_table([case]).iloc[0]
    assert row["failed_conservative_care"] == "no"  # the annotated column keeps the letter-level value


def test_failed_therapy_is_no_failure_of_first_line_drugs_but_a_failed_nsaid_is() -> None:
    assert _first_line(_case("Physical therapy gave no relief."))[0] == "not_documented"
    status, evidence = _first_line(_case("She has tried ibuprofen and physical therapy without relief."))
    assert status == "met"
    assert evidence == ["She has tried ibuprofen and physical therapy without relief."]


def test_the_generator_reads_first_line_failure_from_the_care_its_summary_lists() -> None:
    tables = SynthTables.load("none")
    kinds = ["first_line_drugs"]

    def latent(value: str, care: tuple[str, ...]) -> str:
        case = SimpleNamespace(failed_conservative=value, treatments=care)
        return failed_care_by_kind(case, tables, TABLE, kinds)  # type: ignore[arg-type]

    assert latent("yes", ("physical therapy", "medications")) == "yes"
    assert latent("yes", ("physical therapy", "acupuncture")) == "not_stated"
    assert latent("no", ("medications",)) == "not_stated"  # its not-tried sentences name no first-line drug
    assert latent("not_stated", ("medications",)) == "not_stated"
