"""Blind phrasing probe: how the fact extractors read SYNTHETIC sentences written without seeing their rules.

    .venv/bin/python experiments/phrasing_probe.py                  # tables per field and kind, misreads
    .venv/bin/python experiments/phrasing_probe.py --json OUT.json  # the same, as JSON
    .venv/bin/python experiments/phrasing_probe.py --style          # also: values writer words change

Rows: experiments/phrasing_probe.yaml (SYNTHETIC; `expected` is the annotation protocol's value). Each row is
one case with one service, read by the extractor of its field alone, as `tests/unit/test_fact_phrasings.py`
does: a proxy for letters nobody tuned on, since no unseen real letters are left.
A row is correct when the value equals `expected` (numbers within 0.5; tri-state exact; 0/1 flags; null =
not stated). Precision and recall count stated values as `experiments/extractor_accuracy.py` does: not
`not_stated`, not 0 for flags, not null for numbers (0 is a stated count or duration).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script from anywhere: the packages come from this checkout
sys.path.insert(0, str(REPO / "experiments"))

from probe_files import ProbeError, load_or_report, load_rows, probe_parser  # noqa: E402

from features.spec import Dtype, FeatureSpec, load_spec  # noqa: E402

PROBE = REPO / "experiments" / "phrasing_probe.yaml"
INTRO = "SYNTHETIC. The injured worker is a 45 year old male who was hurt at work on 01/02/2016. "
DATE_OF_INJURY = date(2016, 1, 2)
UR_DENIAL = date(2016, 12, 1)
TOLERANCE = 0.5
WRITER_NOUNS = ("the patient", "the injured worker", "the claimant", "the applicant")
MALE_TO_FEMALE = {"he": "she", "his": "her", "him": "her", "himself": "herself"}
# "his" before a word, and the writer's noun in the possessive it becomes in the style variants
POSSESSIVE_PRONOUN = re.compile(r"\bhis\b(?=\s+[a-z])", re.IGNORECASE)
POSSESSIVE_NOUN = "the injured worker's"


class ProbeRow(BaseModel):
    """One SYNTHETIC phrasing and the value the annotation protocol gives it."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z]+[0-9]+$")
    field: str
    heading: str = Field(min_length=3)
    summary: str = Field(min_length=10)
    expected: str | float | None
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    near_miss: bool = False
    borderline: bool = False
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _keep_bool_flags_numeric(cls, data: dict) -> dict:
        """YAML reads `yes`-like words only when unquoted; flags are written 0/1, so a bool here is a typo."""
        if isinstance(data, dict) and isinstance(data.get("expected"), bool):
            raise ValueError(f"row {data.get('id')}: expected must be 0/1, a number, a level or null, "
                             "not a bool")
        return data


def load_probe(path: Path = PROBE, spec: FeatureSpec | None = None) -> list[ProbeRow]:
    """Rows of the probe file, checked against the feature spec (field exists, expected has its type)."""
    spec = spec or load_spec()
    rows = load_rows(path, ProbeRow)
    for row in rows:
        _check_expected(row, spec)
    return rows


def _check_expected(row: ProbeRow, spec: FeatureSpec) -> None:
    if row.field not in spec.names:
        raise ProbeError(f"row {row.id}: field {row.field!r} is not a feature of the spec")
    feature = spec.feature(row.field)
    value = row.expected
    if feature.dtype == Dtype.CATEGORICAL:
        if value not in (feature.levels or []):
            raise ProbeError(f"row {row.id}: expected {value!r} is not a level of {row.field} "
                             f"{feature.levels}")
    elif feature.dtype == Dtype.BOOLEAN:
        if value not in (0, 1):
            raise ProbeError(f"row {row.id}: expected {value!r} for flag {row.field} must be 0 or 1")
    elif feature.dtype == Dtype.NUMERIC:
        if value is not None and (isinstance(value, str) or value < 0):
            raise ProbeError(f"row {row.id}: expected {value!r} for {row.field} must be a number >= 0 "
                             "or null")
    else:
        raise ProbeError(f"row {row.id}: field {row.field} has dtype {feature.dtype}, not probed")


def read_value(summary: str, name: str, heading: str) -> object:
    """The value of feature `name` for one SYNTHETIC case with one service, that feature's extractor alone
    (the same harness as `value()` in tests/unit/test_fact_phrasings.py)."""
    from features.extractors import CaseContext, ServiceContext, registered_extractors
    from letters.pre_review import PreReviewCase
    from letters.records import Case, GuidelineCitation, ServiceDecision

    service = ServiceDecision(item_index=0, heading=heading, service=heading,
                              ur_guideline=GuidelineCitation(raw="Decision based on MTUS."))
    case = Case(letter_id="SYN", clinical_summary=INTRO + summary, ur_denial_date=UR_DENIAL,
                date_of_injury=DATE_OF_INJURY, services=[service])
    view = PreReviewCase.from_case(case)
    ctx = ServiceContext.build(CaseContext.build(view), view.services[0])
    return registered_extractors()[name](ctx).value


def normalise(value: object) -> str | float | None:
    """One comparable form: levels as strings, flags and numbers as floats, not stated as None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return None if value != value else float(value)  # NaN = not stated
    return str(value)


def matches(expected: str | float | None, got: str | float | None) -> bool:
    if isinstance(expected, str) or isinstance(got, str) or expected is None or got is None:
        return expected == got
    return abs(expected - got) <= TOLERANCE


def is_stated(value: str | float | None, dtype: Dtype) -> bool:
    if value is None or value == "not_stated":
        return False
    return not (dtype == Dtype.BOOLEAN and value == 0)


def evaluate(rows: Iterable[ProbeRow], spec: FeatureSpec | None = None) -> list[dict]:
    spec = spec or load_spec()
    results = []
    for row in rows:
        got = normalise(read_value(row.summary, row.field, row.heading))
        expected = normalise(row.expected)
        results.append({"id": row.id, "field": row.field, "kind": row.kind, "near_miss": row.near_miss,
                        "borderline": row.borderline, "expected": expected, "got": got,
                        "correct": matches(expected, got), "dtype": spec.feature(row.field).dtype})
    return results


def table(results: list[dict], key: str) -> list[dict]:
    groups: dict[str, list[dict]] = {}
    for r in results:
        groups.setdefault(r[key], []).append(r)
    out = []
    for name, rs in sorted(groups.items()):
        correct = sum(r["correct"] for r in rs)
        exp_stated = [r for r in rs if is_stated(r["expected"], r["dtype"])]
        got_stated = [r for r in rs if is_stated(r["got"], r["dtype"])]
        tp = sum(r["correct"] for r in exp_stated if is_stated(r["got"], r["dtype"]))
        out.append({key: name, "rows": len(rs), "correct": correct, "accuracy": round(correct / len(rs), 3),
                    "precision": round(tp / len(got_stated), 3) if got_stated else None,
                    "recall": round(tp / len(exp_stated), 3) if exp_stated else None})
    return out


def style_variants(summary: str) -> list[str]:
    """The same facts in other writers' words: each person noun swapped for the others, the worker named
    ("Mx. Roe", session 25), he -> she, and "his" before a word -> "the injured worker's" (session 29: a
    writer names the worker where another says "his"; "her" is left, it may be an object)."""
    from features.style import rewrite_style

    pattern = re.compile("|".join(WRITER_NOUNS), re.IGNORECASE)
    variants = []
    if pattern.search(summary):
        for noun in WRITER_NOUNS:
            def swap(m: re.Match, noun: str = noun) -> str:
                return noun.capitalize() if m.group(0)[0].isupper() else noun
            variants.append(pattern.sub(swap, summary))
        variants.append(rewrite_style(summary, person="Mx. Roe"))
    pronouns = re.compile(r"\b(" + "|".join(MALE_TO_FEMALE) + r")\b", re.IGNORECASE)
    if pronouns.search(summary):
        def to_female(m: re.Match) -> str:
            word = MALE_TO_FEMALE[m.group(0).lower()]
            return word.capitalize() if m.group(0)[0].isupper() else word
        variants.append(pronouns.sub(to_female, summary))
    if POSSESSIVE_PRONOUN.search(summary):
        def to_noun(m: re.Match) -> str:
            return POSSESSIVE_NOUN.capitalize() if m.group(0)[0].isupper() else POSSESSIVE_NOUN
        variants.append(POSSESSIVE_PRONOUN.sub(to_noun, summary))
    return [v for v in dict.fromkeys(variants) if v != summary]


def style_changes(rows: Iterable[ProbeRow]) -> list[dict]:
    """Rows whose value changes when only the writer's words change (a value must never depend on them)."""
    changes = []
    for row in rows:
        base = normalise(read_value(row.summary, row.field, row.heading))
        for variant in style_variants(row.summary):
            got = normalise(read_value(variant, row.field, row.heading))
            if not matches(base, got):
                changes.append({"id": row.id, "field": row.field, "original": base, "variant_value": got,
                                "variant": variant})
    return changes


def _format(rows: list[dict], key: str, with_pr: bool) -> str:
    cols = [key, "rows", "correct", "accuracy"] + (["precision", "recall"] if with_pr else [])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        cells = ["—" if r[c] is None else (f"{r[c]:.2f}" if isinstance(r[c], float) else str(r[c]))
                 for c in cols]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report(results: list[dict]) -> dict:
    n, ok = len(results), sum(r["correct"] for r in results)
    clear = [r for r in results if not r["borderline"]]
    near = [r for r in results if r["near_miss"]]
    return {
        "rows": n, "correct": ok, "accuracy": round(ok / n, 3),
        "accuracy_without_borderline": round(sum(r["correct"] for r in clear) / len(clear), 3),
        "near_miss_accuracy": round(sum(r["correct"] for r in near) / len(near), 3) if near else None,
        "by_field": table(results, "field"),
        "by_kind": table(results, "kind"),
        "misreads": [{k: r[k] for k in ("id", "field", "kind", "expected", "got", "near_miss", "borderline")}
                     for r in results if not r["correct"]],
    }


def main(argv: list[str] | None = None) -> int:
    parser = probe_parser(__doc__, PROBE)
    parser.add_argument("--style", action="store_true",
                        help="also re-read every row in other writers' words and list values that change")
    args = parser.parse_args(argv)
    rows = load_or_report(lambda: load_probe(args.probe))
    if rows is None:
        return 2
    out = report(evaluate(rows))
    print(f"SYNTHETIC blind phrasing probe: {out['rows']} rows, {out['correct']} correct, "
          f"accuracy {out['accuracy']:.3f} "
          f"(without borderline rows {out['accuracy_without_borderline']:.3f}; "
          f"near-miss rows {out['near_miss_accuracy']:.3f})\n")
    print(_format(out["by_field"], "field", with_pr=True), "\n")
    print(_format(out["by_kind"], "kind", with_pr=False), "\n")
    print(f"Misreads ({len(out['misreads'])}):")
    for m in out["misreads"]:
        flags = ",".join(f for f in ("near_miss", "borderline") if m[f])
        print(f"  {m['id']:6} {m['field']:26} {m['kind']:28} expected={m['expected']!s:11} "
              f"got={m['got']!s:11} {flags}")
    if args.style:
        changes = style_changes(rows)
        out["style_changes"] = changes
        print(f"\nWriter-style changes ({len(changes)} variants change a value):")
        for c in changes:
            print(f"  {c['id']:6} {c['field']:26} {c['original']!s} -> {c['variant_value']!s}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
