"""Benchmark of the live scoring API on loopback, `imr serve` and `mlflow models serve` side by side.

One run serves the same model two ways on 127.0.0.1 (a small model trained here on SYNTHETIC letters
unless --model-path is given) and drives both with keep-alive HTTP clients:
  imr serve (1 worker unless --workers):
    - single text:        POST /v1/score {"text": letter}               (one SYNTHETIC letter)
    - single structured:  POST /v1/score, one case with one service     (extractors read its summary)
    - single features:    POST /v1/score/features, one service's stated features
    - batch text:         POST /v1/score/batch, SYNTHETIC letters totalling --batch-services services
    - batch structured:   POST /v1/score/batch, structured cases totalling --batch-services services
    - batch features:     POST /v1/score/features, --batch-services services with every feature stated
  every imr answer carries explanations (top-3 reasons; per-feature contributions on the fast path);
  mlflow models serve (the registered pyfunc, `--env-manager local`, 1 worker):
    - single features / batch features: POST /invocations, the same rows (`dataframe_split`),
      probabilities only.
Concurrency 1 and 8 for single requests, 1 and 2 for batches; each scenario is bounded by a request
count and a time limit. Client and servers share the machine's cores, so the numbers include the
client's own CPU; server CPU per request and the load average are reported beside them. Prints a
table and writes benchmarks/results/serve.json.

    .venv/bin/python benchmarks/serve.py [--model-path DIR] [--requests 1000] [--seconds 10] [--workers 1]
        [--inputs features]   (only the features scenarios, imr beside mlflow)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
if not __package__ and sys.path and Path(sys.path[0]).resolve() == ROOT / "benchmarks":
    # run by path: `benchmarks/` would shadow the `features` package with benchmarks/features.py
    sys.path[0] = str(ROOT)
RESULTS = ROOT / "benchmarks" / "results"
DEV_KEY = "imr-dev-key"
WARMUP_REQUESTS = 4

SINGLE_CASE: dict[str, Any] = {
    "case_id": "SYNTHETIC-BENCH-1",
    "date_of_injury": "2014-02-03",
    "ur_denial_date": "2016-04-11",
    "application_received": "2016-04-20",
    "priority": "Standard",
    "patient_age": 47,
    "patient_sex": "male",
    "clinical_summary": "Synthetic case. This 47 year old male injured his low back. He has used "
    "carisoprodol for 9 months. Pain was rated 8/10. No functional improvement was documented.",
    "services": [
        {"heading": "Soma 350mg #90", "ur_guideline": "MTUS (Effective July 18, 2009) Page 29, Carisoprodol"}
    ],
}


def synthetic_letters(n_services: int, seed: int) -> list[str]:
    """SYNTHETIC letter texts totalling at least `n_services` disputed services."""
    from letters.parser import parse_text
    from synthetic.corpus import iter_letters
    from synthetic.generative_model import GeneratorSettings

    out, total = [], 0
    for i, (_, text) in enumerate(iter_letters(4 * n_services, GeneratorSettings(seed=seed))):
        out.append(text)
        total += len(parse_text(text, f"synthetic-bench-{i}.txt").services)
        if total >= n_services:
            return out
    raise RuntimeError(f"synthetic corpus gave only {total} services")


def feature_rows(letters: list[str], n: int) -> list[dict[str, Any]]:
    """The raw features of the first `n` services of `letters`, every spec feature stated (null when
    the letter does not say), as `features.table` builds them."""
    from features.spec import load_spec
    from features.table import build_feature_table
    from letters.parser import parse_text

    spec = load_spec()
    cases = [parse_text(t, f"synthetic-bench-{i}.txt") for i, t in enumerate(letters)]
    table = build_feature_table(cases, with_target=False, spec=spec).head(n)
    rows = []
    for record in table[spec.names].to_dict(orient="records"):
        rows.append(
            {
                k: None
                if v is None or (isinstance(v, float) and math.isnan(v))
                else (v.item() if hasattr(v, "item") else v)
                for k, v in record.items()
            }
        )
    return rows


def synthetic_cases(n_services: int, seed: int = 5) -> list[dict[str, Any]]:
    """Structured (pre-review) requests made from SYNTHETIC letters, totalling `n_services` services."""
    from letters.parser import parse_text
    from synthetic.corpus import iter_letters
    from synthetic.generative_model import GeneratorSettings

    out: list[dict[str, Any]] = []
    total = 0
    for i, (_, text) in enumerate(iter_letters(4 * n_services, GeneratorSettings(seed=seed))):
        case = parse_text(text, f"synthetic-bench-{i}.txt")
        services = case.services[: n_services - total]
        if not services:
            continue
        out.append(
            {
                "case_id": f"SYNTHETIC-BENCH-{i}",
                "date_of_injury": case.date_of_injury and case.date_of_injury.isoformat(),
                "ur_denial_date": case.ur_denial_date and case.ur_denial_date.isoformat(),
                "application_received": case.application_received and case.application_received.isoformat(),
                "priority": case.priority,
                "patient_age": case.patient_age,
                "patient_sex": case.patient_sex,
                "clinical_summary": case.clinical_summary,
                "services": [
                    {
                        "heading": s.heading,
                        "service": s.service,
                        "partial_ur_certification": s.partial_ur_certification,
                        "partial_certification_text": s.partial_certification_text,
                        "ur_guideline": s.ur_guideline.raw if s.ur_guideline else None,
                    }
                    for s in services
                ],
            }
        )
        total += len(services)
        if total >= n_services:
            return out
    raise RuntimeError(f"synthetic corpus gave only {total} services")


def train_synthetic_model(out_dir: Path) -> Path:
    """A small model on SYNTHETIC letters (the project's parser, feature table and trainer)."""
    from features.spec import load_spec
    from features.table import build_feature_table
    from letters.parser import parse_text
    from synthetic.corpus import iter_letters
    from synthetic.generative_model import GeneratorSettings
    from training.train import TrainParams, train_model

    spec = load_spec()
    cases = [
        parse_text(t, f"synthetic-{i}.txt")
        for i, (_, t) in enumerate(iter_letters(600, GeneratorSettings(seed=3)))
    ]
    table = build_feature_table(cases, spec=spec)
    model = train_model(table, spec, TrainParams(cv_folds=3, num_threads=2)).model
    return model.save(out_dir)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(proc: subprocess.Popen[bytes], url: str, log_path: Path, ready: int = 3) -> None:
    """Until `url` answers 200 `ready` times in a row (every worker loaded its model), bounded."""
    deadline = time.monotonic() + 180
    in_a_row = 0
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text()[-3000:]}")
        try:
            r = httpx.get(url, timeout=2)
            in_a_row = in_a_row + 1 if r.status_code == 200 else 0
            if in_a_row >= ready:
                return
        except httpx.HTTPError:
            in_a_row = 0
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"server not ready within 180 s: {log_path.read_text()[-3000:]}")


def start_imr(model_path: Path, workdir: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMR_SERVE_")}
    env.update(
        {
            "IMR_SERVE_MODEL_PATH": str(model_path.resolve()),  # the server runs in `workdir`
            "IMR_SERVE_POLL_INTERVAL_S": "0",
            "IMR_SERVE_PORT": str(port),
            "IMR_SERVE_LOG_LEVEL": "warning",
            "IMR_SERVE_TOP_K": "3",
            "IMR_SERVE_MAX_BODY_BYTES": str(64 * 1024 * 1024),
            "IMR_SERVE_WORKERS": str(workers),
        }
    )
    exe = Path(sys.executable).parent / "imr"
    log_path = workdir / f"imr-{workers}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(exe), "serve"], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    wait_ready(proc, url + "/readyz", log_path, ready=3 * workers)
    return proc, url


def save_pyfunc(model_path: Path, out: Path) -> Path:
    """The model as the MLflow pyfunc `imr train` registers (same wrapper and signature)."""
    import mlflow

    from model.artifact import TriageModel
    from model.pyfunc import ARTIFACT_KEY, TriagePyfunc, pyfunc_signature

    model = TriageModel.load(model_path)
    mlflow.pyfunc.save_model(
        str(out),
        python_model=TriagePyfunc(),
        artifacts={ARTIFACT_KEY: str(model_path.resolve())},
        signature=pyfunc_signature(model.spec),
        pip_requirements=["imr-triage"],
    )
    return out


def start_mlflow(pyfunc_dir: Path, workdir: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log_path = workdir / "mlflow-serve.log"
    cmd = [
        sys.executable,
        "-m",
        "mlflow",
        "models",
        "serve",
        "-m",
        str(pyfunc_dir),
        "--env-manager",
        "local",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",  # its uvicorn
    }
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_ready(proc, url + "/ping", log_path)
    return proc, url


def cpu_seconds(pid: int) -> float:
    """User+system CPU time of a process and its child processes (the uvicorn workers), from Linux
    /proc, to report server CPU per request."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            try:
                total += cpu_seconds(int(child))
            except OSError:  # exited meanwhile
                pass
    return total


def drive(
    url: str,
    path: str,
    body: bytes,
    concurrency: int,
    max_requests: int,
    seconds: float,
    headers: dict[str, str],
) -> dict[str, Any]:
    """`concurrency` keep-alive clients post `body` until `max_requests` or `seconds` is reached."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = {"n": 0}

    for _ in range(WARMUP_REQUESTS):  # warm the server's caches before timing; new connections, so
        with httpx.Client(base_url=url, headers=headers, timeout=60) as c:  # every worker gets some
            c.post(path, content=body)
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=60) as c:
            while time.monotonic() < stop_at:
                with lock:
                    if counter["n"] >= max_requests:
                        return
                    counter["n"] += 1
                t0 = time.perf_counter()
                r = c.post(path, content=body)
                dt = time.perf_counter() - t0
                with lock:
                    latencies.append(dt)
                    if r.status_code != 200:
                        errors.append(f"{r.status_code}")

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    lat = sorted(latencies)
    if not lat:
        raise RuntimeError(f"no request finished within {seconds}s on {path}")
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) >= 2 else lat * 99
    return {
        "requests": len(lat),
        "errors": len(errors),
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
        "mean_ms": statistics.fmean(lat) * 1000,
        "req_per_s": len(lat) / wall,
        "wall_s": wall,
    }


def run_scenarios(
    server: str,
    proc: subprocess.Popen[bytes],
    url: str,
    workers: int,
    scenarios: list[tuple[str, str, str, bytes, int, int, int]],
    seconds: float,
    headers: dict[str, str],
) -> list[dict[str, Any]]:
    """Time each (scenario, input, path, body, services per request, concurrency, max requests)."""
    rows = []
    for name, kind, path, body, n_services, conc, max_req in scenarios:
        load_before = os.getloadavg()[0]
        cpu0 = cpu_seconds(proc.pid)
        res = drive(url, path, body, conc, max_req, seconds, headers)
        res["server_cpu_ms_per_request"] = (
            (cpu_seconds(proc.pid) - cpu0) * 1000 / (res["requests"] + WARMUP_REQUESTS)
        )
        res.update(server=server, scenario=name, input=kind, workers=workers, concurrency=conc)
        res["services_per_request"] = n_services
        res["services_per_s"] = res["req_per_s"] * n_services
        res["load_average_1m"] = [load_before, os.getloadavg()[0]]
        rows.append(res)
        print(
            f"  {server:<6} {name:<6} {kind:<10} c={conc}: p50 {res['p50_ms']:.1f} ms, "
            f"{res['services_per_s']:.0f} services/s",
            file=sys.stderr,
        )
    return rows


def alternate(
    imr: tuple[str, str, bytes, dict[str, str]], mlflow: tuple[str, str, bytes, dict[str, str]], n: int
) -> dict[str, float]:
    """One imr request, then one mlflow request, `n` times (after a warm-up): both meet the same
    moment-to-moment load, which a shared machine changes by the second. Medians in ms."""
    times: dict[str, list[float]] = {"imr": [], "mlflow": []}
    with httpx.Client(timeout=120) as client:
        for i in range(n + WARMUP_REQUESTS):
            for name, (url, path, body, headers) in (("imr", imr), ("mlflow", mlflow)):
                t0 = time.perf_counter()
                r = client.post(url + path, content=body, headers=headers)
                if r.status_code != 200:
                    raise RuntimeError(f"{name} answered {r.status_code}: {r.text[:200]}")
                if i >= WARMUP_REQUESTS:
                    times[name].append(time.perf_counter() - t0)
    out = {f"{k}_p50_ms": statistics.median(v) * 1000 for k, v in times.items()}
    out["mlflow_over_imr_time"] = out["mlflow_p50_ms"] / out["imr_p50_ms"]
    return out


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def check_same_probabilities(imr_url: str, mlflow_url: str, rows: list[dict[str, Any]]) -> float:
    """The largest difference between the two servers' probabilities on the batch rows (0 expected)."""
    services = {"services": [{"id": str(i), "features": stated(r)} for i, r in enumerate(rows)]}
    ours = httpx.post(
        imr_url + "/v1/score/features", json=services, headers={"X-API-Key": DEV_KEY}, timeout=120
    )
    names = list(rows[0])
    split = {"dataframe_split": {"columns": names, "data": [[r[n] for n in names] for r in rows]}}
    theirs = httpx.post(mlflow_url + "/invocations", json=split, timeout=120)
    a = [x["overturn_likelihood"] for x in ours.json()["results"]]
    b = [x["overturn_probability"] for x in theirs.json()["predictions"]]
    return max(abs(x - y) for x, y in zip(a, b, strict=True))


def stated(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if v is not None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-path", type=Path, default=None)
    ap.add_argument("--requests", type=int, default=1000, help="most single-service requests per scenario")
    ap.add_argument("--batch-requests", type=int, default=30, help="most batch requests per scenario")
    ap.add_argument("--seconds", type=float, default=10.0, help="time limit per scenario")
    ap.add_argument("--batch-services", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=1, help="worker processes of each server")
    ap.add_argument(
        "--inputs",
        default="text,structured,features",
        help="comma-separated imr inputs to run (text, structured, features); mlflow runs with features",
    )
    args = ap.parse_args()
    inputs = {i.strip() for i in args.inputs.split(",") if i.strip()}
    unknown = inputs - {"text", "structured", "features"}
    if unknown or not inputs:
        ap.error(f"--inputs: unknown or no inputs {sorted(unknown)}; choose from text, structured, features")
    model_arg = args.model_path.resolve() if args.model_path else None  # before anything changes folder

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="imr-bench-serve-") as tmp:
        work = Path(tmp)
        model_path = model_arg or train_synthetic_model(work / "model")
        letters = synthetic_letters(args.batch_services, seed=5)
        batch = synthetic_cases(args.batch_services)
        n_struct = sum(len(c["services"]) for c in batch)
        features = feature_rows(letters, args.batch_services)
        n_feat = len(features)
        from letters.parser import parse_text

        n_text = sum(len(parse_text(t).services) for t in letters)
        names = list(features[0])
        single_feature = [features[0]]
        imr_scenarios = [
            (
                "single",
                "text",
                "/v1/score",
                json.dumps({"text": letters[0]}).encode(),
                len(parse_text(letters[0]).services),
            ),
            ("single", "structured", "/v1/score", json.dumps(SINGLE_CASE).encode(), 1),
            (
                "single",
                "features",
                "/v1/score/features",
                json.dumps({"services": [{"features": stated(single_feature[0])}]}).encode(),
                1,
            ),
            ("batch", "text", "/v1/score/batch", json.dumps([{"text": t} for t in letters]).encode(), n_text),
            ("batch", "structured", "/v1/score/batch", json.dumps(batch).encode(), n_struct),
            (
                "batch",
                "features",
                "/v1/score/features",
                json.dumps({"services": [{"features": stated(r)} for r in features]}).encode(),
                n_feat,
            ),
        ]
        mlflow_scenarios = [
            (
                "single",
                "features",
                "/invocations",
                json.dumps(
                    {"dataframe_split": {"columns": names, "data": [[single_feature[0][n] for n in names]]}}
                ).encode(),
                1,
            ),
            (
                "batch",
                "features",
                "/invocations",
                json.dumps(
                    {"dataframe_split": {"columns": names, "data": [[r[n] for n in names] for r in features]}}
                ).encode(),
                n_feat,
            ),
        ]

        def expand(scenarios: list[tuple[str, str, str, bytes, int]]) -> list[tuple[Any, ...]]:
            out = []
            for name, kind, path, body, n in scenarios:
                for conc in (1, 8) if name == "single" else (1, 2):
                    out.append(
                        (
                            name,
                            kind,
                            path,
                            body,
                            n,
                            conc,
                            args.requests if name == "single" else args.batch_requests,
                        )
                    )
            return out

        pyfunc_dir = save_pyfunc(model_path, work / "pyfunc")
        imr_proc, imr_url = start_imr(model_path, work, args.workers)
        mlflow_proc, mlflow_url = start_mlflow(pyfunc_dir, work, args.workers)
        try:
            gap = check_same_probabilities(imr_url, mlflow_url, features)
            json_headers = {"Content-Type": "application/json"}
            servers = {
                "imr": (imr_proc, imr_url, {**json_headers, "X-API-Key": DEV_KEY}),
                "mlflow": (mlflow_proc, mlflow_url, json_headers),
            }
            # The text and structured scenarios first, then imr and mlflow back to back on each
            # features scenario, so that both meet the same load from other work on the machine.
            order = [("imr", sc) for sc in expand(imr_scenarios) if sc[1] != "features" and sc[1] in inputs]
            mlflow_runs = expand(mlflow_scenarios)
            for sc in expand(imr_scenarios):
                if sc[1] == "features" and "features" in inputs:
                    order.append(("imr", sc))
                    order += [("mlflow", m) for m in mlflow_runs if (m[0], m[5]) == (sc[0], sc[5])]
            for server, sc in order:
                proc, url, headers = servers[server]
                rows += run_scenarios(server, proc, url, args.workers, [sc], args.seconds, headers)
            imr_batch = next(sc for sc in imr_scenarios if sc[:2] == ("batch", "features"))
            ml_batch = next(sc for sc in mlflow_scenarios if sc[0] == "batch")
            paired = alternate(
                (imr_url, imr_batch[2], imr_batch[3], servers["imr"][2]),
                (mlflow_url, ml_batch[2], ml_batch[3], json_headers),
                args.batch_requests,
            )
        finally:
            stop(imr_proc)
            stop(mlflow_proc)

    print(
        f"\nimr serve vs mlflow models serve on loopback ({os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {args.workers} worker(s) each); batch = about {args.batch_services} "
        f"services; imr answers with explanations, mlflow with probabilities only\n"
        f"largest probability difference between the two on the {n_feat} batch services: {gap:.1e}\n"
    )
    print(
        f"{'server':<7} {'scenario':<8} {'input':<10} {'conc':>4} {'requests':>8} {'errors':>6} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'services/s':>11} {'srv cpu ms/req':>14} {'load 1m':>11}"
    )
    for r in rows:
        load = "{:.1f}-{:.1f}".format(*r["load_average_1m"])
        print(
            f"{r['server']:<7} {r['scenario']:<8} {r['input']:<10} {r['concurrency']:>4} {r['requests']:>8} "
            f"{r['errors']:>6} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['req_per_s']:>8.1f} "
            f"{r['services_per_s']:>11.0f} {r['server_cpu_ms_per_request']:>14.2f} {load:>11}"
        )
    ratios = []
    for name in ("single", "batch"):
        for conc in (1, 8) if name == "single" else (1, 2):
            pick = {
                r["server"]: r
                for r in rows
                if r["scenario"] == name and r["input"] == "features" and r["concurrency"] == conc
            }
            if len(pick) == 2:
                ratio = pick["imr"]["services_per_s"] / pick["mlflow"]["services_per_s"]
                ratios.append({"scenario": name, "concurrency": conc, "imr_over_mlflow": ratio})
                print(f"features, {name}, concurrency {conc}: imr / mlflow services per second = {ratio:.2f}")
    print(
        f"batch features, one imr and one mlflow request in turn ({args.batch_requests} each): p50 "
        f"{paired['imr_p50_ms']:.1f} ms vs {paired['mlflow_p50_ms']:.1f} ms; imr is "
        f"{paired['mlflow_over_imr_time']:.2f}x as fast"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} (other processes share these cores)")
    out = {
        "load_average_1m": load[0],
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "batch_services": {"text": n_text, "structured": n_struct, "features": n_feat},
        "max_probability_difference": gap,
        "feature_ratios": ratios,
        "batch_features_in_turn": paired,
        "results": rows,
    }
    (RESULTS / "serve.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(f"\nwrote {RESULTS / 'serve.json'}")


if __name__ == "__main__":
    main()
