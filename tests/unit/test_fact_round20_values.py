"""Round 20: the kinds of red flag and pain score the round-20 blind summary probe misread (named in its
write-up and the lead's brief, read without its rows) as classes of wording: red flags named in a rule of care
kept to a condition, an infection in lay words at a wound or a lanced collection, a fall from height told
without "fall", cauda equina in the patient's words, a pain score after a verb of level; each with
near-misses that must not fire, and each read alike whoever the writer calls the worker and whether the
worker is he or she.

The rows are data, `fact_round20_values.yaml` beside this module: SYNTHETIC sentences invented for these
tests, not from any letter or probe row. `{w}` is the writer's word for the worker; `{he}`, `{his}`,
`{him}` (and capitalised) the pronouns.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fact_kind_rows import check_table, load_rows, table_names, tables_without_near_miss

ROWS = load_rows(Path(__file__).with_name("fact_round20_values.yaml"))


def test_every_table_has_rows_that_do_not_fire() -> None:
    """Each kind is tested both ways: every table has a near-miss row with another value."""
    assert tables_without_near_miss(ROWS) == []


@pytest.mark.parametrize("table", table_names(ROWS))
def test_each_round20_value_kind_reads_the_protocols_value_for_every_writer(table: str) -> None:
    check_table(ROWS, table)
