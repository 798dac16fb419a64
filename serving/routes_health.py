"""Liveness, readiness and Prometheus metrics: unauthenticated, cheap, no model work."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from serving.schemas import HealthResponse, ReadyResponse

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
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus exposition format."}},
)
async def metrics(request: Request) -> Response:
    m = request.app.state.metrics
    return Response(content=m.render(), media_type=m.content_type)
