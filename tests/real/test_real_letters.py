"""The parser against the real letters' labels (../shared/data; skipped when absent).

Must show (issue 2): every letter's service count and every decision equal labels.csv, service
text equal after whitespace normalisation for >= 99% of rows, header dates and priority equal,
and the 2014 seed letter's 10 services with their labelled decisions.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from letters.ingest import IngestResult, parse_file, parse_paths
from letters.records import Case

pytestmark = pytest.mark.real


def _ws(text: str) -> str:
    return " ".join(str(text).split())


@pytest.fixture(scope="module")
def labels(dwc_letters_dir: Path) -> pd.DataFrame:
    return pd.read_csv(dwc_letters_dir / "labels.csv", dtype=str)


@pytest.fixture(scope="module")
def parsed(real_letters_parsed: IngestResult) -> dict[str, Case]:
    result = real_letters_parsed  # parsed once per session
    assert result.failures == []
    return {Path(c.source_file).stem: c.model_copy(deep=True) for c in result.cases}


def test_every_letter_parses_with_its_case_number(parsed: dict[str, Case], labels: pd.DataFrame) -> None:
    assert len(parsed) == 129
    assert set(parsed) == set(labels["case_number"])
    assert all(c.case_number == stem == c.letter_id for stem, c in parsed.items())
    assert all(c.letter_format == "dwc-2016" and not c.synthetic for c in parsed.values())


def test_service_counts_and_decisions_match_every_row(parsed: dict[str, Case], labels: pd.DataFrame) -> None:
    for case_number, rows in labels.groupby("case_number"):
        services = parsed[case_number].services
        assert len(services) == len(rows), case_number
        expected = rows.sort_values("item_index")["decision"].tolist()
        assert [s.decision for s in services] == expected, case_number


def test_service_text_matches_at_least_99_percent(parsed: dict[str, Case], labels: pd.DataFrame) -> None:
    mismatches = []
    for row in labels.itertuples():
        got = parsed[row.case_number].services[int(row.item_index)].service
        if _ws(got) != _ws(row.service):
            mismatches.append((row.case_number, row.item_index, row.service, got))
    assert len(mismatches) <= 0.01 * len(labels), mismatches


def test_partial_certifications_are_flagged(parsed: dict[str, Case]) -> None:
    partial = [s for c in parsed.values() for s in c.services if s.partial_ur_certification]
    assert len(partial) >= 10
    for s in partial:
        assert s.service != s.heading and s.heading.removesuffix(" is").endswith(s.service)
        assert "original request" in s.partial_certification_text


def test_header_dates_and_priority_match(parsed: dict[str, Case], labels: pd.DataFrame) -> None:
    def d(value: str):
        return datetime.strptime(value, "%m/%d/%Y").date()

    for row in labels.drop_duplicates("case_number").itertuples():
        case = parsed[row.case_number]
        assert case.date_of_injury == d(row.date_of_injury), row.case_number
        assert case.ur_denial_date == d(row.ur_denial_date), row.case_number
        assert case.decision_date == d(row.decision_date), row.case_number
        assert case.priority == row.priority, row.case_number
        assert case.date_assigned is not None and case.application_received is not None


def test_pre_review_fields_are_filled(parsed: dict[str, Case]) -> None:
    cases = list(parsed.values())
    assert all(c.reviewer_licensure and c.reviewer_specialty for c in cases)
    assert all(len(c.clinical_summary) > 200 for c in cases)
    assert sum(c.patient_age is not None for c in cases) >= 0.97 * len(cases)
    assert sum(c.patient_sex is not None for c in cases) >= 0.98 * len(cases)
    services = [s for c in cases for s in c.services]
    assert all(s.ur_guideline is not None and s.reviewer_guideline is not None for s in services)
    assert all(s.rationale for s in services)
    no_evidence = sum(s.ur_guideline.no_evidence_cited for s in services)
    assert 20 <= no_evidence < len(services) / 2
    assert all(s.ur_guideline.sources or s.ur_guideline.no_evidence_cited for s in services)


def test_seed_letter_legacy_format(seed_letter_dir: Path) -> None:
    labels = pd.read_csv(seed_letter_dir / "labels.csv", dtype=str)
    (name,) = labels["letter"].unique()
    case = parse_file(seed_letter_dir / name)
    assert case.letter_format == "legacy-2014" and case.case_number is None
    assert case.letter_id == Path(name).stem
    assert [s.decision for s in case.services] == labels["decision"].tolist()
    assert [_ws(s.service) for s in case.services] == [_ws(x) for x in labels["service"]]
    assert case.patient_age is not None and case.patient_sex is not None


def test_pypdf_engine_gives_the_same_services(dwc_letters_dir: Path, parsed: dict[str, Case]) -> None:
    """The comparison engine agrees on a sample (the full comparison is benchmarks/pdf_extractors.py)."""
    for pdf in sorted((dwc_letters_dir / "pdf").glob("*.pdf"))[:3]:
        other = parse_file(pdf, engine="pypdf")
        mine = parsed[pdf.stem]
        assert [(s.service, s.decision) for s in other.services] == [
            (s.service, s.decision) for s in mine.services]


def test_truncated_real_pdf_fails_alone(dwc_letters_dir: Path, tmp_path: Path) -> None:
    pdfs = sorted((dwc_letters_dir / "pdf").glob("*.pdf"))[:3]
    data = pdfs[0].read_bytes()
    for frac in (0.3, 0.9, 0.999):
        bad = tmp_path / f"truncated_{frac}.pdf"
        bad.write_bytes(data[: int(len(data) * frac)])
    result = parse_paths([*pdfs, tmp_path])
    assert len(result.cases) == 3
    assert sorted(Path(f.source_file).name for f in result.failures) == [
        "truncated_0.3.pdf", "truncated_0.9.pdf", "truncated_0.999.pdf"]
    assert all("corrupt or truncated PDF" in f.reason for f in result.failures)
