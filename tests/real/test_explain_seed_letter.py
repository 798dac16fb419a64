"""The seed letter's Soma (carisoprodol) service is explained by duration of use and short-term use.

Uses a small model trained on a SYNTHETIC corpus (tests/synthetic_explain_model.py). The seed
letter's case summary does not state how long Soma was taken, so the test also explains an
in-memory copy with one synthetic sentence appended to the summary (nothing is written to disk).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from features.criteria import load_criteria
from letters.ingest import parse_file
from model.artifact import TriageModel
from model.explanations import explain_case
from model.predictor import Predictor
from tests.synthetic_explain_model import synthetic_model_dir

pytestmark = [pytest.mark.real, pytest.mark.slow]
SYNTHETIC_SENTENCE = " SYNTHETIC TEST SENTENCE: the patient has been taking Soma for 8 months."


@pytest.fixture(scope="session")
def synthetic_model() -> TriageModel:
    return TriageModel.load(synthetic_model_dir())


@pytest.fixture(scope="session")
def seed_case(seed_letter_dir: Path):
    (path,) = sorted(seed_letter_dir.glob("*.txt"))
    return parse_file(path)


def _soma(letter):
    matches = [s for s in letter.services if "soma" in (s.service or "").lower()]
    assert len(matches) == 1, [s.service for s in letter.services]
    return matches[0]


def _uses_duration(model: TriageModel) -> bool:
    imp = dict(zip(model.encoded_columns, model.booster.feature_importance(), strict=True))
    return imp.get("duration_of_use_months", 0) > 0


def test_soma_service_names_duration_and_short_term_criterion(synthetic_model, seed_case):
    assert _uses_duration(synthetic_model), "the synthetic model should split on duration of use"
    all_features = len(synthetic_model.spec.names)
    soma = _soma(explain_case(Predictor(synthetic_model), seed_case, top_k=all_features))
    by_feature = {r.feature: r for r in soma.reasons}
    duration = by_feature.get("duration_of_use_months")
    assert duration is not None, "model uses duration of use but the Soma explanation does not name it"
    assert duration.value is None  # the seed summary does not state it
    assert "short-term" in (duration.phrase or "")
    assert any(c.section == "Carisoprodol (Soma)" and c.pages == "29" for c in duration.citations)
    # what the request is (a muscle relaxant named Soma) cites the same criterion
    assert "Carisoprodol (Soma), p.29" in (by_feature["service_type"].citation or "")


def test_stated_long_use_of_soma_lowers_the_likelihood_with_its_evidence(synthetic_model, seed_case):
    """Per criterion (issue #18): duration of use feeds the Soma section's short-term criterion, so
    stating eight months turns that criterion from not documented (with a what-if) into unmet, with the
    stated sentence as its evidence. The criterion's effect is its status column's, which never raises the
    likelihood when unmet; the duration itself, which this SYNTHETIC model also reads on its own, is a
    context item naming the criterion, and the eight months lower the likelihood (session 22)."""
    summary = seed_case.clinical_summary + SYNTHETIC_SENTENCE
    stated = seed_case.model_copy(update={"clinical_summary": summary})
    predictor = Predictor(synthetic_model)
    before = _soma(explain_case(predictor, seed_case, 5))
    after = _soma(explain_case(predictor, stated, 5))
    governing = after.governing_guideline
    assert governing is not None and governing.section == "Carisoprodol (Soma)"
    short_term = "short_term_three_weeks"
    table = load_criteria()
    groups = table.feature_groups("cpmtg_carisoprodol", synthetic_model.spec.names)
    assert "duration_of_use_months" in groups[short_term], "its share is the short-term criterion's"
    was = next(c for c in before.checklist if c.criterion_id == short_term)
    now = next(c for c in after.checklist if c.criterion_id == short_term)
    assert was.status == "not_documented" and not was.evidence  # the seed summary does not state it
    assert short_term in {w.criterion_id for w in before.what_if}
    assert now.status == "unmet" and now.log_odds <= 0  # an unmet criterion never raises the likelihood
    assert any(e.section == "clinical_summary" and "8 months" in e.text for e in now.evidence)
    assert short_term not in {w.criterion_id for w in after.what_if}  # documented now: no what-if
    duration = {x.feature: x for x in after.context}["duration_of_use_months"]
    assert duration.value == 8.0 and now.criterion in duration.note
    was_duration = {x.feature: x for x in before.context}["duration_of_use_months"]
    assert duration.log_odds < 0 and duration.log_odds < was_duration.log_odds
