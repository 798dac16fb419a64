"""The dated visits a long summary tells its course by: each summary sentence's visit date. A visit's dating
sentence opens a segment that runs until the next dated visit, the request for authorization or the UR's
account; undated sentences before the first visit are history (no date). What a later visit says of a fact
that changes (a deficit gone, care that stopped helping) is read in this order (`features.visit_course`)."""

from __future__ import annotations

from datetime import date
from weakref import WeakKeyDictionary

from features.analysis import AnalysedText
from features.authors import UR_REVIEWER, load_author_rules
from features.sentences import Sentence
from features.value_patterns import value_patterns
from features.written_dates import parse_date

OPENING_REACH = 6  # characters after a visit's opening words in which its date may end
_CACHE: WeakKeyDictionary[AnalysedText, list[date | None]] = WeakKeyDictionary()


def visit_dates(summary: AnalysedText) -> list[date | None]:
    """Per summary sentence, the date of the visit it belongs to (None: history before the first visit, or
    after the visits end), read once per summary."""
    found = _CACHE.get(summary)
    if found is None:
        found = _CACHE[summary] = _read_visit_dates(summary.sentences)
    return found


def _read_visit_dates(sentences: list[Sentence]) -> list[date | None]:
    end = value_patterns()["visits_end"]
    out: list[date | None] = []
    current: date | None = None
    for s in sentences:
        if s.author == UR_REVIEWER or end.search(s.text):
            current = None  # the request or the UR's account: no visit's, and it ends the one before
            out.append(None)
            continue
        current = visit_opened(s.text) or current
        out.append(current)
    return out


def visit_opened(text: str) -> date | None:
    """The date of the visit sentence `text` opens: a date in its opening words (authors.yaml `new_visit`,
    the one definition of a visit's opening the author and drug readers share; a block heading's date), or a
    visit's report named by its date anywhere in it ("per the 6-1-2016 report"); None if it opens none."""
    p = value_patterns()
    header = p["visit_header_date"].match(text)
    if header is not None:
        return parse_date(header.group("date"))
    opening = load_author_rules().new_visit.match(text)
    if opening is not None:
        token = p["visit_date_token"].search(text, 0, opening.end() + OPENING_REACH)
        when = parse_date(token.group(0)) if token is not None else None
        if when is not None:
            return when
    report = p["visit_report_dated"].search(text)
    if report is None:
        return None
    return parse_date(report.group("date") or report.group("date2"))
