"""Grade the guideline checklists on the shared real letters of one split (validation by default).

    .venv/bin/python experiments/criteria_eval.py [--split validation|tune] [--out FILE.csv]

Per service: the governing section chosen from pre-review facts (features.checklist.case_checklists),
graded against the chapter(s) the IMR reviewer cited (the reviewer's guideline line is read here only to
grade; no feature reads it; the grading is `training/checklist_grading.py`, shared with
`imr check-letters`). Prints the figures of experiments/criteria.md; writes one row of values per
service (case number, item, section and chapter keys, statuses; no letter text) when --out is given.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LETTERS = REPO.parent / "shared" / "data" / "dwc-imr-letters" / "pdf"
SPLIT = REPO / "tests" / "real" / "letter_split.csv"
HANDCHECK = REPO / "experiments" / "criteria_handcheck.csv"
sys.path.insert(0, str(REPO))  # run as a script from anywhere: the project's packages come from this checkout


def split_cases(split: str) -> list[str]:
    from training.text_cv import read_split

    return sorted(case for case, s in read_split(SPLIT).items() if s == split)


def unselected_types(table: object) -> list[str]:
    """Service types of the taxonomy that no section's selector names and the table does not list as
    section-less (tests/unit/test_criteria_coverage.py requires none)."""
    from features.service_families import load_taxonomy

    named = {t for s in table.sections.values() for m in s.match for t in (m.types or ())}  # type: ignore[attr-defined]
    named |= set(getattr(table, "section_less", {}))
    return sorted(f"{fam}/{typ}" for fam, typ in load_taxonomy().types if typ not in named)


def hand_check(path: Path, rows: list[dict[str, object]]) -> None:
    """Summarise the hand judgements and name any whose section the table no longer chooses (stale)."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    judged = list(csv.DictReader(lines))
    current = {(str(r["case_number"]), str(r["item_index"])): r["section_id"] for r in rows}
    stale = [f"{j['case_number']}#{j['item_index']}" for j in judged
             if current.get((j["case_number"], j["item_index"])) != j["section_id"]]
    right = sum(j["section_right"] == "1" and (j["page_given"] == "0" or j["page_right"] == "1")
                for j in judged)
    pages = [j for j in judged if j["page_given"] == "1"]
    print(f"hand check ({path.name}): {right} / {len(judged)} citations right "
          f"({right / len(judged):.0%}); pages given {len(pages)}, right "
          f"{sum(j['page_right'] == '1' for j in pages)}")
    if stale:
        print(f"  stale judgements (the table now picks another section): {', '.join(stale)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["validation", "tune"], default="validation")
    parser.add_argument("--out", type=Path, default=None, help="per-service CSV of values (no letter text)")
    args = parser.parse_args(argv)
    if not LETTERS.is_dir():
        print(f"letters not found: {LETTERS}", file=sys.stderr)
        return 2

    from features.criteria import load_criteria
    from letters.ingest import parse_file
    from training.checklist_grading import grade_letter, letter_bootstrap

    table = load_criteria()
    rows: list[dict[str, object]] = []
    evidence_total = evidence_ok = 0
    for case_number in split_cases(args.split):
        graded = grade_letter(parse_file(LETTERS / f"{case_number}.pdf"), table, case_number)
        rows += graded.rows
        evidence_total += graded.evidence_total
        evidence_ok += graded.evidence_ok

    n = len(rows)
    with_status = sum(1 for r in rows if r["met"] or r["unmet"] or r["not_documented"])
    cited = [r for r in rows if r["reviewer_chapters"]]
    any_ok = sum(int(r["chapter_any"]) for r in cited)  # type: ignore[arg-type]
    first_ok = sum(int(r["chapter_first"]) for r in cited)  # type: ignore[arg-type]
    print(f"split: {args.split}; letters: {len({r['case_number'] for r in rows})}; services: {n}")
    print(f"services with a governing section: {sum(1 for r in rows if r['section_id'])} / {n}")
    placed = Counter(str(r["placement"]) for r in rows)
    print("how services got their section: " + ", ".join(
        f"{k} {placed[k]}" for k in ("named", "family", "section_less", "none")) +
        " (named: the section names the type or a heading subgroup; family: a family-level stand-in)")
    print(f"services with >= 1 met/unmet/not-documented criterion: {with_status} / {n} "
          f"({with_status / n:.1%})")
    print(f"services where the reviewer cited a chapter of the table: {len(cited)}")
    print(f"governing chapter = a chapter the reviewer cited: {any_ok} / {len(cited)} "
          f"({any_ok / len(cited):.1%})")
    print(f"governing chapter = the reviewer's first cited chapter: {first_ok} / {len(cited)} "
          f"({first_ok / len(cited):.1%})")
    totals = {k: sum(int(r[k]) for r in rows) for k in ("met", "unmet", "not_documented", "not_applicable")}
    print("criterion statuses over all services: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    decided = sum(1 for r in rows if r["met"] or r["unmet"])
    print(f"services with >= 1 met or unmet criterion: {decided} / {n} ({decided / n:.1%})")
    for label, group in (("with an unmet criterion", [r for r in rows if r["unmet"]]),
                         ("without one", [r for r in rows if not r["unmet"]])):
        k = sum(int(r["overturned"]) for r in group)  # type: ignore[call-overload]
        print(f"  overturned {label}: {k} / {len(group)}")
    share = evidence_ok / evidence_total if evidence_total else float("nan")
    print(f"evidence texts that are whole sentences found verbatim: {evidence_ok} / {evidence_total} "
          f"({share:.1%})")
    for key, label in (("chapter_any", "any cited chapter"), ("chapter_first", "first cited chapter")):
        lo, hi = letter_bootstrap(cited, key)
        print(f"  letter-level bootstrap 95% interval, {label}: {lo:.1%} - {hi:.1%}")
    misses = Counter((r["chapter_key"], r["reviewer_chapters"].split(";")[0])  # type: ignore[union-attr]
                     for r in cited if not r["chapter_any"])
    if misses:
        print("chapter misses (ours -> reviewer's first):")
        for (ours, theirs), k in misses.most_common():
            print(f"  {ours or '(none)'} -> {theirs}: {k}")
    unselected = unselected_types(table)
    print(f"taxonomy types listed as section-less: {len(getattr(table, 'section_less', {}))}")
    if unselected:
        print(f"taxonomy types no section names, not listed as section-less ({len(unselected)}): "
              + ", ".join(unselected))
    if args.split == "validation" and HANDCHECK.exists():
        hand_check(HANDCHECK, rows)
    if args.out is not None:
        with args.out.open("w", newline="", encoding="utf-8") as fh:  # values only: no decisions, no text
            fields = [k for k in rows[0] if k != "overturned"]
            writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
