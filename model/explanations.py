"""Explaining whole letters: every disputed service of a parsed letter through the one `Predictor`,
with the letter text (evidence spans) that set each feature."""

from __future__ import annotations

from features.table import scoring_rows
from letters.records import Case
from model.explanation_models import LetterExplanation, ModelFacts, ServiceExplanation
from model.predictor import Predictor


def explain_case(predictor: Predictor, case: Case, top_k: int | None = None) -> LetterExplanation:
    """Explain every service of one parsed letter."""
    rows, evidence = scoring_rows(case, predictor.model.input_spec)  # the model derives the rest
    services = [ServiceExplanation.model_validate(s) for s in predictor.explain(rows, evidence, top_k)]
    version = predictor.metadata.model_version
    return LetterExplanation(
        letter_id=case.letter_id,
        source_file=case.source_file or None,
        model_version=version,
        model=ModelFacts.model_validate(predictor.metadata.card().facts(version)),
        services=services,
    )
