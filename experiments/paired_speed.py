"""Paired A/B timing of feature building on a shared host: two warm processes (a base checkout and this one)
alternate builds of the same SYNTHETIC letters, so both see the same load; the median of the paired time
ratios is the speed-up (session 30).

    .venv/bin/python experiments/paired_speed.py BASE_ROOT [--pairs 6] [--letters 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def worker(letters: int) -> None:
    """Build once to warm up, then time one build per line read from stdin (CPU seconds)."""
    from features.table import build_feature_table
    from letters.parser import parse_text
    from synthetic.corpus import iter_letters
    from synthetic.generative_model import GeneratorSettings

    cases = [parse_text(t, f"bench{i}.synthetic.txt")
             for i, (_, t) in enumerate(iter_letters(letters, GeneratorSettings(seed=1)))]
    build_feature_table(cases)
    print(sum(len(c.services) for c in cases), flush=True)
    for _ in sys.stdin:
        t0 = time.process_time()
        build_feature_table(cases)
        print(time.process_time() - t0, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base", nargs="?")
    ap.add_argument("--pairs", type=int, default=6)
    ap.add_argument("--letters", type=int, default=200)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.letters)
        return
    roots = {"base": args.base, "branch": str(ROOT)}
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    procs = {k: subprocess.Popen([sys.executable, __file__, "--worker", "--letters", str(args.letters)],
                                 cwd=root, env={**env, "PYTHONPATH": root}, stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True) for k, root in roots.items()}
    services = {k: int(p.stdout.readline()) for k, p in procs.items()}
    times: dict[str, list[float]] = {k: [] for k in procs}
    for i in range(args.pairs):
        for k in ("base", "branch") if i % 2 == 0 else ("branch", "base"):
            procs[k].stdin.write("go\n")
            procs[k].stdin.flush()
            times[k].append(float(procs[k].stdout.readline()))
    for p in procs.values():
        p.stdin.close()
        p.wait()
    for k, ts in times.items():
        median = statistics.median(ts)
        print(f"{k}: median {median:.3f} s, {services[k] / median:.1f} services/s")
    ratios = [b / n for b, n in zip(times["base"], times["branch"], strict=True)]
    print(f"speed-up (base time / branch time): median {statistics.median(ratios):.3f}, "
          f"range {min(ratios):.3f}-{max(ratios):.3f}")


if __name__ == "__main__":
    main()
