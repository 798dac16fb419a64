"""Blind governing-section probe (issue #18): does the product name the guideline chapter an IMR reviewer
would cite, on SYNTHETIC requests written without seeing the criteria table or its selection rules?

    .venv/bin/python experiments/governing_probe.py                   # tables, nulls, every disagreement
    .venv/bin/python experiments/governing_probe.py --json OUT.json   # the same, as JSON
    .venv/bin/python experiments/governing_probe.py --handcheck-sample OUT.csv   # the 60 hand-check rows
    .venv/bin/python experiments/governing_probe.py --probe experiments/governing_probe_r2.yaml  # round 2
    .venv/bin/python experiments/governing_probe.py --probe experiments/governing_probe_r3.yaml  # round 3
    .venv/bin/python experiments/governing_probe.py --probe experiments/governing_probe_r4.yaml  # round 4
    .venv/bin/python experiments/governing_probe.py --probe experiments/governing_probe_r5.yaml  # round 5
    .venv/bin/python experiments/governing_probe.py --probe experiments/governing_probe_r6.yaml  # round 6
    .venv/bin/python experiments/governing_probe.py --probe experiments/governing_probe_r7.yaml  # round 7
    .venv/bin/python experiments/governing_probe.py --probe experiments/governing_probe_r8.yaml  # round 8
    .venv/bin/python experiments/governing_probe.py --probe experiments/governing_probe_r9.yaml  # round 9
    .venv/bin/python experiments/governing_probe.py --probe experiments/governing_probe_r10.yaml  # round 10
    .venv/bin/python experiments/governing_probe.py --probe experiments/governing_probe_r11.yaml  # round 11
    .venv/bin/python experiments/governing_probe.py --probe experiments/governing_probe_r12.yaml  # round 12

Letters: experiments/governing_probe.yaml (SYNTHETIC). Each letter becomes one `letters.records.Case` with
pre-review fields only (dates, summary, headings, the UR's guideline line parsed as the letter parser parses
it); the product's own path `features.extractors.criteria_level.case_checklists` picks each service's
governing section. Grading is the project's: `features.governing.cited_chapters(table, expected_line)` gives
the chapter keys the key line cites; a service agrees when the selected section's chapter key is among them
(`agree_any`), or is the first of them (`agree_first`). Lines citing no chapter of the table are listed and
left out of the rates; services with no section (null) count as disagreements.
"""

from __future__ import annotations

import csv
import json
import random
import sys
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script from anywhere: the packages come from this checkout
sys.path.insert(0, str(REPO / "experiments"))

from probe_files import ProbeError, load_or_report, load_rows, probe_parser  # noqa: E402

from letters.parser import parse_guideline  # noqa: E402
from letters.records import Case, ServiceDecision  # noqa: E402

PROBE = REPO / "experiments" / "governing_probe.yaml"
HANDCHECK_SEED = 18  # issue #18; fixed before the run
HANDCHECK_N = 60
UR_FIRST = date(2016, 9, 1)
UR_LAST = date(2017, 3, 31)


class ProbeService(BaseModel):
    """One SYNTHETIC disputed service and the guideline line a reviewer would cite for it (grading only)."""

    model_config = ConfigDict(extra="forbid")

    heading: str = Field(min_length=2)
    family: str = Field(pattern=r"^[a-z][a-z_]*$")
    ur_guideline: str | None = None
    expected_line: str = Field(min_length=10)
    expected_section: str = Field(min_length=2)
    borderline: bool = False
    note: str = ""


class ProbeLetter(BaseModel):
    """One SYNTHETIC letter: pre-review facts plus the keyed services."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[ghkmnqtuvwxy][0-9]{2}$")  # g h k m n q t u v w x y: rounds 1-12 (probe _r12)
    date_of_injury: date
    ur_denial_date: date
    phase: Literal["acute", "chronic", "postop"]
    ur_guideline: str = ""
    summary: str = Field(min_length=40)
    services: list[ProbeService] = Field(min_length=1)


def load_probe(path: Path = PROBE) -> list[ProbeLetter]:
    """Letters of the probe file, checked: ids unique, UR denial in 2016-09..2017-03, after the injury."""
    letters = load_rows(path, ProbeLetter, noun="letter")
    for letter in letters:
        if not UR_FIRST <= letter.ur_denial_date <= UR_LAST:
            raise ProbeError(f"{path}: {letter.id}: ur_denial_date {letter.ur_denial_date} "
                             "outside 2016-09..2017-03")
        if letter.date_of_injury >= letter.ur_denial_date:
            raise ProbeError(f"{path}: {letter.id}: date_of_injury is not before ur_denial_date")
    return letters


def to_case(letter: ProbeLetter) -> Case:
    """The letter as the product receives it: pre-review fields only (no decision, reviewer line, rationale
    or decision date). A service's UR line is its own, else the letter's; empty means UR cited none."""
    services = []
    for i, s in enumerate(letter.services):
        ur = s.ur_guideline if s.ur_guideline is not None else letter.ur_guideline
        services.append(ServiceDecision(item_index=i, heading=s.heading, service=s.heading,
                                        ur_guideline=parse_guideline(ur) if ur.strip() else None))
    return Case(letter_id=letter.id, letter_format="synthetic", synthetic=True,
                date_of_injury=letter.date_of_injury, ur_denial_date=letter.ur_denial_date,
                clinical_summary=" ".join(letter.summary.split()),
                source_file=f"governing_probe.yaml#{letter.id}",
                services=services)


def evaluate(letters: Iterable[ProbeLetter]) -> list[dict]:
    """One row per service: the product's selection and the grade against the keyed line."""
    from features.criteria import load_criteria
    from features.extractors.criteria_level import case_checklists
    from features.governing import cited_chapters

    table = load_criteria()
    rows: list[dict] = []
    for letter in letters:
        checklists = {c.item_index: c for c in case_checklists(to_case(letter))}
        for i, s in enumerate(letter.services):
            cl = checklists.get(i)
            gg = None if cl is None or cl.governing_guideline is None else cl.governing_guideline.model_dump()
            key = None if cl is None else cl.chapter_key
            cited = cited_chapters(table, s.expected_line)
            rows.append({
                "id": letter.id, "item": i, "heading": s.heading, "family": s.family, "phase": letter.phase,
                "borderline": s.borderline, "expected_line": s.expected_line,
                "expected_section": s.expected_section, "cited_chapters": cited,
                "selected": gg, "chapter_key": key,
                "section_id": None if cl is None else cl.section_id,
                "product_phase": None if cl is None else _plain(cl.phase),
                "product_region": None if cl is None else _plain(cl.region),
                "gradable": bool(cited),
                "agree_any": bool(cited) and key in cited,
                "agree_first": bool(cited) and key == cited[0],
            })
    return rows


def _plain(value: object) -> object:
    return getattr(value, "value", value)


def _rate(rows: list[dict], field: str) -> dict:
    graded = [r for r in rows if r["gradable"]]
    hit = sum(r[field] for r in graded)
    return {"n": len(graded), "agree": hit, "rate": round(hit / len(graded), 3) if graded else None}


def summarise(rows: list[dict]) -> dict:
    """Agreement overall, without borderline rows, by family and by phase; nulls; disagreements."""
    out: dict = {"services": len(rows), "letters": len({r["id"] for r in rows})}
    for field in ("agree_any", "agree_first"):
        out[field] = {
            "all": _rate(rows, field),
            "not_borderline": _rate([r for r in rows if not r["borderline"]], field),
            "by_family": {k: _rate(v, field) for k, v in sorted(_group(rows, "family").items())},
            "by_phase": {k: _rate(v, field) for k, v in sorted(_group(rows, "phase").items())},
        }
    out["null_section"] = [_brief(r) for r in rows if r["selected"] is None]
    out["no_chapter_in_line"] = [_brief(r) for r in rows if not r["gradable"]]
    out["disagreements"] = [_brief(r) for r in rows if r["gradable"] and not r["agree_any"]]
    out["first_only_misses"] = [_brief(r) for r in rows if r["agree_any"] and not r["agree_first"]]
    return out


def _group(rows: list[dict], field: str) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[r[field]].append(r)
    return groups


def citation_text(selected: dict | None) -> str:
    """The product's citation as one line (guideline, edition, chapter, section, pages)."""
    if selected is None:
        return "(none)"
    pages = selected.get("pages") or "?"
    return (f"{selected['guideline']} {selected['edition']}, {selected['chapter']}, {selected['section']}, "
            f"pages {pages}")


def _brief(r: dict) -> dict:
    return {"id": r["id"], "item": r["item"], "heading": r["heading"], "borderline": r["borderline"],
            "selected": citation_text(r["selected"]), "chapter_key": r["chapter_key"],
            "cited_chapters": r["cited_chapters"], "expected_line": r["expected_line"]}


def handcheck_sample(rows: list[dict], n: int = HANDCHECK_N, seed: int = HANDCHECK_SEED) -> list[dict]:
    """The services of the hand check: a fixed-seed sample, in probe order."""
    picked = sorted(random.Random(seed).sample(range(len(rows)), min(n, len(rows))))
    return [rows[i] for i in picked]


def _print_rates(title: str, rates: dict) -> None:
    print(f"\n{title}")
    for name, r in rates.items():
        rate = "-" if r["rate"] is None else f"{r['rate']:.1%}"
        print(f"  {name:<22} {r['agree']:>4}/{r['n']:<4} {rate:>7}")


def main(argv: list[str] | None = None) -> int:
    parser = probe_parser(__doc__, PROBE)
    parser.add_argument("--handcheck-sample", type=Path,
                        help="write the fixed-seed hand-check rows (CSV) here")
    args = parser.parse_args(argv)
    letters = load_or_report(lambda: load_probe(args.probe))
    if letters is None:
        return 2
    rows = evaluate(letters)
    summary = summarise(rows)
    print(f"SYNTHETIC governing probe: {summary['letters']} letters, {summary['services']} services")
    for field in ("agree_any", "agree_first"):
        s = summary[field]
        _print_rates(f"{field}: overall", {"all": s["all"], "not borderline": s["not_borderline"]})
        _print_rates(f"{field}: by family", s["by_family"])
        _print_rates(f"{field}: by phase", s["by_phase"])
    for name in ("null_section", "no_chapter_in_line", "disagreements", "first_only_misses"):
        print(f"\n{name}: {len(summary[name])}")
        for b in summary[name]:
            flag = " [borderline]" if b["borderline"] else ""
            print(f"  {b['id']}#{b['item']} {b['heading']}{flag}\n      selected: {b['selected']} "
                  f"(key {b['chapter_key']})\n      line:     {b['expected_line']}  -> {b['cited_chapters']}")
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1, default=str))
    if args.handcheck_sample:
        with args.handcheck_sample.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "item", "heading", "selected_citation", "right", "reason"])
            for r in handcheck_sample(rows):
                w.writerow([r["id"], r["item"], r["heading"], citation_text(r["selected"]), "", ""])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
