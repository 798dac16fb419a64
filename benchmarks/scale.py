"""Dask scale-out throughput: parse + features of SYNTHETIC letters and scoring of synthetic services.

For each worker count a loopback LocalCluster (1 thread per worker) runs `parse_partitioned` and
`features_partitioned` on the same synthetic corpus, then scores a feature table replicated to
`--services` rows (probabilities via `TriageModel.predict_proba` on dataframe partitions).
Prints a table and writes JSON to benchmarks/results/scale.json. Timings are medians of --repeat.

    python benchmarks/scale.py                       # 20,000 letters, 1,000,000 services, 1 and 2 workers
    python benchmarks/scale.py --letters 4000 --services 200000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any


def _corpus(n: int, root: Path) -> Path:
    from synthetic.corpus import write_corpus
    from synthetic.generative_model import GeneratorSettings

    write_corpus(n, root / "synthetic-corpus", GeneratorSettings(seed=0), workers=2)
    return root / "synthetic-corpus" / "letters"


def _model(table: Any) -> Any:
    from features.spec import load_spec
    from training.boosting import LgbmParams, TrainParams
    from training.train import train_model

    p = TrainParams(cv_folds=2, weighting="unweighted", calibration="sigmoid",
                    lgbm=LgbmParams(num_boost_round=150))  # fmt: skip
    return train_model(table, load_spec(), p).model


def _score_partition(df: Any, model: Any) -> Any:
    import pandas as pd

    from model.predictor import Predictor

    return pd.Series(Predictor(model).predict_proba(df), index=df.index, name="p")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--letters", type=int, default=20000)
    ap.add_argument("--services", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--partition-size", type=int, default=500, help="letters per partition")
    ap.add_argument("--score-partitions", type=int, default=16)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/scale.json"))
    args = ap.parse_args()

    import dask.dataframe as dd
    import pandas as pd
    from distributed import wait

    from training.distributed import dask_client, features_partitioned, parse_partitioned, read_feature_table

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="imr-scale-") as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        letters = _corpus(args.letters, root)
        print(f"synthesised {args.letters} SYNTHETIC letters in {time.perf_counter() - t:.0f}s (not timed)")
        table = None
        for w in args.workers:
            with dask_client("local", n_workers=w) as client:
                parse_s, feat_s = [], []
                for r in range(args.repeat):
                    t = time.perf_counter()
                    res = parse_partitioned([letters], root / f"rec-{w}-{r}", client,
                                            partition_size=args.partition_size)  # fmt: skip
                    parse_s.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    features_partitioned(root / f"rec-{w}-{r}", root / f"feat-{w}-{r}", client,
                                         partition_size=args.partition_size)  # fmt: skip
                    feat_s.append(time.perf_counter() - t)
                if table is None:
                    table = read_feature_table(root / f"feat-{w}-0")
                    model = _model(table)
                    reps = -(-args.services // len(table))
                    big = pd.concat([table] * reps, ignore_index=True).iloc[: args.services]
                score_s = []
                for _r in range(args.repeat):
                    ddf = client.persist(dd.from_pandas(big, npartitions=args.score_partitions, sort=False))
                    m = client.scatter(model, broadcast=True)
                    wait(ddf)  # the data already sits on the workers: time the scoring only
                    t = time.perf_counter()
                    n = int(ddf.map_partitions(_score_partition, m, meta=("p", "f8")).count().compute())
                    score_s.append(time.perf_counter() - t)
                    assert n == len(big)
            p, f, s = statistics.median(parse_s), statistics.median(feat_s), statistics.median(score_s)
            rows.append({
                "workers": w, "letters": args.letters, "parsed": res.n_cases,
                "services_in_letters": res.n_services,
                "parse_s": round(p, 2), "features_s": round(f, 2),
                "letters_per_s": round(args.letters / (p + f), 1),
                "score_services": len(big), "score_s": round(s, 2), "services_per_s": round(len(big) / s),
            })  # fmt: skip
    hdr = f"{'workers':>7} {'letters':>8} {'parse s':>8} {'feat s':>7} {'letters/s':>9} {'services':>9} " \
          f"{'score s':>8} {'services/s':>10}"  # fmt: skip
    print(hdr)
    for r in rows:
        print(f"{r['workers']:>7} {r['letters']:>8} {r['parse_s']:>8} {r['features_s']:>7} "
              f"{r['letters_per_s']:>9} {r['score_services']:>9} {r['score_s']:>8} "
              f"{r['services_per_s']:>10}")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"cpus": os.cpu_count(), "python": platform.python_version(), "repeat": args.repeat,
            "partition_size": args.partition_size, "synthetic": True}  # fmt: skip
    args.out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
