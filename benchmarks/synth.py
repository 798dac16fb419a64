"""Synthetic corpus speed: letters/s generated in memory (one core) and written to disk.

    .venv/bin/python benchmarks/synth.py [--n 5000 --write-n 20000 --repeats 3]

In memory: draw + render N letters, median of repeats; reports wall and CPU-time rates (the CPU
rate is the honest per-core number on a shared, loaded machine). On disk: `write_corpus` of
WRITE_N letters into a temporary folder with 1 and 2 worker processes (wall clock, includes
file creation and ground_truth.parquet). Writes benchmarks/results/synth.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from synthetic.corpus import iter_letters, write_corpus
from synthetic.generative_model import GeneratorSettings

RESULTS = Path(__file__).resolve().parent / "results"


def in_memory(n: int, seed: int) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    size = 0
    for _case, text in iter_letters(n, GeneratorSettings(seed=seed)):
        size += len(text)
    return n / (time.perf_counter() - w0), n / (time.process_time() - c0)


def on_disk(n: int, seed: int, workers: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        write_corpus(n, Path(tmp) / "corpus", GeneratorSettings(seed=seed), workers=workers)
        return n / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--write-n", type=int, default=20000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    mem = [in_memory(args.n, seed) for seed in range(args.repeats)]
    rows = {
        f"generate+render {args.n} letters, wall (letters/s)": statistics.median(m[0] for m in mem),
        f"generate+render {args.n} letters, per CPU-second": statistics.median(m[1] for m in mem),
    }
    for workers in (1, 2):
        rows[f"imr synth --n {args.write_n} to disk, {workers} worker(s) (letters/s)"] = on_disk(
            args.write_n, 0, workers)
    width = max(len(k) for k in rows)
    for k, v in rows.items():
        print(f"{k:<{width}}  {v:>8.0f}")
    RESULTS.mkdir(exist_ok=True)
    payload = {k: round(v, 1) for k, v in rows.items()}
    (RESULTS / "synth.json").write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
