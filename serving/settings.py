"""Settings of the scoring API, read from the environment and `.env` (prefix `IMR_SERVE_`).

One typed object holds everything the service may be configured with, so the app factory takes it
as its only argument and tests build their own instead of patching globals.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from model.artifact import TriageModel
from model.guideline_phrases import load_phrase_table
from model.predictor import Predictor, RiskBands
from serving.api_keys import DEV_API_KEY, ApiKeyEntry, Scope, hash_api_key, hash_matches


class ServingSettings(BaseSettings):
    """Everything `imr serve` and `create_app` may be configured with."""

    model_config = SettingsConfigDict(
        env_prefix="IMR_SERVE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- where the model comes from ---
    model_name: str = Field(default="imr-overturn", description="Registered model name in MLflow.")
    model_alias: str = Field(default="champion", description="Registry alias to follow.")
    tracking_uri: str | None = Field(
        default=None, description="MLflow tracking/registry URI (e.g. sqlite:///mlflow.db)."
    )
    model_path: Path | None = Field(
        default=None, description="Local model directory; when set, the registry is not used."
    )
    poll_interval_s: float = Field(
        default=30.0, ge=0, description="How often to check the alias for a new version (0: never)."
    )
    feature_spec: str | None = Field(
        default=None,
        description="Feature spec the API builds requests from: a file or a packaged name such as "
        "'dmhc_feature_spec.yaml' (default: the letters spec); the model must read the same features.",
    )
    probe_new_models: bool = Field(
        default=True,
        description="Load each new model artifact first in a child process (`serving.model_probe`), so "
        "a model that crashes LightGBM is refused instead of taking the server down.",
    )
    probe_timeout_s: float = Field(default=120.0, gt=0, description="Longest a model probe may take.")
    guideline_phrases: str | None = Field(
        default=None,
        description="Guideline phrase table for reasons: a file or a packaged name such as "
        "'dmhc_guideline_phrases.yaml' (default: the letters table).",
    )

    # --- scoring ---
    risk_band_edges: list[float] = Field(
        default_factory=lambda: [0.25, 0.5],
        description="Ascending likelihood cut points between bands.",
    )
    risk_band_labels: list[str] = Field(default_factory=lambda: ["low", "medium", "high"])
    top_k: int = Field(default=3, ge=0, le=50, description="Reasons returned per service.")
    max_batch_items: int = Field(default=5000, ge=1, description="Most cases accepted in one batch.")
    batch_threads: int = Field(default=2, ge=1, description="LightGBM threads for large batches.")
    parallel_from_rows: int = Field(
        default=256, ge=1, description="Rows from which a batch uses `batch_threads` (smaller: 1 thread)."
    )
    scoring_threads: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Threads per worker that parse, extract and score, off the event loop (health checks "
        "and other requests answer while a large letter is read).",
    )
    max_queued_requests: int = Field(
        default=64, ge=1, description="Scoring requests that may wait for a thread; more get 503 (busy)."
    )
    max_text_chars: int = Field(
        default=1_000_000,
        ge=1000,
        description="Longest letter text accepted (characters, after PDF text extraction); longer: 413.",
    )
    text_process_from_chars: int = Field(
        default=200_000,
        ge=0,
        description="Letters this long (characters; uploads: bytes) or longer are read in a separate "
        "process, so their regex passes never hold the lock the event loop needs (0: never).",
    )

    # --- security and limits ---
    production: bool = Field(default=False, description="Production mode: no default key, keys required.")
    api_keys: list[ApiKeyEntry] = Field(default_factory=list)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, description="Largest request body.")
    auth_failures_per_minute: float = Field(
        default=30.0,
        gt=0,
        description="Failed API-key attempts allowed per client address and minute (after the burst); "
        "past that, 429 without checking the key.",
    )
    auth_failure_burst: int = Field(default=10, ge=1, description="Failed attempts allowed at once.")
    dashboard_auth: bool | None = Field(
        default=None,
        description="Require a key with the 'dashboard' scope for /dashboard (sign-in form, HttpOnly "
        "cookie, or the X-API-Key header). Default (unset): on in production mode, off in development.",
    )
    metrics_auth: bool | None = Field(
        default=None,
        description="Require an API key (any configured key, whatever its scopes; the X-API-Key header or "
        "`Authorization: Bearer KEY`, which Prometheus sends) for /metrics. Default (unset): on in "
        "production mode, off in development.",
    )

    # --- process ---
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    log_level: Literal["critical", "error", "warning", "info", "debug", "trace"] = Field(
        default="info", description="uvicorn log level."
    )
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="uvicorn worker processes (one per core uses them all); each loads the model and "
        "polls the alias itself, so with more than one, reloads reach every worker through polling.",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower_log_level(cls, v: object) -> object:
        """`INFO` as well as `info`: uvicorn's names are lower-case."""
        return v.strip().lower() if isinstance(v, str) else v

    @model_validator(mode="after")
    def _check_bands_and_keys(self) -> ServingSettings:
        try:
            self.risk_bands()
        except ValidationError as exc:  # names the edges or labels that do not fit; here, the variables too
            why = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
            raise ValueError(f"IMR_SERVE_RISK_BAND_EDGES / IMR_SERVE_RISK_BAND_LABELS: {why}") from exc
        if self.production:
            if not self.api_keys:
                raise ValueError("production mode needs at least one API key in IMR_SERVE_API_KEYS")
            if any(hash_matches(DEV_API_KEY, k.hash) for k in self.api_keys):
                raise ValueError("production mode refuses the development key 'imr-dev-key'")
        return self

    def risk_bands(self) -> RiskBands:
        return RiskBands(edges=self.risk_band_edges, labels=self.risk_band_labels)

    def predictor(self, model: TriageModel, top_k: int | None = None) -> Predictor:
        """The predictor these settings describe (phrases, bands, threads) for a loaded model."""
        return Predictor(
            model,
            phrases=load_phrase_table(self.guideline_phrases),
            top_k=self.top_k if top_k is None else top_k,
            bands=self.risk_bands(),
            batch_threads=self.batch_threads,
            parallel_from_rows=self.parallel_from_rows,
        )

    def dashboard_requires_key(self) -> bool:
        return self.production if self.dashboard_auth is None else self.dashboard_auth

    def metrics_requires_key(self) -> bool:
        return self.production if self.metrics_auth is None else self.metrics_auth

    def effective_api_keys(self) -> list[ApiKeyEntry]:
        """Configured keys, or in development mode only, the well-known development key."""
        if self.api_keys or self.production:
            return list(self.api_keys)
        every_scope: list[Scope] = ["score", "admin", "dashboard"]
        return [ApiKeyEntry(name="development", hash=hash_api_key(DEV_API_KEY), scopes=every_scope)]


@lru_cache(maxsize=1)
def get_settings() -> ServingSettings:
    """The process's settings, read once; tests call `get_settings.cache_clear()` or pass their own."""
    return ServingSettings()
