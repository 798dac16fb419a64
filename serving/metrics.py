"""Prometheus metrics of one app instance: requests and latency per route, model version, scores.

Each app gets its own `CollectorRegistry`, so several apps (tests) never share counters. Under
`imr serve --workers N` the workers share a prometheus_client multiprocess directory instead, so
`/metrics` answers with the sum over all workers whichever worker the scrape reaches.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SCORE_BUCKETS = tuple(round(0.05 * i, 2) for i in range(1, 21))
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


# prometheus_client's per-process value files (`counter_<pid>.db`, `gauge_liveall_<pid>.db`, ...)
METRIC_FILE = re.compile(r"(counter|histogram|summary|gauge_[a-z]+)_\d+\.db")


def clear_earlier_run(path: Path) -> list[Path]:
    """Remove the value files an earlier server left in an operator's `PROMETHEUS_MULTIPROC_DIR` (its
    files are never removed at exit): prometheus_client sums every file there, so a restarted server's
    /metrics carried the old run's counts and listed its dead workers. Other files stay."""
    path.mkdir(parents=True, exist_ok=True)
    stale = sorted(p for p in path.iterdir() if METRIC_FILE.fullmatch(p.name) and p.is_file())
    for p in stale:
        p.unlink(missing_ok=True)
    return stale


def prepare_multiprocess_metrics() -> Path:
    """Give the worker processes about to start a shared, empty metrics directory (call before they
    start: prometheus_client picks its value storage when a process imports it). An operator's own
    `PROMETHEUS_MULTIPROC_DIR` is used, emptied of an earlier run's files (`clear_earlier_run`, which
    the caller runs first, to say so); one made here is removed at exit."""
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        return Path(given)
    path = Path(tempfile.mkdtemp(prefix="imr-serve-metrics-"))
    os.environ[MULTIPROC_ENV] = str(path)
    atexit.register(shutil.rmtree, path, True)
    return path


class ServiceMetrics:
    """The collectors the service updates; `render()` gives the exposition text for /metrics."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        # Decided when the process starts (as prometheus_client's value storage is), never later.
        self.multiprocess_dir = os.environ.get(MULTIPROC_ENV) or None
        self._model_labels: tuple[str, str, str] | None = None
        self.requests = Counter(
            "imr_http_requests",
            "HTTP requests by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "imr_http_request_duration_seconds",
            "Request latency by route template.",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.model_info = Gauge(
            "imr_model_info",
            "1 for the model version being served.",
            ["name", "version", "alias"],
            registry=self.registry,
            multiprocess_mode="liveall",  # one series per worker: which version each one serves
        )
        self.model_loaded = Gauge(
            "imr_model_loaded",
            "1 when a model is loaded (with several workers: when every worker has one).",
            registry=self.registry,
            multiprocess_mode="livemin",
        )
        self.reloads = Counter(
            "imr_model_reloads", "Model reload attempts by outcome.", ["outcome"], registry=self.registry
        )
        self.scores = Histogram(
            "imr_overturn_probability",
            "Distribution of scored overturn likelihoods.",
            buckets=SCORE_BUCKETS,
            registry=self.registry,
        )
        self.services_scored = Counter(
            "imr_services_scored", "Services scored, by endpoint.", ["endpoint"], registry=self.registry
        )
        self.items_failed = Counter(
            "imr_items_failed",
            "Cases that failed validation or scoring, by endpoint.",
            ["endpoint"],
            registry=self.registry,
        )

    def set_model(self, name: str, version: str, alias: str) -> None:
        """Point the model-info gauge at the version now served (only one series is 1)."""
        if self.multiprocess_dir is None:
            self.model_info.clear()
        elif self._model_labels is not None:  # a series stays in the shared files: zero it instead
            self.model_info.labels(*self._model_labels).set(0)
        self._model_labels = (name, version, alias)
        self.model_info.labels(name=name, version=version, alias=alias).set(1)
        self.model_loaded.set(1)

    def observe_scores(self, endpoint: str, probabilities: Iterable[float]) -> None:
        n = 0
        for p in probabilities:
            self.scores.observe(p)
            n += 1
        self.services_scored.labels(endpoint=endpoint).inc(n)

    def render(self) -> bytes:
        if self.multiprocess_dir is None:
            return generate_latest(self.registry)
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=self.multiprocess_dir)
        return generate_latest(registry)
