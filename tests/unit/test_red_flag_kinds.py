"""The rarer red flags (infection, cancer, cauda equina) and the others in requirement lists: the kinds of
wording that read a finding where the text states none (a guideline's list of red flags, a normal result that
names the disease, an infection of another organ system, a bladder sign from another cause), as classes of
wording with true findings beside them, each read alike whoever the writer calls the worker (patient, injured
worker, claimant, applicant) and whether the worker is he or she.

The rows are data, `red_flag_kinds.yaml` beside this module: SYNTHETIC sentences invented for these tests from
the feature spec and the annotation protocol, not from any letter or probe row. `{w}` is the writer's word for
the worker; `{he}`, `{his}`, `{him}` (and capitalised) the pronouns.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fact_kind_rows import PRONOUNS, WRITERS, Row, load_rows, same, value, written
from row_checks import check_rows

ROWS = load_rows(Path(__file__).with_name("red_flag_kinds.yaml"))


def test_every_table_has_rows_that_do_not_fire() -> None:
    """Each kind is tested both ways: every table has a near-miss row with another value."""
    for table in {r.table for r in ROWS}:
        assert len({str(r.expected) for r in ROWS if r.table == table}) > 1, table


@pytest.mark.parametrize("table", list(dict.fromkeys(r.table for r in ROWS)))
def test_each_red_flag_kind_reads_the_protocols_value_for_every_writer(table: str) -> None:
    """One case per table; a failure names each bad row as `table-number`."""
    rows = [(row,) for row in ROWS if row.table == table]
    check_rows(rows, _reads_the_protocols_value_for_every_writer, name=lambda r: f"{r.table}-{r.number}")


def _reads_the_protocols_value_for_every_writer(row: Row) -> None:
    got = {(w, sex): value(written(row.summary, w, sex), row.feature, row.heading)
           for w in WRITERS for sex in PRONOUNS}
    wrong = {k: v for k, v in got.items() if not same(v, row.expected)}
    assert not wrong, (row.summary, row.expected, wrong)
