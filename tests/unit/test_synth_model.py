"""The synthetic corpus's generative model: determinism, calibration, guideline logic, shifts."""

from __future__ import annotations

from datetime import date

import pytest
from synth_imaging import repeats_its_kind

from synthetic.generative_model import (
    STREAM_OUTCOME,
    STREAM_POST_TEXT,
    STREAM_PRE_TEXT,
    CaseGenerator,
    GeneratorSettings,
    SynthCase,
)
from synthetic.latent_criteria import assess
from synthetic.outcome import decide, outcome_terms
from synthetic.render import LetterRenderer, wrap
from synthetic.tables import SynthTables

N_CALIBRATION = 5000


@pytest.fixture(scope="module")
def cases() -> list[SynthCase]:
    gen = CaseGenerator(GeneratorSettings(seed=2024))
    return [gen.case(i) for i in range(N_CALIBRATION)]


def _rate(services) -> float:
    services = list(services)
    return sum(s.decision == "Overturned" for s in services) / len(services)


def test_overturn_rate_is_calibrated_to_about_11_percent(cases):
    rate = _rate(s for c in cases for s in c.services)
    assert 0.09 <= rate <= 0.13, rate


def test_items_per_letter_and_partials_follow_the_real_letters(cases):
    n_items = [len(c.services) for c in cases]
    single = sum(k == 1 for k in n_items) / len(n_items)
    assert 0.55 <= single <= 0.65  # real: 60% of letters have one item
    assert 2.0 <= sum(n_items) / len(n_items) <= 2.6  # real: 2.26 items per letter
    services = [s for c in cases for s in c.services]
    partial = sum(s.partial for s in services) / len(services)
    assert 0.07 <= partial <= 0.16  # real: 35 of 292 services (12%)
    assert all(s.service in s.heading for s in services if s.partial)


def test_every_family_of_the_taxonomy_occurs(cases):
    families = {s.family for c in cases for s in c.services}
    expected = set(SynthTables.load().families)
    assert expected <= families


def test_case_fields_are_consistent(cases):
    for c in cases[:500]:
        assert c.case_number.startswith("SYN") and len(c.case_number) == 13
        assert c.date_of_injury < c.ur_denial_date <= c.application_received <= c.date_assigned
        assert c.date_assigned < c.decision_date
        assert 19 <= c.age <= 79 and c.sex in ("male", "female")
        assert [s.item_index for s in c.services] == list(range(len(c.services)))
        assert len({s.service.lower() for s in c.services}) == len(c.services)


def test_period_bounds_the_ur_denial_dates():
    period = {"period_start": date(2018, 3, 1), "period_end": date(2018, 4, 30)}
    gen = CaseGenerator(GeneratorSettings(seed=1, **period))
    dates = [gen.case(i).ur_denial_date for i in range(300)]
    assert min(dates) >= date(2018, 3, 1) and max(dates) <= date(2018, 4, 30)
    assert {d.month for d in dates} == {3, 4}


def test_letter_depends_only_on_seed_and_index():
    a = CaseGenerator(GeneratorSettings(seed=5))
    b = CaseGenerator(GeneratorSettings(seed=5))
    later = b.case(1234)  # jump ahead first: random access must not change earlier letters
    assert [a.case(i) for i in range(3)] == [b.case(i) for i in range(3)]
    assert a.case(1234) == later
    assert CaseGenerator(GeneratorSettings(seed=6)).case(0) != a.case(0)


def test_long_muscle_relaxant_use_lowers_overturn(cases):
    relax = [s for c in cases for s in c.services if s.family == "muscle_relaxants"]
    long_use = [s for s in relax if (s.drug_months or 0) > 1]
    short = [s for s in relax if (s.drug_months or 0) <= 1]
    assert len(long_use) > 50 and len(short) > 50
    assert sum(s.p_overturn for s in long_use) / len(long_use) < sum(s.p_overturn for s in short) / len(short)


def test_imaging_with_neuro_deficit_and_no_prior_study_raises_overturn(cases):
    img = [(c, s) for c in cases for s in c.services if s.family == "imaging"]
    hit = [s for c, s in img if c.neuro_deficit and not s.prior_imaging]
    rest = [s for c, s in img if not (c.neuro_deficit and not s.prior_imaging)]
    assert _rate(hit) > _rate(rest) + 0.05


def test_ur_citing_no_evidence_raises_overturn(cases):
    no_ev = [s for c in cases for s in c.services if c.ur_no_evidence]
    cited = [s for c in cases for s in c.services if not c.ur_no_evidence]
    assert _rate(no_ev) > _rate(cited) + 0.05


def test_outcome_terms_follow_the_latent_variables(cases):
    outcome = SynthTables.load().outcome
    for c in cases[:1000]:
        for s in c.services:
            t = outcome_terms(c, s, outcome)
            assert ("ur_no_evidence" in t) == c.ur_no_evidence
            assert ("partial_certification" in t) == s.partial
            if s.family == "imaging" and not s.associated and s.checklist.section_id:
                repeat = outcome["criteria"]["repeat_study"]
                assert t["repeat_study"] == (repeat["unmet"] if repeats_its_kind(c, s) else repeat["met"])


def test_associated_services_follow_an_upheld_surgery(cases):
    pairs = [(c.services[0], s) for c in cases for s in c.services[1:] if s.associated]
    assert pairs
    assert all(s.decision == "Upheld" for surgery, s in pairs if surgery.decision == "Upheld")


@pytest.mark.slow  # generates two shifted corpora
def test_guideline_shift_changes_outcomes_and_mix():
    base = CaseGenerator(GeneratorSettings(seed=9))
    shifted = CaseGenerator(GeneratorSettings(seed=9, shift="guideline-2017"))
    b = [s for i in range(3000) for s in base.case(i).services]
    s = [x for i in range(3000) for x in shifted.case(i).services]
    opioid_share = lambda xs: sum(x.family == "opioids" for x in xs) / len(xs)  # noqa: E731
    assert opioid_share(s) > opioid_share(b) * 1.4
    # the 2017 rules: continued opioids turn on documented functional improvement
    def unproven(xs):
        return [x for x in xs if x.family == "opioids" and (x.drug_months or 0) > 3
                and x.checklist.statuses.get("medication_benefit") in ("unmet", "not_documented")]

    assert _rate(unproven(s)) < _rate(unproven(b))


def test_unknown_shift_is_refused_with_the_known_names():
    with pytest.raises(ValueError, match="guideline-2017"):
        SynthTables.load("no-such-shift")


def test_letter_text_marks_synthetic_and_never_leaks_the_decision_before_the_issues(cases):
    gen = CaseGenerator(GeneratorSettings(seed=2024))
    renderer = LetterRenderer(gen.tables)
    for i in range(200):
        case = gen.case(i)
        text = renderer.render(case, gen.stream(i, STREAM_PRE_TEXT), gen.stream(i, STREAM_POST_TEXT))
        assert text.startswith("SYNTHETIC LETTER - generated by imr-triage, not a real IMR decision\n")
        pre_review = text.split("IMR ISSUES, DECISIONS AND RATIONALES")[0]
        assert "Upheld" not in pre_review and "Overturned" not in pre_review
        assert "medically necessary" not in pre_review
        assert f"{case.age} year old {case.sex}" in pre_review
        assert max(len(line) for line in text.splitlines()) <= 120


def test_wrap_keeps_words_and_width():
    text = "alpha beta gamma delta " * 20
    lines = wrap(text, 30)
    assert " ".join(lines) == " ".join(text.split())
    assert all(len(line) <= 30 for line in lines)


def test_one_history_per_worker_within_a_letter(cases):
    for c in cases:
        imaging = {}
        sessions = {}
        for s in c.services:
            if s.prior_imaging is not None:
                assert imaging.setdefault((s.region, s.side), s.prior_imaging) == s.prior_imaging
            if s.prior_sessions is not None:
                assert sessions.setdefault(s.item_key, s.prior_sessions) == s.prior_sessions


def test_unstated_pain_drops_only_the_pain_sentence_and_keeps_the_outcome():
    """The disclosure draw has its own stream: hiding the pain score removes one sentence of the
    summary and changes nothing else (latent pain, the rest of the text, and the outcome of every
    service whose governing section has no criterion that reads a stated pain: the pain level term, and
    failed conservative care, which a pain still high after care meets, session 23)."""
    gen = CaseGenerator(GeneratorSettings(seed=31))
    renderer = LetterRenderer(gen.tables)
    seen = {True: 0, False: 0}
    pain_criteria = {True: 0, False: 0}
    for i in range(200):
        case = gen.case(i)
        seen[case.pain_stated] += 1
        decided = {}
        sentences = {}
        for stated in (True, False):
            case.pain_stated = stated
            sentences[stated] = renderer.summary(case, gen.stream(i, STREAM_PRE_TEXT)).split(". ")
            assess(case, gen.tables)
            decide(case, gen.stream(i, STREAM_OUTCOME), gen.tables)
            decided[stated] = [(s.p_overturn, s.decision) for s in case.services]
        for s, before, after in zip(case.services, decided[True], decided[False], strict=True):
            families = s.checklist.by_family()
            reads_pain = ("pain_assessed" in families or "conservative_care" in families) and not s.associated
            pain_criteria[reads_pain] += 1
            if not reads_pain:
                assert before == after, (case.case_number, s.service)
        dropped = [x for x in sentences[True] if x not in sentences[False]]
        assert len(dropped) == 1 and str(case.pain) in dropped[0], dropped
        assert sentences[False] == [x for x in sentences[True] if x != dropped[0]]
    assert seen[True] > 60 and seen[False] > 60 and pain_criteria[True] > 10
