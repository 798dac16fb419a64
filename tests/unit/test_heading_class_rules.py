"""Class rules of the service taxonomy on SYNTHETIC headings: HCPCS Level II codes.

Each table holds the headings the rule was written from (`tuned`) and headings written afterwards and run once
without changing the rule (`held_out`); the rules' own data (the YAML's HCPCS `codes`) is tested row by row
besides.
"""

from __future__ import annotations

import copy
from importlib import resources
from typing import Any

import pytest
import yaml

from features.drug_lexicon import load_lexicon
from features.heading_tokens import tokenize
from features.service_families import VIA_CODE, build_taxonomy, load_taxonomy

DATA: dict[str, Any] = yaml.safe_load(
    resources.files("features").joinpath("service_taxonomy.yaml").read_text(encoding="utf-8"))
LEXICON = load_lexicon()

Row = tuple[str, str, str]

# SYNTHETIC headings -> (family, type), per rule: the rows a rule was written from, then the held-out rows
KINDS: dict[str, dict[str, list[Row]]] = {
    "hcpcs_codes": {  # a HCPCS Level II code alone decides; words naming a specific type win over it
        "tuned": [
            ("E0730", "dme", "tens"),
            ("HCPCS E0730", "dme", "tens"),
            ("E0730 TENS", "dme", "tens"),
            ("L0631", "dme", "brace"),
            ("L1833", "dme", "brace"),
            ("E0935", "dme", "home_equipment"),
            ("E0218", "dme", "cold_therapy"),
            ("J0585", "injection", "botulinum"),
            ("J1030", "injection", "injection_other"),
            ("A4556", "dme", "supplies"),
            ("A4595", "dme", "supplies"),
            ("A4630", "dme", "supplies"),
            ("G0283", "physical_medicine", "modality"),
            ("E0747 bone growth stimulator", "dme", "bone_stimulator"),
        ],
        "held_out": [
            ("E0114 crutches underarm", "dme", "mobility_aid"),
            ("L0648 LSO", "dme", "brace"),
            ("L1820", "dme", "brace"),
            ("L3809 wrist hand finger orthosis", "dme", "brace"),
            ("E0936", "dme", "home_equipment"),
            ("E0236 pump", "dme", "cold_therapy"),
            ("J7325 Synvisc-One 48mg", "injection", "viscosupplementation"),
            ("J0585 x 200 units", "injection", "botulinum"),
            ("A4557 lead wires", "dme", "supplies"),
            ("G0283 x 6 visits", "physical_medicine", "modality"),
            ("E0720 rental", "dme", "tens"),
            ("K0001 standard wheelchair", "dme", "mobility_aid"),
            ("E0760", "dme", "bone_stimulator"),
            ("J1100 trigger point injection", "injection", "trigger_point"),  # the words name the injection
            ("E1399 durable medical equipment", "dme", "dme_other"),  # a code of no range: the words decide
            ("L4-5 fusion", "surgery", "spine_surgery"),  # a spinal level is no code
            ("Vitamin D3 2000 IU", "medication", "supplement"),
        ],
    },
}


@pytest.mark.parametrize(
    ("heading", "family", "type_"),
    [pytest.param(*row, id=f"{kind}-{part}-{row[0]}")
     for kind, parts in KINDS.items() for part, rows in parts.items() for row in rows],
)
def test_each_heading_reaches_its_family_and_type(heading: str, family: str, type_: str) -> None:
    c = load_taxonomy().classify(heading)
    assert (c.family, c.type) == (family, type_), heading


HCPCS_RANGES = [r for r in DATA["codes"]["ranges"] if isinstance(r["from"], str)]


@pytest.mark.parametrize("entry", HCPCS_RANGES, ids=lambda r: f"{r['from']}-{r.get('to', r['from'])}")
def test_every_hcpcs_range_reads_its_ends_as_codes(entry: dict[str, Any]) -> None:
    """Both ends of every HCPCS range, alone in a heading and in lower case, are read as codes of the
    range's family (the type may be a narrower range's)."""
    tax = load_taxonomy()
    for code in {entry["from"], entry.get("to", entry["from"])}:
        for heading in (code, f"{code.lower()} x 1"):
            c = tax.classify(heading)
            assert (c.via, c.family) == (VIA_CODE, entry["family"]), heading


def test_a_hcpcs_code_is_one_word_and_other_letter_digit_runs_are_split() -> None:
    assert [t.lemma for t in tokenize("HCPCS:E0730-NU")] == ["hcpc", "e0730", "nu"]
    assert [t.lemma for t in tokenize("L4-5")] == ["l", "4", "5"]
    assert [t.lemma for t in tokenize("ol1000")] == ["ol", "1000"]  # letters before: no code
    assert [t.lemma for t in tokenize("x6")] == ["x", "6"]


def test_a_range_of_two_letters_is_refused() -> None:
    data = copy.deepcopy(DATA)
    data["codes"]["ranges"] = [{"from": "E0720", "to": "L0749", "family": "dme", "type": "tens"}]
    with pytest.raises(ValueError, match="E0720-L0749 is no range"):
        build_taxonomy(data, LEXICON)
