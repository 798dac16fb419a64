"""Grade the guideline checklists on the shared real letters of one split (validation by default).

    .venv/bin/python experiments/criteria_eval.py [--split validation|tune] [--out FILE.csv]

Per service: the governing section chosen from pre-review facts (features.checklist.case_checklists),
graded against the chapter(s) the IMR reviewer cited (the reviewer's guideline line is read here only to
grade; no feature reads it). Prints the figures of experiments/criteria.md; writes one row of values per
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


def whole_sentence(text: str, start: int, end: int) -> bool:
    """The span is verbatim text that starts and ends on sentence boundaries (a heading counts whole)."""
    from features.checklist import sentence_bounds

    if not (0 <= start < end <= len(text)):
        return False
    return sentence_bounds(text, start, end) == (start, end)


def letter_bootstrap(
    rows: list[dict[str, object]], key: str, n: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """2.5% and 97.5% quantiles of the share of `key` over letters resampled with replacement."""
    import random

    by_letter: dict[object, list[int]] = {}
    for r in rows:
        by_letter.setdefault(r["case_number"], []).append(int(r[key]))  # type: ignore[call-overload]
    letters = list(by_letter)
    rng = random.Random(seed)
    shares = []
    for _ in range(n):
        pick = [v for _ in letters for v in by_letter[rng.choice(letters)]]
        shares.append(sum(pick) / len(pick))
    shares.sort()
    return shares[int(0.025 * n)], shares[int(0.975 * n) - 1]


def unselected_types(table: object) -> list[str]:
    """Service types of the taxonomy that no section's selector names and the table does not list as
    section-less (tests/unit/test_criteria_coverage.py requires none)."""
    from features.service_families import load_taxonomy

    named = {t for s in table.sections.values() for m in s.match for t in (m.types or ())}  # type: ignore[attr-defined]
    named |= set(getattr(table, "section_less", {}))
    return sorted(f"{fam}/{typ}" for fam, typ in load_taxonomy().types if typ not in named)


def placement(table: object, service_text: str, section_id: str | None) -> str:
    """How the service got its section: `named` (the section's selectors name its type, a subgroup its
    heading names, or its family in a phase such as post-operative), `family` (a family-level stand-in),
    `section_less` (the table lists its type as governed by no section) or `none`."""
    from features.criteria_facts import LetterFacts, derive_facts
    from features.service_families import load_taxonomy

    cls = load_taxonomy().classify(service_text)
    if section_id is None or not section_id:
        return "section_less" if cls.type in getattr(table, "section_less", {}) else "none"
    values = {"service_family": cls.family, "service_type": cls.type}
    facts = derive_facts(table, values, service_text=service_text, item_index=0,  # type: ignore[arg-type]
                         letter=LetterFacts(()))
    groups = {g for g in (facts["drug_group"], facts["modality_kind"]) if g}
    section = table.sections[section_id]  # type: ignore[attr-defined]
    named = any(cls.type in (m.types or ()) or groups & set(m.groups or ())
                or (cls.family in (m.families or ()) and bool(m.phases or m.surgery_in_letter))
                for m in section.match)
    return "named" if named else "family"


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
    from features.extractors.criteria_level import case_checklists
    from features.governing import cited_chapters
    from letters.ingest import parse_file
    from letters.pre_review import PreReviewCase

    table = load_criteria()
    rows: list[dict[str, object]] = []
    evidence_total = evidence_ok = 0
    for case_number in split_cases(args.split):
        case = parse_file(LETTERS / f"{case_number}.pdf")
        view = PreReviewCase.from_case(case)
        by_index = {s.item_index: s for s in case.services}
        pre = {s.item_index: s for s in view.services}
        for cl in case_checklists(case):
            svc = by_index[cl.item_index]
            texts = {"clinical_summary": view.clinical_summary,
                     "service_heading": pre[cl.item_index].service,
                     "partial_certification": pre[cl.item_index].partial_certification_text}
            for item in cl.checklist:
                for ev in item.evidence:
                    evidence_total += 1
                    text = texts.get(ev.section) or ""
                    ok = (ev.start is not None and ev.end is not None and text[ev.start:ev.end] == ev.text
                          and whole_sentence(text, ev.start, ev.end))
                    evidence_ok += ok
            reviewer = cited_chapters(table, svc.reviewer_guideline.raw if svc.reviewer_guideline else None)
            counts = cl.counts()
            rows.append({
                "case_number": case_number,
                "item_index": cl.item_index,
                "section_id": cl.section_id or "",
                "chapter_key": cl.chapter_key or "",
                "reviewer_chapters": ";".join(reviewer),
                "chapter_first": int(bool(reviewer) and cl.chapter_key == reviewer[0]),
                "chapter_any": int(bool(reviewer) and cl.chapter_key in reviewer),
                "met": counts["met"],
                "unmet": counts["unmet"],
                "not_documented": counts["not_documented"],
                "not_applicable": counts["not_applicable"],
                "overturned": int(svc.decision == "Overturned"),
                "placement": placement(table, pre[cl.item_index].service, cl.section_id),
            })

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
