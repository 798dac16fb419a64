"""The kinds of wording the blind summary probes misread (rounds 15-22, named in each round's write-up and
read without its rows), the rarer red flags and side effects, as classes of wording: every table of every
`fact_round*.yaml` and `*_kinds.yaml` beside this module (each file's header says which kinds).

Every row is a SYNTHETIC summary invented for these tests, not taken from any letter or probe row, read
through the real extractors for each writer's noun for the worker and both pronouns (`fact_kind_rows`): a
value may not change with the writer's style. Every table also holds a near-miss with another value, so each
kind is tested both ways.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fact_kind_rows import (
    PRONOUNS,
    WRITERS,
    Row,
    check_table,
    load_rows,
    readings,
    table_names,
    tables_without_near_miss,
)

HERE = Path(__file__).parent
FILES = sorted({p.name for p in HERE.glob("fact_round*.yaml")} | {p.name for p in HERE.glob("*_kinds.yaml")})
ROWS = {name: load_rows(HERE / name) for name in FILES}


def _tables() -> list[tuple[str, str]]:
    return [(name, table) for name, rows in ROWS.items() for table in table_names(rows)]


TABLES = _tables()


def test_the_tables_are_found() -> None:
    """A renamed or moved file would silently drop its tables: the rounds' files are all here."""
    assert len(FILES) >= 12 and {"red_flag_kinds.yaml", "side_effect_kinds.yaml",
                                 "summary_probe40_kinds.yaml",
                                 "summary_probe41_kinds.yaml",
                                 "summary_probe42_kinds.yaml",
                                 "summary_probe43_kinds.yaml",
                                 "summary_probe44_kinds.yaml",
                                 "summary_probe45_kinds.yaml",
                                 "summary_probe46_kinds.yaml",
                                 "summary_probe47_kinds.yaml",
                                 "summary_probe48_kinds.yaml",
                                 "summary_probe49_kinds.yaml",
                                 "summary_probe50_kinds.yaml",
                                 "summary_probe51_kinds.yaml",
                                 "summary_probe52_kinds.yaml",
                                 "summary_probe52_leftover_kinds.yaml",
                                 "summary_probe52b_kinds.yaml",
                                 "summary_probe53_kinds.yaml",
                                 "summary_probe52_visits_kinds.yaml",
                                 "summary_probe54a_kinds.yaml",
                                 "summary_probe54b_kinds.yaml",
                                 "summary_probe55_kinds.yaml",
                                 "summary_probe55care_kinds.yaml",
                                 "summary_probe56_kinds.yaml",
                                 "summary_probe56dur_kinds.yaml",
                                 "summary_probe57a_kinds.yaml",
                                 "summary_probe57dur_kinds.yaml",
                                 "summary_probe58_kinds.yaml",
                                 "summary_probe35block_kinds.yaml",
                                 "summary_probe59_kinds.yaml",
                                 "summary_probe60_kinds.yaml",
                                 "summary_probe61fn_kinds.yaml",
                                 "summary_probe62dur_kinds.yaml",
                                 "summary_probe36care_kinds.yaml",
                                 "summary_probe36dur_kinds.yaml",
                                 "summary_probe36fn_kinds.yaml",
                                 "summary_probe36rec_kinds.yaml",
                                 "summary_probe36se_kinds.yaml",
                                 "summary_probe37care_kinds.yaml",
                                 "summary_probe37dur_kinds.yaml",
                                 "summary_probe37fn_kinds.yaml",
                                 "summary_probe37inj_kinds.yaml",
                                 "summary_probe37rec_kinds.yaml",
                                 "summary_probe37ur_kinds.yaml",
                                 "summary_probe38dur_kinds.yaml",
                                 "summary_probe38rec_kinds.yaml",
                                 "summary_probe38care_kinds.yaml",
                                 "summary_probe38oth_kinds.yaml",
                                 "summary_probe38fn_kinds.yaml",
                                 "summary_probe38plan_kinds.yaml",
                                 "summary_probe38lead_kinds.yaml",
                                 "summary_probe38ses_kinds.yaml",
                                 "summary_probe38end_kinds.yaml",
                                 "summary_probe39dur_kinds.yaml",
                                 "summary_probe39oth_kinds.yaml",
                                 "summary_probe39fn_kinds.yaml",
                                 "summary_probe39ses_kinds.yaml",
                                 "summary_probe39fn2_kinds.yaml",
                                 "summary_probe41fn2_kinds.yaml",
                                 "summary_probe42cnt_kinds.yaml",
                                 "summary_probe42fn_kinds.yaml",
                                 "summary_probe42fnB_kinds.yaml",
                                 "summary_probe42cntB_kinds.yaml",
                                 "summary_probe39ur_kinds.yaml",
                                 "summary_probe39cnt_kinds.yaml",
                                 "summary_probe39lead_kinds.yaml",
                                 "summary_probe40care_kinds.yaml",
                                 "summary_probe40flag_kinds.yaml",
                                 "summary_probe40cnt_kinds.yaml",
                                 "summary_probe40r89_kinds.yaml",
                                 "summary_probe40r88_kinds.yaml",
                                 "summary_probe40se_kinds.yaml",
                                 "summary_probe40dur_kinds.yaml",
                                 "summary_probe40end_kinds.yaml",
                                 "summary_probe40end2_kinds.yaml",
                                 "summary_probe41dur_kinds.yaml",
                                 "summary_probe41r95_kinds.yaml",
                                 "summary_probe41cnt_kinds.yaml",
                                 "summary_probe41r93_kinds.yaml",
                                 "summary_probe41care_kinds.yaml",
                                 "summary_probe41dur2_kinds.yaml",
                                 "summary_probe41ses2_kinds.yaml",
                                 "summary_probe41style_kinds.yaml",
                                 "summary_probe42dur_kinds.yaml",
                                 "summary_probe42care_kinds.yaml",
                                 "summary_probe42durB_kinds.yaml",
                                 "summary_probe42careB_kinds.yaml",
                                 "summary_probe43cnt_kinds.yaml",
                                 "summary_probe43fnB_kinds.yaml",
                                 "summary_probe43fn_kinds.yaml",
                                 "summary_probe43care_kinds.yaml",
                                 "summary_probe44fn_kinds.yaml",
                                 "summary_probe43dur_kinds.yaml",
                                 "summary_probe43durB_kinds.yaml",
                                 "summary_probe43hist_kinds.yaml",
                                 "summary_probe43cntB_kinds.yaml",
                                 "summary_probe43careB_kinds.yaml",
                                 "summary_probe44durA_kinds.yaml",
                                 "summary_probe44care_kinds.yaml",
                                 "summary_probe44hist_kinds.yaml",
                                 "summary_probe44durB_kinds.yaml",
                                 "summary_probe44flags_kinds.yaml",
                                 "summary_probe45care_kinds.yaml",
                                 "summary_probe45sess_kinds.yaml",
                                 "summary_probe45fn_kinds.yaml",
                                 "summary_probe45flags_kinds.yaml",
                                 "summary_probe45count_kinds.yaml",
                                 "summary_probe45durA_kinds.yaml",
                                 "summary_probe45durB_kinds.yaml",
                                 "summary_probe45fc_kinds.yaml"} <= set(FILES)
    assert all(ROWS[name] for name in FILES)


@pytest.mark.parametrize("name", FILES)
def test_every_table_has_rows_that_do_not_fire(name: str) -> None:
    """Each kind is tested both ways: every table has a near-miss row with another value."""
    assert tables_without_near_miss(ROWS[name]) == []


@pytest.mark.parametrize("name, table", TABLES, ids=[f"{n.removesuffix('.yaml')}::{t}" for n, t in TABLES])
def test_each_kind_reads_the_protocols_value_for_every_writer(name: str, table: str) -> None:
    rows: list[Row] = ROWS[name]
    check_table(rows, table)


@pytest.mark.parametrize("possessive, object_", [(False, False), (True, False), (False, True), (True, True)])
def test_every_row_is_read_for_every_noun_and_pronoun_and_a_table_meets_every_pair(
    possessive: bool, object_: bool
) -> None:
    """The style check reads each row for every writer's noun and every pronoun form it uses; over a table's
    rows the pairing turns, so each (noun, pronoun) pair is read somewhere."""
    rows = [Row("t", n, "{He} walks.", "functional_improvement", "x", "yes", possessive, object_)
            for n in range(4)]
    forms = {*PRONOUNS, *(["noun"] if possessive else []), *(["object"] if object_ else [])}
    for row in rows:
        pairs = readings(row)
        assert {w for w, _ in pairs} == set(WRITERS) and {s for _, s in pairs} == forms, pairs
    assert {p for row in rows for p in readings(row)} == {(w, s) for w in WRITERS for s in forms}
