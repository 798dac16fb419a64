"""Round 6's blind heading probe rows are well formed (experiments/heading_probe_r6.yaml, SYNTHETIC).

Schema only, through the heading probe's loader: 450-500 rows, ids (`j` plus 3 digits) and headings unique,
every family and type one the service taxonomy can answer, the promised mix (a plain mix like real
2014-2019 requests: medications about 45%, every family probed, about 15% hard wording), and borderline
rows that say why. How well the taxonomy reads them is the probe's result, not a test.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from experiment_scripts import load_script

REPO = Path(__file__).resolve().parents[2]
PROBE_R6 = REPO / "experiments" / "heading_probe_r6.yaml"
HARD_KINDS = {"abbreviation", "misspelling", "combined"}
KINDS = HARD_KINDS | {"plain", "brand", "generic", "sessions", "retrospective", "compound", "unknown",
                      "acquisition"}


@pytest.fixture(scope="module")
def probe() -> ModuleType:
    return load_script("heading_probe")


@pytest.fixture(scope="module")
def rows(probe: ModuleType) -> list:
    return probe.load_probe(PROBE_R6)


def test_rows_are_many_and_unique(rows: list) -> None:
    assert 450 <= len(rows) <= 500
    assert all(r.id.startswith("j") for r in rows)
    assert len({r.id for r in rows}) == len(rows)
    assert len({r.heading.casefold() for r in rows}) == len(rows)


def test_every_family_and_type_is_one_the_taxonomy_answers(probe: ModuleType, rows: list) -> None:
    from features.service_families import load_taxonomy

    allowed = probe.known_types(load_taxonomy())
    assert all((r.family, r.type) in allowed for r in rows)
    assert {r.family for r in rows} == {f for f, _ in allowed}  # every family is probed, `other` included


def test_mix_is_weighted_like_real_requests(rows: list) -> None:
    families = Counter(r.family for r in rows)
    assert 0.4 <= families["medication"] / len(rows) <= 0.5
    for family in ("physical_medicine", "imaging", "injection", "dme", "consultation", "surgery"):
        assert families[family] >= 15, family
    medication_types = Counter(r.type for r in rows if r.family == "medication")
    for common in ("opioid", "nsaid", "muscle_relaxant", "anticonvulsant", "gi_protectant", "topical"):
        assert medication_types[common] >= 10, common
    hard = sum(r.kind in HARD_KINDS for r in rows)
    assert 0.1 <= hard / len(rows) <= 0.25


def test_kinds_are_the_promised_ones(rows: list) -> None:
    kinds = Counter(r.kind for r in rows)
    assert set(kinds) == KINDS
    assert all(r.family == "other" and r.type == "unknown" for r in rows if r.kind == "unknown")


def test_borderline_rows_name_the_other_reading(rows: list) -> None:
    border = [r for r in rows if r.borderline]
    assert border and all(r.note for r in border)


def test_file_says_synthetic() -> None:
    assert "SYNTHETIC" in PROBE_R6.read_text().splitlines()[0]


def test_an_unknown_type_is_refused(probe: ModuleType, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {id: j001, heading: 'Norco 10/325 #60', family: medication, type: painkiller, "
                   "kind: brand}\n")
    with pytest.raises(probe.ProbeError, match="j001"):
        probe.load_probe(bad)


@pytest.mark.parametrize("row_id, accepted", [("h001", True), ("j001", True), ("k001", False),
                                              ("j01", False)])
def test_ids_are_h_or_j_and_three_digits(probe: ModuleType, tmp_path: Path, row_id: str,
                                         accepted: bool) -> None:
    path = tmp_path / "probe.yaml"
    path.write_text(f"- {{id: {row_id}, heading: 'Urine drug screen', family: lab, type: drug_screen, "
                    "kind: plain}\n")
    if accepted:
        assert [r.id for r in probe.load_probe(path)] == [row_id]
    else:
        with pytest.raises(probe.ProbeError, match="should match pattern"):
            probe.load_probe(path)
