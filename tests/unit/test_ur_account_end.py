"""Session 19: where the UR's account ends. A sentence without an author cue after a UR sentence kept the UR
author (carry-over), so a dated study result or procedure of the record written next lost its facts. Each
SYNTHETIC sentence is read for every writer's noun for the worker and both pronouns: no author or fact may
change with the writer's words. Near-misses are the UR's own continuations, which stay the UR's.
"""

from __future__ import annotations

import pytest
from fact_kind_rows import PRONOUNS, WRITERS, written
from fact_kind_rows import value as read_value

from features.analysis import AnalysedText
from letters.records import Section

STYLES = [(w, sex) for w in WRITERS for sex in PRONOUNS]
UR = ("The request for {what} was non-certified by utilization review because there was no documentation "
      "of {why}. ")


def last_author(summary: str, writer: str, sex: str) -> str | None:
    """The author given to the summary's last sentence, written in one writer's words."""
    return AnalysedText(written(summary, writer, sex), Section.CLINICAL_SUMMARY).sentences[-1].author


def assert_every_style(read, expected: object) -> None:
    got = {(w, sex): read(w, sex) for w, sex in STYLES}
    assert got == dict.fromkeys(STYLES, expected), got


# a dated record event after a UR sentence is the record's (author None); the UR's continuation stays the UR's
RECORD_EVENTS = [
    "An MRI of the right knee on 05/02/2016 showed a tear of the medial meniscus.",
    "Plain film imaging of the left shoulder dated October 14, 2016 was notable for calcific tendinitis.",
    "A prior lumbar MRI dated 05/02/2015 was normal.",
    "EMG/NCS dated 01/05/2016 showed moderate left carpal tunnel syndrome.",
    "The {w} underwent a right knee arthroscopy on 03/04/2015.",
    "{He} had an L4-5 microdiscectomy in 2014.",
    "{He} subsequently completed 12 sessions of physical therapy in 2016.",
    "A right knee arthroscopy was performed on 03/04/2015.",
    "05/02/2016 follow-up: knee pain persisted.",
]
UR_CONTINUATIONS = [
    "Additionally, the guidelines do not recommend arthroscopy for degenerative tears.",
    "It was noted the MRI dated 05/02/2016 showed only mild degeneration.",
    "The reviewer cited an MRI dated 05/02/2016 that showed only mild degeneration.",
    "The reviewer noted the lack of improvement; it was also noted that no recent imaging was provided.",
    "Results of preliminary x-rays were not provided.",
    "A right knee arthroscopy was the original request.",
    "A November 18, 2016 date of service was referenced in the determination.",
    "The {w} did not meet the criteria for the procedure.",
    "{He} had not completed physical therapy since 2015.",
]


@pytest.mark.parametrize(("sentence", "author"), [*((r, None) for r in RECORD_EVENTS),
                                                *((c, "ur_reviewer") for c in UR_CONTINUATIONS)])
def test_where_the_urs_account_ends(sentence: str, author: str | None) -> None:
    summary = UR.format(what="a right knee arthroscopy", why="failed conservative care") + sentence
    assert_every_style(lambda w, sex: last_author(summary, w, sex), author)


@pytest.mark.parametrize(("record", "name", "heading", "expected"), [
    ("{He} underwent 12 sessions of physical therapy in 2016 without relief.", "failed_conservative_care",
     "Right knee arthroscopy", "yes"),
    ("{He} started Norco 10/325 on 01/05/2016 and it did not help.", "failed_conservative_care",
     "Norco 10/325mg #60", "yes"),
    ("A right knee arthroscopy was performed on 03/04/2015.", "prior_surgery", "Lumbar fusion L4-5", True),
    ("A lumbar MRI dated 05/02/2015 was normal.", "prior_imaging_same_region", "MRI of the lumbar spine",
     True),
])
def test_a_dated_record_event_after_a_ur_sentence_keeps_its_fact(record: str, name: str, heading: str,
                                                                 expected: object) -> None:
    summary = UR.format(what="the requested care", why="medical necessity") + record
    assert_every_style(lambda w, sex: read_value(written(summary, w, sex), name, heading), expected)


@pytest.mark.parametrize(("complaint", "expected"), [
    ("right shoulder pain", False),  # the film is of the right shoulder: not the left arm's
    ("left shoulder pain", True),
    ("pain in both shoulders, right worse than left", True),  # both sides named: the film's side is unknown
])
def test_a_study_naming_no_side_is_of_the_side_the_summary_gives_its_region(complaint: str,
                                                                          expected: bool) -> None:
    """The film names 'the shoulder' only; the complaint says which shoulder (a region given one side)."""
    summary = (f"The {{w}} has {complaint}. Plain film imaging of the shoulder dated 10/14/2016 showed "
               "calcific tendinitis.")
    assert_every_style(lambda w, sex: read_value(written(summary, w, sex), "prior_imaging_same_region",
                                                 "EMG of the left upper extremity"), expected)
