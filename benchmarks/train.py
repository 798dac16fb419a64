"""Training time and peak memory of `train_model` for 10k, 50k and 200k synthetic services.

Tables of each size are drawn from a synthetic feature table (default data/features.parquet, made
by the DVC pipeline; otherwise `imr synth` + `imr parse` + features into a temp folder) by
resampling whole letters with fresh letter ids, so the feature distribution is the generator's.
Each run happens in a fresh child process so its peak RSS is its own. Prints medians over
--repeats runs and writes JSON to benchmarks/results/train.json.

    .venv/bin/python benchmarks/train.py [--sizes 10000 50000 200000 --repeats 3]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Running `python benchmarks/train.py` puts benchmarks/ first on sys.path, where benchmarks/features.py
# would shadow the `features` package (also in spawned children, which inherit sys.path).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
RESULTS = REPO / "benchmarks" / "results" / "train.json"


def synthetic_features(n_letters: int, work: Path) -> Path:
    """Synthesize, parse and build a feature table when the pipeline's table is not there."""
    imr = [sys.executable, "-c", "from imr_triage.cli import app; app()"]
    subprocess.run(
        [
            *imr,
            "synth",
            "--n",
            str(n_letters),
            "--out",
            str(work / "synth"),
            "--no-progress",
            "--params",
            os.devnull,
        ],
        check=True,
    )
    subprocess.run(
        [
            *imr,
            "parse",
            str(work / "synth" / "letters"),
            "--out",
            str(work / "records"),
            "--no-progress",
            "--params",
            os.devnull,
        ],
        check=True,
    )
    from features.table import build_feature_table
    from letters.ingest import load_records

    out = work / "features.parquet"
    build_feature_table(load_records(work / "records")).to_parquet(out)
    return out


def sized_table(source: Path, n_services: int, seed: int):  # -> pd.DataFrame
    """Resample whole letters (new ids) until the table has `n_services` rows."""
    import numpy as np
    import pandas as pd

    df = pd.read_parquet(source)
    df = df[df["overturned"].notna()]
    letters = df["letter_id"].unique()
    per_letter = len(df) / len(letters)
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(letters), int(n_services / per_letter * 1.05) + 1, replace=True)
    codes = pd.factorize(df["letter_id"])[0]
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(len(letters)))
    sizes = np.bincount(codes, minlength=len(letters))
    rows = np.concatenate([order[starts[k] : starts[k] + sizes[k]] for k in pick])
    out = df.iloc[rows].reset_index(drop=True)
    out["letter_id"] = np.repeat([f"BENCH-{i:07d}" for i in range(len(pick))], sizes[pick])
    return out.head(n_services)


def _child(source: str, n: int, seed: int, params: dict, queue: mp.Queue) -> None:
    import resource

    from features.spec import load_spec
    from training.train import TrainParams, train_model

    table = sized_table(Path(source), n, seed)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    result = train_model(table, load_spec(), TrainParams(**params))
    secs = time.perf_counter() - t0
    queue.put(
        {
            "seconds": secs,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "rss_before_train_mb": rss_before / 1024,
            "cv_seconds": result.seconds["cv"],
            "final_fit_seconds": result.seconds["final_fit"],
            "rounds": result.best_rounds,
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--features", type=Path, default=REPO / "data" / "features.parquet")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 200_000])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--synth-letters", type=int, default=5000, help="corpus size when --features is absent")
    ap.add_argument("--out", type=Path, default=RESULTS, help="JSON results file")
    args = ap.parse_args()

    from training.params import load_params, section

    params = section(load_params(REPO / "params.yaml"), "train")
    with tempfile.TemporaryDirectory() as tmp:
        source = (
            args.features if args.features.is_file() else synthetic_features(args.synth_letters, Path(tmp))
        )
        ctx = mp.get_context("spawn")
        rows = []
        for n in args.sizes:
            runs = []
            for r in range(args.repeats):
                q: mp.Queue = ctx.Queue()
                p = ctx.Process(target=_child, args=(str(source), n, r, params, q))
                p.start()
                while p.is_alive() and q.empty():  # a crashed child must not leave us waiting
                    p.join(timeout=1)
                if q.empty():
                    raise SystemExit(f"training child for {n} services failed (exit {p.exitcode})")
                runs.append(q.get())
                p.join()
            rows.append(
                {
                    "services": n,
                    "median_seconds": round(statistics.median(x["seconds"] for x in runs), 2),
                    "median_peak_rss_mb": round(statistics.median(x["peak_rss_mb"] for x in runs), 1),
                    "median_train_rss_growth_mb": round(
                        statistics.median(x["peak_rss_mb"] - x["rss_before_train_mb"] for x in runs), 1
                    ),
                    "services_per_second": round(n / statistics.median(x["seconds"] for x in runs), 1),
                    "runs": runs,
                }
            )
    print(f"{'services':>9} {'train s':>9} {'peak RSS MB':>12} {'train RSS +MB':>14} {'services/s':>11}")
    for r in rows:
        print(
            f"{r['services']:>9} {r['median_seconds']:>9} {r['median_peak_rss_mb']:>12} "
            f"{r['median_train_rss_growth_mb']:>14} {r['services_per_second']:>11}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "benchmark": "train",
                "source": str(source),
                "synthetic": True,
                "repeats": args.repeats,
                "params": params,
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "results": rows,
            },
            indent=1,
            default=str,
        )
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
