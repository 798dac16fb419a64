"""Round 4's blind heading probe rows are well formed (experiments/heading_probe_r4.yaml, SYNTHETIC).

Schema only, through round 3's loader: ids and headings unique, every family and type one the service
taxonomy can answer, the promised mix (medications about half, >= 300 rows, a minority of hard wording),
and borderline rows that say why. How well the taxonomy reads them is the probe's result, not a test.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from experiment_scripts import load_script

REPO = Path(__file__).resolve().parents[2]
PROBE_R4 = REPO / "experiments" / "heading_probe_r4.yaml"
HARD_KINDS = {"abbreviation", "misspelling", "combined"}


@pytest.fixture(scope="module")
def probe() -> ModuleType:
    return load_script("heading_probe")


@pytest.fixture(scope="module")
def rows(probe: ModuleType) -> list:
    return probe.load_probe(PROBE_R4)


def test_rows_are_many_and_unique(rows: list) -> None:
    assert len(rows) >= 300
    assert len({r.id for r in rows}) == len(rows)
    assert len({r.heading.casefold() for r in rows}) == len(rows)


def test_mix_is_weighted_like_real_requests(rows: list) -> None:
    families = Counter(r.family for r in rows)
    assert 0.4 <= families["medication"] / len(rows) <= 0.6
    for family in ("physical_medicine", "imaging", "injection", "dme", "consultation", "surgery"):
        assert families[family] >= 15, family
    hard = sum(r.kind in HARD_KINDS for r in rows)
    assert 0.1 <= hard / len(rows) <= 0.35


def test_borderline_rows_name_the_other_reading(rows: list) -> None:
    assert all(r.note for r in rows if r.borderline)


def test_file_says_synthetic() -> None:
    assert "SYNTHETIC" in PROBE_R4.read_text().splitlines()[0]


def test_an_unknown_type_is_refused(probe: ModuleType, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {id: h001, heading: 'Norco 10/325 #60', family: medication, type: painkiller, "
                   "kind: brand}\n")
    with pytest.raises(probe.ProbeError, match="h001"):
        probe.load_probe(bad)
