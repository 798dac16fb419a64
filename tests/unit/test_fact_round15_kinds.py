"""Session 15: the kinds of wording the round-15 blind summary probe missed (the "Kinds of misread" of
`experiments/summary-probe-r15.md`), read as classes of wording, each with near-misses (negated, another
person's, hypothetical) that must not fire, and each read alike whoever the writer calls the worker (patient,
injured worker, claimant, applicant) and whether the worker is he or she.

The rows are data, `fact_round15_kinds.yaml` beside this module: SYNTHETIC sentences invented for these
tests from the annotation protocol (`/work/shared/docs/annotation-protocol.md`), not from any letter or
probe row. `{w}` is the writer's word for the worker; `{he}`, `{his}`, `{him}` (and capitalised) the pronouns.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fact_kind_rows import PRONOUNS, WRITERS, Row, load_rows, same, value, written
from row_checks import check_rows

ROWS_FILE = Path(__file__).with_name("fact_round15_kinds.yaml")
ROWS = load_rows(ROWS_FILE)


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
