"""`imr explain`'s text for people (commands.explain._print_tables) on SYNTHETIC explanations: items
numbered from 1, the likelihood with its band, reasons in plain words with each citation once where no
checklist was built, and, where one was (issue #18), the summary line, the checklist table, the what-ifs
by gain and the context factors apart from the criteria."""

from __future__ import annotations

import re

import pytest
from rich.console import Console

from imr_triage.commands.explain import _print_tables
from model.explanation_models import LetterExplanation, Reason, ServiceExplanation
from model.predictor import RiskBands

CITATION = {
    "guideline": "MTUS Chronic Pain Medical Treatment Guidelines",
    "section": "Opioids",
    "pages": "74-96",
}
CITATION_TEXT = "MTUS Chronic Pain Medical Treatment Guidelines, Opioids, p.74-96"


def _reason(feature: str, value: object, lo: float, phrase: str | None = None) -> Reason:
    return Reason(
        feature=feature,
        value=value,
        direction="raises" if lo > 0 else "lowers",
        log_odds=lo,
        probability_effect=lo / 8,
        phrase=phrase,
        citations=[CITATION] if phrase else [],
        citation=CITATION_TEXT if phrase else None,
        no_guideline=phrase is None,
        note=None if phrase else "No guideline phrase for this feature. SYNTHETIC reason.",
        evidence=[{"section": "clinical_summary", "text": "SYNTHETIC words"}],
    )


SECTION = {"guideline": "MTUS", "edition": "2004", "chapter": "Low Back Complaints",
           "section": "SYNTHETIC special studies", "pages": "303"}  # fmt: skip


def _criterion(cid: str, status: str, lo: float, evidence: list[dict] | None = None) -> dict:
    return {"criterion_id": cid, "criterion": f"SYNTHETIC criterion: {cid.replace('_', ' ')}",
            "citation": SECTION, "status": status, "evidence": evidence or [], "log_odds": lo}  # fmt: skip


LETTER_ID = "SYNTH-TABLE-1"


def _service(item_index: int, service: str, family: str, likelihood: float, band: str, raw_score: float,
             **fields: object) -> ServiceExplanation:
    """One service of the SYNTHETIC letter; the base score and the other features' part are both services'."""
    return ServiceExplanation(letter_id=LETTER_ID, item_index=item_index, service=service,
                              service_family=family, overturn_likelihood=likelihood, risk_band=band,
                              raw_score=raw_score, expected_value=-1.0, other_features_log_odds=0.0, **fields)


def _letter() -> LetterExplanation:
    opioid = [
        _reason(
            "functional_improvement", "no", -0.4, "SYNTHETIC phrase: continue only with documented gains."
        ),
        _reason(
            "duration_of_use_months", 14.0, -0.3, "SYNTHETIC phrase: continue only with documented gains."
        ),
        _reason("pain_score", 8.0, 0.2, "SYNTHETIC phrase: pain and function are reassessed."),
        _reason("patient_age", 52.0, 0.1),
    ]
    return LetterExplanation(
        letter_id=LETTER_ID,
        source_file="synthetic.txt",
        model_version="synthetic-test-model",
        services=[
            _service(0, "SYNTHETIC opioid refill", "medication", 0.12, "low", -2.0, reasons=opioid),
            _service(
                1, "SYNTHETIC lumbar MRI", "imaging", 0.61, "high", 0.4,
                reasons=[_reason("red_flag_neuro_deficit", True, 0.9)],
                governing_guideline=SECTION,
                summary="MTUS Low Back Complaints, SYNTHETIC special studies: 2 of 3 criteria not "
                "documented, 1 met",
                checklist=[
                    _criterion("nerve_compromise", "met", 0.9, [
                        {"text": "SYNTHETIC weakness.", "section": "clinical_summary", "start": 0, "end": 19,
                         "author": None}] * 2),
                    _criterion("red_flags", "not_documented", 0.0),
                    _criterion("conservative_care", "not_documented", -0.2),
                    _criterion("repeat_study", "not_applicable", 0.0),
                    _criterion("objective_findings", "not_documented", 0.0),
                ],
                context=[{"feature": "family_prior", "value": 0.08, "log_odds": -0.3,
                          "note": "SYNTHETIC prior note; not a guideline criterion"},
                         {"feature": "priority", "value": "expedited", "log_odds": 0.1,
                          "note": "SYNTHETIC procedural note"},
                         {"feature": "case_text_score", "value": -0.2317, "log_odds": 0.05,
                          "note": "SYNTHETIC text note"}],
                what_if=[
                    {"criterion_id": "red_flags", "criterion": "SYNTHETIC criterion: red flags",
                     "likelihood_if_met": 0.62, "change": 0.01, "label": "what-if"},
                    {"criterion_id": "conservative_care", "likelihood_if_met": 0.70, "change": 0.09,
                     "criterion": "SYNTHETIC criterion: conservative care", "label": "what-if"},
                    {"criterion_id": "objective_findings", "likelihood_if_met": 0.6104, "change": 0.0004,
                     "criterion": "SYNTHETIC criterion: objective findings", "label": "what-if"},
                ],
            ),
        ],
    )


@pytest.fixture(scope="module")
def out() -> str:
    """The text `imr explain` prints for the SYNTHETIC letter, rendered once for the tests that read it."""
    console = Console(record=True, width=220, color_system=None)
    _print_tables([_letter()], console, "model-dir", RiskBands())
    return console.export_text()


def test_items_from_one_with_band_and_plain_reasons(out: str) -> None:
    numbers = re.findall(r"^│\s+(\d+)\s+│", out, flags=re.MULTILINE)
    assert numbers == ["1", "2"], out  # item_index 0 and 1 on screen as 1 and 2
    assert "12.0%" in out and "low band" in out and "61.0%" in out and "high band" in out
    assert "Bands: low under 25%, medium 25% to under 50%, high 50% or more." in out.replace("\n", " ")
    assert "Functional improvement from treatment documented: no" in out
    for raw in (
        "functional_improvement",
        "duration_of_use_months",
        "red_flag_neuro_deficit",
        "-0.40",
        "+0.90",
    ):
        assert raw not in out, f"model language {raw!r} on screen"


def test_each_citation_once_per_cell_and_repeated_phrase_referred_back(out: str) -> None:
    assert out.count(CITATION_TEXT) == 1, out
    assert out.count("SYNTHETIC phrase: continue only with documented gains.") == 1
    assert "the same criterion as reason 1 [1]" in out


def test_checklist_table_when_the_explanation_has_one(out: str) -> None:
    assert out.count("Guideline checklist") == 1  # only the service that has one
    assert "2 of 3 criteria not documented, 1 met" in out
    assert "Guideline: MTUS Low Back Complaints (2004), SYNTHETIC special studies, p.303" in out
    row = next(line for line in out.splitlines() if "SYNTHETIC criterion: nerve compromise" in line)
    assert " met " in row and "overturn more likely" in row and row.count('"SYNTHETIC weakness."') == 1
    row = next(line for line in out.splitlines() if "SYNTHETIC criterion: red flags " in line)
    assert "not documented" in row and "not found in the letter" in row and "no effect" in row
    # what-ifs by gain, labelled; context factors apart, in words, never as criteria
    what_if = out.index("What would change it (what-if, not a finding)")
    first, second = out.index("70.0% (+9.0 points)"), out.index("62.0% (+1.0 points)")
    assert what_if < first < second
    # a what-if under 0.1 points is not listed as "+0.0 points"; one line says the rest would not move it
    tail = out[what_if:out.index("Context (not guideline criteria)")]
    assert "objective findings" not in tail and "+0.0 points" not in tail and "-0.0" not in tail
    assert "any other missing criterion as met would not move it" in " ".join(tail.split())
    # a criterion that does not apply has nothing to look for, not "not found"
    row = next(line for line in out.splitlines() if "SYNTHETIC criterion: repeat study" in line)
    assert "does not apply" in row and "nothing to check" in row and "not found" not in row
    context = out[out.index("Context (not guideline criteria)"):]
    assert "Usual overturn rate of this kind of request: 8%" in context
    assert "IMR priority: expedited" in context
    assert "Similar case descriptions (learned text score) - makes" in context  # no raw score on screen
    assert "-0.2" not in context
    assert "SYNTHETIC criterion" not in context
    # the service without a checklist keeps its reasons in plain words
    assert "(no checklist: reasons below)" in out


def test_family_and_bracketed_letter_words_are_printed_not_read_as_markup() -> None:
    """The family under each request is shown in brackets ("[imaging]"), and a letter's own brackets
    ("[sic]", "[/redacted]") reach the table verbatim: rich read them as markup, dropping the family from
    every row and failing with a MarkupError on a closing tag it did not open."""
    letter = _letter()
    letter.source_file = "letters [copy]/synthetic.txt"
    letter.services[0].service = "SYNTHETIC Norco [hydrocodone] 10/325 [/b]"
    letter.services[0].service_family = "durable_medical_equipment"
    service = letter.services[1]
    service.summary = "SYNTHETIC summary [bold]not bold[/bold]"
    service.checklist[0].criterion = "SYNTHETIC criterion [sic] nerve compromise"
    service.checklist[0].evidence[0].text = "SYNTHETIC weakness [/redacted]."
    console = Console(record=True, width=220, color_system=None)
    _print_tables([letter], console, "model-dir", RiskBands())
    text = console.export_text()
    assert "[durable medical equipment]" in text and "[imaging]" in text, text
    assert "SYNTHETIC Norco [hydrocodone] 10/325 [/b]" in text
    assert "letters [copy]/synthetic.txt" in text
    assert "[bold]not bold[/bold]" in text
    assert "SYNTHETIC criterion [sic] nerve compromise" in text
    assert '"SYNTHETIC weakness [/redacted]."' in text
