"""pypdfium2 vs pypdf on the real letters: extraction speed, raw text artefacts, parse accuracy.

The repro for experiments/pdf-extractors.md. For each engine: median seconds to extract all
letters (one core), artefacts in the raw page text (hyphen-split words, odd code points, page ends
without a newline, blank/space-padded lines), word-level agreement between the engines, and the
parser's accuracy against labels.csv when fed that engine's text (service count per letter,
decision per row, service text after whitespace normalisation, header dates and priority).
Prints a table and writes JSON to benchmarks/results/pdf_extractors.json.

    .venv/bin/python benchmarks/pdf_extractors.py [--letters ../shared/data/dwc-imr-letters --repeats 3]
"""

from __future__ import annotations

import argparse
import csv
import difflib
import json
import re
import statistics
import time
from collections import defaultdict
from pathlib import Path

from letters.parser import LetterParseError, parse_text
from letters.pdf_text import _ENGINES, normalise_text

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "pdf_extractors.json"
DEFAULT_LETTERS = REPO.parent / "shared" / "data" / "dwc-imr-letters"
ENGINES = ("pypdfium2", "pypdf")
_HYPHEN_END = re.compile(r"[A-Za-z]-[ \t]*$", re.MULTILINE)
_ODD = re.compile(r"[\ufffe\ufffd\x00-\x08\x0b\x0e-\x1f]")


def raw_pages(engine: str, pdf: Path) -> list[str]:
    return _ENGINES[engine](str(pdf))


def artefacts(pages: list[str]) -> dict[str, int]:
    """Counts of raw-text problems a parser must undo, summed over a letter's pages."""
    text = "\n".join(pages)
    lines = text.replace("\r\n", "\n").split("\n")
    return {
        "hyphen_split_words": len(_HYPHEN_END.findall(text.replace("\r\n", "\n"))),
        "odd_code_points": len(_ODD.findall(text)),
        "pages_without_final_newline": sum(1 for p in pages[:-1] if not p.endswith(("\n", "\r"))),
        "blank_lines": sum(1 for ln in lines if not ln.strip()),
        "lines_with_trailing_space": sum(1 for ln in lines if ln != ln.rstrip()),
    }


def accuracy(texts: dict[str, str], labels: dict[str, list[dict[str, str]]]) -> dict[str, float | int]:
    """The parser's agreement with labels.csv given one engine's text."""
    ws = " ".join
    letters_ok = rows = dec_ok = svc_ok = hdr_ok = failed = 0
    for case_number, rows_l in labels.items():
        try:
            case = parse_text(texts[case_number], case_number)
        except LetterParseError:
            failed += 1
            continue
        letters_ok += len(case.services) == len(rows_l)
        first = rows_l[0]
        hdr_ok += all(
            (getattr(case, f).strftime("%m/%d/%Y") if getattr(case, f) else None) == first[f]
            for f in ("date_of_injury", "ur_denial_date", "decision_date")
        ) and case.priority == first["priority"]
        for row, svc in zip(rows_l, case.services, strict=False):
            rows += 1
            dec_ok += svc.decision == row["decision"]
            svc_ok += ws(svc.service.split()) == ws(row["service"].split())
    n_rows = sum(len(v) for v in labels.values())
    return {"letters": len(labels), "failed": failed,
            "count_match_pct": round(100 * letters_ok / len(labels), 2),
            "decision_match_pct": round(100 * dec_ok / n_rows, 2),
            "service_text_match_pct": round(100 * svc_ok / n_rows, 2),
            "header_match_pct": round(100 * hdr_ok / len(labels), 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--letters", type=Path, default=DEFAULT_LETTERS)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    pdfs = sorted((args.letters / "pdf").glob("*.pdf"))
    if not pdfs:
        raise SystemExit(f"no PDFs under {args.letters / 'pdf'} (real letters live in ../shared/data)")
    labels: dict[str, list[dict[str, str]]] = defaultdict(list)
    with (args.letters / "labels.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            labels[row["case_number"]].append(row)
    for rows in labels.values():
        rows.sort(key=lambda r: int(r["item_index"]))

    report: dict[str, dict] = {}
    pages_by_engine: dict[str, dict[str, list[str]]] = {}
    for engine in ENGINES:
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            pages_by_engine[engine] = {p.stem: raw_pages(engine, p) for p in pdfs}
            times.append(time.perf_counter() - t0)
        pages = pages_by_engine[engine]
        n_pages = sum(len(v) for v in pages.values())
        secs = statistics.median(times)
        totals: dict[str, int] = defaultdict(int)
        for v in pages.values():
            for k, n in artefacts(v).items():
                totals[k] += n
        texts = {k: normalise_text("\n".join(p if p.endswith(("\n", "\r")) else p + "\n" for p in v))
                 for k, v in pages.items()}
        report[engine] = {"seconds": round(secs, 2), "letters_per_s": round(len(pdfs) / secs, 1),
                          "pages_per_s": round(n_pages / secs, 1), "pages": n_pages,
                          "artefacts": dict(totals), "parse_vs_labels": accuracy(texts, labels)}

    a, b = (pages_by_engine[e] for e in ENGINES)
    same = total = 0
    for k in a:
        wa, wb = " ".join(a[k]).split(), " ".join(b[k]).split()
        sm = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
        same += sum(block.size for block in sm.get_matching_blocks())
        total += max(len(wa), len(wb))
    agreement = round(100 * same / total, 3)

    keys = list(report[ENGINES[0]]["artefacts"]) + list(report[ENGINES[0]]["parse_vs_labels"])
    print(f"{'metric':<32}" + "".join(f"{e:>14}" for e in ENGINES))
    for k in ("seconds", "letters_per_s", "pages_per_s"):
        print(f"{k:<32}" + "".join(f"{report[e][k]:>14}" for e in ENGINES))
    for k in keys:
        group = "artefacts" if k in report[ENGINES[0]]["artefacts"] else "parse_vs_labels"
        print(f"{k:<32}" + "".join(f"{report[e][group][k]:>14}" for e in ENGINES))
    print(f"word-level agreement between engines: {agreement}%")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "pdf_extractors", "letters": len(pdfs), "repeats": args.repeats, "statistic": "median",
        "engines": report, "word_agreement_pct": agreement}, indent=2))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
