"""DMHC adapter on a tiny hand-written SYNTHETIC CSV: parsing, bad rows, records, table, spec, phrases."""

from __future__ import annotations

from pathlib import Path

import pytest

from features.dmhc_features import dmhc_feature_table, load_dmhc_spec
from features.dmhc_taxonomy import load_dmhc_taxonomy, service_features
from features.spec import load_spec
from letters.dmhc import read_dmhc_csv, split_heading, to_case
from model.guideline_phrases import load_phrase_table

HEADER = (
    "Reference ID;Report Year;Diagnosis Category;Diagnosis Sub Category;Treatment Category;"
    "Treatment Sub Category;Determination;Type;Age Range;Patient Gender"
)
# Synthetic rows (made up for this test; not DMHC records).
GOOD = [
    "SYN-0001;2012;Mental;Eating Disorder;Mental Health Treatment;Residential Treatment Center - Admission;"
    "Upheld Decision of Health Plan;Medical Necessity;11_20;Female",
    "SYN-0002;2015;Infectious;Hepatitis;Pharmacy/Prescription Drugs;Anti-virals;"
    "Overturned Decision of Health Plan;Medical Necessity;51-64;Male",
    "SYN-0003;2014;Prevention/Good Health;;Diagnostic Imaging, Screening and Testing;Mammography;"
    "Overturned Decision of Health Plan;Experimental/Investigational;;",
    "SYN-0004;2009;Cancer;Breast Cancer;;;Upheld Decision of Health Plan;Urgent Care;65+;Female",
]
BAD = [
    "SYN-0005;20x5;Mental;Other;Mental Health Treatment;Other;Upheld Decision of Health Plan;"
    "Medical Necessity;21-30;Male",  # year not a number
    "SYN-0006;2013;Mental;Other;Mental Health Treatment;Other;Withdrawn;Medical Necessity;21-30;Male",
    "SYN-0007;2013;Mental;Other",  # too few fields
    ";2013;Mental;Other;Mental Health Treatment;Other;Upheld Decision of Health Plan;"
    "Medical Necessity;21-30;Male",  # no Reference ID
    "SYN-0001;2013;Mental;Other;Mental Health Treatment;Other;Upheld Decision of Health Plan;"
    "Medical Necessity;21-30;Male",  # duplicate id
]


@pytest.fixture()
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "synthetic_dmhc.csv"
    path.write_text(
        "\n".join([HEADER, GOOD[0], BAD[0], GOOD[1], BAD[1], BAD[2], GOOD[2], BAD[3], GOOD[3], BAD[4]])
        + "\n",
        encoding="utf-8",
    )
    return path


def test_good_rows_kept_and_each_bad_row_reported_with_line_and_reason(csv_file: Path) -> None:
    batch = read_dmhc_csv(csv_file)
    assert [r.reference_id for r in batch.rows] == ["SYN-0001", "SYN-0002", "SYN-0003", "SYN-0004"]
    errors = {e.line: e for e in batch.errors}
    assert sorted(errors) == [3, 5, 6, 8, 10]
    assert "report_year" in errors[3].reason and errors[3].reference_id == "SYN-0005"
    assert "unknown determination 'Withdrawn'" in errors[5].reason
    assert "4 fields, header has 10" in errors[6].reason
    assert "reference_id" in errors[8].reason
    assert "duplicate Reference ID (first on line 2)" in errors[10].reason
    assert str(csv_file) in errors[6].message() and "SYN-0007" in errors[6].message()


def test_bad_header_raises_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "comma.csv"
    path.write_text(HEADER.replace(";", ",") + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"comma\.csv: header lacks DMHC columns"):
        read_dmhc_csv(path)


def test_rows_normalised_and_mapped_to_cases(csv_file: Path) -> None:
    rows = read_dmhc_csv(csv_file).rows
    assert rows[0].age_range == "11-20" and rows[0].patient_gender == "female"
    assert rows[2].age_range is None and rows[2].patient_gender is None
    case = to_case(rows[1])
    assert case.letter_id == "SYN-0002" and case.letter_format == "dmhc-trend"
    assert len(case.services) == 1
    svc = case.services[0]
    assert svc.heading == "Pharmacy/Prescription Drugs / Anti-virals" and svc.decision == "Overturned"
    assert to_case(rows[3]).services[0].heading == "Not stated / Not stated"


def test_feature_table_layout_label_and_families(csv_file: Path) -> None:
    spec = load_dmhc_spec()
    table = dmhc_feature_table(read_dmhc_csv(csv_file).rows, spec)
    assert list(table.columns) == spec.table_columns
    assert table["overturned"].tolist() == [0, 1, 1, 0]
    assert table["service_family"].tolist() == ["mental_health", "pharmacy", "imaging_testing", "other"]
    assert table["treatment_category"].tolist()[1] == "Pharmacy/Prescription Drugs"
    assert table["treatment_subcategory"].isna().tolist() == [False, False, False, True]
    assert table["report_year"].tolist() == [2012.0, 2015.0, 2014.0, 2009.0]
    assert table["review_type"].tolist()[2] == "experimental/investigational"


def test_spec_is_pre_review_and_never_reads_the_determination() -> None:
    spec = load_spec("dmhc_feature_spec.yaml")
    assert spec == load_dmhc_spec()
    assert spec.target == "overturned"
    assert not {"determination", "decision", "overturned"} & set(spec.names)
    assert load_spec().names != spec.names  # the letters spec is untouched


def test_serving_extractors_give_the_table_values(csv_file: Path) -> None:
    """What the API computes from a heading equals what the adapter put in the training table."""
    from features.table import feature_rows

    spec = load_dmhc_spec()
    rows = read_dmhc_csv(csv_file).rows
    table = dmhc_feature_table(rows, spec)
    for row, (_, expected) in zip(rows, table.iterrows(), strict=True):
        (fr,) = feature_rows(to_case(row), spec)
        for name in ("treatment_category", "treatment_subcategory", "service_family"):
            got = fr.values[name].value
            assert (
                (got is None and expected[name] is None)
                or got == expected[name]
                or (got is None and str(expected[name]) == "<NA>")
            ), name
        assert fr.values["diagnosis_category"].value is None  # caller_supplied


def test_every_taxonomy_category_has_a_declared_family_and_heading_round_trips() -> None:
    tax = load_dmhc_taxonomy()
    assert set(tax.categories.values()) <= set(tax.families)
    assert tax.family("Neurosugery") == "surgery" and tax.family(None) == "other"
    assert split_heading("Electrical/ Thermal/ Radiofreq. Interventions / Other") == (
        "Electrical/ Thermal/ Radiofreq. Interventions",
        "Other",
    )
    assert service_features("Unknown Thing / X")["service_family"] == "other"


def test_phrase_table_has_an_explicit_no_guideline_row_for_every_feature() -> None:
    spec = load_dmhc_spec()
    table = load_phrase_table("dmhc_guideline_phrases.yaml")
    assert table.missing(spec.names) == [] and table.unknown(spec.names) == []
    entry = table.match("review_type", "urgent care", {"service_family": "pharmacy"}, "raises")
    assert entry is not None and entry.no_guideline and entry.note
