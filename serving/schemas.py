"""Typed request and response bodies of the scoring API (request feature fields come from the spec).

The structured-case request is built from `features.spec` at app start (see `build_request_models`),
so the API and the model always agree on feature names and types.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator
from typing_extensions import TypedDict

from letters.records import dates_out_of_order
from model.explanation_models import PROBABILITY_EFFECT_METHOD, ChecklistExplanation, Reason


class HealthResponse(BaseModel):
    status: Literal["ok"]


class ReadyResponse(BaseModel):
    status: Literal["ready", "not ready"]
    model_version: str | None = Field(
        default=None, description="The served model's `version`, as `GET /v1/model` gives it."
    )
    reason: str | None = None


# What each version field means, the same in `GET /v1/model` and the `model` of every score response.
VERSION_HELP = (
    "What the model source calls the model: the MLflow registry version number (e.g. '3') when the API "
    "follows a registry alias, the content version when it serves a local directory. Use "
    "`registry_version` or `content_version` for one meaning each, and `label` to show it."
)
REGISTRY_VERSION_HELP = (
    "The MLflow registry version number the alias points at (e.g. '3'): which registration, which differs "
    "between stores; null when the API serves a local model directory."
)
CONTENT_VERSION_HELP = (
    "The content version (`ModelMetadata.model_version`, e.g. 'imr-overturn-3fa9c2b1d0e4'): a digest of "
    "what the model computes, the same in every store and directory; the model's identity."
)
LABEL_HELP = (
    "The version as shown everywhere, and as the API stores it in the scores database's `model_version` "
    "(what the dashboard lists): `v3 (imr-overturn-3fa9c2b1d0e4)` from the registry, the content version "
    "alone from a directory."
)


class ValidationIssue(BaseModel):
    """One field a request got wrong."""

    loc: list[str | int] = Field(description="Where in the request, e.g. ['body', 'services', 0, 'heading'].")
    msg: str = Field(description="What is wrong with it (the value sent is never echoed).")
    type: str = Field(description="The kind of error, e.g. 'missing', 'string_type', 'value_error'.")


class ErrorResponse(BaseModel):
    detail: str | list[ValidationIssue] = Field(
        description="One line naming the problem (401, 403, 413, 415, 429, 503, and a 422 for a request "
        "that is valid JSON but cannot be scored), or one entry per field for a 422 of request validation."
    )


# Every score response and `GET /v1/model` say whether the model was trained on SYNTHETIC letters alone
# (`ModelCard.synthetic_only`), as a flag and as the sentence to show with its scores.
ModelSyntheticOnly = Annotated[
    bool,
    Field(
        description="True when the model was trained on SYNTHETIC letters only and never on a real letter "
        "(its model card counts no real letter): its scores are not evidence about real IMR outcomes."
    ),
]
ModelSyntheticNotice = Annotated[
    str | None,
    Field(
        description="When `model_synthetic_only` is true, the sentence to show with every score, e.g. "
        "'SYNTHETIC-ONLY MODEL: imr-overturn-3fa9c2b1d0e4 was trained on 20,000 SYNTHETIC letters and no "
        "real letter; its scores are not evidence about real IMR outcomes.'; null otherwise."
    ),
]


class ModelInfo(BaseModel):
    """What is being served and how it was trained."""

    model_config = ConfigDict(protected_namespaces=())

    name: str
    version: str = Field(description=VERSION_HELP)
    registry_version: str | None = Field(description=REGISTRY_VERSION_HELP)
    content_version: str = Field(description=CONTENT_VERSION_HELP)
    label: str = Field(description=LABEL_HELP)
    alias: str | None
    uri: str
    loaded_at: datetime
    load_seconds: float
    model_version_tag: str | None = Field(
        default=None, description="The content version again (`content_version`); kept for existing clients."
    )
    data_fingerprint: str | None = Field(default=None, description="Hash of the training data.")
    spec_fingerprint: str | None = None
    training_data: dict[str, Any] = Field(default_factory=dict, description="Hash and row counts.")
    metrics: dict[str, Any] = Field(default_factory=dict)
    features: list[dict[str, Any]] = Field(default_factory=list, description="The feature spec.")
    refused_versions: dict[str, str] = Field(
        default_factory=dict, description="Versions refused since start, with the reason."
    )
    model_synthetic_only: ModelSyntheticOnly
    model_synthetic_notice: ModelSyntheticNotice = None
    model_card: dict[str, Any] | None = Field(
        default=None,
        description="What the model was trained on (real and SYNTHETIC letters), its metrics on real "
        "letters and its warning (model/model_card.py).",
    )


class ReloadResponse(BaseModel):
    outcome: Literal["loaded", "unchanged", "refused", "unavailable"]
    version: str | None = None
    previous_version: str | None = None
    error: str | None = None
    serving_version: str | None = Field(default=None, description="The version served after the reload.")


# ---- scoring requests ------------------------------------------------------------------------

# Fields written by the IMR reviewer after review (and common aliases): sending them is an error,
# because a pre-review score must not see the outcome.
POST_REVIEW_FIELDS: frozenset[str] = frozenset(
    {
        "decision",
        "reviewer_guideline",
        "rationale",
        "decision_date",
        "decision_rationale",
        "maximus_guideline",
        "outcome",
        "overturned",
        "determination",
        "label",
    }
)


def reject_post_review(data: Any, where: str) -> Any:
    """Raise a clear error naming any post-review field present in a request object."""
    if isinstance(data, dict):
        sent = sorted(k for k in data if isinstance(k, str) and k.lower() in POST_REVIEW_FIELDS)
        if sent:
            raise ValueError(
                f"post-review field(s) {sent} not accepted in {where}: scores are made before review, "
                "from pre-review information only; remove the decision, reviewer guideline, rationale "
                "and decision date"
            )
    return data


EXAMPLE_CASE: dict[str, Any] = {
    "case_id": "SYNTHETIC-0001",
    "date_of_injury": "2015-03-02",
    "ur_denial_date": "2016-05-10",
    "application_received": "2016-05-20",
    "priority": "Standard",
    "patient_age": 52,
    "patient_sex": "female",
    "clinical_summary": (
        "Synthetic example. This 52 year old female injured her low back at work. She has taken "
        "carisoprodol for 8 months. Pain was rated 7/10. No documented functional improvement."
    ),
    "services": [
        {
            "heading": "Soma 350mg #60",
            "ur_guideline": "MTUS (Effective July 18, 2009) Page 29, Carisoprodol (Soma)",
        },
        {"heading": "Physical therapy 2x4 lumbar spine", "features": {"prior_sessions": 12}},
    ],
}

EXAMPLE_LETTER = """SYNTHETIC LETTER - written for the API example, not a real IMR decision
Case Number: SYN16-0000042
Date Assigned: 05/22/2016 Date of Injury: 03/02/2015
Decision Date: 06/15/2016 UR Denial Date: 05/10/2016
Priority: Standard Application Received: 05/20/2016
HOW THE IMR FINAL DETERMINATION WAS MADE
[Synthetic text] A physician reviewer with no ties to the parties reviewed the case file.
CLINICAL CASE SUMMARY
This 52 year old female injured her low back at work. She has taken carisoprodol for 8 months.
Pain was rated 7/10. No documented functional improvement.
IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:
Soma 350mg #60: Upheld
Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment Guidelines,
page 29, Carisoprodol (Soma).
Decision rationale: [Synthetic text; post-review parts such as this are never read when scoring.]
"""

EXAMPLE_TEXT = {"case_id": "SYNTHETIC-LETTER", "text": EXAMPLE_LETTER}

EXAMPLE_FEATURES: dict[str, Any] = {
    "services": [
        {
            "id": "SYNTHETIC-CLAIM-17/1",
            "features": {
                "patient_age": 52,
                "patient_sex": "female",
                "priority": "standard",
                "days_injury_to_ur_denial": 435,
                "items_in_letter": 2,
            },
        },
        {"id": "SYNTHETIC-CLAIM-17/2", "features": {"patient_age": 52, "items_in_letter": 2}},
    ]
}


class ModelRefOut(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    name: str
    version: str = Field(description=VERSION_HELP)
    registry_version: str | None = Field(default=None, description=REGISTRY_VERSION_HELP)
    content_version: str = Field(description=CONTENT_VERSION_HELP)
    alias: str | None = None
    label: str = Field(description=LABEL_HELP)


def build_request_models(
    service_features: type[BaseModel], max_services: int = 200, max_text_chars: int = 1_000_000
) -> dict[str, type]:
    """Request models around the spec's feature model (made at app start, never at import).

    Stated feature values are strict: a string sent for a number or a boolean is a 422, never
    silently converted. Text longer than `max_text_chars` is refused by the routes with a 413."""

    class ServiceFeatures(service_features):  # type: ignore[valid-type,misc]
        __doc__ = service_features.__doc__
        model_config = ConfigDict(strict=True, extra="forbid")

    class ServiceIn(BaseModel):
        """One requested (disputed) service, as UR saw it."""

        model_config = ConfigDict(extra="forbid")

        heading: str = Field(
            default="",
            max_length=2000,
            description="The requested service as written, e.g. 'Soma 350mg #60'.",
        )
        service: str | None = Field(
            default=None, max_length=2000, description="The part in dispute when UR partially certified it."
        )
        partial_ur_certification: StrictBool = False
        partial_certification_text: str | None = Field(default=None, max_length=5000)
        ur_guideline: str | None = Field(
            default=None,
            max_length=5000,
            description="The claims administrator's guideline line, as written.",
        )
        features: ServiceFeatures | None = Field(
            default=None,
            description="Known raw feature values; they override what the extractors read from the text.",
        )

        @model_validator(mode="before")
        @classmethod
        def _pre_review_only(cls, data: Any) -> Any:
            reject_post_review(data, "a service")
            if isinstance(data, dict):
                reject_post_review(data.get("features"), "a service's features")
            return data

        @model_validator(mode="after")
        def _something_to_score(self) -> ServiceIn:
            """A service is its request: the heading, the service text or stated features. Without any
            it was scored as an 'other' service from nothing the caller sent."""
            stated = self.features is not None and bool(self.features.model_dump(exclude_unset=True))
            if not (self.heading.strip() or (self.service or "").strip() or stated):
                raise ValueError(
                    "a service needs its heading (the request as written), the service text or stated "
                    "features; this one has none"
                )
            return self

    class CaseIn(BaseModel):
        """One case before review: attributes plus the requested services."""

        model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_CASE]})

        case_id: str | None = Field(default=None, max_length=200, description="Caller's id, echoed back.")
        date_of_injury: date | None = None
        ur_denial_date: date | None = None
        application_received: date | None = None
        priority: str | None = Field(default=None, max_length=50, description="Standard or Expedited.")
        patient_age: StrictInt | None = Field(default=None, ge=0, le=120)
        patient_sex: Literal["male", "female"] | None = None
        clinical_summary: str = Field(default="", max_length=200_000)
        services: list[ServiceIn] = Field(min_length=1, max_length=max_services)

        @model_validator(mode="before")
        @classmethod
        def _pre_review_only(cls, data: Any) -> Any:
            return reject_post_review(data, "the case")

        @model_validator(mode="after")
        def _dates_in_order(self) -> CaseIn:
            """The injury comes before the UR denial and the IMR application after it: swapped dates
            would be scored as negative claim ages no letter holds."""
            backwards = dates_out_of_order(
                self.date_of_injury, self.ur_denial_date, self.application_received
            )
            if backwards:
                raise ValueError(f"{backwards[0]}; check that the dates are not swapped")
            return self

    class LetterText(BaseModel):
        """The text of a case file or IMR letter; the pre-review parts are read, the rest ignored."""

        model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_TEXT]})

        case_id: str | None = Field(default=None, max_length=200)
        text: str = Field(
            min_length=1,
            description=f"The letter's text; at most {max_text_chars:,} characters (longer: 413).",
        )

        @model_validator(mode="before")
        @classmethod
        def _pre_review_only(cls, data: Any) -> Any:
            return reject_post_review(data, "the request")

    return {
        "ServiceFeatures": ServiceFeatures,
        "ServiceIn": ServiceIn,
        "CaseIn": CaseIn,
        "LetterText": LetterText,
        "FeatureServiceIn": feature_service_model(ServiceFeatures),
    }


def feature_service_model(service_features: type[BaseModel]) -> Any:
    """The structured fast path's item, `{"id": ..., "features": {...}}`, as TypedDicts: validated as
    strictly as `ServiceFeatures` (same fields, no extra keys, no string-to-number conversion) but
    straight into the plain dicts the encoder reads, without a model object per service."""
    fields = {
        name: NotRequired[Annotated[info.annotation, Field(description=info.description)]]
        for name, info in service_features.model_fields.items()
    }
    values = TypedDict("ServiceFeatures", fields)  # type: ignore[misc]
    values.__doc__ = service_features.__doc__
    values.__pydantic_config__ = ConfigDict(strict=True, extra="forbid")  # type: ignore[attr-defined]
    caller_id = Annotated[str | None, Field(max_length=200, description="Caller's id, echoed back.")]
    stated = Annotated[
        values,
        Field(description="Raw feature values as `features.table` builds them; one left out is missing."),
    ]
    item = TypedDict("FeatureServiceIn", {"id": NotRequired[caller_id], "features": stated})  # noqa: UP013
    item.__doc__ = "One service whose pre-review features the caller states (no text to read)."
    item.__pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[attr-defined]
    return item


# ---- scoring responses -----------------------------------------------------------------------


class _ServiceScoreCore(BaseModel):
    """One service: calibrated overturn likelihood, risk band and the top reasons."""

    item_index: int | None = None
    service: str | None = None
    service_family: str | None = None
    overturn_likelihood: float = Field(ge=0, le=1)
    risk_band: str
    raw_score: float
    expected_value: float
    other_features_log_odds: float
    reasons: list[Reason]
    letter_id: str | None = None


class ServiceScore(ChecklistExplanation, _ServiceScoreCore):
    """One service: calibrated overturn likelihood, risk band, the top reasons and, for letter text and
    structured cases, the governing guideline's checklist, the context factors and the what-ifs."""


class ScoreResponse(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    case_id: str | None = None
    model: ModelRefOut
    model_synthetic_only: ModelSyntheticOnly
    model_synthetic_notice: ModelSyntheticNotice = None
    services: list[ServiceScore]
    warnings: list[str] = Field(default_factory=list)
    stored: int | None = Field(default=None, description="Rows written to the scores database (store=true).")
    probability_effect_method: str = PROBABILITY_EFFECT_METHOD


class ItemError(BaseModel):
    index: int = Field(description="0-based position of the item in the batch.")
    id: str | None = Field(default=None, description="The item's case_id, when it had one.")
    error: str


class BatchItemResult(BaseModel):
    index: int
    id: str | None = None
    ok: bool
    services: list[ServiceScore] | None = None
    warnings: list[str] = Field(default_factory=list)
    error: str | None = None


class BatchResponse(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    model: ModelRefOut
    model_synthetic_only: ModelSyntheticOnly
    model_synthetic_notice: ModelSyntheticNotice = None
    n_items: int
    n_ok: int
    n_failed: int
    n_services: int
    results: list[BatchItemResult]
    stored: int | None = Field(default=None, description="Rows written to the scores database (store=true).")
    warnings: list[str] = Field(default_factory=list)
    probability_effect_method: str = PROBABILITY_EFFECT_METHOD


class FeatureScore(BaseModel):
    """One service of the structured fast path: probability, band and every feature's contribution."""

    index: int = Field(description="0-based position of the service in the request.")
    id: str | None = None
    ok: bool
    overturn_likelihood: float | None = Field(default=None, ge=0, le=1)
    risk_band: str | None = None
    raw_score: float | None = Field(default=None, description="Booster log-odds before calibration.")
    expected_value: float | None = Field(default=None, description="The model's base log-odds.")
    contributions: dict[str, float] | None = Field(
        default=None,
        description="TreeSHAP log-odds per spec feature (one-hot columns summed): expected_value plus "
        "their sum is raw_score. Positive values raise the overturn likelihood; features that "
        "contribute exactly 0 (e.g. ones the model never splits on) are left out.",
    )
    features_not_stated: list[str] | None = Field(
        default=None,
        description="The features the model reads that this service did not state (or stated as null): "
        "they are scored as missing. Empty when every one was stated; null for a failed service.",
    )
    warning: str | None = Field(
        default=None,
        description="Set when more than half of the features the model reads were not stated: the "
        "likelihood then rests on few values, however sure it looks.",
    )
    error: str | None = None


class FeatureBatchResponse(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    model: ModelRefOut
    model_synthetic_only: ModelSyntheticOnly
    model_synthetic_notice: ModelSyntheticNotice = None
    n_items: int
    n_ok: int
    n_failed: int
    results: list[FeatureScore]
