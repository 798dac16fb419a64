"""`create_app(settings)`: the FastAPI app, with everything it holds on `app.state` (no globals).

The lifespan loads the model (registry alias or local path) before traffic and starts the poller
that follows the alias; the app still starts when no model can be loaded, and `/readyz` says 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version as _package_version
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from serving.auth import KeyVerifier
from serving.metrics import ServiceMetrics
from serving.middleware import BodySizeLimitMiddleware, RequestMetricsMiddleware
from serving.model_store import ModelSource, ModelStore, ReloadResult, Served
from serving.settings import ServingSettings

log = logging.getLogger("serving.app")

# `imr serve --workers N` hands each worker process the settings it resolved (CLI options, env file).
RESOLVED_SETTINGS_ENV = "IMR_SERVE_RESOLVED_SETTINGS"

DESCRIPTION = """\
Predicts, **before review**, whether a California workers' compensation Independent Medical Review
will overturn a utilization-review denial, per disputed service, with reasons tied to guideline
phrases. Send pre-review information only: post-review fields (decision, reviewer guideline,
rationale, decision date) are refused. Authenticate with the `X-API-Key` header.
"""


def create_app(settings: ServingSettings, source: ModelSource[Any] | None = None) -> FastAPI:
    """Build the app; `source` overrides where models come from (default: from `settings`)."""
    from features.spec import load_spec
    from serving.dashboard import include_dashboard
    from serving.model_sources import build_source
    from serving.routes_admin import router as admin_router
    from serving.routes_health import router as health_router
    from serving.routes_score import build_score_router

    spec = load_spec(settings.feature_spec)
    metrics = ServiceMetrics()
    model_source = source if source is not None else build_source(settings)

    def on_swap(served: Served[Any]) -> None:
        metrics.set_model(served.ref.name, served.ref.version, served.ref.alias or "")

    def on_outcome(result: ReloadResult) -> None:
        metrics.reloads.labels(outcome=result.outcome).inc()

    store: ModelStore[Any] = ModelStore(
        model_source,
        validate=lambda model: _checked_predictor(settings, model, spec),
        on_swap=on_swap,
        on_outcome=on_outcome,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        result = await store.refresh_async()
        if result.outcome != "loaded":
            log.warning("started without a model (%s): %s", result.outcome, result.error)
        poller = None
        if settings.poll_interval_s > 0:
            poller = asyncio.create_task(store.poll_forever(settings.poll_interval_s))
        try:
            yield
        finally:
            if poller is not None:
                poller.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await poller

    app = FastAPI(
        title="imr-triage scoring API",
        version=_package_version("imr-triage"),
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.store = store
    app.state.key_verifier = KeyVerifier(settings.effective_api_keys())

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI echoes the input by default; a case's text and patient details must not travel back.
        errors = [
            {
                "loc": list(e.get("loc", ())),
                "msg": str(e.get("msg", "")).removeprefix("Value error, "),
                "type": e.get("type", ""),
            }
            for e in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    app.include_router(health_router)
    app.include_router(admin_router)
    app.include_router(build_score_router(settings, spec))
    # /dashboard over the scores DB (IMR_SCORES_DB_URL), opened on first use; behind the API keys
    # (scope `dashboard`) when settings.dashboard_requires_key()
    gate = app.state.key_verifier if settings.dashboard_requires_key() else None
    include_dashboard(app, verifier=gate)
    # Outermost last: metrics see every request, including the 413s of the body limit.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestMetricsMiddleware, metrics=metrics)
    return app


def _checked_predictor(settings: ServingSettings, model: Any, spec: Any) -> Any:
    """The predictor a loaded model is served through, after its smoke check (raises if it fails)."""
    predictor = settings.predictor(model)
    predictor.check(spec)
    return predictor


def create_app_from_environment() -> FastAPI:
    """uvicorn's app factory in each worker process: the settings `imr serve` resolved and validated,
    or, started directly (`uvicorn --factory serving.app:create_app_from_environment`), the environment."""
    resolved = os.environ.get(RESOLVED_SETTINGS_ENV)
    settings = ServingSettings.model_validate_json(resolved) if resolved else ServingSettings()
    return create_app(settings)
