"""Blind summary probe: how the fact extractors read whole SYNTHETIC Clinical Case Summaries.

    .venv/bin/python experiments/summary_probe.py                  # tables per field, misreads
    .venv/bin/python experiments/summary_probe.py --json OUT.json  # the same, as JSON
    .venv/bin/python experiments/summary_probe.py --style          # also: values writer words change

Letters: experiments/summary_probe.yaml (SYNTHETIC, written without seeing the rules; `expected` is the
annotation protocol's value per disputed service). Each letter is built as ONE case with all its services
and read through the full feature table (`features.table.feature_rows`), so letter-level logic (several
services, regions and sides, several writers and dates) runs as on a real letter. Scoring follows the
round-2 runner (experiments/phrasing_probe.py): numbers within 0.5, tri-state exact, 0/1 flags, null = not
stated; precision and recall count stated values only. Case-level fields are scored once per service, as
the protocol repeats them on every service of a letter.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script from anywhere: the packages come from this checkout
sys.path.insert(0, str(REPO / "experiments"))

import phrasing_probe as round2  # noqa: E402  (scoring shared with round 2: normalise, matches, tables)
from probe_files import ProbeError, load_or_report, load_rows, probe_parser  # noqa: E402

from features.spec import Dtype, FeatureSpec, Role, load_spec  # noqa: E402

PROBE = REPO / "experiments" / "summary_probe.yaml"
PROBED_FIELDS = (
    "functional_improvement", "failed_conservative_care", "red_flag_neuro_deficit", "red_flag_trauma",
    "red_flag_fracture", "prior_surgery", "prior_imaging_same_region", "prior_sessions",
    "sessions_requested", "duration_of_use_months",
)
# Fields a round may key as well (every service of that round then keys them): the rarer red flags, which
# the tune letters hardly exercise (cancer and cauda equina: no positive among 264 tune services), and
# two values read from numbers.
EXTRA_FIELDS = (
    "red_flag_infection", "red_flag_cancer", "red_flag_cauda_equina", "pain_score", "drug_quantity",
)
READ_FIELDS = PROBED_FIELDS + EXTRA_FIELDS
UR_GUIDELINE = "Decision based on MTUS."


class ProbeService(BaseModel):
    """One disputed service of a letter and the protocol value of every probed field."""

    model_config = ConfigDict(extra="forbid")

    heading: str = Field(min_length=3)
    expected: dict[str, str | float | None]
    borderline: dict[str, str] = Field(default_factory=dict)
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _refuse_bools(cls, data: dict) -> dict:
        """Unquoted yes/no load as bools (and would pass as 1.0/0.0): flags are written 0/1, levels quoted."""
        if isinstance(data, dict) and isinstance(data.get("expected"), dict):
            for name, value in data["expected"].items():
                if isinstance(value, bool):
                    raise ValueError(f"{name} is a bool ({value}); write flags 0/1 and quote \"yes\"/\"no\"")
        return data


class ProbeLetter(BaseModel):
    """One SYNTHETIC letter: its Clinical Case Summary, header dates and disputed services."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^s[0-9]{2,}$")
    summary: str = Field(min_length=200)
    date_of_injury: date
    ur_denial_date: date
    hard: bool = False
    case_facts: dict[str, str | float | None] = Field(default_factory=dict)
    services: list[ProbeService] = Field(min_length=1, max_length=4)
    borderline: dict[str, str] = Field(default_factory=dict)
    note: str = ""


def load_probe(path: Path = PROBE, spec: FeatureSpec | None = None) -> list[ProbeLetter]:
    """Letters of the probe file, checked against the feature spec and the protocol's case/service split."""
    spec = spec or load_spec()
    letters = load_rows(path, ProbeLetter, noun="letter")
    for letter in letters:
        _check_letter(letter, spec)
    return letters


def _check_letter(letter: ProbeLetter, spec: FeatureSpec) -> None:
    where = f"letter {letter.id}"
    if not letter.summary.startswith("SYNTHETIC."):
        raise ProbeError(f"{where}: the summary must start with 'SYNTHETIC.'")
    if letter.ur_denial_date <= letter.date_of_injury:
        raise ProbeError(f"{where}: ur_denial_date must come after date_of_injury")
    keyed = PROBED_FIELDS + tuple(f for f in EXTRA_FIELDS if f in letter.services[0].expected)
    case_fields = {f for f in keyed if spec.feature(f).role == Role.CASE}
    for name in letter.borderline:
        if name not in case_fields:
            raise ProbeError(f"{where}: letter-level borderline {name!r} must be a case-level probed field "
                             f"{sorted(case_fields)}")
    for idx, service in enumerate(letter.services):
        at = f"{where} service {idx}"
        missing = [f for f in keyed if f not in service.expected]
        extra = [f for f in service.expected if f not in keyed]
        if missing or extra:
            raise ProbeError(f"{at}: expected must hold exactly the probed fields, and the optional ones "
                             f"{list(EXTRA_FIELDS)} on every service or none "
                             f"(missing {missing}, unknown {extra})")
        for name, value in service.expected.items():
            _check_value(at, name, value, spec)
        for name in service.borderline:
            if name not in keyed or name in case_fields:
                raise ProbeError(f"{at}: service borderline {name!r} must be a service-level probed field")
    first = letter.services[0].expected
    for idx, service in enumerate(letter.services[1:], start=1):
        for name in case_fields:
            if service.expected[name] != first[name]:
                raise ProbeError(f"{where} service {idx}: case-level {name} is {service.expected[name]!r} "
                                 f"but {first[name]!r} on service 0 (case fields repeat on every service)")


def _check_value(at: str, name: str, value: object, spec: FeatureSpec) -> None:
    feature = spec.feature(name)
    if feature.dtype == Dtype.CATEGORICAL:
        if value not in (feature.levels or []):
            raise ProbeError(f"{at}: {name} {value!r} is not a level {feature.levels}")
    elif feature.dtype == Dtype.BOOLEAN:
        if value not in (0, 1):
            raise ProbeError(f"{at}: flag {name} must be 0 or 1, not {value!r}")
    elif feature.dtype == Dtype.NUMERIC:
        if value is not None and (isinstance(value, str) or value < 0):
            raise ProbeError(f"{at}: {name} must be a number >= 0 or null, not {value!r}")
    else:
        raise ProbeError(f"{at}: field {name} has dtype {feature.dtype}, not probed")


def build_case(letter: ProbeLetter, summary: str | None = None):
    """The letter as one `Case` with all its services (pre-review parts only, as a parsed letter has)."""
    from letters.records import Case, GuidelineCitation, ServiceDecision

    services = [ServiceDecision(item_index=i, heading=s.heading, service=s.heading,
                                ur_guideline=GuidelineCitation(raw=UR_GUIDELINE))
                for i, s in enumerate(letter.services)]
    return Case(letter_id=letter.id.upper(), clinical_summary=summary or letter.summary,
                date_of_injury=letter.date_of_injury, ur_denial_date=letter.ur_denial_date,
                services=services)


def read_letter(letter: ProbeLetter, spec: FeatureSpec, summary: str | None = None) -> list[dict]:
    """Each service's probed values from the full feature table of the letter's case."""
    from features.table import feature_rows

    rows = feature_rows(build_case(letter, summary), spec)
    return [{f: round2.normalise(row.values[f].value) for f in READ_FIELDS} for row in rows]


def evaluate(letters: list[ProbeLetter], spec: FeatureSpec | None = None) -> list[dict]:
    """One result per (letter, service, field)."""
    spec = spec or load_spec()
    cells = []
    for letter in letters:
        for idx, (service, got) in enumerate(zip(letter.services, read_letter(letter, spec), strict=True)):
            for name in [f for f in READ_FIELDS if f in service.expected]:
                expected = round2.normalise(service.expected[name])
                role = spec.feature(name).role
                borderline = name in (letter.borderline if role == Role.CASE else service.borderline)
                cells.append({"id": letter.id, "item": idx, "heading": service.heading, "field": name,
                              "role": role.value, "hard": letter.hard, "borderline": borderline,
                              "expected": expected, "got": got[name],
                              "correct": round2.matches(expected, got[name]),
                              "dtype": spec.feature(name).dtype})
    return cells


def _accuracy(cells: list[dict]) -> float | None:
    return round(sum(c["correct"] for c in cells) / len(cells), 3) if cells else None


def report(cells: list[dict]) -> dict:
    clear = [c for c in cells if not c["borderline"]]
    for c in cells:
        c["letters"] = "hard" if c["hard"] else "plain"
    return {
        "letters": len({c["id"] for c in cells}),
        "services": len({(c["id"], c["item"]) for c in cells}),
        "cells": len(cells), "correct": sum(c["correct"] for c in cells),
        "accuracy": _accuracy(cells),
        "accuracy_without_borderline": _accuracy(clear),
        "borderline_cells": len(cells) - len(clear),
        "hard_letter_accuracy": _accuracy([c for c in cells if c["hard"]]),
        "plain_letter_accuracy": _accuracy([c for c in cells if not c["hard"]]),
        "services_all_right": sum(
            all(c["correct"] for c in cells if (c["id"], c["item"]) == key)
            for key in dict.fromkeys((c["id"], c["item"]) for c in cells)),
        "by_field": round2.table(cells, "field"),
        "case_fields_per_letter": round2.table(
            [c for c in cells if c["role"] == Role.CASE.value and c["item"] == 0], "field"),
        "by_letters": round2.table(cells, "letters"),
        "misreads": [{k: c[k] for k in ("id", "item", "heading", "field", "expected", "got", "borderline",
                                        "hard")}
                     for c in cells if not c["correct"]],
    }


def style_changes(letters: list[ProbeLetter], spec: FeatureSpec | None = None) -> list[dict]:
    """Values that change when only the writer's words change (person noun, he/she): must be none."""
    spec = spec or load_spec()
    changes = []
    for letter in letters:
        base = read_letter(letter, spec)
        for variant in round2.style_variants(letter.summary):
            for idx, got in enumerate(read_letter(letter, spec, variant)):
                for name in READ_FIELDS:
                    if not round2.matches(base[idx][name], got[name]):
                        changes.append({"id": letter.id, "item": idx, "field": name,
                                        "original": base[idx][name], "variant_value": got[name],
                                        "variant_start": variant[:90]})
    return changes


def main(argv: list[str] | None = None) -> int:
    parser = probe_parser(__doc__, PROBE)
    parser.add_argument("--style", action="store_true",
                        help="also re-read every letter in other writers' words and list values that change")
    args = parser.parse_args(argv)
    letters = load_or_report(lambda: load_probe(args.probe))
    if letters is None:
        return 2
    out = report(evaluate(letters))
    print(f"SYNTHETIC blind summary probe: {out['letters']} letters, {out['services']} services, "
          f"{out['cells']} values, {out['correct']} correct, accuracy {out['accuracy']:.3f} "
          f"(without {out['borderline_cells']} borderline values {out['accuracy_without_borderline']:.3f}; "
          f"hard letters {out['hard_letter_accuracy']:.3f}, "
          f"plain letters {out['plain_letter_accuracy']:.3f}; "
          f"services with every value right {out['services_all_right']}/{out['services']})\n")
    print(round2._format(out["by_field"], "field", with_pr=True), "\n")
    print("Case-level fields counted once per letter:")
    print(round2._format(out["case_fields_per_letter"], "field", with_pr=True), "\n")
    print(round2._format(out["by_letters"], "letters", with_pr=True), "\n")
    print(f"Misreads ({len(out['misreads'])}):")
    for m in out["misreads"]:
        flags = ",".join(f for f in ("hard", "borderline") if m[f])
        print(f"  {m['id']:4} {m['item']} {m['field']:26} expected={m['expected']!s:11} got={m['got']!s:11} "
              f"{flags:16} {m['heading'][:50]}")
    if args.style:
        changes = style_changes(letters)
        out["style_changes"] = changes
        print(f"\nWriter-style changes ({len(changes)} values change with the writer's words):")
        for c in changes:
            print(f"  {c['id']:4} {c['item']} {c['field']:26} {c['original']!s} -> {c['variant_value']!s}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
