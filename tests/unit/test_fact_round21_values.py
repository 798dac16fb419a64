"""Rounds 20 and 21: the kinds of numbers and imaging the round-20 and round-21 blind summary probes misread
(named in their write-ups, read without their rows) as classes of wording, each with near-misses: a start
told as the injury's event or a restart, a therapy never had, a request's length; sessions attended of those
authorised; a pain score put in the past beside a current one; sized containers; a study ordered then
reported, a sided item, a whole-body study. Each row reads alike whoever the writer calls the worker.

The rows are data, `fact_round21_values.yaml` beside this module: SYNTHETIC sentences and headings invented
for these tests, not from any letter or probe row. `{w}` is the writer's word for the worker; `{he}`, `{his}`,
`{him}` (and capitalised) the pronouns.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fact_kind_rows import check_table, load_rows, table_names, tables_without_near_miss

ROWS = load_rows(Path(__file__).with_name("fact_round21_values.yaml"))


def test_every_table_has_rows_that_do_not_fire() -> None:
    """Each kind is tested both ways: every table has a near-miss row with another value."""
    assert tables_without_near_miss(ROWS) == []


@pytest.mark.parametrize("table", table_names(ROWS))
def test_each_round21_kind_reads_the_protocols_value_for_every_writer(table: str) -> None:
    check_table(ROWS, table)
