"""Benchmark of the live scoring API on loopback: latency and throughput at concurrency 1 and 8.

Starts `imr serve` as a subprocess on 127.0.0.1 with a local model (a small model trained here on
SYNTHETIC letters unless --model-path is given), then drives it with keep-alive HTTP clients:
  - single: POST /v1/score, one case with one service, explanation (top-k reasons) included;
  - batch:  POST /v1/score/batch with 1,000 services (synthetic cases), explanations included.
The server runs once with 1 worker (concurrency 1 and 8 for both) and once with 2 worker processes
(`imr serve --workers 2`; single at 1 and 8, batch at 2 and 4 concurrent requests). Each scenario is
bounded by a request count and a time limit. Prints a table and writes benchmarks/results/serve.json.
Client and server share the machine's cores, so the numbers include the client's own CPU time (a
conservative measurement); server CPU per request (all worker processes) and the load average are
reported beside them because other work on the machine moves latencies.

    .venv/bin/python benchmarks/serve.py [--model-path DIR] [--requests 2000] [--seconds 20] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import json
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


def start_server(model_path: Path, workdir: Path, workers: int = 1) -> tuple[subprocess.Popen[bytes], str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMR_SERVE_")}
    env.update(
        {
            "IMR_SERVE_MODEL_PATH": str(model_path),
            "IMR_SERVE_POLL_INTERVAL_S": "0",
            "IMR_SERVE_PORT": str(port),
            "IMR_SERVE_LOG_LEVEL": "warning",
            "IMR_SERVE_TOP_K": "3",
            "IMR_SERVE_MAX_BODY_BYTES": str(64 * 1024 * 1024),
            "IMR_SERVE_WORKERS": str(workers),
        }
    )
    exe = Path(sys.executable).parent / "imr"
    log = (workdir / f"server-{workers}.log").open("wb")
    proc = subprocess.Popen([str(exe), "serve"], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    ready = 0
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {(workdir / f'server-{workers}.log').read_text()}")
        try:
            r = httpx.get(url + "/readyz", timeout=2)
            # every worker answers /readyz only after its own model load: ask until 3*workers agree
            ready = ready + 1 if r.status_code == 200 else 0
            if ready >= 3 * workers:
                return proc, url
            if "refused" in (r.json().get("reason") or "") or "ModelValidationError" in r.text:
                proc.kill()
                raise RuntimeError(f"the server refused the model: {r.json()['reason']}")
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server not ready within 120 s")


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
    url: str, path: str, body: bytes, concurrency: int, max_requests: int, seconds: float
) -> dict[str, Any]:
    """`concurrency` keep-alive clients post `body` until `max_requests` or `seconds` is reached."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = {"n": 0}
    headers = {"X-API-Key": DEV_KEY, "Content-Type": "application/json"}

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


def run_server_scenarios(
    model_path: Path,
    work: Path,
    workers: int,
    scenarios: list[tuple[str, str, bytes, int, int]],
    seconds: float,
    n_batch_services: int,
    batch_body: bytes,
) -> list[dict[str, Any]]:
    """Start `imr serve --workers N`, check one batch answer, then time each (name, path, body,
    concurrency, max requests) scenario with the server's CPU time beside it."""
    proc, url = start_server(model_path, work, workers)
    rows = []
    try:
        check = httpx.post(
            url + "/v1/score/batch",
            content=batch_body,
            timeout=60,
            headers={"X-API-Key": DEV_KEY, "Content-Type": "application/json"},
        ).json()
        assert check["n_failed"] == 0 and check["n_services"] == n_batch_services, check.get("n_failed")
        for name, path, body, conc, max_req in scenarios:
            load_before = os.getloadavg()[0]
            cpu0 = cpu_seconds(proc.pid)
            res = drive(url, path, body, conc, max_req, seconds)
            # includes the warm-up requests; a load-independent cost per request
            res["server_cpu_ms_per_request"] = (
                (cpu_seconds(proc.pid) - cpu0) * 1000 / (res["requests"] + WARMUP_REQUESTS)
            )
            res.update(scenario=name, workers=workers, concurrency=conc)
            res["load_average_1m"] = [load_before, os.getloadavg()[0]]
            if name == "batch":
                res["services_per_s"] = res["req_per_s"] * n_batch_services
            rows.append(res)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-path", type=Path, default=None)
    ap.add_argument("--requests", type=int, default=2000, help="most single-service requests per run")
    ap.add_argument("--batch-requests", type=int, default=40, help="most batch requests per run")
    ap.add_argument("--seconds", type=float, default=20.0, help="time limit per run")
    ap.add_argument("--batch-services", type=int, default=1000)
    ap.add_argument("--workers", default="1,2", help="server worker counts to run, comma-separated")
    args = ap.parse_args()

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="imr-bench-serve-") as tmp:
        work = Path(tmp)
        model_path = args.model_path or train_synthetic_model(work / "model")
        batch = synthetic_cases(args.batch_services)
        n_batch_services = sum(len(c["services"]) for c in batch)
        single_body = json.dumps(SINGLE_CASE).encode()
        batch_body = json.dumps(batch).encode()
        for workers in (int(w) for w in args.workers.split(",")):
            batch_concurrency = (1, 8) if workers == 1 else (workers, 2 * workers)
            scenarios = [("single", "/v1/score", single_body, c, args.requests) for c in (1, 8)]
            scenarios += [
                ("batch", "/v1/score/batch", batch_body, c, args.batch_requests) for c in batch_concurrency
            ]
            rows += run_server_scenarios(
                model_path, work, workers, scenarios, args.seconds, n_batch_services, batch_body
            )

    print(
        f"\nimr-triage scoring API on loopback ({os.cpu_count()} cores, {platform.python_version()}); "
        f"batch = {n_batch_services} services; explanations top-3\n"
    )
    print(
        f"{'scenario':<8} {'workers':>7} {'conc':>4} {'requests':>8} {'errors':>6} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'req/s':>8} {'services/s':>11} {'srv cpu ms/req':>14} {'load 1m':>11}"
    )
    for r in rows:
        sps = r.get("services_per_s", r["req_per_s"])
        load = "{:.1f}-{:.1f}".format(*r["load_average_1m"])
        print(
            f"{r['scenario']:<8} {r['workers']:>7} {r['concurrency']:>4} {r['requests']:>8} {r['errors']:>6} "
            f"{r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['req_per_s']:>8.1f} {sps:>11.0f} "
            f"{r['server_cpu_ms_per_request']:>14.2f} {load:>11}"
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
        "batch_services": n_batch_services,
        "targets": {"single_c1_p50_ms": 5, "single_c1_p99_ms": 15, "batch_services_per_s": 5000},
        "results": rows,
    }
    (RESULTS / "serve.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(f"\nwrote {RESULTS / 'serve.json'}")


if __name__ == "__main__":
    main()
