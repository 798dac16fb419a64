"""Round 22: the kinds of wording the round-22 blind summary probe misread (named in its write-up, read
without its rows), written again in other words as classes of wording, each with near-misses: failed care
told as a short or partial benefit, a scant effect, help that stopped, a trial stopped because the care
aggravated the pain, the UR's adequate trial said missing; function denied by "neither .. nor" or "none of
the treatments", worse than a time before, regained in a list; sessions done of those authorised and
adjustments as sessions, one earlier injection for a repeat one; pre-operative imaging; a start weeks ago; a
steady number as a pain score; a test that looked for an infection; a reflex and a graded muscle; a vehicle
striking another at a speed. Each row reads alike whoever the writer calls the worker.

The rows are data, `fact_round22_kinds.yaml` beside this module: SYNTHETIC sentences and headings invented
for these tests, not from any letter or probe row. `{w}` is the writer's word for the worker; `{he}`, `{his}`,
`{him}` (and capitalised) the pronouns.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fact_kind_rows import check_table, load_rows, table_names, tables_without_near_miss

ROWS = load_rows(Path(__file__).with_name("fact_round22_kinds.yaml"))


def test_every_table_has_rows_that_do_not_fire() -> None:
    """Each kind is tested both ways: every table has a near-miss row with another value."""
    assert tables_without_near_miss(ROWS) == []


@pytest.mark.parametrize("table", table_names(ROWS))
def test_each_round22_kind_reads_the_protocols_value_for_every_writer(table: str) -> None:
    check_table(ROWS, table)
