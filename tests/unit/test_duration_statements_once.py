"""Session 32, on SYNTHETIC letters: a summary sentence's duration statements are read once per letter
(`DurationsOfUse.statements_in`) for the visit and operation dates read for it, whatever number of services
and drug names read the sentence, and are what `stated_durations` gives."""

from __future__ import annotations

from datetime import date

from synthetic_cases import case_of

from features import drug_durations
from features.duration_statements import stated_durations
from features.facts import CaseFacts
from features.value_patterns import value_patterns
from letters.pre_review import PreReviewCase

INJURY, UR = date(2016, 3, 1), date(2016, 12, 1)
SUMMARY = ("The injured worker is a 51 year old male hurt lifting a pallet (SYNTHETIC test text). "
           "On 10/03/2016 he was seen in follow-up. Norco and tramadol were started on 06/01/2016 and "
           "he has taken naproxen for three months. Pain was rated 6/10.")


def test_a_sentences_statements_are_read_once_per_visit_and_are_stated_durations(monkeypatch) -> None:
    facts = CaseFacts(PreReviewCase.from_case(case_of(SUMMARY, ["Norco 10/325 mg #60", "Tramadol 50 mg #60"],
                                                      injury=INJURY, ur=UR)))
    durations = facts.durations
    index = next(s.index for s in facts.summary.sentences if "Norco" in s.text)
    read: list[int] = []
    real = drug_durations._durations
    monkeypatch.setattr(drug_durations, "_durations", lambda *a, **k: read.append(1) or real(*a, **k))
    visit = (date(2016, 10, 3), "10/03/2016")
    first = durations.statements_in(index, visit, None)
    assert first == stated_durations(facts.summary.sentences[index].text, value_patterns(), UR, injury=INJURY,
                                     visit=visit, surgery=None, not_starts=durations.study_dates[index])
    assert {st.key for st in first} >= {"duration_for", "duration_start"}
    assert durations.statements_in(index, visit, None) is first and len(read) == 1
    durations.statements_in(index, None, None)  # another visit date: read on its own
    assert len(read) == 2
