"""A letter is analysed once per explanation or scoring request: the feature rows and the guideline
checklists read the same service contexts (issues #18/#19), and the checklists are those a fresh analysis
gives. SYNTHETIC letters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from training_tables import tiny_table

from features.analysis import AnalysedText
from features.extractors.criteria_level import case_checklists
from features.spec import load_spec
from features.table import letter_scoring_rows
from letters.parser import parse_text
from letters.records import Case, Section
from model.explanations import checklists_for, explain_case
from model.predictor import Predictor
from serving.case_rows import prepare_case, prepare_text
from synthetic.corpus import iter_letters
from synthetic.generative_model import GeneratorSettings
from training.train import TrainParams, train_model


@pytest.fixture(scope="module")
def letters() -> list[str]:
    return [text for _case, text in iter_letters(4, GeneratorSettings(seed=3))]


@pytest.fixture(scope="module")
def predictor() -> Predictor:
    table = tiny_table(120, seed=8)
    params = TrainParams(cv_folds=2, lgbm={"num_boost_round": 20})
    return Predictor(train_model(table, load_spec(), params).model)


@pytest.fixture
def summary_analyses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The texts of the clinical summaries analysed (sentences, authors, ConText) while the test runs:
    the product's own `AnalysedText`, counted, not replaced."""
    seen: list[str] = []
    analyse = AnalysedText.__init__

    def counted(self: AnalysedText, text: str, section: Section, *args: object, **kwargs: object) -> None:
        if section == Section.CLINICAL_SUMMARY:
            seen.append(text)
        analyse(self, text, section, *args, **kwargs)

    monkeypatch.setattr(AnalysedText, "__init__", counted)
    yield seen


def _cases(letters: list[str]) -> list[Case]:
    return [parse_text(text, f"synthetic-{i}.txt") for i, text in enumerate(letters)]


def test_explain_analyses_each_letter_once(
    predictor: Predictor, letters: list[str], summary_analyses: list[str]
) -> None:
    cases = _cases(letters)
    explained = [explain_case(predictor, case) for case in cases]
    assert sum(s.checklist is not None for letter in explained for s in letter.services) > 0
    assert summary_analyses == [case.clinical_summary for case in cases]


def test_a_scoring_request_analyses_its_letter_once(letters: list[str], summary_analyses: list[str]) -> None:
    """The API's letter path (`prepare_text`) and the batch scorer's (`prepare_case`)."""
    spec = load_spec()
    prepared = [prepare_text(text, spec, None, f"synthetic-{i}.txt") for i, text in enumerate(letters)]
    assert len(summary_analyses) == len(letters)
    assert any(c is not None for p in prepared for c in p.checklists or [])
    summary_analyses.clear()
    for case in _cases(letters):
        prepare_case(case, spec, case.letter_id)
    assert len(summary_analyses) == len(letters)


@pytest.mark.parametrize("with_criteria", [True, False], ids=["criterion-columns", "no-criterion-columns"])
def test_checklists_from_the_rows_contexts_equal_a_fresh_analysis(
    letters: list[str], with_criteria: bool
) -> None:
    """Whether the rows already built the checklists (criterion columns) or not, reading them from the
    rows' contexts gives what `case_checklists` gives on a letter analysed afresh."""
    spec = load_spec()
    if not with_criteria:
        kept = [f for f in spec.features if not f.name.startswith("crit") and f.name != "service_phase"]
        spec = spec.model_copy(update={"features": kept})
    for case in _cases(letters):
        fresh = [c.model_dump() for c in case_checklists(case)]
        scored = letter_scoring_rows(case, spec)
        assert [c.model_dump() if c is not None else None for c in checklists_for(scored)] == fresh
