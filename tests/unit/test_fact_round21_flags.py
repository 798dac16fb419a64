"""Round 21: the kinds of red flags and prior surgery the round-20 and round-21 blind summary probes misread
(named in their write-ups, read without their rows) as classes of wording: red flags listed as a guideline's
condition or a request's reason in a clause of its own, an infection a test excluded and a fever put down to
another illness, a bone told "broken", cauda equina in lay words, a crash or a counted fall down stairs, a
reduced grip on a dynamometer and pain-limited strength, a requested decompression or an injection that is no
operation; each with near-misses that must not fire, and each read alike whoever the writer calls the worker
and whether the worker is he or she.

The rows are data, `fact_round21_flags.yaml` beside this module: SYNTHETIC sentences invented for these tests,
not from any letter or probe row. `{w}` is the writer's word for the worker; `{he}`, `{his}`, `{him}` (and
capitalised) the pronouns.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fact_kind_rows import check_table, load_rows, table_names, tables_without_near_miss

ROWS = load_rows(Path(__file__).with_name("fact_round21_flags.yaml"))


def test_every_table_has_rows_that_do_not_fire() -> None:
    """Each kind is tested both ways: every table has a near-miss row with another value."""
    assert tables_without_near_miss(ROWS) == []


@pytest.mark.parametrize("table", table_names(ROWS))
def test_each_round21_flag_kind_reads_the_protocols_value_for_every_writer(table: str) -> None:
    check_table(ROWS, table)
