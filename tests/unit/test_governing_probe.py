"""Schema of the blind governing-section probe (experiments/governing_probe.yaml, SYNTHETIC): the file loads,
ids are unique, dates parse and fall where the brief puts them, every service has an expected line. It
does not test that the product agrees with the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from experiments.governing_probe import PROBE, ProbeError, load_probe, to_case


def test_probe_loads_with_enough_letters_and_services():
    letters = load_probe()
    services = [s for letter in letters for s in letter.services]
    assert len(letters) >= 45
    assert len(services) >= 120
    assert all(s.expected_line.strip() and s.expected_section.strip() for s in services)


def test_probe_ids_unique_and_dates_in_window():
    letters = load_probe()
    ids = [letter.id for letter in letters]
    assert len(ids) == len(set(ids))
    assert all(letter.date_of_injury < letter.ur_denial_date for letter in letters)


def test_cases_carry_no_post_review_field():
    for letter in load_probe():
        case = to_case(letter)
        assert case.synthetic and case.decision_date is None
        for s in case.services:
            assert s.decision is None and s.reviewer_guideline is None and s.rationale == ""


def _write(tmp_path: Path, letters: list) -> Path:
    path = tmp_path / "probe.yaml"
    path.write_text(yaml.safe_dump(letters))
    return path


def test_duplicate_id_and_bad_date_are_named(tmp_path):
    raw = yaml.safe_load(PROBE.read_text())[:2]
    raw[1]["id"] = raw[0]["id"]
    with pytest.raises(ProbeError, match="duplicate id"):
        load_probe(_write(tmp_path, raw))
    raw = yaml.safe_load(PROBE.read_text())[:1]
    raw[0]["ur_denial_date"] = "2018-01-05"
    with pytest.raises(ProbeError, match="outside 2016-09..2017-03"):
        load_probe(_write(tmp_path, raw))


def test_service_without_expected_line_is_refused(tmp_path):
    raw = yaml.safe_load(PROBE.read_text())[:1]
    del raw[0]["services"][0]["expected_line"]
    with pytest.raises(ProbeError, match="expected_line"):
        load_probe(_write(tmp_path, raw))


# --- round 2 (experiments/governing_probe_r2.yaml, SYNTHETIC, ids h01...) ---
PROBE_R2 = PROBE.with_name("governing_probe_r2.yaml")


def test_round2_loads_with_enough_letters_services_and_drugs():
    letters = load_probe(PROBE_R2)
    services = [s for letter in letters for s in letter.services]
    assert len(letters) >= 50 and len(services) >= 130
    assert all(letter.id.startswith("h") for letter in letters)
    assert all(s.expected_line.strip() and s.expected_section.strip() for s in services)
    drugs = sum(s.family == "drug" for s in services) / len(services)
    assert 0.35 <= drugs <= 0.55
    assert {letter.phase for letter in letters} == {"acute", "chronic", "postop"}


def test_round2_ids_unique_across_rounds_and_cases_pre_review_only():
    r1, r2 = load_probe(), load_probe(PROBE_R2)
    ids = [letter.id for letter in r1 + r2]
    assert len(ids) == len(set(ids))
    for letter in r2:
        case = to_case(letter)
        assert case.synthetic and case.decision_date is None
        assert "SYNTHETIC" in case.clinical_summary
        for s in case.services:
            assert s.decision is None and s.reviewer_guideline is None and s.rationale == ""


def test_round2_share_of_letters_without_ur_line_is_about_a_fifth():
    letters = load_probe(PROBE_R2)
    share = sum(not letter.ur_guideline for letter in letters) / len(letters)
    assert 0.15 <= share <= 0.30


# --- round 3 (experiments/governing_probe_r3.yaml, SYNTHETIC, ids k01...) ---
PROBE_R3 = PROBE.with_name("governing_probe_r3.yaml")


def test_round3_loads_with_enough_letters_services_and_drugs():
    letters = load_probe(PROBE_R3)
    services = [s for letter in letters for s in letter.services]
    assert len(letters) >= 50 and len(services) >= 130
    assert all(letter.id.startswith("k") for letter in letters)
    assert all(s.expected_line.strip() and s.expected_section.strip() for s in services)
    drugs = sum(s.family == "drug" for s in services) / len(services)
    assert 0.35 <= drugs <= 0.55
    assert {letter.phase for letter in letters} == {"acute", "chronic", "postop"}
    assert sum(not letter.ur_guideline for letter in letters) / len(letters) >= 0.15


def test_round3_ids_unique_across_rounds_and_cases_pre_review_only():
    r1, r2, r3 = load_probe(), load_probe(PROBE_R2), load_probe(PROBE_R3)
    ids = [letter.id for letter in r1 + r2 + r3]
    assert len(ids) == len(set(ids))
    for letter in r3:
        case = to_case(letter)
        assert case.synthetic and case.decision_date is None
        assert "SYNTHETIC" in case.clinical_summary
        for s in case.services:
            assert s.decision is None and s.reviewer_guideline is None and s.rationale == ""


def test_round3_id_pattern_refuses_other_prefixes(tmp_path):
    raw = yaml.safe_load(PROBE_R3.read_text())[:1]
    raw[0]["id"] = "x01"
    with pytest.raises(ProbeError, match="letter 0"):
        load_probe(_write(tmp_path, raw))


# --- round 4 (experiments/governing_probe_r4.yaml, SYNTHETIC, ids m01...: a plain 2016-17 spread) ---
PROBE_R4 = PROBE.with_name("governing_probe_r4.yaml")


def test_round4_loads_with_a_plain_spread():
    letters = load_probe(PROBE_R4)
    services = [s for letter in letters for s in letter.services]
    assert len(letters) >= 50 and len(services) >= 130
    assert all(letter.id.startswith("m") for letter in letters)
    assert all(s.expected_line.strip() and s.expected_section.strip() for s in services)
    drugs = sum(s.family == "drug" for s in services) / len(services)
    assert 0.40 <= drugs <= 0.50
    phases = [letter.phase for letter in letters]
    assert phases.count("chronic") > phases.count("acute") + phases.count("postop")
    assert {"acute", "postop"} <= set(phases)
    assert 0.15 <= sum(not letter.ur_guideline for letter in letters) / len(letters) <= 0.30


def test_round4_ids_unique_across_rounds_and_cases_pre_review_only():
    ids = [letter.id for path in (PROBE, PROBE_R2, PROBE_R3, PROBE_R4) for letter in load_probe(path)]
    assert len(ids) == len(set(ids))
    for letter in load_probe(PROBE_R4):
        case = to_case(letter)
        assert case.synthetic and case.decision_date is None
        assert "SYNTHETIC" in case.clinical_summary
        for s in case.services:
            assert s.decision is None and s.reviewer_guideline is None and s.rationale == ""


def test_round4_id_pattern_accepts_m_and_refuses_other_prefixes(tmp_path):
    raw = yaml.safe_load(PROBE_R4.read_text())[:1]
    assert load_probe(_write(tmp_path, raw))[0].id == "m01"
    raw[0]["id"] = "p01"  # n is round 5's prefix since governing_probe_r5.yaml
    with pytest.raises(ProbeError, match="letter 0"):
        load_probe(_write(tmp_path, raw))


# --- round 5 (experiments/governing_probe_r5.yaml, SYNTHETIC, ids n01...: a plain 2016-17 spread) ---
PROBE_R5 = PROBE.with_name("governing_probe_r5.yaml")
FAMILIES = {"drug", "therapy", "imaging", "injection", "dme", "emg_ncv", "consult", "surgery", "psych", "lab",
            "home_health"}


def test_round5_loads_with_a_plain_spread():
    letters = load_probe(PROBE_R5)
    services = [s for letter in letters for s in letter.services]
    assert len(letters) >= 50 and len(services) >= 130
    assert all(letter.id.startswith("n") for letter in letters)
    assert all(s.expected_line.strip() and s.expected_section.strip() for s in services)
    assert {s.family for s in services} == FAMILIES
    drugs = sum(s.family == "drug" for s in services) / len(services)
    assert 0.40 <= drugs <= 0.50
    phases = [letter.phase for letter in letters]
    assert phases.count("chronic") > phases.count("acute") + phases.count("postop")
    assert {"acute", "postop"} <= set(phases)
    assert 0.15 <= sum(not letter.ur_guideline for letter in letters) / len(letters) <= 0.30


def test_round5_ids_unique_across_rounds_and_cases_pre_review_only():
    paths = (PROBE, PROBE_R2, PROBE_R3, PROBE_R4, PROBE_R5)
    ids = [letter.id for path in paths for letter in load_probe(path)]
    assert len(ids) == len(set(ids))
    for letter in load_probe(PROBE_R5):
        case = to_case(letter)
        assert case.synthetic and case.decision_date is None
        assert "SYNTHETIC" in case.clinical_summary
        for s in case.services:
            assert s.decision is None and s.reviewer_guideline is None and s.rationale == ""


def test_round5_id_pattern_accepts_n_and_refuses_other_prefixes(tmp_path):
    raw = yaml.safe_load(PROBE_R5.read_text())[:1]
    assert load_probe(_write(tmp_path, raw))[0].id == "n01"
    raw[0]["id"] = "p01"
    with pytest.raises(ProbeError, match="letter 0"):
        load_probe(_write(tmp_path, raw))


# --- round 6 (experiments/governing_probe_r6.yaml, SYNTHETIC, ids q01...: a plain 2016-17 spread) ---
PROBE_R6 = PROBE.with_name("governing_probe_r6.yaml")


def test_round6_loads_with_a_plain_spread():
    letters = load_probe(PROBE_R6)
    services = [s for letter in letters for s in letter.services]
    assert len(letters) >= 50 and len(services) >= 130
    assert all(letter.id.startswith("q") for letter in letters)
    assert all(s.expected_line.strip() and s.expected_section.strip() for s in services)
    assert {s.family for s in services} == FAMILIES
    drugs = sum(s.family == "drug" for s in services) / len(services)
    assert 0.40 <= drugs <= 0.50
    phases = [letter.phase for letter in letters]
    assert phases.count("chronic") > phases.count("acute") + phases.count("postop")
    assert {"acute", "postop"} <= set(phases)
    assert 0.15 <= sum(not letter.ur_guideline for letter in letters) / len(letters) <= 0.30


def test_round6_ids_unique_across_rounds_and_cases_pre_review_only():
    paths = (PROBE, PROBE_R2, PROBE_R3, PROBE_R4, PROBE_R5, PROBE_R6)
    ids = [letter.id for path in paths for letter in load_probe(path)]
    assert len(ids) == len(set(ids))
    for letter in load_probe(PROBE_R6):
        case = to_case(letter)
        assert case.synthetic and case.decision_date is None
        assert "SYNTHETIC" in case.clinical_summary
        for s in case.services:
            assert s.decision is None and s.reviewer_guideline is None and s.rationale == ""


def test_round6_id_pattern_accepts_q_and_refuses_other_prefixes(tmp_path):
    raw = yaml.safe_load(PROBE_R6.read_text())[:1]
    assert load_probe(_write(tmp_path, raw))[0].id == "q01"
    raw[0]["id"] = "p01"
    with pytest.raises(ProbeError, match="letter 0"):
        load_probe(_write(tmp_path, raw))
