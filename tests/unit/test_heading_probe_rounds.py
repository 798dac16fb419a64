"""Rounds 4 to 9 of the blind heading probe are well formed (experiments/heading_probe_r4.yaml .. _r9.yaml,
SYNTHETIC).

Schema only, through the heading runner's loader: ids and headings unique, every family and type one the
service taxonomy can answer, the mix each round's brief promised, and borderline rows that name the other
reading. How well the taxonomy reads them is each probe's result (experiments/heading-probe-r4.md .. -r9.md),
not a test. One table of what each round promised, one test per check.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pytest
from experiment_scripts import load_script

REPO = Path(__file__).resolve().parents[2]
HARD_KINDS = {"abbreviation", "misspelling", "combined"}
ALL_KINDS = HARD_KINDS | {"plain", "brand", "generic", "sessions", "retrospective", "compound", "unknown",
                          "acquisition"}
COMMON_FAMILIES = ("physical_medicine", "imaging", "injection", "dme", "consultation", "surgery")


@dataclass(frozen=True)
class Round:
    """What one round's brief promised."""

    n: int
    sizes: tuple[int, int]  # rows, inclusive
    ids: tuple[str, int, int]  # id prefix and the range of its number
    medication_share: tuple[float, float]
    hard_share: tuple[float, float]
    family_floors: dict[str, int]
    kinds: frozenset[str] | None = None  # exactly these kinds (None: not promised)
    medication_types: tuple[int, frozenset[str]] = (0, frozenset())  # at least N classes, these among them
    common_medication_floors: dict[str, int] = field(default_factory=dict)
    every_family: bool = False  # every family of the taxonomy probed, `other` included
    unknown_is_other: bool = False  # rows of kind `unknown` are other/unknown
    note_prefix: str = ""  # borderline notes start with this
    some_borderline: bool = False
    bad_row_id: str = "h001"  # the id of the malformed row the loader must name

    @property
    def path(self) -> Path:
        return REPO / "experiments" / f"heading_probe_r{self.n}.yaml"


ROUNDS = [
    Round(4, sizes=(300, 10_000), ids=("h", 1, 999), medication_share=(0.4, 0.6), hard_share=(0.1, 0.35),
          family_floors=dict.fromkeys(COMMON_FAMILIES, 15)),
    Round(5, sizes=(450, 10_000), ids=("h", 501, 999), medication_share=(0.4, 0.5), hard_share=(0.1, 0.3),
          family_floors={"physical_medicine": 30, "injection": 30, "imaging": 30, "dme": 30, "surgery": 30,
                         "consultation": 15, "electrodiagnostics": 10, "lab": 10, "functional_program": 8,
                         "home_health": 5, "other": 8},
          kinds=frozenset(ALL_KINDS),
          medication_types=(25, frozenset({"topical", "medical_food", "hypnotic", "gi_protectant",
                                           "urological", "cardiovascular"})),
          note_prefix="other reading:", bad_row_id="h501"),
    Round(6, sizes=(450, 500), ids=("j", 1, 999), medication_share=(0.4, 0.5), hard_share=(0.1, 0.25),
          family_floors=dict.fromkeys(COMMON_FAMILIES, 15), kinds=frozenset(ALL_KINDS),
          common_medication_floors=dict.fromkeys(("opioid", "nsaid", "muscle_relaxant", "anticonvulsant",
                                                  "gi_protectant", "topical"), 10),
          every_family=True, unknown_is_other=True, some_borderline=True, bad_row_id="j001"),
    Round(7, sizes=(400, 450), ids=("k", 1, 999), medication_share=(0.4, 0.45), hard_share=(0.15, 0.22),
          family_floors=dict.fromkeys(COMMON_FAMILIES, 15), kinds=frozenset(ALL_KINDS),
          common_medication_floors=dict.fromkeys(("opioid", "nsaid", "muscle_relaxant", "topical"), 8),
          unknown_is_other=True, some_borderline=True, bad_row_id="k001"),
    # session 20: weighted to labs and electrodiagnostics (round 7's weakest), qualifiers around the service
    Round(8, sizes=(400, 450), ids=("m", 1, 999), medication_share=(0.4, 0.45), hard_share=(0.15, 0.25),
          family_floors={**dict.fromkeys(COMMON_FAMILIES, 15), "lab": 30, "electrodiagnostics": 25},
          kinds=frozenset(ALL_KINDS),
          common_medication_floors=dict.fromkeys(("opioid", "nsaid", "topical"), 8),
          unknown_is_other=True, some_borderline=True, bad_row_id="m001"),
    # session 27: headings as IMR letters print them (strength, quantity, refills, retro wording), a fifth
    # hard, and a new kind `inverted` (the noun after its qualifier, the quantity first)
    Round(9, sizes=(300, 300), ids=("n", 1, 999), medication_share=(0.45, 0.5), hard_share=(0.2, 0.3),
          family_floors={**dict.fromkeys(COMMON_FAMILIES, 15), "lab": 15, "electrodiagnostics": 15},
          kinds=frozenset(ALL_KINDS | {"inverted"}),
          common_medication_floors=dict.fromkeys(("opioid", "nsaid", "topical", "muscle_relaxant",
                                                  "gi_protectant"), 10),
          unknown_is_other=True, some_borderline=True, bad_row_id="n001"),
]
BY_ROUND = pytest.mark.parametrize("r", ROUNDS, ids=lambda r: f"round{r.n}")


@pytest.fixture(scope="module")
def probe() -> ModuleType:
    return load_script("heading_probe")


@pytest.fixture(scope="module")
def rows_of(probe: ModuleType) -> dict[int, list]:
    return {r.n: probe.load_probe(r.path) for r in ROUNDS}


@BY_ROUND
def test_rows_are_many_and_unique(r: Round, rows_of: dict[int, list]) -> None:
    rows = rows_of[r.n]
    assert r.sizes[0] <= len(rows) <= r.sizes[1]
    prefix, low, high = r.ids
    assert all(x.id.startswith(prefix) and low <= int(x.id[1:]) <= high for x in rows)
    assert len({x.id for x in rows}) == len(rows)
    assert len({x.heading.casefold() for x in rows}) == len(rows)


@BY_ROUND
def test_every_family_and_type_is_one_the_taxonomy_answers(r: Round, probe: ModuleType,
                                                           rows_of: dict[int, list]) -> None:
    from features.service_families import load_taxonomy

    allowed = probe.known_types(load_taxonomy())
    rows = rows_of[r.n]
    assert all((x.family, x.type) in allowed for x in rows)
    if r.every_family:
        assert {x.family for x in rows} == {f for f, _ in allowed}


@BY_ROUND
def test_mix_is_the_promised_one(r: Round, rows_of: dict[int, list]) -> None:
    rows = rows_of[r.n]
    families = Counter(x.family for x in rows)
    assert r.medication_share[0] <= families["medication"] / len(rows) <= r.medication_share[1]
    for family, floor in r.family_floors.items():
        assert families[family] >= floor, family
    hard = sum(x.kind in HARD_KINDS for x in rows)
    assert r.hard_share[0] <= hard / len(rows) <= r.hard_share[1]
    medication_types = Counter(x.type for x in rows if x.family == "medication")
    least, required = r.medication_types
    assert len(medication_types) >= least and required <= set(medication_types)
    for common, floor in r.common_medication_floors.items():
        assert medication_types[common] >= floor, common


@BY_ROUND
def test_kinds_are_the_promised_ones(r: Round, rows_of: dict[int, list]) -> None:
    rows = rows_of[r.n]
    if r.kinds is not None:
        assert {x.kind for x in rows} == r.kinds
    if r.unknown_is_other:
        assert all(x.family == "other" and x.type == "unknown" for x in rows if x.kind == "unknown")


@BY_ROUND
def test_borderline_rows_name_the_other_reading(r: Round, rows_of: dict[int, list]) -> None:
    border = [x for x in rows_of[r.n] if x.borderline]
    assert all(x.note and x.note.startswith(r.note_prefix) for x in border)
    assert border or not r.some_borderline


@BY_ROUND
def test_file_says_synthetic(r: Round) -> None:
    assert "SYNTHETIC" in r.path.read_text().splitlines()[0]


@BY_ROUND
def test_an_unknown_type_is_refused(r: Round, probe: ModuleType, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"- {{id: {r.bad_row_id}, heading: 'Norco 10/325 #60', family: medication, "
                   "type: painkiller, kind: brand}\n")
    with pytest.raises(probe.ProbeError, match=r.bad_row_id):
        probe.load_probe(bad)


@pytest.mark.parametrize("row_id, accepted", [("h001", True), ("j001", True), ("k001", True), ("m001", True),
                                              ("n001", True), ("p001", False), ("j01", False)])
def test_ids_are_h_j_k_m_or_n_and_three_digits(probe: ModuleType, tmp_path: Path, row_id: str,
                                              accepted: bool) -> None:
    path = tmp_path / "probe.yaml"
    path.write_text(f"- {{id: {row_id}, heading: 'Urine drug screen', family: lab, type: drug_screen, "
                    "kind: plain}\n")
    if accepted:
        assert [x.id for x in probe.load_probe(path)] == [row_id]
    else:
        with pytest.raises(probe.ProbeError, match="should match pattern"):
            probe.load_probe(path)
