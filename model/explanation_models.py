"""Pydantic shapes of an explanation, shared by `imr explain` and the scoring API's responses.

Kept apart from the logic in `model.explanations` so the API can import the response models
without the numerical code, and so the JSON contract is read in one place.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from model.guideline_phrases import Citation

PROBABILITY_EFFECT_METHOD = (
    "calibrated probability with all contributions minus calibrated probability with this "
    "feature's contribution removed from the raw log-odds score (other features held fixed)"
)


class EvidenceSpan(BaseModel):
    """The text in the letter that set a feature's value (character offsets within the section), with
    the whole sentence it sits in, who the sentence reports and what it asserts."""

    model_config = ConfigDict(frozen=True)

    section: str = Field(description="Letter section the span is in, e.g. 'clinical_summary'.")
    start: int | None = Field(default=None, ge=0, description="None for header fields (no offsets).")
    end: int | None = Field(default=None, ge=0)
    text: str
    sentence: str | None = Field(default=None, description="The whole sentence holding the span.")
    sentence_start: int | None = Field(default=None, ge=0, description="Sentence offset in its section.")
    sentence_end: int | None = Field(default=None, ge=0)
    author: str | None = Field(
        default=None, description="Who the sentence reports where the letter says so: ur_reviewer, qme, "
        "treating_physician, patient (null: not said).")
    assertion: str | None = Field(
        default=None, description="affirmed, negated, possible, hypothetical, historical or family.")


class Reason(BaseModel):
    """One feature's share of a service's score, with the guideline criterion it speaks to."""

    feature: str = Field(description="Spec feature name.")
    description: str = Field(default="", description="What the feature measures (from the spec).")
    value: float | bool | str | None = Field(
        default=None, description="The feature's raw value for this service; null when not stated."
    )
    direction: Literal["raises", "lowers"] = Field(description="Effect on the overturn likelihood.")
    log_odds: float = Field(description="TreeSHAP contribution in log-odds (one-hot columns summed).")
    probability_effect: float = Field(
        description="Change in calibrated overturn probability attributable to this feature "
        "(see `probability_effect_method`)."
    )
    phrase: str | None = Field(default=None, description="Guideline criterion in the project's words.")
    citations: list[Citation] = Field(default_factory=list)
    citation: str | None = Field(default=None, description="Citations as one line, '; '-separated.")
    no_guideline: bool = Field(
        default=False, description="True when the phrase table has no guideline for this feature here."
    )
    note: str | None = Field(default=None, description="Why there is no guideline phrase, when none.")
    evidence: list[EvidenceSpan] = Field(default_factory=list)


class GuidelineSection(BaseModel):
    """Where the governing guideline says it: {guideline, edition, chapter, section, pages}."""

    guideline: str = Field(description="MTUS, ODG, ...")
    edition: str = Field(description="The edition in force at the UR denial, e.g. '2009'.")
    chapter: str = Field(description="The chapter's own title, e.g. 'Low Back Complaints'.")
    section: str
    pages: str | None = Field(default=None, description="Pages as a string ('303', '74-96'); null: unknown.")


class CriterionEvidence(BaseModel):
    """A whole sentence of the letter's pre-review text that decided a criterion's status."""

    text: str
    section: str | None = Field(description="Letter section: clinical_summary, service_heading, ...")
    start: int | None = Field(default=None, ge=0, description="Offset of `text` in that section's text.")
    end: int | None = Field(default=None, ge=0)
    author: str | None = Field(default=None, description="Who the sentence reports, where the letter says.")


class CriterionEffect(BaseModel):
    """One criterion of the governing section: its status, the letter's words and its share of the score."""

    criterion_id: str
    criterion: str = Field(description="What the reviewer checks, in the project's words.")
    citation: GuidelineSection
    status: Literal["met", "unmet", "not_documented", "not_applicable"]
    evidence: list[CriterionEvidence] = Field(default_factory=list)
    log_odds: float = Field(
        description="TreeSHAP contributions summed over the features behind the criterion (0 when not "
        "applicable)."
    )


class ContextFactor(BaseModel):
    """A procedural or case factor, prior or score that moves the likelihood but is no criterion."""

    feature: str = Field(description="Spec feature, or a model column such as 'family_prior'.")
    value: float | bool | str | None = None
    log_odds: float
    note: str = Field(description="What kind of factor this is (never a guideline criterion).")


class WhatIf(BaseModel):
    """The likelihood if a criterion not documented were documented as met (the same predictor)."""

    criterion_id: str
    criterion: str
    likelihood_if_met: float = Field(ge=0.0, le=1.0)
    change: float = Field(description="likelihood_if_met minus the overturn likelihood.")
    label: str = Field(description="Says that this is a what-if, not a finding.")


class ChecklistExplanation(BaseModel):
    """The reviewer's view of a scored service (issue #18), shared by `imr explain` and the scoring API.
    Every field is null when no checklist was built: on the structured fast path (services sent with their
    features stated, no letter text) and for a structured service whose stated features the checklist
    reads (the response's warnings say so)."""

    governing_guideline: GuidelineSection | None = Field(
        default=None, description="The guideline section that governs the request (null when none applies)."
    )
    summary: str | None = Field(
        default=None,
        description="Reviewer-style line, e.g. 'MTUS Chronic Pain ...: 2 of 4 criteria not documented'.",
    )
    checklist: list[CriterionEffect] | None = Field(
        default=None, description="Every criterion of the governing section, once each."
    )
    context: list[ContextFactor] | None = Field(
        default=None, description="Everything else the model read, largest first; never guideline criteria."
    )
    what_if: list[WhatIf] | None = Field(
        default=None, description="Criteria not documented, by how much documenting them as met would move "
        "the likelihood (largest rise first)."
    )


class ServiceScoreCore(BaseModel):
    """A disputed service: calibrated overturn likelihood and the top reasons behind it."""

    letter_id: str | None = None
    item_index: int | None = None
    service: str | None = Field(default=None, description="The service as IMR decides it.")
    service_family: str | None = None
    overturn_likelihood: float = Field(ge=0.0, le=1.0, description="Calibrated probability of Overturn.")
    risk_band: str | None = Field(default=None, description="Band of the likelihood (`RiskBands`).")
    raw_score: float = Field(description="Booster log-odds before calibration.")
    expected_value: float = Field(description="Model's base log-odds (TreeSHAP expected value).")
    other_features_log_odds: float = Field(
        description="Sum of contributions of features not listed in `reasons` (so the parts add up)."
    )
    reasons: list[Reason] = Field(default_factory=list)
    probability_effect_method: str = PROBABILITY_EFFECT_METHOD


class ServiceExplanation(ChecklistExplanation, ServiceScoreCore):
    """A disputed service: calibrated overturn likelihood, the top reasons behind it and, when a checklist
    was built, the criteria of its governing guideline section, the context factors and the what-ifs
    (fields in that order: the score first)."""


class TrainedOnCounts(BaseModel):
    real_letters: int = Field(description="Real IMR letters the model was fitted on.")
    synthetic_letters: int = Field(description="SYNTHETIC letters (`imr synth`) the model was fitted on.")


class ModelFacts(BaseModel):
    """What the model behind these scores was trained on and whether real letters ever tested it."""

    version: str | None = None
    trained_on: TrainedOnCounts
    validated_on_real: bool = Field(description="True when the card holds metrics on real letters.")
    warning: str | None = Field(
        default=None, description="A plain warning to show with every score (e.g. never saw a real letter)."
    )
    synthetic_only: bool = Field(
        default=False, description="Trained on SYNTHETIC letters alone (no real letter)."
    )
    synthetic_notice: str | None = Field(
        default=None,
        description="The SYNTHETIC-ONLY MODEL line `imr score`, the API and the dashboard show, or None.",
    )


class LetterExplanation(BaseModel):
    """Every disputed service of one letter, explained by one model."""

    letter_id: str
    source_file: str | None = None
    model_version: str | None = None
    model: ModelFacts | None = Field(default=None, description="The model card's facts (model_card.py).")
    services: list[ServiceExplanation] = Field(default_factory=list)
