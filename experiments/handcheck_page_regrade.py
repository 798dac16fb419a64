"""Re-grade a governing-section hand check's page misses against the product's citations now: how many rows
judged "section right, pages not right" (`right` = section) now carry a page, by guideline, and which rows'
citations changed at all. It reads no letter: the hand check and the fresh sample are SYNTHETIC probe rows.

    PYTHONPATH=. .venv/bin/python experiments/governing_probe.py \\
        --probe experiments/governing_probe_r10.yaml --handcheck-sample /tmp/r10_sample.csv
    PYTHONPATH=. .venv/bin/python experiments/handcheck_page_regrade.py \\
        experiments/governing_handcheck_r10.csv /tmp/r10_sample.csv

A page that appears is not graded right by this script: it only says which misses a person must re-judge.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

NO_PAGE = "pages ?"


def rows_by_item(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    """(probe letter id, item) -> the row, for a hand-check or sample CSV."""
    with path.open(newline="", encoding="utf-8") as fh:
        return {(r["id"], r["item"]): r for r in csv.DictReader(fh)}


def guideline_of(citation: str) -> str:
    """The guideline part of a citation (`MTUS 2016, Chronic Pain ..., section, pages ?` -> `Chronic Pain
    ...`), which names the edition's document."""
    parts = [p.strip() for p in citation.split(",")]
    return parts[1] if len(parts) > 1 else citation


def regrade(judged: dict[tuple[str, str], dict[str, str]],
            now: dict[tuple[str, str], dict[str, str]]) -> dict[str, Counter[str]]:
    """Per guideline: page misses (`right` = section), those whose citation now carries a page, and rows
    whose citation changed (any judgement); rows missing from the fresh sample count as `missing`."""
    out: dict[str, Counter[str]] = {"page_misses": Counter(), "now_paged": Counter(),
                                    "changed": Counter(), "missing": Counter()}
    for key, row in judged.items():
        guideline = guideline_of(row["selected_citation"])
        fresh = now.get(key)
        if fresh is None:
            out["missing"][guideline] += 1
            continue
        if fresh["selected_citation"] != row["selected_citation"]:
            out["changed"][guideline] += 1
        if row["right"] == "section":
            out["page_misses"][guideline] += 1
            if NO_PAGE not in fresh["selected_citation"]:
                out["now_paged"][guideline] += 1
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    counts = regrade(rows_by_item(Path(argv[0])), rows_by_item(Path(argv[1])))
    for name, counter in counts.items():
        total = sum(counter.values())
        detail = ", ".join(f"{g} {n}" for g, n in counter.most_common())
        print(f"{name}: {total}" + (f" ({detail})" if detail else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
