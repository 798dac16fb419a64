"""The dated visits of a long summary (features/visits.py): each sentence's visit, from the dating sentence
that opens its segment to the next dated visit, the request for authorization or the UR's account.
SYNTHETIC text."""

from __future__ import annotations

from datetime import date

from features.analysis import AnalysedText
from features.visits import visit_dates, visit_opened
from letters.records import Section


def _dates(text: str) -> list[date | None]:
    return visit_dates(AnalysedText(text, Section.CLINICAL_SUMMARY))


def test_each_sentence_belongs_to_the_visit_that_opens_its_segment() -> None:
    text = ("The worker hurt a knee at work. Treatment has included ice. In a progress report dated "
            "2-3-2016, the knee was swollen. A brace was given. Splinting helped; per the 4-5-2016 report "
            "the swelling was gone. The gait was normal. The Request for Authorization dated 4-9-2016 "
            "asked for an MRI. The brace is worn daily.")
    first, second = date(2016, 2, 3), date(2016, 4, 5)
    assert _dates(text) == [None, None, first, first, second, second, None, None]


def test_a_visit_is_dated_by_its_opening_words_or_its_report() -> None:
    assert visit_opened("At the follow-up visit on 5-3-2016 the knee was better.") == date(2016, 5, 3)
    assert visit_opened("In 2015, therapy failed.") == date(2015, 1, 1)
    assert visit_opened("By the progress report dated 04/19/2016, she walked.") == date(2016, 4, 19)
    # near-misses: a date that opens no visit (a start of use, a study told mid-sentence)
    assert visit_opened("She has taken ibuprofen since 3-1-2016.") is None
    assert visit_opened("She had an MRI of the knee on 3-1-2016.") is None
