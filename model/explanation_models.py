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


class ServiceExplanation(BaseModel):
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


class LetterExplanation(BaseModel):
    """Every disputed service of one letter, explained by one model."""

    letter_id: str
    source_file: str | None = None
    model_version: str | None = None
    model: ModelFacts | None = Field(default=None, description="The model card's facts (model_card.py).")
    services: list[ServiceExplanation] = Field(default_factory=list)
