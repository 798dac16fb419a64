"""The dated visits a long summary tells its course by: each summary sentence's visit date. A visit's dating
sentence opens a segment that runs until the next dated visit, the request for authorization or the UR's
account; undated sentences before the first visit are history (no date). What a later visit says of a fact
that changes (a deficit gone, care that stopped helping) is read in this order (`features.visit_course`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import cached_property, lru_cache
from weakref import WeakKeyDictionary

from features.analysis import AnalysedText
from features.authors import UR_REVIEWER, load_author_rules
from features.sentences import Sentence
from features.value_patterns import value_patterns
from features.written_dates import month_name_class, parse_date

OPENING_REACH = 6  # characters after a visit's opening words in which its date may end
# session 38 (round-75 kind K11): after opening words that end on a month's name ("At the visit of August"),
# its day and year (" 13, 2016")
MONTH_OPENING_REACH = 10
VISIT_LOOKBACK = 3  # sentences back in which an undated sentence finds the date of the visit it reports
_CACHE: WeakKeyDictionary[AnalysedText, list[date | None]] = WeakKeyDictionary()


@lru_cache(maxsize=1)
def _ends_on_a_month() -> re.Pattern[str]:
    """Opening words that end on a month's name (`MONTH_OPENING_REACH`)."""
    return re.compile(rf"\b{month_name_class()}$", re.IGNORECASE)


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
    token = opening_date(text, p["visit_date_token"])
    when = parse_date(token.group(0)) if token is not None else None
    if when is not None:
        return when
    report = p["visit_report_dated"].search(text)
    if report is None:
        return None
    return parse_date(report.group("date") or report.group("date2"))


def opening_date(text: str, token: re.Pattern[str],
                 header: re.Match[str] | None = None) -> re.Match[str] | None:
    """The first date `token` finds in a sentence's visit-opening words (authors.yaml `new_visit`, else its
    block heading `header`: "On 10/30/2017 she ...", "At the 05/14/2018 visit ..."), ending within
    `OPENING_REACH` characters after them; None where the sentence opens no visit. The one definition of a
    visit's opening date that the visit segments (`visit_opened`) and the dated sentences below share."""
    words = load_author_rules().new_visit.match(text) or header
    if not words:
        return None
    reach = MONTH_OPENING_REACH if _ends_on_a_month().search(text, 0, words.end()) else OPENING_REACH
    return token.search(text, 0, words.end() + reach)


class DatedSentences:
    """Per summary sentence, the date of the visit it reports as a drug's start and a pain score read it: its
    own last date, its opening date, or the date of the sentences just before it (`visit_date`). Unlike the
    visit segments (`visit_dates`), any dated sentence dates the few after it, and the dates of other events
    (`studied`: a study's; `other_events`: a use since a date, a restart) date no visit."""

    def __init__(self, sentences: Sequence[Sentence], injury: date | None,
                 studied: Sequence[Sequence[tuple[int, int]]],
                 other_events: Sequence[Sequence[tuple[int, int]]]) -> None:
        self.sentences = sentences
        self.injury = injury
        self.studied = studied
        self.other_events = other_events

    @cached_property
    def headers(self) -> list[re.Match[str] | None]:
        """Per summary sentence, its visit block heading's date (`visit_header_date`: "PR-2 03/04/2016:",
        "05/02/2016 - S:"), read once for the three readers of a visit's date below."""
        header = value_patterns()["visit_header_date"]
        return [header.match(s.text) for s in self.sentences]

    @cached_property
    def sentence_dates(self) -> list[tuple[date, str] | None]:
        """The last full date written in each summary sentence (date, as written), None where there is
        none: the date of the visit a following undated sentence reports."""
        pattern = value_patterns()["date"]
        out: list[tuple[date, str] | None] = []
        rows = zip(self.sentences, self.studied, self.other_events, self.headers, strict=True)
        for s, studied, others, header in rows:
            found = [(d, m.group(0)) for m in pattern.finditer(s.text)  # round 26: nor a study's date
                     if not any(a <= m.start() < b for a, b in (*others, *studied))
                     and (d := parse_date(m.group(0)))]
            # round 32: a visit block's heading date is its visit's
            head = parse_date(header.group("date")) if header else None
            out.append((head, header.group("date")) if head else found[-1] if found else None)
        return out

    @cached_property
    def opening_dates(self) -> list[tuple[date, str] | None]:
        """Per summary sentence, the date its opening words give the visit it reports (`opening_date`), None
        where it opens with none or that date is a study's: the visit an undated start later in the same
        sentence counts from, before any visit told in the sentences before it (round 32: "At the 05/14/2018
        visit the naproxen was refilled ...; she was started on famotidine" started on 05/14/2018, not at the
        visit before)."""
        pattern = value_patterns()["date"]
        out: list[tuple[date, str] | None] = []
        for s, studied, header in zip(self.sentences, self.studied, self.headers, strict=True):
            first = opening_date(s.text, pattern, header)
            when = parse_date(first.group(0)) if first else None
            own = when is not None and not any(a <= first.start() < b for a, b in studied)
            out.append((when, first.group(0)) if own else None)
        return out

    def visit_date(self, index: int) -> tuple[date, str] | None:
        """The date of the visit summary sentence `index` reports: the last date written before it, in
        the `VISIT_LOOKBACK` sentences before it, or further back when that dated sentence opens a visit
        ("On the 01/06/2017 office visit, ...") and no dated sentence comes between (the visit's
        paragraph goes on; a study's date is no visit's, but it ends the paragraph all the same)."""
        for back in range(index - 1, -1, -1):
            found = self.sentence_dates[back]
            if found is None and self.studied[back]:
                return None  # round 26: a study's dated report between ends the visit's paragraph, dates none
            if found is None or found[0] == self.injury:
                continue  # round 33: the injury's date told in a block is no visit's, nor ends it
            text = self.sentences[back].text
            if index - back <= VISIT_LOOKBACK or load_author_rules().new_visit.search(text) \
                    or self.headers[back]:
                return found
            return None
        return None

    def report_date(self, index: int) -> tuple[date, str] | None:
        """The date of the report block summary sentence `index` is in: the last sentence before it that
        heads a report and ends on its date (`report_heading_date`), however many sentences or studies come
        between: "today" in a PR-2 is that PR-2's day (round 34: "Date of exam: ..." then an MRI, then
        "started today")."""
        heading = value_patterns()["report_heading_date"]
        for back in range(index - 1, -1, -1):
            m = heading.search(self.sentences[back].text)
            if m is not None and (day := parse_date(m.group("date"))) is not None:
                return day, m.group("date")
        return None
