"""Rows of the round-by-round "kinds of wording" fact tests (`test_fact_kind_tables.py` over every
`fact_round*.yaml` and `red_flag_kinds.yaml`; `test_fact_round13_kinds.py`): a table file of SYNTHETIC
summaries, each read for every writer's noun for the worker and every pronoun through the real extractors
(`readings`), so a value may not change with the writer's style; and the two checks every table runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from row_checks import check_rows

from features.extractors import CaseContext, ServiceContext, registered_extractors
from features.package_data import parse_yaml
from letters.pre_review import PreReviewCase
from letters.records import Case, GuidelineCitation, ServiceDecision

WRITERS = ("patient", "injured worker", "claimant", "applicant")
PRONOUNS = {"he": {"he": "he", "his": "his", "him": "him"}, "she": {"he": "she", "his": "her", "him": "her"}}
INJURY, UR_DENIAL = date(2016, 1, 2), date(2016, 12, 1)
DEFAULT_HEADING = "Physical therapy 2x4 lumbar spine"


@dataclass(frozen=True)
class Row:
    """One SYNTHETIC summary, the feature read for a service with this heading, and the protocol's value."""

    table: str
    number: int
    summary: str
    feature: str
    heading: str
    expected: object
    possessive: bool = False  # also read with "{his}" as the noun in the possessive ("the patient's")
    object: bool = False  # also read with "{him}" as the writer's noun ("helped the patient resume")


def load_rows(path: Path) -> list[Row]:
    """Every row of every table, in file order; parsed by the product's libyaml parser (the same data as
    `yaml.safe_load`), as every xdist worker parses all 44 files at collection: 0.35 s -> 0.03 s CPU each."""
    rows = []
    for table in parse_yaml(path.read_text(encoding="utf-8")):
        for number, cells in enumerate(table["rows"]):
            summary, expected, *heading = cells
            rows.append(Row(table["table"], number, summary, table["feature"],
                            heading[0] if heading else table.get("heading", DEFAULT_HEADING), expected,
                            bool(table.get("possessive", False)), bool(table.get("object", False))))
    return rows


def written(summary: str, writer: str, sex: str) -> str:
    """The summary in one writer's words: the worker's noun and the pronouns filled in; sex "noun" writes
    "{his}" as the noun in the possessive ("the applicant's function"), as some writers name the worker where
    others say "his" (a table marked `possessive: true` is read that way too); sex "object" writes "{him}" as
    the noun ("helped the applicant resume": a table marked `object: true`)."""
    nouns = {"noun": {"his": f"the {writer}'s"}, "object": {"him": f"the {writer}"}}
    pronouns = PRONOUNS["he"] | nouns[sex] if sex in nouns else PRONOUNS[sex]
    words = {"w": writer, **pronouns, **{k.capitalize(): v.capitalize() for k, v in pronouns.items()}}
    intro = f"SYNTHETIC. The {writer} is a 45 year old who was hurt at work on 01/02/2016."
    return f"{intro} {summary.format(**words)}"


def readings(row: Row) -> list[tuple[str, str]]:
    """The (writer's noun, pronoun) pairs a row is read with: every noun once, every pronoun (and the noun
    in the possessive or object, where the table asks) at least once, the pairing turned by the row's
    number so that a table's rows together meet every pair. Not the whole cross product: each style fault
    the probes found came from one noun or one pronoun, never a pair, and the cross product cost half of
    the fast suite (54 CPU-s of ~120 at session 42)."""
    sexes = [*PRONOUNS, *(["noun"] if row.possessive else []), *(["object"] if row.object else [])]
    return [(w, sexes[(i + row.number) % len(sexes)]) for i, w in enumerate(WRITERS)]  # 4 forms at most


def value(summary: str, name: str, heading: str) -> object:
    """Feature `name` of one SYNTHETIC case with one service (UR denial 12/01/2016)."""
    service = ServiceDecision(item_index=0, heading=heading, service=heading,
                              ur_guideline=GuidelineCitation(raw="Decision based on MTUS."))
    case = Case(letter_id="SYN", clinical_summary=summary, ur_denial_date=UR_DENIAL, date_of_injury=INJURY,
                services=[service])
    view = PreReviewCase.from_case(case)
    ctx = ServiceContext.build(CaseContext.build(view), view.services[0])
    return registered_extractors()[name](ctx).value


def same(got: object, expected: object) -> bool:
    if isinstance(expected, float) and isinstance(got, float):
        return got == pytest.approx(expected, abs=0.05)
    return got == expected


def table_names(rows: list[Row]) -> list[str]:
    """The tables of a file, in file order (one test case each)."""
    return list(dict.fromkeys(r.table for r in rows))


def tables_without_near_miss(rows: list[Row]) -> list[str]:
    """Tables whose rows all expect one value: each kind must be tested both ways."""
    return [t for t in table_names(rows) if len({str(r.expected) for r in rows if r.table == t}) < 2]


def check_table(rows: list[Row], table: str | None = None) -> None:
    """Every row of `table` (all rows when None) reads the protocol's value for every writer and pronoun; a
    failure names each bad row as `table-number` (one case per table: a case per row cost more in pytest's
    bookkeeping than the extractors)."""
    chosen = [(row,) for row in rows if table is None or row.table == table]
    check_rows(chosen, _reads_the_protocols_value_for_every_writer, name=lambda r: f"{r.table}-{r.number}")


def _reads_the_protocols_value_for_every_writer(row: Row) -> None:
    got = {pair: value(written(row.summary, *pair), row.feature, row.heading) for pair in readings(row)}
    wrong = {k: v for k, v in got.items() if not same(v, row.expected)}
    assert not wrong, (row.summary, row.expected, wrong)
