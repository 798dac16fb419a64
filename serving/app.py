"""`create_app(settings)`: the FastAPI app, with everything it holds on `app.state` (no globals).

The lifespan loads the model (registry alias or local path) before traffic and starts the poller
that follows the alias; the app still starts when no model can be loaded, and `/readyz` says 503
(`imr serve` with one worker loads it before uvicorn starts; with `--model-path` it refuses to start
without it).
Under `imr serve --workers N` each worker exits when the supervisor dies (`serving.parent_watch`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from importlib.metadata import version as _package_version
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter
from threadpoolctl import threadpool_limits

from serving.auth import FailureLimiter, KeyVerifier
from serving.metrics import ServiceMetrics
from serving.middleware import BodySizeLimitMiddleware, RequestMetricsMiddleware
from serving.model_store import ModelSource, ModelStore, ReloadResult, Served
from serving.settings import ServingSettings

log = logging.getLogger("serving.app")

# `imr serve --workers N` hands each worker process the settings it resolved (CLI options, env file),
# and its own process id, so that workers exit when it dies.
RESOLVED_SETTINGS_ENV = "IMR_SERVE_RESOLVED_SETTINGS"
SUPERVISOR_PID_ENV = "IMR_SERVE_SUPERVISOR_PID"
TITLE = "imr-triage scoring API"

DESCRIPTION = """\
Predicts, **before review**, whether a California workers' compensation Independent Medical Review
will overturn a utilization-review denial, per disputed service, with reasons tied to guideline
phrases. Send pre-review information only: post-review fields (decision, reviewer guideline,
rationale, decision date) are refused. Authenticate with the `X-API-Key` header.
"""


def create_app(
    settings: ServingSettings,
    source: ModelSource[Any] | None = None,
    *,
    startup_step: Callable[[str], None] | None = None,
) -> FastAPI:
    """Build the app; `source` overrides where models come from (default: from `settings`).

    `startup_step(name)` hears each start-up step (`imr serve` shows them as a progress bar); it is
    told "ready" once the model is loaded or refused and the app takes traffic."""
    step = startup_step if startup_step is not None else (lambda _name: None)
    from features.spec import load_spec
    from serving.api_docs import include_offline_docs
    from serving.dashboard import include_dashboard
    from serving.model_sources import build_source
    from serving.routes_admin import router as admin_router
    from serving.routes_health import router as health_router
    from serving.routes_score import ScoringContext, build_score_router, client_loc, synthetic_marks
    from serving.scoring_pool import ScoringPool

    spec = load_spec(settings.feature_spec)
    metrics = ServiceMetrics()
    pool = ScoringPool(settings.scoring_threads, settings.max_queued_requests)
    scoring = ScoringContext.build(settings, spec, metrics, pool)
    model_source = source if source is not None else build_source(settings)

    def on_swap(served: Served[Any]) -> None:
        metrics.set_model(served.ref.name, served.ref.version, served.ref.alias or "")
        notice = synthetic_marks(served)["model_synthetic_notice"]
        if notice:  # at start-up and on every reload to such a model; each score response says it too
            log.warning("serving %s: %s", served.ref.uri, notice)

    def on_outcome(result: ReloadResult) -> None:
        if not result.repeated:  # a refused version counts once, not on every poll
            metrics.reloads.labels(outcome=result.outcome).inc()

    store: ModelStore[Any] = ModelStore(
        model_source,
        validate=lambda model: _checked_predictor(settings, model, spec),
        on_swap=on_swap,
        on_outcome=on_outcome,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One BLAS thread: the scoring pool already runs requests side by side, and idle BLAS threads
        # spin on the cores the encoder and TreeSHAP need (measured: 28 ms vs 0.5 ms per 1,000 rows).
        blas = threadpool_limits(limits=1, user_api="blas")
        if store.current is None:  # else `imr serve` loaded it before binding the port
            step("loading the model")
        result = await store.refresh_async()
        if store.current is None:
            log.warning("started without a model (%s): %s", result.outcome, result.error)
        poller = None
        if settings.poll_interval_s > 0:
            poller = asyncio.create_task(store.poll_forever(settings.poll_interval_s))
        step("ready")
        try:
            yield
        finally:
            if poller is not None:
                poller.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await poller
            pool.shutdown()
            scoring.letters.shutdown()
            blas.restore_original_limits()

    app = FastAPI(
        title=TITLE,
        version=_package_version("imr-triage"),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.store = store
    app.state.scoring = scoring
    limiter = FailureLimiter(settings.auth_failures_per_minute, settings.auth_failure_burst)
    app.state.key_verifier = KeyVerifier(settings.effective_api_keys(), limiter)
    for entry in settings.api_keys:
        if entry.deprecated:
            log.warning("API key entry %r uses a deprecated form (%s)", entry.name, deprecation_reason(entry))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI echoes the input by default; a case's text and patient details must not travel back.
        # A body that is not JSON at all is 400 in one line (as the batch routes answer it); the rest 422.
        unparsable = json_error_line(exc.errors())
        if unparsable is not None:
            return JSONResponse({"detail": unparsable}, status_code=400)
        # `/v1/score` validates a tagged union: its tag is dropped from each loc (`client_loc`).
        tagged = request.url.path == "/v1/score"
        errors = [
            {
                "loc": client_loc(e.get("loc", ())) if tagged else list(e.get("loc", ())),
                "msg": str(e.get("msg", "")).removeprefix("Value error, "),
                "type": e.get("type", ""),
            }
            for e in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    app.include_router(health_router)
    app.include_router(admin_router)
    app.include_router(build_score_router(scoring))
    include_offline_docs(app, TITLE)
    add_component_schemas(app, [scoring.models["FeatureServiceIn"]])
    # /dashboard over the scores DB (IMR_SCORES_DB_URL), opened on first use; behind the API keys
    # (scope `dashboard`) when settings.dashboard_requires_key()
    gate = app.state.key_verifier if settings.dashboard_requires_key() else None
    include_dashboard(app, verifier=gate)
    # Outermost last: metrics see every request, including the 413s of the body limit.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestMetricsMiddleware, metrics=metrics)
    return app


def json_error_line(errors: Sequence[Any]) -> str | None:
    """The one-line 400 message for a body FastAPI could not parse as JSON, or None (a schema error):
    `request body is not valid JSON (Expecting value at character 14)`."""
    for e in errors:
        if e.get("type") == "json_invalid":
            loc = list(e.get("loc", ()))
            where = f" at character {loc[-1]}" if loc and isinstance(loc[-1], int) else ""
            reason = str((e.get("ctx") or {}).get("error") or "JSON decode error")
            return f"request body is not valid JSON ({reason}{where})"
    return None


def _checked_predictor(settings: ServingSettings, model: Any, spec: Any) -> Any:
    """The predictor a loaded model is served through, after its smoke check (raises if it fails)."""
    predictor = settings.predictor(model)
    predictor.check(spec)
    return predictor


def deprecation_reason(entry: Any) -> str:
    if entry.id is None:
        return "no key id: it is checked only behind the failure rate limit"
    return "a PBKDF2 hash: make a new key with `imr serve --new-key`"


def add_component_schemas(app: FastAPI, models: list[type[Any]]) -> None:
    """Put models that routes reference by `$ref` (raw-body routes) into the OpenAPI components."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in models:
                top = TypeAdapter(model).json_schema(ref_template="#/components/schemas/{model}")
                for name, definition in {**top.pop("$defs", {}), model.__name__: top}.items():
                    components.setdefault(name, definition)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app_from_environment() -> FastAPI:
    """uvicorn's app factory in each worker process: the settings `imr serve` resolved and validated,
    or, started directly (`uvicorn --factory serving.app:create_app_from_environment`), the environment."""
    supervisor = os.environ.get(SUPERVISOR_PID_ENV)
    if supervisor and os.getppid() == int(supervisor):
        from serving.parent_watch import exit_with_parent

        exit_with_parent(int(supervisor))
    resolved = os.environ.get(RESOLVED_SETTINGS_ENV)
    settings = ServingSettings.model_validate_json(resolved) if resolved else ServingSettings()
    return create_app(settings)
