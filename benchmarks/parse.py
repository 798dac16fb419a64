"""Letters per second, one core, for PDF and text input: real letters and 5,000 synthetic ones.

Targets (issue 2): >= 200 text letters/s and >= 20 PDF letters/s per core. Times `parse_file`
end to end (read, PDF text extraction, parse, pydantic records) in this single process, so the
rate is per core. Real letters: the PDFs in ../shared/data, and their text (extracted once into a
temporary folder, never into the repo). Synthetic: `imr synth` writes the corpus into a temporary
folder (PDFs for a subset, as rendering PDFs is the slow part). Prints medians over --repeats runs
and writes JSON to benchmarks/results/parse.json.

    .venv/bin/python benchmarks/parse.py [--synth-n 5000 --synth-pdf-n 500 --repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from letters.ingest import parse_file
from letters.pdf_text import pdf_to_text

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "parse.json"
REAL_PDFS = REPO.parent / "shared" / "data" / "dwc-imr-letters" / "pdf"


def rate(files: list[Path], repeats: int) -> dict[str, float]:
    """Median letters/s (and services/s) over `repeats` passes of parse_file over `files`."""
    rates, services = [], 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        services = sum(len(parse_file(f).services) for f in files)
        rates.append(len(files) / (time.perf_counter() - t0))
    med = statistics.median(rates)
    return {"letters": len(files), "services": services, "letters_per_s": round(med, 1),
            "services_per_s": round(med * services / len(files), 1),
            "runs": [round(r, 1) for r in rates]}


def imr_synth(n: int, out: Path, pdf: bool) -> str | None:
    """Run `imr synth`; return None on success or the reason it is unavailable."""
    cmd = [sys.executable, "-c", "from imr_triage.cli import app; app()", "synth", "--n", str(n),
           "--seed", "0", "--out", str(out), "--no-progress"] + (["--pdf"] if pdf else [])
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    if res.returncode != 0:
        return f"`imr synth` failed (exit {res.returncode}): {(res.stderr or res.stdout).strip()[-300:]}"
    return None


def synthetic_files(out: Path, suffix: str) -> list[Path]:
    return sorted(p for p in out.rglob(f"*{suffix}") if "synthetic" in p.name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real-pdfs", type=Path, default=REAL_PDFS)
    ap.add_argument("--synth-n", type=int, default=5000)
    ap.add_argument("--synth-pdf-n", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    rows: dict[str, dict] = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="imr-parse-bench-") as tmp:
        tmpd = Path(tmp)
        pdfs = sorted(args.real_pdfs.glob("*.pdf")) if args.real_pdfs.is_dir() else []
        if pdfs:
            txt_dir = tmpd / "real-text"
            txt_dir.mkdir()
            for p in pdfs:
                (txt_dir / (p.stem + ".txt")).write_text(pdf_to_text(p), encoding="utf-8")
            rows["real PDF"] = rate(pdfs, args.repeats)
            rows["real text"] = rate(sorted(txt_dir.glob("*.txt")), args.repeats)
        else:
            notes.append(f"real letters not found at {args.real_pdfs}; skipped")

        synth_txt = tmpd / "synth"
        why = imr_synth(args.synth_n, synth_txt, pdf=False)
        if why is None:
            rows["synthetic text"] = rate(synthetic_files(synth_txt, ".txt"), args.repeats)
            synth_pdf = tmpd / "synth-pdf"
            why_pdf = imr_synth(args.synth_pdf_n, synth_pdf, pdf=True)
            if why_pdf is None and synthetic_files(synth_pdf, ".pdf"):
                rows["synthetic PDF"] = rate(synthetic_files(synth_pdf, ".pdf"), args.repeats)
            else:
                notes.append(f"synthetic PDF skipped: {why_pdf or 'imr synth --pdf wrote no PDFs'}")
        else:
            notes.append(f"synthetic letters skipped: {why}")

    print(f"{'input':<16}{'letters':>9}{'services':>10}{'letters/s':>11}{'services/s':>12}   target")
    for name, r in rows.items():
        target = 20 if "PDF" in name else 200
        ok = "ok" if r["letters_per_s"] >= target else "MISSED"
        print(f"{name:<16}{r['letters']:>9}{r['services']:>10}{r['letters_per_s']:>11.1f}"
              f"{r['services_per_s']:>12.1f}   >= {target} {ok}")
    for n in notes:
        print("note:", n)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "parse", "per_core": True, "repeats": args.repeats, "statistic": "median",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "results": rows, "notes": notes,
    }, indent=2))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
