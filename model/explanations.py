"""Explaining whole letters: every disputed service of a parsed letter through the one `Predictor`,
with the letter text (evidence spans) that set each feature and the checklist of its governing
guideline section."""

from __future__ import annotations

from features.checklist import ServiceChecklist
from features.extractors.criteria_level import checklist_of
from features.table import LetterScoringRows, letter_scoring_rows
from letters.records import Case
from model.explanation_models import LetterExplanation, ModelFacts, ServiceExplanation
from model.predictor import Predictor


def checklists_for(scored: LetterScoringRows) -> list[ServiceChecklist | None]:
    """The checklist of each row's service (rows carry `item_index`), from the pre-review view: read from
    the contexts the rows came from, so the letter's analysis (sentences, ConText, facts) serves both."""
    by_index = {c.item_index: c for c in (checklist_of(ctx) for ctx in scored.contexts)}
    return [by_index.get(int(r["item_index"])) for r in scored.rows]


def explain_case(predictor: Predictor, case: Case, top_k: int | None = None) -> LetterExplanation:
    """Explain every service of one parsed letter."""
    scored = letter_scoring_rows(case, predictor.model.input_spec)  # the model derives the rest
    explained = predictor.explain(scored.rows, scored.evidence, top_k, checklists=checklists_for(scored))
    services = [ServiceExplanation.model_validate(s) for s in explained]
    version = predictor.metadata.model_version
    return LetterExplanation(
        letter_id=case.letter_id,
        source_file=case.source_file or None,
        model_version=version,
        model=ModelFacts.model_validate(predictor.metadata.card().facts(version)),
        services=services,
    )
