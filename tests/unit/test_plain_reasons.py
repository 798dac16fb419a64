"""Reasons in plain words (serving.plain_reasons): every spec feature has wording, values read as a
nurse would say them, and within one service each citation is listed once."""

from __future__ import annotations

import pytest

from features.spec import load_spec
from serving.plain_reasons import (
    band_ranges,
    load_wording,
    plain_checklist,
    plain_service,
    value_text,
    value_words,
)

MTUS_PM = {
    "guideline": "MTUS Chronic Pain Medical Treatment Guidelines",
    "section": "Physical medicine",
    "pages": "98-99",
}
PHRASE = "SYNTHETIC phrase: therapy should fade to a home programme."


def _reason(feature: str, value: object, lo: float, **kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "feature": feature,
        "value": value,
        "direction": "raises" if lo > 0 else "lowers",
        "log_odds": lo,
        "probability_effect": lo / 10,
        "phrase": None,
        "citations": [],
        "citation": None,
        "no_guideline": True,
        "note": "No guideline phrase for this feature. SYNTHETIC note.",
        "evidence": [],
    }
    base.update(kw)
    return base


def test_every_spec_feature_has_wording() -> None:
    wording = load_wording()
    names = set(load_spec().names)
    assert names <= set(wording.features), f"no wording for {sorted(names - set(wording.features))}"
    assert not set(wording.features) - names, "wording for features the spec does not have"
    for f in load_spec().features:
        if f.dtype == "boolean":
            fw = wording.features[f.name]
            assert fw.true and fw.false, f"{f.name}: a yes/no fact needs both sentences"


@pytest.mark.parametrize(
    ("feature", "value", "text"),
    [
        ("pain_score", 7.0, "Highest pain score: 7/10"),
        ("days_injury_to_ur_denial", 420.0, "Time from injury to the UR denial: 420 days"),
        ("drug_strength_mg", 7.5, "Medication strength: 7.5 mg"),
        ("region_knee", True, "The summary mentions a knee"),
        ("region_knee", False, "The summary does not mention a knee"),
        ("pain_score", None, "Highest pain score: not stated in the letter"),
        ("ur_guideline_source", "mtus_odg", "Guideline UR cited: MTUS and ODG"),
        ("failed_conservative_care", "no", "Conservative care tried and failed: not yet tried"),
        (
            "functional_improvement",
            "not_stated",
            "Functional improvement from treatment documented: not stated",
        ),
        ("service_type", "muscle_relaxant", "Service: muscle relaxant"),
    ],
)
def test_values_in_words(feature: str, value: object, text: str) -> None:
    assert value_text(feature, value) == text


def test_categories_in_words() -> None:
    assert value_words("Standard") == "standard"  # letters write it either way
    assert value_words("dme") == "durable medical equipment"
    assert value_words(None) is None


def test_each_citation_once_per_service_and_phrases_not_repeated() -> None:
    reasons = [
        _reason(
            "prior_sessions",
            28.0,
            -0.3,
            phrase=PHRASE,
            citations=[MTUS_PM],
            no_guideline=False,
            note=None,
            evidence=[{"section": "clinical_summary", "text": "28 sessions", "start": 1, "end": 12}],
        ),
        _reason(
            "service_type",
            "chiropractic",
            -0.2,
            phrase=PHRASE,
            citations=[MTUS_PM],
            no_guideline=False,
            note=None,
        ),
        _reason("pain_score", 7.0, 0.1, evidence=[{"section": "clinical_summary", "text": "7/10"}] * 2),
        _reason(
            "sessions_requested",
            4.0,
            0.0001,
            phrase="SYNTHETIC other phrase.",
            no_guideline=False,
            note=None,
            citation="MTUS Chronic Pain Medical Treatment Guidelines, Physical medicine, p.98-99",
        ),
    ]
    plain = plain_service(reasons)
    assert plain.citations == ["MTUS Chronic Pain Medical Treatment Guidelines, Physical medicine, p.98-99"]
    first, second, third, fourth = plain.reasons
    assert (first.guideline, first.citation_refs) == (PHRASE, [1])
    assert (second.guideline, second.same_guideline_as, second.citation_refs) == (None, 1, [1])
    assert third.no_guideline == "SYNTHETIC note." and third.guideline is None
    assert [e.model_dump() for e in third.evidence] == [{"where": "clinical case summary", "text": "7/10"}]
    assert fourth.guideline == "SYNTHETIC other phrase." and fourth.citation_refs == [1]
    assert first.effect == "makes an overturn less likely" and first.points == -3.0
    assert third.effect == "makes an overturn more likely"
    for r in plain.reasons:  # no model language in what a nurse reads
        assert not any(word in r.text for word in ("prior_sessions", "service_type", "log-odds", "_"))


def test_band_ranges_follow_the_cut_points() -> None:
    assert band_ranges([0.25, 0.5], ["low", "medium", "high"]) == {
        "low": "under 25%",
        "medium": "25% to under 50%",
        "high": "50% or more",
    }


def test_what_ifs_that_move_nothing_are_said_once() -> None:
    """A real-letter model can learn no effect for a section's criteria: listing each what-if as
    "+0.0 points" was noise; one line says documenting them would not move the estimate."""
    item = {"criterion_id": "red_flags", "criterion": "SYNTHETIC criterion", "status": "not_documented",
            "evidence": [], "log_odds": 0.0, "citation": None}  # fmt: skip
    tiny = [{"criterion_id": "red_flags", "criterion": "SYNTHETIC criterion", "likelihood_if_met": 0.1234,
             "change": -0.0004}]  # fmt: skip
    plain = plain_checklist([item], what_if=tiny)
    assert plain is not None and plain.what_if == []
    assert plain.what_if_note == load_wording().what_if_none
    moved = [{**tiny[0], "likelihood_if_met": 0.15, "change": 0.0266}]
    plain = plain_checklist([item], what_if=moved)
    assert plain is not None and [w.points for w in plain.what_if] == [2.7] and plain.what_if_note is None
