"""The rarer red flags (infection, cancer, cauda equina) and the others in requirement lists: the kinds of
wording that read a finding where the text states none (a guideline's list of red flags, a normal result that
names the disease, an infection of another organ system, a bladder sign from another cause), as classes of
wording with true findings beside them, each read alike whoever the writer calls the worker (patient, injured
worker, claimant, applicant) and whether the worker is he or she.

The rows are data, `red_flag_kinds.yaml` beside this module: SYNTHETIC sentences invented for these tests from
the feature spec and the annotation protocol, not from any letter or probe row. The fix19b tables test the
classes of `features/red_flag_lexicon.yaml` (a malignancy by its stem, an infection by term or organism, cauda
equina by its components in clinical or lay words), a general definition of red flags and an exception to a
denied class ("no red flags other than a history of cancer"). `{w}` is the writer's word for
the worker; `{he}`, `{his}`, `{him}` (and capitalised) the pronouns.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fact_kind_rows import check_table, load_rows, table_names, tables_without_near_miss

ROWS = load_rows(Path(__file__).with_name("red_flag_kinds.yaml"))


def test_every_table_has_rows_that_do_not_fire() -> None:
    """Each kind is tested both ways: every table has a near-miss row with another value."""
    assert tables_without_near_miss(ROWS) == []


@pytest.mark.parametrize("table", table_names(ROWS))
def test_each_red_flag_kind_reads_the_protocols_value_for_every_writer(table: str) -> None:
    check_table(ROWS, table)
