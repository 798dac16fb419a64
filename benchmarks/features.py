"""Feature building speed: time against letter length, services per second, and one real letter.

Run it as a module from the repository root (a script named features.py run by path would shadow the
`features` package it measures):

    .venv/bin/python -m benchmarks.features [--letters 400] [--repeats 3]

Prints three tables (medians over repeats, one process, one core):
1. one SYNTHETIC letter whose clinical summary is grown to 20 kB, 200 kB and 2 MB (the generator's own
   sentences, repeated): seconds and microseconds per kB, which stay flat when time grows linearly;
2. services per second on the SYNTHETIC corpus (`imr synth` letters, parsed first, parsing not timed);
3. the median time of one real letter (../shared/data/dwc-imr-letters, when present).
Targets (issue #17): 2 MB under 20 s; at least 200 services/s per core; a real letter under 50 ms.
Writes benchmarks/results/features.json.
"""

from __future__ import annotations

import sys

if not __package__:  # run by path: `import features` would find this file, not the package
    sys.exit("run as a module from the repository root: python -m benchmarks.features")

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from features.table import build_feature_table  # noqa: E402
from letters.parser import parse_text  # noqa: E402
from letters.records import Case  # noqa: E402
from synthetic.corpus import iter_letters  # noqa: E402
from synthetic.generative_model import GeneratorSettings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "features.json"
REAL = ROOT.parent / "shared" / "data" / "dwc-imr-letters" / "pdf"
SIZES_KB = (20, 200, 2000)


def _cpu(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def grown_letter(case: Case, summaries: list[str], kb: int) -> Case:
    """`case` with a clinical summary of about `kb` kB made of whole synthetic summaries in turn."""
    parts, n, i = [], 0, 0
    while n < kb * 1000:
        s = summaries[i % len(summaries)]
        parts.append(s)
        n += len(s) + 1
        i += 1
    return case.model_copy(update={"clinical_summary": " ".join(parts)[: kb * 1000]})


def scaling(cases: list[Case], repeats: int) -> list[dict[str, float]]:
    summaries = [c.clinical_summary for c in cases if c.clinical_summary]
    out = []
    for kb in SIZES_KB:
        letter = grown_letter(cases[0], summaries, kb)
        secs = _cpu(lambda letter=letter: build_feature_table([letter]), 1 if kb >= 2000 else repeats)
        out.append({"kb": kb, "seconds": secs, "us_per_kb": secs * 1e6 / kb})
    return out


def throughput(cases: list[Case], repeats: int) -> dict[str, float]:
    n = sum(len(c.services) for c in cases)
    secs = _cpu(lambda: build_feature_table(cases), repeats)
    return {"letters": len(cases), "services": n, "seconds": secs, "services_per_s": n / secs}


def real_letter_ms(repeats: int) -> dict[str, float] | None:
    if not REAL.is_dir():
        return None
    from letters.ingest import parse_paths

    cases = parse_paths([REAL]).cases
    per_letter = [_cpu(lambda c=c: build_feature_table([c]), repeats) * 1000 for c in cases]
    return {"letters": len(cases), "median_ms": statistics.median(per_letter), "max_ms": max(per_letter)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--letters", type=int, default=400, help="synthetic letters for the throughput")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    cases = [parse_text(t, f"bench{i}.synthetic.txt")
             for i, (_, t) in enumerate(iter_letters(args.letters, GeneratorSettings(seed=1)))]
    build_feature_table(cases[:5])  # load the spaCy pipeline, rules and tables once
    grow = scaling(cases, args.repeats)
    synth = throughput(cases, args.repeats)
    real = real_letter_ms(args.repeats)
    print("1. one SYNTHETIC letter grown to a size (CPU seconds; flat us/kB = linear time)")
    print(f"{'summary':>10s} {'seconds':>9s} {'us/kB':>9s}")
    for r in grow:
        print(f"{r['kb']:>8d}kB {r['seconds']:9.2f} {r['us_per_kb']:9.0f}")
    print("\n2. SYNTHETIC corpus (imr synth letters, parsed first)")
    print(f"{synth['letters']} letters, {synth['services']} services: {synth['seconds']:.2f} s CPU, "
          f"{synth['services_per_s']:.0f} services/s on one core")
    if real is not None:
        print(f"\n3. real letters ({real['letters']}): median {real['median_ms']:.1f} ms per letter, "
              f"max {real['max_ms']:.1f} ms")
    else:
        print(f"\n3. real letters: {REAL} not found, skipped")
    print("\ntargets: 2 MB < 20 s; >= 200 services/s per core; real letter median < 50 ms")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"machine": platform.platform(), "python": platform.python_version(),
                                   "repeats": args.repeats, "scaling": grow, "synthetic": synth,
                                   "real": real}, indent=2))


if __name__ == "__main__":
    main()
