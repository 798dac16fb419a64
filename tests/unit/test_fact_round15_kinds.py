"""Session 15: the kinds of wording the round-15 blind summary probe missed (the "Kinds of misread" of
`experiments/summary-probe-r15.md`), read as classes of wording, each with near-misses (negated, another
person's, hypothetical) that must not fire, and each read alike whoever the writer calls the worker (patient,
injured worker, claimant, applicant) and whether the worker is he or she.

The rows are data, `fact_round15_kinds.yaml` beside this module: SYNTHETIC sentences invented for these
tests from the annotation protocol (`/work/shared/docs/annotation-protocol.md`), not from any letter or
probe row. `{w}` is the writer's word for the worker; `{he}`, `{his}`, `{him}` (and capitalised) the pronouns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import yaml
from row_checks import check_rows

from features.extractors import EXTRACTORS, CaseContext, ServiceContext
from letters.pre_review import PreReviewCase
from letters.records import Case, GuidelineCitation, ServiceDecision

ROWS_FILE = Path(__file__).with_name("fact_round15_kinds.yaml")
WRITERS = ("patient", "injured worker", "claimant", "applicant")
PRONOUNS = {"he": {"he": "he", "his": "his", "him": "him"}, "she": {"he": "she", "his": "her", "him": "her"}}
INJURY, UR_DENIAL = date(2016, 1, 2), date(2016, 12, 1)
DEFAULT_HEADING = "Physical therapy 2x4 lumbar spine"


@dataclass(frozen=True)
class Row:
    """One SYNTHETIC summary, the feature read for a service with this heading, and the protocol's value."""

    table: str
    number: int
    summary: str
    feature: str
    heading: str
    expected: object


def load_rows(path: Path = ROWS_FILE) -> list[Row]:
    """Every row of every table, in file order."""
    rows = []
    for table in yaml.safe_load(path.read_text(encoding="utf-8")):
        for number, cells in enumerate(table["rows"]):
            summary, expected, *heading = cells
            rows.append(Row(table["table"], number, summary, table["feature"],
                            heading[0] if heading else table.get("heading", DEFAULT_HEADING), expected))
    return rows


def written(summary: str, writer: str, sex: str) -> str:
    """The summary in one writer's words: the worker's noun and the pronouns filled in."""
    pronouns = PRONOUNS[sex]
    words = {"w": writer, **pronouns, **{k.capitalize(): v.capitalize() for k, v in pronouns.items()}}
    intro = f"SYNTHETIC. The {writer} is a 45 year old who was hurt at work on 01/02/2016."
    return f"{intro} {summary.format(**words)}"


def value(summary: str, name: str, heading: str) -> object:
    """Feature `name` of one SYNTHETIC case with one service (UR denial 12/01/2016)."""
    service = ServiceDecision(item_index=0, heading=heading, service=heading,
                              ur_guideline=GuidelineCitation(raw="Decision based on MTUS."))
    case = Case(letter_id="SYN", clinical_summary=summary, ur_denial_date=UR_DENIAL, date_of_injury=INJURY,
                services=[service])
    view = PreReviewCase.from_case(case)
    return EXTRACTORS[name](ServiceContext.build(CaseContext.build(view), view.services[0])).value


def same(got: object, expected: object) -> bool:
    if isinstance(expected, float) and isinstance(got, float):
        return got == pytest.approx(expected, abs=0.05)
    return got == expected


ROWS = load_rows()


def test_every_table_has_rows_that_do_not_fire() -> None:
    """Each kind is tested both ways: a table of a tri-state or a number has a near-miss row too."""
    for table in {r.table for r in ROWS}:
        values = {str(r.expected) for r in ROWS if r.table == table}
        assert len(values) > 1, table


@pytest.mark.parametrize("table", list(dict.fromkeys(r.table for r in ROWS)))
def test_each_kind_reads_the_protocols_value_for_every_writer(table: str) -> None:
    """One case per table (a case per row cost more in pytest's bookkeeping than the extractors); a failure
    names each bad row as `table-number`."""
    rows = [(row,) for row in ROWS if row.table == table]
    check_rows(rows, _reads_the_protocols_value_for_every_writer, name=lambda r: f"{r.table}-{r.number}")


def _reads_the_protocols_value_for_every_writer(row: Row) -> None:
    got = {(w, sex): value(written(row.summary, w, sex), row.feature, row.heading)
           for w in WRITERS for sex in PRONOUNS}
    wrong = {k: v for k, v in got.items() if not same(v, row.expected)}
    assert not wrong, (row.summary, row.expected, wrong)
