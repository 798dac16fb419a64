"""The model card: what a model was trained on and what is known about it on real letters.

A model trained on synthetic letters scores real letters with confident-looking numbers it has
never earned; the card makes that visible wherever a score is shown (`imr explain`, `imr score`,
`/v1/model`, API responses, the scores database, the dashboard): `ModelCard.synthetic_only` is the one
rule that marks a model trained on synthetic letters alone. It is stored in the model's metadata and
as `model_card.json` beside the model files.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CARD_FILE = "model_card.json"
# What every surface calls a model trained on the synthetic corpus alone (`ModelCard.synthetic_only`).
SYNTHETIC_ONLY_LABEL = "SYNTHETIC-ONLY MODEL"
NOT_EVIDENCE = "not evidence about real IMR outcomes"
# The params.yaml section a model was trained with: `train` (the synthetic pipeline, `imr train FEATURES`)
# or `train_real` (real letters, `imr train --letters`). `imr retrain` trains its challenger the same way.
Recipe = Literal["train", "train_real"]


class Interval(BaseModel):
    """A point estimate with its 95% interval (letter-level bootstrap)."""

    value: float
    low: float | None = None
    high: float | None = None


class TrainedOn(BaseModel):
    """Counts of the labelled rows the model was fitted on, split by real and synthetic letters."""

    real_letters: int = 0
    real_services: int = 0
    synthetic_letters: int = 0
    synthetic_services: int = 0
    synthetic_weight: float | None = Field(
        default=None, description="Sample weight of each synthetic service (real services weigh 1)."
    )
    ur_denial_dates: list[str] | None = Field(
        default=None, description="First and last UR denial date of the training letters."
    )
    sources: list[str] = Field(default_factory=list, description="Where the letters came from.")
    real_case_numbers: list[str] = Field(
        default_factory=list,
        description="Case numbers of the real letters trained on (identifiers only, no text): a check on "
        "new letters (`imr check-letters`) says which of them the model has already seen.",
    )


class RealLetterMetrics(BaseModel):
    """How the model (or its training recipe) did on real letters it was not fitted on."""

    method: str = Field(description="How the numbers were obtained (CV design or holdout).")
    n_letters: int
    n_services: int
    n_overturned: int
    roc_auc: Interval
    brier: Interval
    base_rate_brier: float = Field(description="Brier of predicting the base rate for every service.")
    ece: float | None = None
    roc_auc_minus_family_rate: Interval | None = Field(
        default=None, description="Paired ROC-AUC difference over the family-rate baseline."
    )


class ModelCard(BaseModel):
    """Facts a user needs before trusting a score."""

    model_config = ConfigDict(extra="ignore")

    trained_on: TrainedOn
    real_letter_metrics: RealLetterMetrics | None = None
    notes: list[str] = Field(default_factory=list)
    recipe: Recipe | None = Field(
        default=None,
        description="The params.yaml section the model was trained with (`train` or `train_real`); "
        "`imr retrain` trains its challenger with the same one.",
    )

    def training_recipe(self) -> Recipe:
        """The recorded recipe; for a model saved before cards recorded it, `train_real` when it was
        trained on real letters (only `imr train --letters` did that) and `train` otherwise."""
        return self.recipe or ("train" if self.synthetic_only else "train_real")

    @property
    def synthetic_only(self) -> bool:
        """Trained on the project's synthetic corpus alone, not one real letter: the one rule by which
        `imr score`, the API, the scores database and the dashboard mark such a model's scores."""
        return self.trained_on.real_letters == 0

    def synthetic_notice(self, version: str | None) -> str | None:
        """The one line shown with every score of a synthetic-only model (None for any other model)."""
        if not self.synthetic_only:
            return None
        return (
            f"{SYNTHETIC_ONLY_LABEL}: {version or 'this model'} was trained on "
            f"{self.trained_on.synthetic_letters:,} SYNTHETIC letters and no real letter; its scores are "
            f"{NOT_EVIDENCE}."
        )

    @property
    def validated_on_real(self) -> bool:
        return self.real_letter_metrics is not None

    @property
    def warning(self) -> str | None:
        """A plain sentence for users, or None when the model has no known weakness of this kind."""
        t = self.trained_on
        m = self.real_letter_metrics
        if self.synthetic_only:
            head = (
                f"This model never saw a real letter: it was trained on {t.synthetic_letters} SYNTHETIC "
                "letters only"
            )
            if m is None:
                return head + " and was never validated on real letters; do not rely on its scores."
            return head + f"; on real letters: {_summary(m)}."
        if m is None:
            return "This model was never validated on real letters; its scores are unproven."
        if m.brier.value >= m.base_rate_brier:
            return f"On real letters its probabilities are no better than the base rate ({_summary(m)})."
        return None

    def facts(self, version: str | None) -> dict[str, Any]:
        """The short form every score carries (the `model` object of `imr explain --json`)."""
        return {
            "version": version,
            "trained_on": {
                "real_letters": self.trained_on.real_letters,
                "synthetic_letters": self.trained_on.synthetic_letters,
            },
            "validated_on_real": self.validated_on_real,
            "warning": self.warning,
            "synthetic_only": self.synthetic_only,
            "synthetic_notice": self.synthetic_notice(version),
        }

    def as_dict(self) -> dict[str, Any]:
        """The full card, with the derived fields spelled out (what `model_card.json` holds)."""
        out = self.model_dump(mode="json")
        out.update(
            synthetic_only=self.synthetic_only, validated_on_real=self.validated_on_real, warning=self.warning
        )
        return out


def stored_synthetic_notice() -> str:
    """The line shown with stored scores marked `model_synthetic_only` (the dashboard's banner), where
    the model's own card is no longer at hand."""
    return (
        f"{SYNTHETIC_ONLY_LABEL}: these scores come from a model trained on SYNTHETIC letters and no real "
        f"letter; they are {NOT_EVIDENCE}."
    )


def _summary(m: RealLetterMetrics) -> str:
    return (
        f"ROC-AUC {m.roc_auc.value:.2f}, Brier {m.brier.value:.4f} vs {m.base_rate_brier:.4f} for the base "
        f"rate, {m.n_services} services"
    )


def card_from_training_data(training_data: dict[str, Any], synthetic: bool | None) -> ModelCard:
    """The card of a model saved before cards existed: its training counts, all real or all synthetic
    as its metadata says (unknown counts as synthetic: the warning errs on the side of caution)."""
    letters = int(training_data.get("n_letters") or 0)
    services = int(training_data.get("n_services") or 0)
    real = synthetic is False
    trained = TrainedOn(
        real_letters=letters if real else 0,
        real_services=services if real else 0,
        synthetic_letters=0 if real else letters,
        synthetic_services=0 if real else services,
        ur_denial_dates=training_data.get("ur_denial_dates"),
    )
    return ModelCard(trained_on=trained, notes=["card rebuilt from the training-data counts"])
