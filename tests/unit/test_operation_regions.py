"""Body regions a heading names through an operation's abbreviation ("ACDF" the neck, "TKA" the knee) or a
named bone and its parts ("ORIF distal radius", "femoral neck"), on SYNTHETIC headings: the extractors'
reading (`BodyRegions.named`) and the governing section's (`criteria_facts.text_regions`) must agree.

`TUNED` holds the headings the patterns were written from; `HELD_OUT` headings written afterwards and run once
without changing the patterns. The YAML's `operation_abbreviations` are tested entry by entry besides.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from features.body_regions import body_regions, region_regexes
from features.criteria_facts import text_regions
from features.package_data import read_yaml
from features.service_families import load_taxonomy

RAW: dict[str, Any] = read_yaml("body_regions.yaml")

Row = tuple[str, tuple[str, ...], str | None]  # heading, regions in order of mention, side

TUNED: list[Row] = [
    ("Post-op PT s/p TKA", ("knee",), None),
    ("ACDF C5-6", ("cervical",), None),
    ("Hand therapy post CTR", ("hand_wrist",), None),
    ("Arthroscopic RCR right shoulder", ("shoulder",), "right"),
    ("Physical therapy s/p left UKA x 12", ("knee",), "left"),
    # ORIF names no region; the bone named with it does
    ("ORIF", (), None),
    ("Follow-up visit s/p ORIF", (), None),
    ("ORIF left distal radius", ("hand_wrist",), "left"),
    ("ORIF right tibial plateau", ("knee",), "right"),
    ("ORIF bimalleolar ankle fracture", ("ankle_foot",), None),
    ("ORIF left proximal humerus", ("shoulder",), "left"),
    ("ORIF right humerus shaft", ("upper_extremity",), "right"),
    ("ORIF left femur", ("lower_extremity",), "left"),
    ("ORIF distal femur", ("knee",), None),
    ("ORIF proximal femoral fracture", ("hip",), None),
    ("ORIF distal tibia", ("ankle_foot",), None),
    ("ORIF scaphoid", ("hand_wrist",), None),
    # the head or neck of a bone is the bone's region, not the head or the neck
    ("ORIF femoral neck fracture", ("hip",), None),
    ("ORIF left radial neck fracture", ("elbow",), "left"),
    ("Closed reduction fifth metacarpal neck", ("hand_wrist",), None),
    ("Hemiarthroplasty for fracture of the neck of the femur", ("hip",), None),
    ("Neck of the radius fracture, closed reduction", ("elbow",), None),
    ("Radial head replacement", ("elbow",), None),
    ("Humeral head resurfacing", ("shoulder",), None),
    ("Femoral head core decompression", ("hip",), None),
    ("Fibular head", ("knee",), None),
    ("Metatarsal head resection", ("ankle_foot",), None),
    ("Fixation of the surgical neck of the humerus", ("shoulder",), None),
    ("Fracture of the femur", ("lower_extremity",), None),
    ("Fracture of the radius, cast", ("hand_wrist",), None),
    ("ORIF fracture of the humerus", ("upper_extremity",), None),
    ("Tibia fracture", ("lower_extremity",), None),
    ("Radial nerve release", ("hand_wrist",), None),
    ("Distal radius fracture", ("hand_wrist",), None),
    ("Cervical pillow for neck pain", ("cervical",), None),
    ("Neck brace", ("cervical",), None),
    ("Head CT", ("head",), None),
]

HELD_OUT: list[Row] = [
    ("Post-op PT s/p PLIF", ("lumbar",), None),
    ("Soft collar s/p ACD", ("cervical",), None),
    ("CPM rental after UKA", ("knee",), None),
    ("Raised toilet seat s/p THR", ("hip",), None),
    ("Hand therapy x 8 post ECTR", ("hand_wrist",), None),
    ("Sling s/p RCR", ("shoulder",), None),
    ("Walker after TKR", ("knee",), None),
    ("ALIF with posterior instrumentation", ("lumbar",), None),
    ("Revision THA", ("hip",), None),
    ("RTSA left", ("shoulder",), "left"),
    ("Right OLIF L2-3", ("lumbar",), "right"),
    ("ORIF left scaphoid nonunion", ("hand_wrist",), "left"),
    ("ORIF trimalleolar fracture", ("ankle_foot",), None),
    ("ORIF right tibial plateau fracture", ("knee",), "right"),
    ("Removal of hardware, left fibula", ("lower_extremity",), "left"),
    ("ORIF distal humerus", ("elbow",), None),
    ("ORIF proximal humerus fracture", ("shoulder",), None),
    ("ORIF and hardware removal", (), None),
    ("ORIF left humeral neck fracture", ("shoulder",), "left"),
    ("Talar neck ORIF", ("ankle_foot",), None),
    ("Femoral neck screw removal", ("hip",), None),
    ("Second metatarsal neck osteotomy", ("ankle_foot",), None),
    ("Radius head excision", ("elbow",), None),
    ("Neck massage x 6", ("cervical",), None),
    ("Trigger point injections head and shoulders", ("head", "shoulder"), None),
]


def _read(heading: str) -> tuple[tuple[str, ...], set[str], tuple[str, ...]]:
    named = body_regions().named(heading)
    regions = tuple(dict.fromkeys(r.region for r in named))
    return regions, {r.side for r in named if r.side}, text_regions(heading)


@pytest.mark.parametrize(("heading", "regions", "side"),
                         [pytest.param(*r, id=f"tuned-{r[0]}") for r in TUNED]
                         + [pytest.param(*r, id=f"held_out-{r[0]}") for r in HELD_OUT])
def test_a_heading_names_its_operations_region(heading: str, regions: tuple[str, ...],
                                                side: str | None) -> None:
    named, sides, read_for_criteria = _read(heading)
    assert named == regions, heading
    assert read_for_criteria == regions, heading
    assert sides == ({side} if side else set()), heading


ABBREVIATIONS = [(region, abbr) for region, words in RAW["operation_abbreviations"].items() for abbr in words]


@pytest.mark.parametrize(("region", "abbr"), ABBREVIATIONS, ids=[a for _, a in ABBREVIATIONS])
def test_every_operation_abbreviation_names_its_region_and_is_an_operation(region: str, abbr: str) -> None:
    """Each abbreviation of the YAML, in any case and with a side, names its region and side; the service
    taxonomy reads it as an operation (one word, one meaning across the two tables); inside a longer word it
    names nothing."""
    for heading in (f"Right {abbr}", f"Post-op physical therapy s/p right {abbr.lower()}"):
        named, sides, read_for_criteria = _read(heading)
        assert (named, sides, read_for_criteria) == ((region,), {"right"}, (region,)), heading
    assert load_taxonomy().classify(abbr).family == "surgery", abbr
    assert _read(f"{abbr}x{abbr}") == ((), set(), ()), abbr


def test_bad_abbreviation_data_raises_one_line_naming_it() -> None:
    raw = copy.deepcopy(RAW)
    raw["operation_abbreviations"]["elbowish"] = ["TEA"]
    with pytest.raises(ValueError, match=r"operation_abbreviations: unknown regions \['elbowish'\]"):
        region_regexes(raw)
    raw = copy.deepcopy(RAW)
    raw["operation_abbreviations"]["knee"] = ["TKA", "T.K.A."]
    with pytest.raises(ValueError, match=r"operation_abbreviations.knee: \['T.K.A.'\] are not words"):
        region_regexes(raw)
