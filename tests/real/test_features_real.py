"""Features on the real letters: no leakage from post-review text, taxonomy coverage, sane values."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from features.service_families import load_taxonomy
from features.spec import load_spec
from features.table import build_feature_table, feature_rows
from letters.ingest import IngestResult
from letters.parser import parse_text
from letters.pdf_text import pdf_to_text
from letters.records import Case
from tests.feature_leakage import rewrite_post_review_record, rewrite_post_review_text

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def real_cases(real_letters_parsed: IngestResult) -> list[Case]:
    assert not real_letters_parsed.failures
    return [c.model_copy(deep=True) for c in real_letters_parsed.cases]  # parsed once per session


def _values(cases: list[Case]) -> pd.DataFrame:
    spec = load_spec()
    return build_feature_table(cases, with_target=False)[spec.id_columns + spec.names]


@pytest.fixture(scope="module")
def real_values(real_cases: list[Case]) -> pd.DataFrame:
    """The pre-review feature values of every real letter, in `real_cases` order (built once)."""
    return _values(real_cases)


# The two whole-corpus leakage proofs rebuild every real letter's features (seconds each): they run in
# the full suite (`make test`); the fast suite keeps the same proof on SYNTHETIC letters
# (tests/unit/test_feature_table.py::test_synthetic_letters_leak_nothing_from_post_review_text).
@pytest.mark.slow
def test_replacing_post_review_records_leaves_every_feature_identical(
    real_cases: list[Case], real_values: pd.DataFrame
) -> None:
    before = real_values
    after = _values([rewrite_post_review_record(c) for c in real_cases])
    pd.testing.assert_frame_equal(before, after)
    # evidence spans too: explanations must never quote the reviewer
    for case in real_cases:
        a = feature_rows(case)
        b = feature_rows(rewrite_post_review_record(case))
        assert [r.values for r in a] == [r.values for r in b], case.letter_id


@pytest.mark.slow
def test_replacing_post_review_text_before_parsing_leaves_every_feature_identical(
    dwc_letters_dir: Path, real_cases: list[Case], real_values: pd.DataFrame
) -> None:
    """The same at text level, so the parser cannot carry reviewer text into pre-review fields."""
    by_id = {c.letter_id: c for c in real_cases}
    rewritten = {}
    for pdf in sorted((dwc_letters_dir / "pdf").glob("*.pdf")):
        case = parse_text(rewrite_post_review_text(pdf_to_text(pdf)), str(pdf))
        assert [s.decision for s in case.services] != [s.decision for s in by_id[case.letter_id].services]
        rewritten[case.letter_id] = case
    assert len(rewritten) == len(real_cases)
    after = _values([rewritten[c.letter_id] for c in real_cases])  # in the order of `real_values`
    pd.testing.assert_frame_equal(real_values, after)


def test_at_least_95_percent_of_real_headings_map_to_a_specific_family(dwc_letters_dir: Path) -> None:
    labels = pd.read_csv(dwc_letters_dir / "labels.csv")
    taxonomy = load_taxonomy()
    classes = [taxonomy.classify(h) for h in labels["service"]]
    specific = sum(c.specific for c in classes) / len(classes)
    assert specific >= 0.95, [h for h, c in zip(labels["service"], classes, strict=True) if not c.specific]


def test_real_feature_table_is_complete_and_plausible(real_cases: list[Case]) -> None:
    df = build_feature_table(real_cases)
    assert len(df) == sum(len(c.services) for c in real_cases) == 292
    assert df["overturned"].sum() == 37
    assert df["patient_age"].between(16, 90).mean() > 0.95
    assert df["patient_sex"].notna().mean() > 0.95
    assert (df["days_injury_to_ur_denial"] >= 0).all()
    assert (df["service_family"] != "other").mean() >= 0.95
    sources = {"mtus", "mtus_odg", "odg", "acoem", "other", "none_cited", "missing"}
    assert set(df["ur_guideline_source"]) <= sources
    assert df["ur_guideline_source"].eq("none_cited").sum() >= 20  # UR often cites nothing
    assert df["partial_ur_certification"].sum() >= 10


def test_seed_letter_features(seed_letter_dir: Path) -> None:
    from letters.ingest import parse_file

    case = parse_file(next(seed_letter_dir.glob("*.txt")))
    rows = {r.heading: r.raw() for r in feature_rows(case)}
    soma = next(v for h, v in rows.items() if h.lower().startswith("soma"))
    assert soma["service_type"] == "muscle_relaxant" and soma["drug_quantity"] == 90.0
    assert soma["drug_strength_mg"] == 350.0
    assert all(v["prior_surgery"] for v in rows.values())  # status post lumbar fusion
    assert all(v["red_flag_neuro_deficit"] for v in rows.values())  # 4/5 weakness, decreased sensation
    hardware = next(v for h, v in rows.items() if "hardware" in h.lower())
    assert hardware["service_type"] == "hardware_removal"
