"""Session 16: the kinds of wording the round-16 blind summary probe missed (the "Kinds of misread" of
`experiments/summary-probe-r16.md`, read without its rows), as classes of wording, each with near-misses
(negated, another person's, hypothetical) that must not fire, and each read alike whoever the writer calls the
worker (patient, injured worker, claimant, applicant) and whether the worker is he or she.

The rows are data, `fact_round16_kinds.yaml` beside this module: SYNTHETIC sentences invented for these
tests from the annotation protocol (`/work/shared/docs/annotation-protocol.md`), not from any letter or
probe row. `{w}` is the writer's word for the worker; `{he}`, `{his}`, `{him}` (and capitalised) the pronouns.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fact_kind_rows import check_table, load_rows, table_names, tables_without_near_miss

ROWS = load_rows(Path(__file__).with_name("fact_round16_kinds.yaml"))


def test_every_table_has_rows_that_do_not_fire() -> None:
    """Each kind is tested both ways: every table has a near-miss row with another value."""
    assert tables_without_near_miss(ROWS) == []


@pytest.mark.parametrize("table", table_names(ROWS))
def test_each_round16_kind_reads_the_protocols_value_for_every_writer(table: str) -> None:
    check_table(ROWS, table)
