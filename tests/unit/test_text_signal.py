"""The learned text signal (model/text_signal.py) on SYNTHETIC texts: it learns clinical words, never
writer style, cross-fits honestly, saves as JSON, and reads structured cases like letters."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from pydantic import ValidationError

from features.spec import Dtype, FeatureDef, load_spec
from features.style import rewrite_style
from letters.parser import LetterParseError, parse_text
from letters.records import POST_REVIEW_SECTIONS, Case, Section, ServiceDecision
from letters.structured import CaseInput
from model.text_signal import (
    SECTION_SOURCES,
    TEXT_FEATURE,
    ServiceText,
    TextSignal,
    cross_fitted_text_scores,
    load_display,
    service_texts,
    text_folds,
)
from training.metrics import roc_auc

PERSONS = ("injured worker", "patient", "claimant", "applicant")
OVERTURN_WORDS = [
    "acute fracture",
    "swelling and bruising",
    "positive apprehension test",
    "preoperative clearance",
]
UPHOLD_WORDS = [
    "chronic low back pain",
    "long-term opioid use",
    "no functional improvement",
    "tramadol refills",
]
NEUTRAL = ["neck", "shoulder", "knee", "x-ray", "MRI", "ibuprofen", "home exercise", "modified duty"]


def synthetic_corpus(n: int, seed: int, *, style_leak: bool = False) -> tuple[list[ServiceText], np.ndarray]:
    """SYNTHETIC summaries: the label shows in clinical words (noisily); with `style_leak` the writer's
    person word and pronoun also follow the label, as they do between real writers."""
    rng = random.Random(seed)
    texts, y = [], []
    for i in range(n):
        label = int(rng.random() < 0.35)
        pool = OVERTURN_WORDS if (label if rng.random() < 0.85 else 1 - label) else UPHOLD_WORDS
        person = ("injured worker" if label else "patient") if style_leak else rng.choice(PERSONS)
        pronoun = ("he" if label else "she") if style_leak else rng.choice(["he", "she"])
        article = "an" if person[0] in "ai" else "a"
        summary = (
            f"The {person} is {article} {40 + i % 30} year old who was injured on 10-{1 + i % 28:02d}-2016. "
            f"{pronoun.capitalize()} reported {rng.choice(pool)} and {rng.choice(NEUTRAL)}. "
            f"Treatment to date included {rng.choice(NEUTRAL)}. The {person} has {rng.choice(pool)}."
        )
        service = rng.choice(["MRI of the knee", "Tramadol 50mg #60", "Physical therapy x 6", "Knee surgery"])
        texts.append(ServiceText(summary, service, "MTUS Chronic Pain Medical Treatment Guidelines"))
        y.append(label)
    return texts, np.array(y)


@pytest.fixture(scope="module")
def corpus() -> tuple[list[ServiceText], np.ndarray]:
    return synthetic_corpus(160, seed=1)


@pytest.fixture(scope="module")
def fitted(corpus) -> TextSignal:
    return TextSignal().fit(*corpus)


def test_it_learns_the_clinical_words(fitted: TextSignal):
    texts, y = synthetic_corpus(120, seed=2)
    assert roc_auc(y, fitted.decision_function(texts)) > 0.8
    top = dict(fitted.top_terms(30))
    assert any(c > 0 for t, c in top.items() if "fracture" in t or "apprehension" in t)
    assert any(c < 0 for t, c in top.items() if "chronic" in t or "opioid" in t)
    contrib = fitted.term_contributions(texts[0], top=3)
    assert len(contrib) == 3 and abs(contrib[0][1]) >= abs(contrib[-1][1])


def test_person_words_pronouns_dates_and_numbers_never_become_terms():
    texts, y = synthetic_corpus(160, seed=3, style_leak=True)
    model = TextSignal(min_df=1).fit(texts, y)
    words = {w for term in model.vocabulary_ for w in term.split(": ")[-1].split()}
    assert not words & {
        "worker",
        "patient",
        "claimant",
        "applicant",
        "he",
        "she",
        "his",
        "her",
        "year",
        "old",
    }
    assert not any(ch.isdigit() for ch in "".join(words))


@pytest.mark.parametrize("person", PERSONS)
def test_a_style_rewrite_moves_no_score_while_a_raw_model_would_move(person: str):
    texts, y = synthetic_corpus(160, seed=4, style_leak=True)
    model = TextSignal().fit(texts, y)
    raw = TextSignal(normalise_style=False, adjust_writer=False).fit(texts, y)
    other = [ServiceText(rewrite_style(t.summary, person=person, swap_pronouns=True), t.service,
                         t.ur_guideline) for t in texts]  # fmt: skip
    assert np.max(np.abs(model.decision_function(other) - model.decision_function(texts))) == 0.0
    assert (
        np.max(np.abs(raw.decision_function(other) - raw.decision_function(texts))) > 0.1
    )  # the guard bites


def test_state_is_json_and_reloads_to_the_same_scores(fitted: TextSignal, corpus, tmp_path):
    texts, y = corpus
    state = json.loads(json.dumps(fitted.to_dict()))
    again = TextSignal.from_dict(state)
    np.testing.assert_array_equal(again.decision_function(texts), fitted.decision_function(texts))
    path = fitted.save(tmp_path / "model")
    assert path.name == "text_signal.json"
    np.testing.assert_array_equal(TextSignal.load(tmp_path / "model").predict_proba(texts),
                                  fitted.predict_proba(texts))  # fmt: skip
    # the same fit writes the same bytes
    assert json.dumps(TextSignal().fit(texts, y).to_dict()) == json.dumps(fitted.to_dict())
    assert state["sources"] == {"summary": "clinical_summary", "service": "service_heading",
                                "ur_guideline": "ur_guideline"}  # fmt: skip


def test_a_broken_state_is_refused_with_the_reason(fitted: TextSignal, tmp_path):
    state = fitted.to_dict()
    with pytest.raises(ValueError, match="format"):
        TextSignal.from_dict({**state, "format": 99})
    with pytest.raises(ValueError, match="terms but"):
        TextSignal.from_dict({**state, "coef": state["coef"][:-1]})
    with pytest.raises(FileNotFoundError, match="no text signal"):
        TextSignal.load(tmp_path)
    (tmp_path / "text_signal.json").write_text('{"format": 1}')
    with pytest.raises(ValueError, match="text_signal.json: not a text signal state"):
        TextSignal.load(tmp_path)
    with pytest.raises(RuntimeError, match="not fitted"):
        TextSignal().decision_function(["knee pain"])


def test_fit_refuses_one_class_and_mismatched_lengths(corpus):
    texts, y = corpus
    with pytest.raises(ValueError, match="one class"):
        TextSignal().fit(texts, np.zeros(len(texts)))
    with pytest.raises(ValueError, match="labels"):
        TextSignal().fit(texts, y[:-1])


def test_cross_fitted_scores_never_see_their_own_label(corpus):
    texts, y = corpus
    groups = np.arange(len(y)) // 2  # two services per SYNTHETIC letter
    folds = text_folds(y, groups, 4, seed=0)
    base = cross_fitted_text_scores(texts, y, groups, folds)
    assert np.isfinite(base).all()
    for row in (0, 7, 31):
        flipped = y.copy()
        flipped[row] = 1 - flipped[row]
        moved = cross_fitted_text_scores(texts, flipped, groups, folds)
        own_fold = next(te for _, te in folds if row in te)
        np.testing.assert_array_equal(moved[own_fold], base[own_fold])  # its own fold never saw the label
        assert not np.array_equal(moved, base)  # other folds did
    # an int gives the same stratified, grouped folds as text_folds
    np.testing.assert_array_equal(cross_fitted_text_scores(texts, y, groups, 4, seed=0), base)


def test_cross_fitting_refuses_folds_that_leak_or_miss_rows(corpus):
    texts, y = corpus
    groups = np.arange(len(y)) // 2
    idx = np.arange(len(y))
    with pytest.raises(ValueError, match="both sides"):
        cross_fitted_text_scores(texts, y, groups, [(idx[1:], idx[:1]), (idx[:1], idx[1:])])
    with pytest.raises(ValueError, match="exactly one test part"):
        cross_fitted_text_scores(texts, y, groups, [(idx[80:], idx[:80])])
    with pytest.raises(ValueError, match="texts"):
        cross_fitted_text_scores(texts, y[:-1], groups, 3)


# SYNTHETIC non-letter texts a triage nurse might paste as the clinical summary of a structured case.
MEDICAL_RECORD = (
    "PROGRESS NOTE 11/02/2016. Patient: J. Doe, DOB 01/01/1970. Mr. Doe is a 46 y/o M seen for acute "
    "fracture of the left wrist after a fall at work. Exam: swelling and bruising, positive apprehension "
    "test of the shoulder. Plan: preoperative clearance, MRI. He will return in 2 weeks."
)
UR_LETTER = (
    "Dear Dr. Smith, The request for tramadol 50mg #60 is non-certified. The claimant has chronic low "
    "back pain with long-term opioid use and no functional improvement documented. She reports tramadol "
    "refills monthly. Guideline: MTUS Chronic Pain Medical Treatment Guidelines."
)


@pytest.mark.parametrize("summary", [MEDICAL_RECORD, UR_LETTER], ids=["medical-record", "ur-letter"])
def test_a_structured_case_with_a_non_letter_summary_gets_the_same_treatment(
    fitted: TextSignal, summary: str
):
    case = CaseInput(
        clinical_summary=summary,
        services=[{"heading": "MRI of the left wrist"}, {"heading": "Tramadol 50mg #60",
                                                        "ur_guideline": "MTUS Chronic Pain 2009"}],
    ).to_case()  # fmt: skip
    texts = service_texts(case)
    assert [t.service for t in texts] == ["MRI of the left wrist", "Tramadol 50mg #60"]
    assert texts[0].summary == summary and texts[1].ur_guideline.startswith("MTUS")
    scores = fitted.decision_function(texts)
    assert np.isfinite(scores).all()
    for person in PERSONS:
        other = [ServiceText(rewrite_style(t.summary, person=person, swap_pronouns=True), t.service,
                             t.ur_guideline) for t in texts]  # fmt: skip
        assert other[0].summary != summary or person == "patient"
        np.testing.assert_array_equal(fitted.decision_function(other), scores)
    terms = {w for t in fitted.terms(texts[0]) for w in t.split()}
    assert not terms & {"doe", "smith", "dob", "he", "she", "patient", "claimant", "mr", "dr"}


def test_the_clinical_words_of_a_non_letter_summary_drive_its_score(fitted: TextSignal):
    up, down = fitted.decision_function([ServiceText(MEDICAL_RECORD), ServiceText(UR_LETTER)])
    assert up > down


def test_a_bare_text_that_is_not_an_imr_letter_keeps_its_clear_error():
    with pytest.raises(LetterParseError, match=r"record\.txt: .*not an IMR Final Determination letter"):
        parse_text(MEDICAL_RECORD, "record.txt")


def test_service_texts_hold_pre_review_text_only():
    service = ServiceDecision(
        item_index=0, heading="Wrist surgery", service="Wrist surgery", decision="Overturned",
        rationale="The reviewer found it necessary.",
    )  # fmt: skip
    case = Case(
        letter_id="SYNTH-1", clinical_summary="Acute fracture of the wrist.", services=[service],
        reviewer_specialty="Orthopedics", reviewer_licensure=["California"],
    )  # fmt: skip
    (text,) = service_texts(case)
    assert text == ServiceText("Acute fracture of the wrist.", "Wrist surgery", "")


def test_reviewer_specialty_and_licensure_never_enter_a_feature():
    spec = load_spec()
    assert all(f.source != Section.REVIEWER_META for f in spec.features)
    assert not any("specialty" in f.name or "licens" in f.name or "reviewer" in f.name for f in spec.features)
    with pytest.raises(ValidationError, match="reviewer_meta"):
        FeatureDef(name="x", dtype=Dtype.CATEGORICAL, role="case", source=Section.REVIEWER_META,
                   description="", extractor="x")  # fmt: skip
    forbidden = POST_REVIEW_SECTIONS | {Section.REVIEWER_META}
    assert not set(SECTION_SOURCES.values()) & forbidden
    with pytest.raises(ValueError, match="sections must be among"):
        TextSignal(sections=("reviewer_meta",)).fit(["a b"], [0])


def test_the_checklist_shows_it_as_one_context_item():
    display = load_display()
    assert display.feature == TEXT_FEATURE
    assert display.kind == "context" and display.phrase == "similar case descriptions"
