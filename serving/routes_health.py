"""Liveness, readiness and Prometheus metrics: cheap, no model work. Liveness and readiness need no key;
`/metrics` needs one when `metrics_requires_key()` (setting `metrics_auth`; default: in production)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from serving.auth import API_KEY_HEADER, authorize, bearer_or_header_key
from serving.schemas import ErrorResponse, HealthResponse, ReadyResponse

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=HealthResponse, summary="Liveness: the process answers")
async def healthz() -> HealthResponse:
    return HealthResponse(status="ok")


@router.get(
    "/readyz",
    response_model=ReadyResponse,
    summary="Readiness: a model is loaded",
    responses={503: {"model": ReadyResponse, "description": "No model loaded yet."}},
)
async def readyz(request: Request) -> Response:
    served = request.app.state.store.current
    if served is None:
        last = request.app.state.store.last_result
        body = ReadyResponse(status="not ready", model_version=None, reason=last.error if last else None)
        return JSONResponse(body.model_dump(), status_code=503)
    return JSONResponse(ReadyResponse(status="ready", model_version=served.ref.version).model_dump())


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    description="Open in development; with `IMR_SERVE_METRICS_AUTH` (default: on in production mode) it "
    "needs a configured API key, whatever its scopes, in `X-API-Key` or `Authorization: Bearer KEY`.",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}, "description": "Prometheus exposition format."},
        401: {"model": ErrorResponse, "description": "Metrics auth is on and no configured key was sent."},
        429: {"model": ErrorResponse, "description": "Too many failed API key attempts from this address."},
    },
)
async def metrics(request: Request) -> Response:
    if request.app.state.settings.metrics_requires_key():
        where = f"in the {API_KEY_HEADER} header or as `Authorization: Bearer KEY` (what Prometheus sends)"
        await authorize(request, bearer_or_header_key(request), None, where)
    m = request.app.state.metrics
    return Response(content=m.render(), media_type=m.content_type)
