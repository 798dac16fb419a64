"""Schema of the blind governing-section probe (experiments/governing_probe.yaml, SYNTHETIC): the file loads,
ids are unique, dates parse and fall where the brief puts them, every service has an expected line. It
does not test that the product agrees with the key."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from package_tables import LOADER

from experiments.governing_probe import PROBE, ProbeError, ProbeLetter, load_probe, to_case


@cache
def _loaded(path: Path) -> tuple[ProbeLetter, ...]:
    """`load_probe(path)` once per worker (each round's check reads all earlier rounds); callers only read."""
    return tuple(load_probe(path))


@cache
def _parsed(path: Path) -> Any:
    return yaml.load(path.read_text(), Loader=LOADER)


def _raw(path: Path) -> Any:
    """A fresh copy of the probe file as plain data, free to break."""
    return copy.deepcopy(_parsed(path))


def test_probe_loads_with_enough_letters_and_services():
    letters = _loaded(PROBE)
    services = [s for letter in letters for s in letter.services]
    assert len(letters) >= 45
    assert len(services) >= 120
    assert all(s.expected_line.strip() and s.expected_section.strip() for s in services)


def test_probe_ids_unique_and_dates_in_window():
    letters = _loaded(PROBE)
    ids = [letter.id for letter in letters]
    assert len(ids) == len(set(ids))
    assert all(letter.date_of_injury < letter.ur_denial_date for letter in letters)


def test_cases_carry_no_post_review_field():
    for letter in _loaded(PROBE):
        case = to_case(letter)
        assert case.synthetic and case.decision_date is None
        for s in case.services:
            assert s.decision is None and s.reviewer_guideline is None and s.rationale == ""


def _write(tmp_path: Path, letters: list) -> Path:
    path = tmp_path / "probe.yaml"
    path.write_text(yaml.safe_dump(letters))
    return path


def test_duplicate_id_and_bad_date_are_named(tmp_path):
    raw = _raw(PROBE)[:2]
    raw[1]["id"] = raw[0]["id"]
    with pytest.raises(ProbeError, match="duplicate id"):
        load_probe(_write(tmp_path, raw))
    raw = _raw(PROBE)[:1]
    raw[0]["ur_denial_date"] = "2018-01-05"
    with pytest.raises(ProbeError, match="outside 2016-09..2017-03"):
        load_probe(_write(tmp_path, raw))


def test_service_without_expected_line_is_refused(tmp_path):
    raw = _raw(PROBE)[:1]
    del raw[0]["services"][0]["expected_line"]
    with pytest.raises(ProbeError, match="expected_line"):
        load_probe(_write(tmp_path, raw))


# --- rounds 2 to 12 (experiments/governing_probe_r2.yaml .. _r12.yaml, SYNTHETIC): one table, same checks ---
FAMILIES = {"drug", "therapy", "imaging", "injection", "dme", "emg_ncv", "consult", "surgery", "psych", "lab",
            "home_health"}


@dataclass(frozen=True)
class Round:
    """What one round's brief promised: its id prefix, the drug share, the share of letters without a UR
    line, a plain 2016-17 spread (mostly chronic) or every phase weighted, whether it holds every family."""

    n: int
    prefix: str
    drugs: tuple[float, float]
    no_ur_line: tuple[float, float]
    plain_spread: bool
    every_family: bool = False
    refused_id: str | None = None  # an id of another prefix the loader must refuse (None: not checked)
    quoted_headings: bool = False  # every heading written as a double-quoted YAML scalar (round 8 on)

    @property
    def path(self) -> Path:
        return PROBE.with_name(f"governing_probe_r{self.n}.yaml")


ROUNDS = [
    Round(2, "h", drugs=(0.35, 0.55), no_ur_line=(0.15, 0.30), plain_spread=False),
    Round(3, "k", drugs=(0.35, 0.55), no_ur_line=(0.15, 1.0), plain_spread=False,
          refused_id="p01"),  # refused x01 until round 11 took the x prefix
    Round(4, "m", drugs=(0.40, 0.50), no_ur_line=(0.15, 0.30), plain_spread=True, refused_id="p01"),
    Round(5, "n", drugs=(0.40, 0.50), no_ur_line=(0.15, 0.30), plain_spread=True, every_family=True,
          refused_id="p01"),
    Round(6, "q", drugs=(0.40, 0.50), no_ur_line=(0.15, 0.30), plain_spread=True, every_family=True,
          refused_id="p01"),
    Round(7, "t", drugs=(0.40, 0.50), no_ur_line=(0.15, 0.30), plain_spread=True, every_family=True,
          refused_id="p01"),
    Round(8, "u", drugs=(0.40, 0.50), no_ur_line=(0.15, 0.30), plain_spread=True, every_family=True,
          refused_id="p01", quoted_headings=True),  # refused w01 until round 10 took the w prefix
    Round(9, "v", drugs=(0.40, 0.50), no_ur_line=(0.15, 0.30), plain_spread=True, every_family=True,
          refused_id="p01", quoted_headings=True),  # likewise
    Round(10, "w", drugs=(0.40, 0.50), no_ur_line=(0.15, 0.30), plain_spread=True, every_family=True,
          refused_id="p01", quoted_headings=True),
    # round 11's brief asked for every family and phase rather than a drug share: a quarter are drugs
    Round(11, "x", drugs=(0.20, 0.35), no_ur_line=(0.10, 0.30), plain_spread=True, every_family=True,
          refused_id="p01", quoted_headings=True),
    # round 12's brief: the mix of real IMR requests, about half medications
    Round(12, "y", drugs=(0.40, 0.50), no_ur_line=(0.15, 0.30), plain_spread=True, every_family=True,
          refused_id="p01", quoted_headings=True),
]


@pytest.mark.parametrize("r", ROUNDS, ids=lambda r: f"round{r.n}")
def test_round_loads_with_the_spread_its_brief_promised(r: Round):
    letters = _loaded(r.path)
    services = [s for letter in letters for s in letter.services]
    assert len(letters) >= 50 and len(services) >= 130
    assert all(letter.id.startswith(r.prefix) for letter in letters)
    assert all(s.expected_line.strip() and s.expected_section.strip() for s in services)
    if r.every_family:
        assert {s.family for s in services} == FAMILIES
    drugs = sum(s.family == "drug" for s in services) / len(services)
    assert r.drugs[0] <= drugs <= r.drugs[1]
    phases = [letter.phase for letter in letters]
    if r.plain_spread:
        assert phases.count("chronic") > phases.count("acute") + phases.count("postop")
        assert {"acute", "postop"} <= set(phases)
    else:
        assert set(phases) == {"acute", "chronic", "postop"}
    share = sum(not letter.ur_guideline for letter in letters) / len(letters)
    assert r.no_ur_line[0] <= share <= r.no_ur_line[1]


@pytest.mark.parametrize("r", ROUNDS, ids=lambda r: f"round{r.n}")
def test_round_ids_unique_across_rounds_and_cases_pre_review_only(r: Round):
    paths = [PROBE, *(e.path for e in ROUNDS if e.n <= r.n)]
    ids = [letter.id for path in paths for letter in _loaded(path)]
    assert len(ids) == len(set(ids))
    for letter in _loaded(r.path):
        case = to_case(letter)
        assert case.synthetic and case.decision_date is None
        assert "SYNTHETIC" in case.clinical_summary
        for s in case.services:
            assert s.decision is None and s.reviewer_guideline is None and s.rationale == ""


@pytest.mark.parametrize("r", [r for r in ROUNDS if r.refused_id], ids=lambda r: f"round{r.n}")
def test_round_id_pattern_accepts_its_prefix_and_refuses_others(tmp_path, r: Round):
    raw = _raw(r.path)[:1]
    assert load_probe(_write(tmp_path, raw))[0].id == f"{r.prefix}01"
    raw[0]["id"] = r.refused_id
    with pytest.raises(ProbeError, match="letter 0"):
        load_probe(_write(tmp_path, raw))


@pytest.mark.parametrize("r", [r for r in ROUNDS if r.quoted_headings], ids=lambda r: f"round{r.n}")
def test_round_quotes_every_heading(r: Round):
    """Round 8's brief: every heading quoted, so no " #" or ": " in one can be cut or misread by YAML."""
    stripped = (line.strip() for line in r.path.read_text().splitlines())
    lines = [line for line in stripped if line.startswith("- heading:")]
    services = sum(len(letter.services) for letter in _loaded(r.path))
    assert len(lines) == services
    assert all(line.startswith('- heading: "') and line.endswith('"') for line in lines)


def test_an_unquoted_heading_that_yaml_would_cut_at_a_hash_is_refused(tmp_path):
    """SYNTHETIC: 'Tylenol #3' unquoted reaches YAML as 'Tylenol'; the loader names the line instead."""
    raw = yaml.safe_dump(_raw(PROBE)[:1], sort_keys=False)
    path = tmp_path / "probe.yaml"
    first = raw.index("heading:")
    end = raw.index("\n", first)
    path.write_text(raw[:first] + "heading: Tylenol #3 (codeine/APAP 30/300 mg) #60" + raw[end:])
    line = raw[:first].count("\n") + 1
    with pytest.raises(ProbeError, match=f"line {line}: unquoted heading holds ' #'"):
        load_probe(path)
    path.write_text(raw[:first] + "heading: 'Tylenol #3 (codeine/APAP 30/300 mg) #60'" + raw[end:])
    assert load_probe(path)[0].services[0].heading.startswith("Tylenol #3 (codeine")
