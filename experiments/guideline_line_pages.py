"""Which pages and section names the TUNE letters' guideline lines give, per chapter of the criteria table:
the evidence for (or against) a page in `features/criteria.yaml`.

    .venv/bin/python experiments/guideline_line_pages.py     # reviewer and UR lines of the tune letters

Tune letters only (tests/real/letter_split.csv): the split's validation letters are never read. Per chapter
key: how many lines cite it, how many of those give a page (the parser's `pages`, or 'page(s) N' in the line)
and which pages; then the 'Section(s):' names written after the chapter, with counts. Counts only: no letter
text beyond the guideline's own chapter and section names. The reviewer's line is post-review text: it is
read here to decide what the table says, never by a feature.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LETTERS = REPO.parent / "shared" / "data" / "dwc-imr-letters" / "pdf"
SPLIT = REPO / "tests" / "real" / "letter_split.csv"
sys.path.insert(0, str(REPO))  # run as a script from anywhere: the project's packages come from this checkout

_PAGE = re.compile(r"\b(?:pages?|pp?\.)\s*\(?s?\)?:?\s*(\d+(?:\s*-\s*\d+)?)", re.IGNORECASE)
_SECTIONS = re.compile(r"Section\(s\):\s*(.*?)(?=(?:,\s*and\s+)?(?:[A-Z][\w,&\- ]+ \d{4}\b)|\.\s|\.$|$)")


def line_pages(raw: str, parsed: list[str]) -> list[str]:
    """The pages a guideline line gives: the parser's, else any 'page N' / 'p. N' written in it."""
    return list(parsed) or [m.group(1).replace(" ", "") for m in _PAGE.finditer(raw)]


def section_names(part: str) -> list[str]:
    """The 'Section(s):' names written in one chapter's part of a line, split at commas (a topic whose own
    name holds a comma counts as two) without the 'and' that joins the last one."""
    names = []
    for m in _SECTIONS.finditer(part):
        for name in re.split(r",\s*", m.group(1).strip(" ,.")):
            name = re.sub(r"^and\s+", "", name).strip()
            if name and name != "and":
                names.append(name)
    return names


def chapter_parts(table: object, line: str) -> dict[str, str]:
    """Each MTUS chapter the line names -> the text after it up to the next chapter named (where its
    'Section(s):' are written)."""
    from features.criteria_facts import lexicons

    hits: list[tuple[int, int, str]] = []
    for key, guideline, pattern in lexicons(table).chapter_aliases:  # type: ignore[arg-type]
        if guideline != "MTUS":
            continue
        for m in pattern.finditer(line):
            if not any(m.start() < e and s < m.end() for s, e, _ in hits):
                hits.append((m.start(), m.end(), key))
    hits.sort()
    return {key: line[end:(hits[i + 1][0] if i + 1 < len(hits) else len(line))]
            for i, (_, end, key) in enumerate(hits)}


def main() -> int:
    if not LETTERS.is_dir():
        print(f"letters not found: {LETTERS}", file=sys.stderr)
        return 2
    from features.criteria import load_criteria
    from features.governing import cited_chapters
    from letters.ingest import parse_file
    from training.text_cv import read_split

    table = load_criteria()
    tune = sorted(case for case, split in read_split(SPLIT).items() if split == "tune")
    lines: dict[str, Counter[str]] = {"reviewer": Counter(), "ur": Counter()}
    with_page: dict[str, Counter[str]] = {"reviewer": Counter(), "ur": Counter()}
    pages: dict[str, Counter[str]] = defaultdict(Counter)
    sections: dict[str, Counter[str]] = defaultdict(Counter)
    total = {"reviewer": 0, "ur": 0}
    for case_number in tune:
        case = parse_file(LETTERS / f"{case_number}.pdf")
        for service in case.services:
            for who, cite in (("reviewer", service.reviewer_guideline), ("ur", service.ur_guideline)):
                if cite is None:
                    continue
                total[who] += 1
                found = line_pages(cite.raw, cite.pages)
                parts = chapter_parts(table, cite.raw)
                for key in cited_chapters(table, cite.raw):
                    lines[who][key] += 1
                    if found:
                        with_page[who][key] += 1
                        pages[key].update(found)
                    sections[key].update(section_names(parts.get(key, "")))
    print(f"tune letters: {len(tune)}; guideline lines: reviewer {total['reviewer']}, UR {total['ur']}")
    print(f"{'chapter':<22} {'reviewer lines':>15} {'with a page':>12} {'UR lines':>9} {'with a page':>12}"
          "  pages")
    for key in sorted(set(lines["reviewer"]) | set(lines["ur"])):
        shown = ", ".join(f"{p} x{n}" for p, n in pages[key].most_common()) or "-"
        rev, ur = lines["reviewer"][key], lines["ur"][key]
        paged = with_page["reviewer"][key], with_page["ur"][key]
        print(f"{key:<22} {rev:>15} {paged[0]:>12} {ur:>9} {paged[1]:>12}  {shown}")
    print("\nsection names written after each MTUS chapter (reviewer and UR lines):")
    for key in sorted(k for k, names in sections.items() if names):
        print(f"  {key}: " + "; ".join(f"{name} x{n}" for name, n in sections[key].most_common()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
