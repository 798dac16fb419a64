"""The extractors recover the generator's latent facts from SYNTHETIC letters, whose text mixes in what
must not count: negated findings, the UR reviewer's words, requirements, family history, studies of the
other side, plural and brand headings (synthetic/phrases.yaml)."""

from __future__ import annotations

import math
from datetime import date
from types import SimpleNamespace

import pytest

from features.duration_statements import DAYS_PER_MONTH
from features.extractors.criteria_level import checklist_of
from features.table import letter_scoring_rows
from letters.parser import parse_text
from synthetic.corpus import iter_letters
from synthetic.generative_model import GeneratorSettings
from synthetic.latent_criteria import service_facts
from synthetic.tables import SynthTables

RED_FLAGS = ("trauma", "fracture", "infection", "cancer", "cauda_equina")
TABLES = SynthTables.load()


@pytest.fixture(scope="module")
def letters():
    """(latent case, letter text) of 200 SYNTHETIC letters."""
    return list(iter_letters(200, GeneratorSettings(seed=5)))


@pytest.fixture(scope="module")
def parsed(letters):
    return [parse_text(text, f"syn{i}.synthetic.txt") for i, (_, text) in enumerate(letters)]


@pytest.fixture(scope="module")
def scored(parsed):
    """Each letter's feature rows and the service contexts they were read from: the letter is analysed once
    for the rows and the checklists, as `imr explain` does (`model.explanations.checklists_for`)."""
    return [letter_scoring_rows(case) for case in parsed]


@pytest.fixture(scope="module")
def checklists(scored):
    """Each parsed letter's checklists, read from its services' contexts."""
    return [[checklist_of(ctx) for ctx in s.contexts] for s in scored]


@pytest.fixture(scope="module")
def pairs(letters, parsed, scored):
    """(latent service, its letter's case, extracted row) for 200 SYNTHETIC letters."""
    rows = {(case.letter_id, r["item_index"]): SimpleNamespace(**r)
            for case, s in zip(parsed, scored, strict=True) for r in s.rows}
    return [(svc, latent, rows[(case.letter_id, svc.item_index)])
            for (latent, _), case in zip(letters, parsed, strict=True) for svc in latent.services]


def _stated_sessions(svc, case) -> float | None:
    """Completed sessions as the letter states them: zero is written only where conservative care is
    "not yet tried" (saying none were had would say so)."""
    if svc.prior_sessions is None or (svc.prior_sessions == 0 and case.failed_conservative != "no"):
        return None
    return float(svc.prior_sessions)


def _stated_months(svc, case) -> float | None:
    """Months of use as the letter states them: "since <Month Year>" counts from that month's 15th to the UR
    denial date (days / `DAYS_PER_MONTH`, the protocol's reading of a start without its day, round 15); a new
    drug's dated start counts its days (0 under half a month, round 15); a length in months or weeks is the
    generator's own count."""
    if svc.duration_phrase is None or svc.drug_months is None:
        return None
    if svc.duration_phrase == "new":
        days = (case.ur_denial_date - svc.drug_start).days
        return 0.0 if days < 15 else round(days / DAYS_PER_MONTH, 1)
    if svc.duration_phrase != "since":
        return float(svc.drug_months)
    ur = case.ur_denial_date
    back = ur.year * 12 + ur.month - 1 - svc.drug_months
    return round((ur - date(back // 12, back % 12 + 1, 15)).days / DAYS_PER_MONTH, 1)


def _errors(pairs, truth, extracted, close=0.5):
    """(letter, item, truth, extracted) of each service where they differ (numbers within `close`)."""
    out = []
    for svc, case, row in pairs:
        want = truth(svc, case)
        if want is None:
            continue
        got = extracted(row)
        if isinstance(want, float):
            ok = got is not None and not math.isnan(got) and abs(got - want) <= close
        else:
            ok = want == got
        if not ok:
            out.append((row.letter_id, row.item_index, want, got))
    return out


def test_the_variety_is_in_the_letters(letters) -> None:
    """What the extractors must see through is written into the corpus, not just listed in the tables."""
    text = " ".join(" ".join(t.split()) for _, t in letters)  # a phrase may wrap over two lines
    for phrase in ("denied weakness", "Utilization review noted a lack of documentation of functional",
                   "had been tried and had failed", "would be indicated only if", "father had",
                   "braces", "Lidoderm", "Utilization review stated that the",
                   "no restriction of range of motion", "a positive provocative test", "full range"):
        assert phrase in text, phrase


@pytest.mark.parametrize("name, truth, extracted", [
    ("functional_improvement", lambda s, c: c.functional_improvement, lambda r: r.functional_improvement),
    ("failed_conservative_care", lambda s, c: c.failed_conservative, lambda r: r.failed_conservative_care),
    ("red_flag_neuro_deficit", lambda s, c: bool(c.neuro_deficit), lambda r: bool(r.red_flag_neuro_deficit)),
    ("neuro_exam_normal", lambda s, c: bool(c.neuro_exam_normal), lambda r: bool(r.neuro_exam_normal)),
    ("prior_surgery", lambda s, c: bool(c.prior_surgery), lambda r: bool(r.prior_surgery)),
    *[(f"red_flag_{k}", lambda s, c, k=k: c.red_flag == k, lambda r, k=k: bool(getattr(r, f"red_flag_{k}")))
      for k in RED_FLAGS],
    ("prior_imaging_same_region", lambda s, c: s.prior_imaging, lambda r: bool(r.prior_imaging_same_region)),
    # session 23: the part's examination, of the request's region; a deficit's positive Spurling or Tinel is a
    # finding too, read in the region of the sentence before it, so letters with a deficit are left out here
    ("exam_findings_same_region",
     lambda s, c: None if c.neuro_deficit else service_facts(c, s, TABLES)["exam_findings_same_region"],
     lambda r: bool(r.exam_findings_same_region)),
    ("exam_normal_same_region", lambda s, c: service_facts(c, s, TABLES)["exam_normal_same_region"],
     lambda r: bool(r.exam_normal_same_region)),
    # session 24: the deficit by the request's region (a spine and the limbs its nerve roots supply together)
    ("neuro_deficit_of_region", lambda s, c: service_facts(c, s, TABLES)["neuro_deficit_of_region"],
     lambda r: bool(r.neuro_deficit_of_region)),
    # session 26: the normal neurological examination by the request's region (the renderer's name no region
    # or the legs in a list the phrase ends before; a phrase naming no region counts for every request)
    ("neuro_exam_normal_of_region", lambda s, c: service_facts(c, s, TABLES)["neuro_exam_normal_of_region"],
     lambda r: bool(r.neuro_exam_normal_of_region)),
    ("prior_sessions", lambda s, c: _stated_sessions(s, c), lambda r: r.prior_sessions),
    ("duration_of_use_months", _stated_months, lambda r: r.duration_of_use_months),
    ("sessions_requested", lambda s, c: service_facts(c, s, TABLES)["sessions_requested"],
     lambda r: r.sessions_requested),
])
def test_extractors_recover_every_latent_fact(pairs, name, truth, extracted):
    errors = _errors(pairs, truth, extracted)
    checked = sum(truth(s, c) is not None for s, c, _ in pairs)
    assert checked >= 30 and errors == [], (name, checked, errors[:5])


def test_a_drug_started_weeks_before_the_ur_is_under_a_month(pairs) -> None:
    """The generator's newly started drug (a start 7 to 25 days before the UR denial) reads as 0, or as its
    days to a tenth of a month from half a month on (round 15: 0.7 for three weeks, as the probe writers
    key it), never as a month or more."""
    new = [(row.letter_id, row.duration_of_use_months) for svc, _, row in pairs
           if svc.duration_phrase == "new"]
    assert len(new) >= 10 and all(v is not None and 0 <= v < 1.0 for _, v in new), new


def test_checklist_read_from_the_letters_recovers_the_latent_statuses(letters, checklists):
    """The checklist computed from the RENDERED letter (parser, extractors, governing section, status
    rules) agrees with the statuses the generator decided the outcome with, criterion by criterion."""
    total = same = 0
    seen: set[str] = set()
    misses = []
    for (latent, _), case_lists in zip(letters, checklists, strict=True):
        for svc, checklist in zip(latent.services, case_lists, strict=True):
            read = {c.criterion_id: c.status for c in checklist.checklist}
            for cid, status in svc.checklist.statuses.items():
                total += 1
                seen.add(status)
                if read.get(cid) == status:
                    same += 1
                else:
                    misses.append((latent.case_number, svc.service, cid, status, read.get(cid)))
    assert total > 800 and seen >= {"met", "unmet", "not_documented"}, (total, seen)
    assert same / total >= 0.95, (same, total, misses[:10])


@pytest.mark.parametrize("criterion, least", [
    # session 23: the generator decides failed care with the pain it writes after the care it lists, as the
    # checklist reads it from the letter (32 services of 400 letters disagreed before)
    ("conservative_care_failed", 50),
    # session 24: a new drug's start is latent, and its use counts from the date the summary writes (three
    # weeks are a drug in use): 56 medication_benefit and 3 short_term_three_weeks statuses of 400 letters
    # disagreed before
    ("medication_benefit", 80),
    ("short_term_three_weeks", 10),
    # session 24: a work hardening programme's sessions are the count its heading states (latent: none)
    ("visits_within_course", 40),
    # session 24: a fracture the summary writes of the primary region is no red flag for a request of another
    # part (the checklist's body-part red flags); the generator had it case-wide (3 of 190 of 400 letters)
    ("red_flags", 60),
])
def test_criterion_read_from_the_letters_is_the_latent_one(letters, checklists, criterion, least):
    """Criterion by criterion the agreement may miss a few (above); these must not: the generator decides
    them from the facts its letter states."""
    checked, misses = 0, []
    for (latent, _), case_lists in zip(letters, checklists, strict=True):
        for svc, checklist in zip(latent.services, case_lists, strict=True):
            want = svc.checklist.statuses.get(criterion)
            if want is None:
                continue
            checked += 1
            got = next((c.status for c in checklist.checklist if c.criterion_id == criterion), None)
            if got != want:
                misses.append((latent.case_number, svc.service, want, got))
    assert checked >= least and misses == [], (checked, len(misses), misses[:5])


def test_governing_section_read_from_the_letters_is_the_latent_one(letters, checklists):
    """The section the checklist selects from the letter is the one the generator decided with (session 24: a
    study "of the bilateral upper extremities" drawn for the wrist had the wrist's section, 35 of 2,221
    services of 1,000 letters differed). A few may differ still: the chapter the UR's line cites can break a
    tie the generator does not see (2 of 2,221)."""
    services, misses = 0, []
    for (latent, _), case_lists in zip(letters, checklists, strict=True):
        for svc, checklist in zip(latent.services, case_lists, strict=True):
            services += 1
            if svc.checklist.section_id != checklist.section_id:
                misses.append((latent.case_number, svc.service, svc.checklist.section_id,
                               checklist.section_id))
    assert services > 300 and len(misses) <= services // 200, (services, len(misses), misses[:5])
