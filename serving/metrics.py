"""Prometheus metrics of one app instance: requests and latency per route, model version, scores.

Each app gets its own `CollectorRegistry`, so several apps (tests) never share counters.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SCORE_BUCKETS = tuple(round(0.05 * i, 2) for i in range(1, 21))


class ServiceMetrics:
    """The collectors the service updates; `render()` gives the exposition text for /metrics."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
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
        )
        self.model_loaded = Gauge("imr_model_loaded", "1 when a model is loaded.", registry=self.registry)
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
        self.model_info.clear()
        self.model_info.labels(name=name, version=version, alias=alias).set(1)
        self.model_loaded.set(1)

    def observe_scores(self, endpoint: str, probabilities: Iterable[float]) -> None:
        n = 0
        for p in probabilities:
            self.scores.observe(p)
            n += 1
        self.services_scored.labels(endpoint=endpoint).inc(n)

    def render(self) -> bytes:
        return generate_latest(self.registry)
