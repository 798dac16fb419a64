"""Where one structured fast-path batch (`POST /v1/score/features`) spends its time, phase by phase,
in-process (no HTTP): body parse, validation, encoding, booster, TreeSHAP, grouping, answer building,
response models and JSON serialisation. Prints CPU time (best, median) and median wall time of
`--repeat` runs per phase, in ms.

    .venv/bin/python benchmarks/fast_path_phases.py [--model-path DIR] [--services 1000] [--repeat 30]

Trains the same small SYNTHETIC model as benchmarks/serve.py unless --model-path is given; the rows
are the raw features `features.table` builds from SYNTHETIC letters (every feature stated).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if not __package__ and sys.path and Path(sys.path[0]).resolve() == ROOT / "benchmarks":
    sys.path[0] = str(ROOT)  # run by path: benchmarks/features.py would shadow the features package


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, float]:
    """Best and median CPU time of `fn` (this process, all threads) and its median wall time, in ms:
    CPU time is what a GIL-bound request costs the worker, and moves less with the host's load."""
    from benchmarks.explain import time_call_cpu  # imported late, like main()'s imports

    wall, cpu = time_call_cpu(fn, repeat)
    return min(cpu) * 1000, statistics.median(cpu) * 1000, statistics.median(wall) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-path", type=Path, default=None)
    ap.add_argument("--services", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as `imr serve` sets it
    import orjson
    from pydantic import TypeAdapter
    from threadpoolctl import threadpool_limits

    from benchmarks.serve import feature_rows, stated, synthetic_letters, train_synthetic_model
    from features.spec import load_spec
    from model.artifact import TriageModel
    from serving.feature_scores import score_rows, validate_services
    from serving.metrics import ServiceMetrics
    from serving.routes_score import ScoringContext, run_features
    from serving.schemas import FeatureBatchResponse, FeatureScore, ModelRefOut
    from serving.scoring_pool import ScoringPool
    from serving.settings import ServingSettings

    threadpool_limits(limits=1, user_api="blas")  # as the app's lifespan sets it
    with tempfile.TemporaryDirectory(prefix="imr-bench-phases-") as tmp:
        model_path = args.model_path or train_synthetic_model(Path(tmp) / "model")
        rows = feature_rows(synthetic_letters(args.services, seed=5), args.services)
        settings = ServingSettings(model_path=model_path, poll_interval_s=0)
        ctx = ScoringContext.build(settings, load_spec(), ServiceMetrics(), ScoringPool(1, 1))
        predictor = settings.predictor(TriageModel.load(model_path))
        predictor.check()
    body = json.dumps({"services": [{"features": stated(r)} for r in rows]}).encode()
    items = orjson.loads(body)["services"]
    _, valid = validate_services(items, ctx.feature_adapter, ctx.features_adapter)
    valid_rows = [r for _, _, r in valid]
    x = predictor.matrix(valid_rows)
    contributions = predictor.contributions(x)

    def results() -> list[Any]:
        out, _ = run_features(ctx, body, "application/json", predictor)
        return [r if isinstance(r, FeatureScore) else FeatureScore.model_construct(**r) for r in out]

    scored = results()
    response = FeatureBatchResponse.model_construct(
        model=ModelRefOut.model_construct(name="m", version="1", alias=None, label="m v1"),
        n_items=len(scored), n_ok=len(scored), n_failed=0, results=scored,
    )  # fmt: skip
    adapter = TypeAdapter(FeatureBatchResponse)
    phases: list[tuple[str, Callable[[], Any]]] = [
        ("parse body (orjson)", lambda: orjson.loads(body)),
        ("validate services", lambda: validate_services(items, ctx.feature_adapter, ctx.features_adapter)),
        ("encode (predictor.matrix)", lambda: predictor.matrix(valid_rows)),
        ("booster log-odds", lambda: predictor.raw_scores(x)),
        ("TreeSHAP contributions", lambda: predictor.contributions(x)),
        ("per-feature grouping", lambda: predictor.grouped(contributions)),
        ("score_rows (encode..answer dicts)", lambda: score_rows(predictor, valid_rows)),
        ("pool work + response models", results),
        ("serialise response (JSON)", lambda: adapter.dump_json(response)),
    ]
    print(
        f"one fast-path batch of {len(rows)} services, in-process, {args.repeat} runs per phase; body "
        f"{len(body) / 1e6:.1f} MB, answer {len(adapter.dump_json(response)) / 1e6:.1f} MB; load average "
        f"{os.getloadavg()[0]:.2f}\n  {'phase':<36} {'cpu best':>8} {'cpu p50':>8} {'wall p50':>8}"
    )
    for name, fn in phases:
        best, median, wall = timed(fn, args.repeat)
        print(f"  {name:<36} {best:8.2f} {median:8.2f} {wall:8.2f}")


if __name__ == "__main__":
    main()
