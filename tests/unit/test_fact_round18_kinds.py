"""Round 18: the kinds of pain score and drug quantity the round-18 blind summary probe misread (named in
its write-up, read without its rows) as classes of wording (named scales, levels and ratings, numbers in
words, a dose times days, a '#' in a drug's name, a prescription's "x 15 days"), each with near-misses that
must not fire, and each read alike whoever the writer calls the worker and whether the worker is he or she.

The rows are data, `fact_round18_kinds.yaml` beside this module: SYNTHETIC sentences and headings invented
for these tests, not from any letter or probe row. `{w}` is the writer's word for the worker; `{he}`, `{his}`,
`{him}` (and capitalised) the pronouns.
"""

from __future__ import annotations

from pathlib import Path

from fact_kind_rows import PRONOUNS, WRITERS, Row, load_rows, same, value, written
from row_checks import check_rows

ROWS = load_rows(Path(__file__).with_name("fact_round18_kinds.yaml"))


def test_every_table_has_rows_that_do_not_fire() -> None:
    """Each kind is tested both ways: every table has a near-miss row with another value."""
    for table in {r.table for r in ROWS}:
        assert len({str(r.expected) for r in ROWS if r.table == table}) > 1, table


def test_each_round18_kind_reads_the_protocols_value_for_every_writer() -> None:
    """One test for the whole table; a failure names each bad row as `table-number`."""
    check_rows([(row,) for row in ROWS], _reads_the_protocols_value_for_every_writer,
               name=lambda r: f"{r.table}-{r.number}")


def _reads_the_protocols_value_for_every_writer(row: Row) -> None:
    got = {(w, sex): value(written(row.summary, w, sex), row.feature, row.heading)
           for w in WRITERS for sex in PRONOUNS}
    wrong = {k: v for k, v in got.items() if not same(v, row.expected)}
    assert not wrong, (row.summary, row.expected, wrong)
