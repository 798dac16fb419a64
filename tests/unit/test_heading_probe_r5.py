"""Round 5's blind heading probe rows are well formed (experiments/heading_probe_r5.yaml, SYNTHETIC).

Schema only, through the heading runner's loader: ids in round 5's range and unique, headings unique, every
family and type one the service taxonomy can answer, the promised mix (>= 450 rows, medications about 45%,
every family and kind the brief names, hard wording 10-30%), and borderline rows that name the other reading.
How well the taxonomy reads them is the probe's result, not a test.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from experiment_scripts import load_script

REPO = Path(__file__).resolve().parents[2]
PROBE_R5 = REPO / "experiments" / "heading_probe_r5.yaml"
HARD_KINDS = {"abbreviation", "misspelling", "combined"}
KINDS = {"plain", "brand", "generic", "abbreviation", "misspelling", "sessions", "retrospective", "compound",
         "unknown", "combined", "acquisition"}
NON_MEDICATION_FLOORS = {"physical_medicine": 30, "injection": 30, "imaging": 30, "dme": 30, "surgery": 30,
                         "consultation": 15, "electrodiagnostics": 10, "lab": 10, "functional_program": 8,
                         "home_health": 5, "other": 8}


@pytest.fixture(scope="module")
def probe() -> ModuleType:
    return load_script("heading_probe")


@pytest.fixture(scope="module")
def rows(probe: ModuleType) -> list:
    return probe.load_probe(PROBE_R5)


def test_rows_are_many_and_unique(rows: list) -> None:
    assert len(rows) >= 450
    assert len({r.id for r in rows}) == len(rows)
    assert all(501 <= int(r.id[1:]) <= 999 for r in rows)
    assert len({r.heading.casefold() for r in rows}) == len(rows)


def test_mix_is_weighted_like_real_requests(rows: list) -> None:
    families = Counter(r.family for r in rows)
    assert 0.4 <= families["medication"] / len(rows) <= 0.5
    for family, floor in NON_MEDICATION_FLOORS.items():
        assert families[family] >= floor, family


def test_every_kind_is_present_and_hard_wording_is_a_minority(rows: list) -> None:
    kinds = Counter(r.kind for r in rows)
    assert set(kinds) == KINDS
    hard = sum(kinds[k] for k in HARD_KINDS)
    assert 0.1 <= hard / len(rows) <= 0.3


def test_medications_span_many_classes(rows: list) -> None:
    types = {r.type for r in rows if r.family == "medication"}
    assert len(types) >= 25
    assert {"topical", "medical_food", "hypnotic", "gi_protectant", "urological", "cardiovascular"} <= types


def test_borderline_rows_name_the_other_reading(rows: list) -> None:
    assert all(r.note.startswith("other reading:") for r in rows if r.borderline)


def test_file_says_synthetic() -> None:
    assert "SYNTHETIC" in PROBE_R5.read_text().splitlines()[0]


def test_an_unknown_type_is_refused(probe: ModuleType, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {id: h501, heading: 'Hysingla ER 30mg #30', family: medication, type: long_acting, "
                   "kind: brand}\n")
    with pytest.raises(probe.ProbeError, match="h501"):
        probe.load_probe(bad)
