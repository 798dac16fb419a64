"""The blind heading probe's rows are well formed (experiments/heading_probe.yaml, SYNTHETIC).

Checks the schema only: ids unique, every family and type one the service taxonomy can answer, the
variety the probe promises, and the runner's arithmetic on hand-made results. Whether the taxonomy reads
the headings right is the probe's result (experiments/heading-probe.md), not a test.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from experiment_scripts import load_script

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def probe() -> ModuleType:
    return load_script("heading_probe")


@pytest.fixture(scope="module")
def rows(probe: ModuleType) -> list:
    return probe.load_probe()


def test_rows_are_many_and_unique(rows: list) -> None:
    assert len(rows) >= 200
    assert len({r.id for r in rows}) == len(rows)
    assert len({r.heading.casefold() for r in rows}) == len(rows)


def test_every_family_and_type_is_one_of_the_taxonomy(probe: ModuleType, rows: list) -> None:
    from features.service_families import load_taxonomy

    allowed = probe.known_types(load_taxonomy())
    assert all((r.family, r.type) in allowed for r in rows)
    families = {f for f, _ in allowed}
    assert {r.family for r in rows} == families  # every family is probed, `other` included


def test_the_probe_varies_the_wording_it_promises(rows: list) -> None:
    kinds = Counter(r.kind for r in rows)
    for kind, least in (("brand_name", 30), ("generic_name", 30), ("abbreviation", 20), ("misspelling", 10),
                        ("compound", 3), ("retrospective", 5), ("purchase_rental", 5), ("sessions", 5),
                        ("program", 5), ("associated_surgical", 5), ("post_op", 5), ("plural", 10),
                        ("word_order", 3), ("unknown", 3)):
        assert kinds[kind] >= least, kind
    assert all(r.family == "other" and r.type == "unknown" for r in rows if r.kind == "unknown")
    border = [r for r in rows if r.borderline]
    assert border and all(r.note for r in border)  # a borderline row names the other reading


@pytest.mark.parametrize("edit, problem", [
    ({"family": "imaging", "type": "opioid"}, "not a family and type"),
    ({"family": "medicine"}, "not a family and type"),
    ({"id": "H2"}, "id"),
    ({"unknown_key": 1}, "unknown_key"),
    ({"borderline": "perhaps"}, "borderline"),
])
def test_a_malformed_row_is_refused_naming_it(probe: ModuleType, tmp_path: Path, edit: dict,
                                              problem: str) -> None:
    good = {"id": "h001", "heading": "Physical therapy x 6", "family": "physical_medicine",
            "type": "physical_therapy", "kind": "sessions", "note": ""}
    path = tmp_path / "probe.yaml"
    path.write_text(yaml.safe_dump([good, {**good, "id": "h002", **edit}]))
    with pytest.raises(probe.ProbeError, match=problem):
        probe.load_probe(path)


def test_duplicate_ids_are_refused(probe: ModuleType, tmp_path: Path) -> None:
    row = {"id": "h001", "heading": "UDS", "family": "lab", "type": "drug_screen", "kind": "abbreviation"}
    path = tmp_path / "probe.yaml"
    path.write_text(yaml.safe_dump([row, row]))
    with pytest.raises(probe.ProbeError, match="duplicate id h001"):
        probe.load_probe(path)


def test_report_counts_a_type_right_only_with_its_family(probe: ModuleType) -> None:
    def result(i: int, family_ok: bool, type_ok: bool, *, specific: bool = True,
               borderline: bool = False) -> dict:
        return {"id": f"h{i:03d}", "heading": "SYNTHETIC", "kind": "plain", "borderline": borderline,
                "expected_family": "lab", "expected_type": "drug_screen", "family": "lab", "type": "lab_test",
                "via": "term", "family_correct": family_ok, "type_correct": type_ok, "specific": specific}

    out = probe.report([result(1, True, True), result(2, True, False),
                        result(3, False, False, specific=False), result(4, True, True, borderline=True)])
    assert (out["family_accuracy"], out["type_accuracy"], out["specific"]) == (0.75, 0.5, 0.75)
    assert (out["family_accuracy_clear"], out["type_accuracy_clear"]) == (0.667, 0.333)
    assert [m["id"] for m in out["misses"]] == ["h002", "h003"]
