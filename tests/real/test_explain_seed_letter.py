"""The seed letter's Soma (carisoprodol) service is explained by duration of use and short-term use.

Uses a small model trained on a SYNTHETIC corpus (tests/synthetic_explain_model.py). The seed
letter's case summary does not state how long Soma was taken, so the test also explains an
in-memory copy with one synthetic sentence appended to the summary (nothing is written to disk).
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
    summary = seed_case.clinical_summary + SYNTHETIC_SENTENCE
    stated = seed_case.model_copy(update={"clinical_summary": summary})
    before = _soma(explain_case(Predictor(synthetic_model), seed_case, 5))
    after = _soma(explain_case(Predictor(synthetic_model), stated, 5))
    reasons = {r.feature: r for r in after.reasons}
    assert "duration_of_use_months" in reasons, [r.feature for r in after.reasons]
    r = reasons["duration_of_use_months"]
    assert r.value == 8.0 and r.direction == "lowers" and r.probability_effect < 0
    assert "short-term" in (r.phrase or "") and "p.29" in (r.citation or "")
    assert any(e.section == "clinical_summary" and "8 months" in e.text for e in r.evidence)
    assert after.overturn_likelihood < before.overturn_likelihood
