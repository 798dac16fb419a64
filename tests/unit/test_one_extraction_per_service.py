"""A fact the criteria checklist reads is the value of its feature column, extracted once per service: the
feature table and the checklist share `ServiceContext.extraction` (session 38; before it, every fact the
checklist read was extracted a second time). SYNTHETIC letters."""

from __future__ import annotations

import pytest

from features.evidence import Extraction
from features.facts import ServiceFacts
from features.table import build_feature_table
from letters.parser import parse_text
from letters.records import Case
from synthetic.corpus import iter_letters
from synthetic.generative_model import GeneratorSettings


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return [parse_text(text, f"synthetic-{i}.txt")
            for i, (_case, text) in enumerate(iter_letters(6, GeneratorSettings(seed=5)))]


@pytest.fixture
def duration_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The services whose duration of use was extracted while the test runs (the product's own method,
    counted, not replaced); the criteria table reads it for its continuation criterion."""
    seen: list[str] = []
    extract = ServiceFacts.duration_of_use_months

    def counted(self: ServiceFacts) -> Extraction:
        seen.append(self.text)
        return extract(self)

    monkeypatch.setattr(ServiceFacts, "duration_of_use_months", counted)
    return seen


def test_a_service_fact_is_extracted_once(cases: list[Case], duration_reads: list[str]) -> None:
    table = build_feature_table(cases)
    assert len(duration_reads) == len(table) == sum(len(c.services) for c in cases)

