"""How often `imr drift` flags drift where there is none: windows of N letters drawn from the reference
feature table itself (SYNTHETIC demo corpus), each compared with the whole table by `compute_drift`.

    PYTHONPATH=$PWD .venv/bin/python -m benchmarks.drift_false_alerts data/features.parquet --letters 60 200
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from features.spec import load_spec
from training.drift import DriftParams, compute_drift


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("features", type=Path, help="a feature table from `imr features` (the reference)")
    ap.add_argument("--letters", type=int, nargs="+", default=[60, 200], help="window sizes, in letters")
    ap.add_argument("--windows", type=int, default=20, help="windows per size")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    ref = pd.read_parquet(args.features)
    spec, params = load_spec(), DriftParams()
    letters = ref["letter_id"].unique()
    rng = np.random.default_rng(args.seed)
    for n in args.letters:
        flagged, counts, rows = 0, {}, 0
        for _ in range(args.windows):
            window = ref[ref["letter_id"].isin(rng.choice(letters, n, replace=False))]
            rows += len(window)
            report = compute_drift(ref, window, spec, params)
            alerts = [f.name for f in report.features if f.status == "alert"]
            flagged += bool(alerts)
            for name in alerts:
                counts[name] = counts.get(name, 0) + 1
        size = f"{n} letters (~{rows // args.windows} services)"
        print(f"{size}: {flagged}/{args.windows} windows alert; {counts}")


if __name__ == "__main__":
    main()
