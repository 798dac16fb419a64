"""Explanations per second for batches of 1, 100 and 10,000 services (target: >= 5,000/s on 2 cores).

Times `Predictor.explain` end to end (the one predictor the CLI and the API use):
encoding, TreeSHAP (FastTreeShap, numba threads over row blocks), grouping per feature, calibrated
probability effects, phrase matching and JSON-ready dicts. Wall time (median) and CPU time of the
process (all threads: robust to load from other processes). Extra columns: the same plus one JSON
encode (orjson when installed, as an API would), plus pydantic validation into `ServiceExplanation`
(what `imr explain` prints), and a predictor using `pred_contrib` (no fast TreeSHAP). Uses `--model` /
`--features` when given (a saved TriageModel directory and a feature parquet); otherwise trains a
model of the default training size on a synthetic random feature table built from the spec, so the
benchmark runs on a fresh clone.
Cold start: a fresh `python -m imr_triage.cli explain LETTER --json` process per run (imports, tables,
spaCy, the model, fast TreeSHAP tables: what a triage user waits for on a first letter), median of
`--cold-runs` runs, beside the same letter explained again in a warm process (`explain_case`, median wall
and process CPU of 20 calls: the CPU figure holds up when other processes load the host). The letter
is `--letter` or a SYNTHETIC one written by `imr synth`; the model is `--model` or the benchmark model,
saved to a temporary folder. Subprocesses inherit PYTHONPATH, so a run with PYTHONPATH at another checkout
times that checkout's code.
Prints a table of medians and writes JSON to benchmarks/results/explain.json.

    .venv/bin/python -m benchmarks.explain [--model models/model --features data/features.parquet]
    .venv/bin/python -m benchmarks.explain --cold-only --letter LETTER   # the cold-start row alone

(as a module from the repository root: run by path, `import features` would find benchmarks/features.py)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

from features.spec import Dtype, FeatureSpec, load_spec
from model.artifact import ModelMetadata, TriageModel
from model.calibration import fit_calibrator
from model.encoder import FeatureEncoder
from model.explanation_models import ServiceExplanation
from model.predictor import Predictor

RESULTS = Path(__file__).resolve().parent / "results" / "explain.json"
SYNTH_TYPES = {  # (family, type, heading) triples for the synthetic benchmark rows
    "medication": [("muscle_relaxant", "Soma 350mg #90 (synthetic)"), ("opioid", "Norco 10/325 #60"),
                   ("topical", "Compounded cream"), ("nsaid", "Naproxen 550mg #60")],
    "imaging": [("mri", "MRI lumbar spine"), ("xray", "X-rays lumbar spine")],
    "electrodiagnostics": [("emg", "EMG bilateral lower extremities"), ("ncv", "NCV right lower extremity")],
    "physical_medicine": [("physical_therapy", "Physical therapy 2x6 lumbar")],
    "dme": [("tens", "TENS unit and supplies")],
    "surgery": [("hardware_removal", "Hardware removal lumbar")],
}


def synthetic_feature_frame(spec: FeatureSpec, n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Random raw feature rows (SYNTHETIC) covering every spec dtype, with a label that depends on them."""
    rng = np.random.default_rng(seed)
    df: dict[str, object] = {}
    for f in spec.features:
        if f.dtype == Dtype.NUMERIC:
            v = rng.gamma(2.0, 10.0, size=n)
            v[rng.random(n) < 0.3] = np.nan
            df[f.name] = v
        elif f.dtype == Dtype.BOOLEAN:
            df[f.name] = rng.random(n) < 0.3
        elif f.dtype == Dtype.CATEGORICAL:
            levels = f.levels or [f"{f.name}_{i}" for i in range(6)]
            df[f.name] = rng.choice(levels, size=n)
        else:
            df[f.name] = ["synthetic text"] * n
    fams = list(SYNTH_TYPES)
    fam = rng.choice(fams, size=n)
    picks = [SYNTH_TYPES[f][rng.integers(len(SYNTH_TYPES[f]))] for f in fam]
    df["service_family"] = fam
    df["service_type"] = [p[0] for p in picks]
    frame = pd.DataFrame(df)
    frame.insert(0, "service", [p[1] for p in picks])
    frame.insert(0, "item_index", np.arange(n) % 4)
    frame.insert(0, "letter_id", [f"SYNTH-{i // 4:06d}" for i in range(n)])
    enc = FeatureEncoder(spec, min_frequency=1).fit(frame)
    x = enc.transform(frame).fillna(0.0).to_numpy()
    w = rng.normal(0, 0.6, size=x.shape[1])
    logit = -2.0 + (x - x.mean(0)) / (x.std(0) + 1e-9) @ w / np.sqrt(x.shape[1]) * 2.5
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame, y


def train_benchmark_model(spec: FeatureSpec, frame: pd.DataFrame, y: np.ndarray) -> TriageModel:
    """A model the size of the training defaults (400 rounds, 15 leaves) on the synthetic table."""
    enc = FeatureEncoder(spec, min_frequency=5).fit(frame)
    x = enc.transform(frame)
    booster = lgb.train(
        {"objective": "binary", "learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 40,
         "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
         "verbose": -1, "seed": 0, "num_threads": 2},
        lgb.Dataset(x.to_numpy(), label=y),  # default column names: encoder slugs may collide
        num_boost_round=400,
    )
    raw = booster.predict(x.to_numpy(), raw_score=True)
    meta = ModelMetadata(model_version="benchmark-synthetic", feature_spec_version=spec.version,
                         feature_spec_fingerprint=spec.fingerprint(), synthetic_training_data=True)
    return TriageModel(spec, enc, booster, fit_calibrator(raw, y, "isotonic"), meta)


def time_call(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def time_call_cpu(fn, repeats: int) -> tuple[list[float], list[float]]:
    """Wall and process CPU seconds (all threads) of each call."""
    wall, cpu = [], []
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def synthetic_letter(folder: Path) -> Path:
    """One SYNTHETIC letter written by `imr synth` (seeded: the same letter on every checkout)."""
    subprocess.run([sys.executable, "-m", "imr_triage.cli", "synth", "--n", "5", "--seed", "0",
                    "--out", str(folder), "--no-progress"], check=True, capture_output=True)
    return sorted((folder / "letters").glob("*.txt"))[0]


def cold_start(model_dir: Path, letter: Path, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds (user + system, all threads) of a fresh `imr explain LETTER --json` process,
    `runs` times after one untimed run (which writes the bytecode and numba caches a fresh checkout lacks)."""
    command = [sys.executable, "-m", "imr_triage.cli", "explain", str(letter), "--model", str(model_dir),
               "--json", "--no-progress"]
    subprocess.run(command, check=True, capture_output=True)
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        wall.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, cpu


def cold_start_row(model: TriageModel, model_dir: Path | None, letter: Path | None, runs: int,
                   top_k: int) -> dict:
    """The cold-start figures: fresh processes against the same letter explained in this warm process."""
    from letters.ingest import parse_file
    from model.explanations import explain_case

    with tempfile.TemporaryDirectory(prefix="imr-cold-") as tmp:
        if model_dir is None:
            model_dir = model.save(Path(tmp) / "model")
        letter = letter or synthetic_letter(Path(tmp) / "synthetic")
        cold, cold_cpu = cold_start(model_dir, letter, runs)
        predictor = Predictor(model, top_k=top_k)
        case = parse_file(letter)
        explain_case(predictor, case, top_k)  # this process's own first letter: tables built, kernels loaded
        warm, warm_cpu = time_call_cpu(lambda: explain_case(predictor, case, top_k), 20)
    return {"letter": letter.name, "runs": runs, "cold_median_s": statistics.median(cold),
            "cold_min_s": min(cold), "cold_max_s": max(cold),
            "cold_cpu_median_s": statistics.median(cold_cpu), "warm_median_s": statistics.median(warm),
            "warm_cpu_median_s": statistics.median(warm_cpu),
            "cold_over_warm": statistics.median(cold) / statistics.median(warm),
            "load_average_1min": os.getloadavg()[0]}


def print_cold(row: dict) -> None:
    print(f"cold start: fresh `imr explain {row['letter']} --json` process, median of {row['runs']} runs "
          f"(min {row['cold_min_s']:.2f} s, max {row['cold_max_s']:.2f} s); "
          f"load average {row['load_average_1min']:.1f}")
    head = (f"{'cold start s':>13} {'cold CPU s':>11} {'warm letter ms':>15} {'warm CPU ms':>12} "
            f"{'cold / warm':>12}")
    print(head)
    print("-" * len(head))
    print(f"{row['cold_median_s']:>13.2f} {row['cold_cpu_median_s']:>11.2f} "
          f"{row['warm_median_s'] * 1000:>15.1f} {row['warm_cpu_median_s'] * 1000:>12.1f} "
          f"{row['cold_over_warm']:>12.0f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, help="saved TriageModel directory")
    ap.add_argument("--features", type=Path, help="feature parquet with the spec's columns")
    ap.add_argument("--top-k", type=int, default=5)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 1_000, 10_000])
    ap.add_argument("--repeats", type=int, default=0, help="0: 200 / 40 / 20 / 7 by batch size")
    ap.add_argument("--letter", type=Path, help="letter for the cold-start row (default: a SYNTHETIC one)")
    ap.add_argument("--cold-runs", type=int, default=5, help="fresh processes, cold-start row (0: none)")
    ap.add_argument("--cold-only", action="store_true", help="only the cold-start row")
    args = ap.parse_args()

    if (args.model is None) != (args.features is None) and not (args.cold_only and args.features is None):
        ap.error("give both --model and --features, or neither (synthetic benchmark model)")
    if args.model is not None:
        model = TriageModel.load(args.model)
        pool = pd.read_parquet(args.features) if args.features is not None else pd.DataFrame()
        source = f"model {args.model}, rows {args.features}"
    else:
        spec = load_spec()
        frame, y = synthetic_feature_frame(spec, 20_000, seed=0)
        model = train_benchmark_model(spec, frame, y)
        pool = pd.DataFrame() if args.cold_only else synthetic_feature_frame(spec, max(args.sizes), seed=1)[0]
        source = "synthetic random feature table (SYNTHETIC), model trained on 20,000 synthetic rows"
    cold = None
    if args.cold_runs > 0:
        cold = cold_start_row(model, args.model, args.letter, args.cold_runs, args.top_k)
        print_cold(cold)
    if args.cold_only:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.with_name("explain_cold.json").write_text(json.dumps(
            {"benchmark": "explain cold start", "source": source, "cold_start": cold,
             "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                         "platform": platform.platform()}}, indent=1))
        print(f"wrote {RESULTS.with_name('explain_cold.json')}")
        return
    explainer = Predictor(model, top_k=args.top_k)
    t0 = time.perf_counter()
    explainer.explain(pool.head(1))  # fast TreeSHAP tables + numba kernels (cached on disk after one run)
    fast = explainer.shap_method == "precomputed TreeSHAP"
    warm_s = time.perf_counter() - t0
    lightgbm_only = Predictor(model, top_k=args.top_k, fast_shap=False)
    explainer.explain(pool.head(100))
    if importlib.util.find_spec("orjson") is not None:
        import orjson

        json_name, dumps = "orjson", orjson.dumps
    else:
        json_name, dumps = "json", json.dumps

    rows = []
    for size in args.sizes:
        batch = pool.sample(n=size, replace=len(pool) < size, random_state=size).reset_index(drop=True)
        repeats = args.repeats or (200 if size == 1 else 40 if size <= 100 else 20 if size <= 1000 else 7)
        t_explain, t_cpu = time_call_cpu(lambda b=batch: explainer.explain(b), repeats)
        t_score = time_call(lambda b=batch: explainer.predict_proba(b), repeats)
        few = max(3, repeats // 4)
        records = explainer.explain(batch)
        t_json = time_call(lambda r=records: dumps(r), few)
        t_models = time_call(
            lambda b=batch: [ServiceExplanation.model_validate(d) for d in explainer.explain(b)], few
        )
        t_lgb = time_call(lambda b=batch: lightgbm_only.explain(b), few)
        med = statistics.median(t_explain)
        cpu = statistics.median(t_cpu)
        rows.append({
            "batch": size,
            "repeats": repeats,
            "median_s": med,
            "median_cpu_s": cpu,
            "services_per_s": size / med,
            "services_per_cpu_s": size / cpu,
            "with_json_services_per_s": size / (med + statistics.median(t_json)),
            "validated_models_services_per_s": size / statistics.median(t_models),
            "lightgbm_pred_contrib_services_per_s": size / statistics.median(t_lgb),
            "score_only_services_per_s": size / statistics.median(t_score),
            "ms_per_batch": med * 1000,
            "cpu_ms_per_service": cpu / size * 1000,
        })

    print(f"explanations, top-k={args.top_k}; {source}")
    print(f"trees={model.booster.num_trees()} encoded_columns={len(model.encoded_columns)} "
          f"features={len(model.spec.names)} cpus={os.cpu_count()}")
    print(f"fast TreeSHAP available: {fast} (warm-up {warm_s:.1f}s); "
          f"load average at end: {os.getloadavg()[0]:.1f}")
    print(f"medians; CPU = process CPU time over all threads; JSON encoder: {json_name}")
    head = (f"{'batch':>7} {'ms/batch':>10} {'explained/s':>12} {'per CPU-s':>10} {'+JSON/s':>9} "
            f"{'pydantic/s':>11} {'lgb-contrib/s':>14} {'score-only/s':>13} {'CPU ms/svc':>11}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['batch']:>7} {r['ms_per_batch']:>10.2f} {r['services_per_s']:>12,.0f} "
              f"{r['services_per_cpu_s']:>10,.0f} "
              f"{r['with_json_services_per_s']:>9,.0f} {r['validated_models_services_per_s']:>11,.0f} "
              f"{r['lightgbm_pred_contrib_services_per_s']:>14,.0f} {r['score_only_services_per_s']:>13,.0f} "
              f"{r['cpu_ms_per_service']:>11.3f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "explain", "source": source, "top_k": args.top_k, "json_encoder": json_name,
        "results": rows, "cold_start": cold,
        "fast_treeshap": fast, "warm_up_s": warm_s, "load_average_1min_at_end": os.getloadavg()[0],
        "trees": model.booster.num_trees(), "encoded_columns": len(model.encoded_columns),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
    }, indent=1))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
