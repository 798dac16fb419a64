"""The ways clinical and UR writing states each pre-review fact, one SYNTHETIC sentence per way.

Written from general clinical and utilization-review writing and the annotation protocol
(`../shared/docs/annotation-protocol.md`), not from any letter: each row is a phrasing an unseen letter may
use. The extractors must read the value the protocol gives it; a rule removed from `features/concepts.yaml`,
`features/context_rules.yaml` or `features/value_patterns.yaml` (or a structural rule in `features/facts.py`
or a module it reads) makes its rows fail. The rows are data, `fact_phrasings.yaml` beside this module, one
table per kind and probe round; one test reads them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from row_checks import check_rows

from features.extractors import CaseContext, ServiceContext, registered_extractors
from features.package_data import parse_yaml
from features.table import feature_rows
from letters.pre_review import PreReviewCase
from letters.records import Case, GuidelineCitation, ServiceDecision

PHRASINGS_FILE = Path(__file__).with_name("fact_phrasings.yaml")
DEFAULT_HEADING = "MRI of the left knee"
INTRO = "SYNTHETIC. The injured worker is a 45 year old male who was hurt at work on 01/02/2016. "


def value(summary: str, name: str, heading: str = DEFAULT_HEADING, *,
          ur_denial: date = date(2016, 12, 1)) -> object:
    """The value of feature `name` for one SYNTHETIC case with one service: that feature's extractor
    alone, on the pre-review view `features.table` builds (the whole table per row would cost the
    fast suite seconds)."""
    service = ServiceDecision(item_index=0, heading=heading, service=heading,
                              ur_guideline=GuidelineCitation(raw="Decision based on MTUS."))
    case = Case(letter_id="SYN", clinical_summary=INTRO + summary, ur_denial_date=ur_denial,
                date_of_injury=date(2016, 1, 2), services=[service])
    view = PreReviewCase.from_case(case)
    ctx = ServiceContext.build(CaseContext.build(view), view.services[0])
    return registered_extractors()[name](ctx).value


@dataclass(frozen=True)
class Phrasing:
    """One row: a SYNTHETIC summary, the feature read for a service with this heading, the value the
    annotation protocol gives it and how the value is compared."""

    table: str
    row: int
    summary: str
    feature: str
    heading: str
    expected: object
    compare: str


def load_phrasings(path: Path = PHRASINGS_FILE) -> list[Phrasing]:
    """Every row of every table, in file order; a table naming no feature (or a row of the wrong width)
    stops the collection with its name."""
    rows = []
    for table in parse_yaml(path.read_text(encoding="utf-8")):
        columns, name = table["columns"], table["table"]
        assert table["compare"] in {"equal", "is", "approx"}, name
        assert ("feature" in table) != ("name" in columns), name
        for number, row in enumerate(table["rows"]):
            assert len(row) == len(columns), (name, row)
            cells = dict(zip(columns, row, strict=True))
            heading = cells.get("heading", table.get("heading", DEFAULT_HEADING))
            rows.append(Phrasing(name, number, cells["summary"], cells.get("name", table.get("feature")),
                                 heading, cells["expected"], table["compare"]))
    return rows


PHRASINGS = load_phrasings()
TABLES = list(dict.fromkeys(case.table for case in PHRASINGS))


@pytest.mark.parametrize("table", TABLES)
def test_each_phrasing_reads_the_protocols_value(table: str) -> None:
    """One case per table (hundreds of rows as cases cost more in pytest's bookkeeping than the extractors);
    a failure names each bad row as `table-row`."""
    rows = [(case,) for case in PHRASINGS if case.table == table]
    check_rows(rows, _reads_the_protocols_value, name=lambda case: f"{case.table}-{case.row}")


def _reads_the_protocols_value(case: Phrasing) -> None:
    got = value(case.summary, case.feature, case.heading)
    if case.compare == "is":
        assert got is case.expected, case.summary
    elif case.compare == "approx" and case.expected is not None:
        assert got == pytest.approx(case.expected, abs=0.05), case.summary
    else:
        assert got == case.expected, case.summary


def test_every_table_has_rows_and_a_name_of_its_own() -> None:
    """An empty or twice-named table would hide rows from the ids that name them."""
    tables = parse_yaml(PHRASINGS_FILE.read_text(encoding="utf-8"))
    names = [table["table"] for table in tables]
    assert len(names) == len(set(names)) and all(table["rows"] for table in tables)


def test_value_is_the_feature_tables_value() -> None:
    """The one-extractor shortcut reads what the feature table reads."""
    summary = "She has completed 12 sessions of physical therapy without relief."
    heading = "Physical therapy x 6"
    service = ServiceDecision(item_index=0, heading=heading, service=heading,
                              ur_guideline=GuidelineCitation(raw="Decision based on MTUS."))
    case = Case(letter_id="SYN", clinical_summary=INTRO + summary, ur_denial_date=date(2016, 12, 1),
                date_of_injury=date(2016, 1, 2), services=[service])
    row = feature_rows(case)[0].values
    for name in ("failed_conservative_care", "prior_sessions", "functional_improvement"):
        assert value(summary, name, heading) == row[name].value


def test_conservative_care_not_exhausted_is_no_failure() -> None:
    assert value("Conservative care has not been exhausted.", "failed_conservative_care") != "yes"


def test_a_start_date_counts_months_to_a_tenth_to_the_ur_denial() -> None:
    """A known start day counts days / 30.44 to the UR denial (05/01 to 06/24 is 1.8, not a whole 1; the
    round-5 probe keys months to a tenth); less than half a month before the UR is newly started, 0, and
    four weeks are 0.9 (round 15, as the round-14 and round-15 writers key them)."""
    summary = "She has been on Lyrica since 05/01/2016."
    assert value(summary, "duration_of_use_months", "Lyrica 75mg", ur_denial=date(2016, 6, 24)) == 1.8
    # 184 days: 6.0 at the keying convention's 30.44 days a month (6.1 at 30.4, before session 34)
    assert value(summary, "duration_of_use_months", "Lyrica 75mg", ur_denial=date(2016, 11, 1)) == 6.0
    assert value(summary, "duration_of_use_months", "Lyrica 75mg", ur_denial=date(2016, 5, 29)) == 0.9
    assert value(summary, "duration_of_use_months", "Lyrica 75mg", ur_denial=date(2016, 5, 10)) == 0.0


@pytest.mark.parametrize("headings, expected", [
    # post-operative care for an operation the letter still requests has not started: no duration of use
    (["Right carpal tunnel release", "Post-operative occupational therapy x 12"], None),  # fails
    (["Post-operative occupational therapy x 12"], 5.0),
])
def test_post_operative_care_before_its_operation_round12(headings: list[str],
                                                          expected: float | None) -> None:
    summary = "She has had hand therapy since 07/02/2016."
    services = [ServiceDecision(item_index=i, heading=h, service=h,
                                ur_guideline=GuidelineCitation(raw="Decision based on MTUS."))
                for i, h in enumerate(headings)]
    case = Case(letter_id="SYN", clinical_summary=INTRO + summary, ur_denial_date=date(2016, 12, 1),
                date_of_injury=date(2016, 1, 2), services=services)
    got = feature_rows(case)[-1].values["duration_of_use_months"].value
    assert got == expected if expected is None else got == pytest.approx(expected, abs=0.05)
