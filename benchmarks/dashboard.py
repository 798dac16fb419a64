"""Dashboard at scale: seeds 100,000 SYNTHETIC scored services and times the page and its API calls.

Starts a live uvicorn server on 127.0.0.1 serving the dashboard over a scores database (SQLite by
default, `--db URL` for another, `--postgres` for a throwaway local PostgreSQL), then measures
(medians over `--repeats`):
  - each JSON call the page makes, one at a time;
  - the whole set of calls fired concurrently (as the browser does);
  - the queue sorted by each column, first and last page (what a column click and "Last" cost);
  - with Debian chromium present: the page in headless Chromium from navigation to every chart and
    the queue drawn (`body[data-state=ready]`), unfiltered and after applying a filter.
Target: the page renders in under 2 s at 100k services. Writes benchmarks/results/dashboard.json and
a screenshot (default reports/dashboard.png).

    .venv/bin/python benchmarks/dashboard.py [--rows 100000] [--repeats 7] [--postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import httpx

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "dashboard.json"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(url: str, rows: int) -> dict[str, float]:
    """Fill the database with `rows` SYNTHETIC scored services (two model versions) unless present."""
    from serving.scores_db import open_scores_db
    from serving.synthetic_scores import synthetic_model_run, synthetic_score_rows

    repo = open_scores_db(url)
    have = repo.count()
    out = {"existing_rows": float(have)}
    if have < rows:
        t0 = time.perf_counter()
        old = synthetic_score_rows(rows // 10, seed=1, model_version="1")
        new = synthetic_score_rows(rows - rows // 10, seed=2, model_version="2")
        out["generate_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        repo.save_scores(old)
        repo.save_scores(new)
        out["insert_s"] = time.perf_counter() - t0
        out["insert_rows_per_s"] = rows / out["insert_s"]
        for v in ("1", "2"):
            repo.record_model_run(synthetic_model_run(model_version=v))
        t0 = time.perf_counter()
        repo.optimize()  # as `imr score` does after writing
        out["optimize_s"] = time.perf_counter() - t0
    out["rows"] = float(repo.count())
    repo.engine.dispose()
    return out


def start_server(url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "IMR_SCORES_DB_URL": url}
    cmd = [sys.executable, "-m", "uvicorn", "serving.dashboard:create_dashboard_app", "--factory",
           "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=REPO, env=env)
    base = f"http://127.0.0.1:{port}/dashboard"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/api/filters", timeout=30).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("dashboard server did not start within 60 s")


def page_calls(filters: dict[str, str]) -> list[str]:
    """The API calls dashboard.js makes for one render."""
    q = urlencode(filters)
    model = urlencode({k: v for k, v in filters.items() if k.startswith("model_")})
    return [
        f"/api/summary?{q}",
        f"/api/distribution?{q}",
        f"/api/monthly?{q}",
        f"/api/calibration?{model}",
        f"/api/groups/service_family?{q}",
        f"/api/groups/body_region?{q}",
        f"/api/groups/ur_guideline_source?{q}",
        f"/api/queue?{q}&page=1&page_size=25&sort=probability&order=desc",
    ]


def time_queue_sorts(
    client: httpx.Client, base: str, filters: dict[str, str], repeats: int
) -> dict[str, float]:
    """The queue sorted by every column: first page, and the last (a "Last" click / page jump)."""
    from serving.scores_db import SORT_KEYS

    out: dict[str, float] = {}
    q = urlencode(filters)
    for sort in SORT_KEYS:
        for label, page in (("first", 1), ("last", 10**9)):
            ts = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                client.get(
                    f"{base}/api/queue?{q}&page={page}&page_size=25&sort={sort}&order=desc"
                ).raise_for_status()
                ts.append(time.perf_counter() - t0)
            out[f"sort {sort}, {label} page"] = statistics.median(ts) * 1000
    return out


def time_api(client: httpx.Client, base: str, filters: dict[str, str], repeats: int) -> dict[str, float]:
    out: dict[str, float] = {}
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        client.get(base + "/api/filters").raise_for_status()
        ts.append(time.perf_counter() - t0)
    out["/api/filters (first call of the page)"] = statistics.median(ts) * 1000
    for call in page_calls(filters):
        ts = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            client.get(base + call).raise_for_status()
            ts.append(time.perf_counter() - t0)
        out[call.split("?")[0]] = statistics.median(ts) * 1000
    walls = []
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(repeats):
            t0 = time.perf_counter()
            list(pool.map(lambda c: client.get(base + c).raise_for_status(), page_calls(filters)))
            walls.append(time.perf_counter() - t0)
    out["all calls concurrently"] = statistics.median(walls) * 1000
    return out


def time_browser(base: str, repeats: int, screenshot: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    out: dict[str, float] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        loads, filtered, in_page, in_page_filter = [], [], [], []
        for i in range(repeats):
            page = browser.new_page(viewport={"width": 1400, "height": 1300})
            t0 = time.perf_counter()
            page.goto(base)
            page.wait_for_selector("body[data-state=ready][data-generation='1']", timeout=60_000)
            loads.append(time.perf_counter() - t0)
            in_page.append(float(page.get_attribute("body", "data-ready-at-ms")) / 1000)
            family = page.eval_on_selector("#f-family", "s => s.options[1].value")
            page.select_option("#f-family", family)
            t0 = time.perf_counter()
            page.click("#apply")
            page.wait_for_selector("body[data-state=ready][data-generation='2']", timeout=60_000)
            filtered.append(time.perf_counter() - t0)
            in_page_filter.append(float(page.get_attribute("body", "data-load-ms")) / 1000)
            if i == repeats - 1:
                page.select_option("#f-family", "")
                page.click("#apply")
                page.wait_for_selector("body[data-state=ready][data-generation='3']", timeout=60_000)
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=True)
            page.close()
        browser.close()
    # In-page: measured by the page itself (navigation start -> every chart and the queue drawn).
    out["in page: navigation start to all drawn"] = statistics.median(in_page) * 1000
    out["in page: apply filter to all redrawn"] = statistics.median(in_page_filter) * 1000
    out["in page: navigation to drawn, worst"] = max(in_page) * 1000
    # Harness wall time: also counts Playwright's page creation, load event and polling.
    out["playwright wall: goto to ready"] = statistics.median(loads) * 1000
    out["playwright wall: click Apply to ready"] = statistics.median(filtered) * 1000
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--db", default=None, help="scores DB URL (default: a fresh SQLite file in a temp dir)")
    ap.add_argument("--postgres", action="store_true", help="use a throwaway local PostgreSQL server")
    ap.add_argument("--screenshot", type=Path, default=REPO / "reports" / "dashboard.png")
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()

    pg = None
    tmp = tempfile.TemporaryDirectory(prefix="imr-dash-bench-")
    if args.postgres:
        sys.path.insert(0, str(REPO))
        from tests.postgres_server import start_postgres

        pg = start_postgres()
        url = pg.create_database("dashboard_bench")
    else:
        url = args.db or f"sqlite:///{Path(tmp.name) / 'scores.db'}"
    backend = "postgresql" if url.startswith("postgres") else "sqlite"
    proc = None
    try:
        seeded = seed(url, args.rows)
        proc, base = start_server(url)
        results: dict[str, dict[str, float]] = {}
        with httpx.Client(timeout=60) as client:
            opts = client.get(base + "/api/filters").json()
            current = opts["current_model"]
            # As the page sends it: the model, and the origin it opens on (real when any real row exists).
            model = {"model_name": current["model_name"], "model_version": current["model_version"],
                     "origin": opts["default_origin"]}  # fmt: skip
            client.get(base).raise_for_status()
            results["api (current model, no filter)"] = time_api(client, base, model, args.repeats)
            filt = {
                **model,
                "service_family": "medication",
                "date_from": "2016-01-01",
                "date_to": "2017-12-31",
            }
            results["api (family + date range)"] = time_api(client, base, filt, args.repeats)
            results["queue sorts (current model)"] = time_queue_sorts(client, base, model, args.repeats)
            t0 = time.perf_counter()
            with client.stream("GET", base + "/api/export.csv?" + urlencode(model)) as resp:
                n = sum(1 for _ in resp.iter_lines())
            results["export"] = {"csv export, current model (ms)": (time.perf_counter() - t0) * 1000,
                                 "csv lines": float(n)}  # fmt: skip
        if not args.no_browser and CHROMIUM.exists():
            results["browser (headless chromium)"] = time_browser(base, args.repeats, args.screenshot)
        elif not args.no_browser:
            print(f"note: {CHROMIUM} not found; browser timings skipped")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
        if pg is not None:
            pg.stop()
        tmp.cleanup()

    print(
        f"\nDashboard benchmark: {int(seeded['rows']):,} scored services on {backend}, "
        f"medians of {args.repeats}"
    )
    print(f"{'measure':<52} {'ms':>10}")
    for group, vals in results.items():
        print(f"-- {group}")
        for k, v in vals.items():
            print(f"   {k:<49} {v:>10.1f}")
    record = {
        "rows": seeded["rows"],
        "backend": backend,
        "repeats": args.repeats,
        "seed": seeded,
        "results": results,
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "loadavg": os.getloadavg()},
        "screenshot": str(args.screenshot) if "browser (headless chromium)" in results else None,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    out = RESULTS.with_name(f"dashboard-{backend}.json")
    out.write_text(json.dumps(record, indent=2))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
