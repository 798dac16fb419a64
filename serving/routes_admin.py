"""Model information and the admin reload endpoint."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request

from serving.auth import require_scope
from serving.routes_score import served_label, synthetic_marks, version_fields
from serving.schemas import ErrorResponse, ModelInfo, ReloadResponse

router = APIRouter(prefix="/v1", tags=["model"])

_AUTH_RESPONSES: dict[int | str, dict] = {
    401: {"model": ErrorResponse, "description": "Missing or unknown API key."},
    403: {"model": ErrorResponse, "description": "The key lacks the scope this route needs."},
}


@router.get(
    "/model",
    response_model=ModelInfo,
    summary="The model being served",
    dependencies=[Depends(require_scope("score"))],
    responses={**_AUTH_RESPONSES, 503: {"model": ErrorResponse, "description": "No model loaded."}},
)
async def model_info(request: Request) -> ModelInfo:
    store = request.app.state.store
    served = store.current
    if served is None:
        raise HTTPException(status_code=503, detail="no model loaded yet")
    return ModelInfo(
        name=served.ref.name,
        version=served.ref.version,
        **version_fields(served),
        label=served_label(served),
        alias=served.ref.alias,
        uri=served.ref.uri,
        loaded_at=served.loaded_at,
        load_seconds=served.load_seconds,
        refused_versions=dict(store.refused),
        **synthetic_marks(served),
        **served.model.describe(),
    )


@router.post(
    "/admin/reload",
    response_model=ReloadResponse,
    summary="Check the registry alias now and load a new version if it moved",
    dependencies=[Depends(require_scope("admin"))],
    responses=_AUTH_RESPONSES,
)
async def reload_model(request: Request, force: bool = False) -> ReloadResponse:
    store = request.app.state.store
    result = await store.refresh_async(force=force)
    served = store.current
    return ReloadResponse(**result.as_dict(), serving_version=served.ref.version if served else None)
