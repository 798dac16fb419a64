"""Feature building speed: services per second on one core (target: 5,000 services/s).

Times `build_feature_table` (all extractors + the typed DataFrame) on parsed synthetic letters
(generated in memory, labelled synthetic) and, when ../shared/data is present, on the real letters.
Parsing is not timed. Each repeat starts cold: everything memoised by heading or UR-line text
(classifications included) is forgotten first, as in a new `imr features` process on letters it has
not seen (the "warm" column keeps them, as a long run or a serving process has them). Prints a table
of medians over repeats and writes benchmarks/results/featurize.json. (Named featurize.py, not
features.py: a script named features.py would shadow the `features` package it imports.)

    .venv/bin/python benchmarks/featurize.py [--letters 2000] [--repeats 5]
    .venv/bin/python benchmarks/featurize.py --at 4c09b63   # this script, on the feature code of a commit
    .venv/bin/python benchmarks/featurize.py --pure-python  # without the optional C word index

Times on this shared machine drift by up to 40% within an hour: compare back to back, or count
instructions with benchmarks/featurize_instructions.py, which does not drift.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from worktree import checked_out

from features.extractors.service_level import clear_text_caches
from features.table import build_feature_table
from letters.parser import parse_text
from letters.records import Case
from synthetic.corpus import iter_letters
from synthetic.generative_model import GeneratorSettings

try:
    from features.service_families import clear_classification_cache
except ImportError:  # feature code of a commit before it had its own clear (--at): the same effect
    from features.service_families import _classify_cached

    clear_classification_cache = _classify_cached.cache_clear

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "featurize.json"
REAL = ROOT.parent / "shared" / "data" / "dwc-imr-letters" / "pdf"


def _time(cases: list[Case], repeats: int) -> dict[str, float]:
    build_feature_table(cases[:20])  # warm caches (compiled patterns, spec)
    n = sum(len(c.services) for c in cases)
    wall, cpu, warm = [], [], []
    for _ in range(repeats):
        clear_text_caches()
        clear_classification_cache()
        t0, c0 = time.perf_counter(), time.process_time()
        build_feature_table(cases)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        c0 = time.process_time()
        build_feature_table(cases)
        warm.append(time.process_time() - c0)
    return {
        "letters": len(cases), "services": n,
        "median_wall_s": statistics.median(wall), "median_cpu_s": statistics.median(cpu),
        "services_per_s_wall": n / statistics.median(wall), "services_per_s_cpu": n / statistics.median(cpu),
        "services_per_s_cpu_warm": n / statistics.median(warm),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--letters", type=int, default=2000, help="synthetic letters to time")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--at", metavar="COMMIT", help="time the feature code of this commit (a worktree beside)")
    ap.add_argument("--pure-python", action="store_true", help="without the C word index")
    args = ap.parse_args()
    if args.at:
        _rerun_at(args.at, [f"--letters={args.letters}", f"--repeats={args.repeats}"]
                  + (["--pure-python"] if args.pure_python else []))
        return
    search = _word_search(args.pure_python)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    results: dict[str, dict[str, float]] = {}
    synthetic = [parse_text(t, f"bench{i}.synthetic.txt")
                 for i, (_, t) in enumerate(iter_letters(args.letters, GeneratorSettings(seed=1)))]
    results["synthetic"] = _time(synthetic, args.repeats)
    if REAL.is_dir():
        from letters.ingest import parse_paths

        results["real"] = _time(parse_paths([REAL]).cases, args.repeats)
    cols = ("letters", "services", "wall s", "svc/s wall", "svc/s cpu", "warm cpu")
    print(f"{'corpus':10s} " + " ".join(f"{c:>11s}" for c in cols))
    for name, r in results.items():
        print(f"{name:10s} {r['letters']:11d} {r['services']:11d} {r['median_wall_s']:11.2f} "
              f"{r['services_per_s_wall']:11.0f} {r['services_per_s_cpu']:11.0f} "
              f"{r['services_per_s_cpu_warm']:11.0f}")
    print(f"word search: {search}")
    print("target: 5,000 services/s on one core (single-process; median of repeats)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    code = os.environ.get("IMR_BENCH_CODE", "checkout")
    RESULTS.write_text(json.dumps({"machine": platform.platform(), "python": platform.python_version(),
                                   "code": code, "word_search": search, "repeats": args.repeats,
                                   "results": results}, indent=2))


def _word_search(pure_python: bool) -> str:
    """Which word search the extractors run: the C index, or the pure-Python one (forced, or not built)."""
    import features.text_patterns as text_patterns

    if pure_python:
        text_patterns.WordIndex = None
    return "C index (features._wordscan)" if getattr(text_patterns, "WordIndex", None) else "pure Python"


def _rerun_at(commit: str, argv: list[str]) -> None:
    """Run this script again with `commit`'s feature code first on the path (checked out beside)."""
    with checked_out(commit) as tree:
        env = {**os.environ, "PYTHONPATH": str(tree), "IMR_BENCH_CODE": commit}
        print(f"feature code of {commit}:")
        subprocess.run([sys.executable, __file__, *argv], env=env, check=True)


if __name__ == "__main__":
    main()
