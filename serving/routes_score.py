"""Scoring endpoints: one case, a batch (JSON list or NDJSON), and an uploaded letter.

Every request takes the current model once (so a reload mid-request changes nothing for it), and
answers with pre-serialised JSON: the response models document the shape in OpenAPI, while the hot
path skips re-validating what the predictor built.
"""

import logging
from collections.abc import Callable
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, File, HTTPException, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import Discriminator, Tag, TypeAdapter, ValidationError

from features.spec import FeatureSpec, load_spec
from letters.structured import GuidelineMemo
from model.explanation_models import PROBABILITY_EFFECT_METHOD
from serving.auth import require_scope
from serving.case_rows import PreparedCase, prepare_case, prepare_structured, prepare_text
from serving.schemas import (
    EXAMPLE_CASE,
    EXAMPLE_TEXT,
    BatchResponse,
    ErrorResponse,
    ScoreResponse,
    build_request_models,
)
from serving.score_store import save_scores, stable_case_id
from serving.settings import ServingSettings

log = logging.getLogger("serving.score")

NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonlines", "application/jsonl")
STORE_HELP = "Also write the scores to the scores database (the dashboard's source); idempotent per case."
LETTER_MAX_BYTES_NOTE = "limited by the service's body size limit"

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "Missing or unknown API key."},
    403: {"model": ErrorResponse, "description": "The key lacks the `score` scope."},
    413: {"model": ErrorResponse, "description": "Request body over the size limit."},
    422: {"model": ErrorResponse, "description": "Invalid input, e.g. a post-review field was sent."},
    503: {"model": ErrorResponse, "description": "No model loaded yet."},
}


def _json(content: Any, status_code: int = 200) -> Response:
    return Response(
        orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY),
        status_code=status_code,
        media_type="application/json",
    )


def _validation_message(exc: ValidationError) -> str:
    """One line per error: where and why, without echoing the (possibly sensitive) input."""
    parts = []
    for e in exc.errors(include_input=False, include_url=False):
        loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("case", "text"))
        parts.append(f"{loc or 'body'}: {e.get('msg', 'invalid')}")
    return "; ".join(parts)


def _body_kind(value: Any) -> str:
    return "text" if isinstance(value, dict) and "text" in value else "case"


def build_score_router(settings: ServingSettings, spec: FeatureSpec | None = None) -> APIRouter:
    """The scoring routes, with request models built from the feature spec."""
    spec = spec or load_spec()
    models = build_request_models(spec.request_model(), max_services=200)
    CaseIn, LetterText = models["CaseIn"], models["LetterText"]
    ScoreBody = Annotated[
        Annotated[CaseIn, Tag("case")] | Annotated[LetterText, Tag("text")],  # type: ignore[valid-type]
        Discriminator(_body_kind),
    ]
    item_adapter: TypeAdapter[Any] = TypeAdapter(ScoreBody)
    router = APIRouter(prefix="/v1", tags=["scoring"], dependencies=[Depends(require_scope("score"))])
    item_schema = {
        "anyOf": [{"$ref": "#/components/schemas/CaseIn"}, {"$ref": "#/components/schemas/LetterText"}]
    }

    def prepare(body: Any, guidelines: GuidelineMemo | None = None) -> PreparedCase:
        if isinstance(body, LetterText):
            return prepare_text(body.text, spec, body.case_id)
        return prepare_structured(body, spec, guidelines)

    def current(request: Request) -> Any:
        served = request.app.state.store.current
        if served is None:
            raise HTTPException(status_code=503, detail="no model loaded yet; try again shortly")
        return served

    def model_ref(served: Any) -> dict[str, Any]:
        return {"name": served.ref.name, "version": served.ref.version, "alias": served.ref.alias}

    async def store_scores(
        request: Request,
        items: list[tuple[PreparedCase, list[dict[str, Any]]]],
        served: Any,
        warnings: list[str],
    ) -> int | None:
        """Write scores to the scores database; a database failure never fails the scoring."""
        try:
            return await run_in_threadpool(save_scores, request.app.state, items, served.ref)
        except Exception as exc:
            log.error("scores not stored: %s", type(exc).__name__)
            warnings.append(f"scores not stored in the scores database ({type(exc).__name__})")
            return None

    async def respond_one(request: Request, prepared: PreparedCase, endpoint: str, store: bool) -> Response:
        served = current(request)
        services = served.model.explain(prepared.rows, prepared.evidence)
        request.app.state.metrics.observe_scores(endpoint, (s["overturn_likelihood"] for s in services))
        warnings = list(prepared.warnings)
        stored = await store_scores(request, [(prepared, services)], served, warnings) if store else None
        return _json(
            {
                "case_id": prepared.case_id,
                "model": model_ref(served),
                "services": services,
                "warnings": warnings,
                "stored": stored,
                "probability_effect_method": PROBABILITY_EFFECT_METHOD,
            }
        )

    @router.post(
        "/score",
        response_model=ScoreResponse,
        summary="Score one case (structured attributes and services, or letter text)",
        responses=_ERRORS,
    )
    async def score(
        request: Request,
        body: Annotated[
            ScoreBody,
            Body(
                openapi_examples={
                    "structured": {"summary": "Case attributes and services", "value": EXAMPLE_CASE},
                    "text": {"summary": "Text of a case file or letter", "value": EXAMPLE_TEXT},
                }
            ),
        ],
        store: Annotated[bool, Query(description=STORE_HELP)] = False,
    ) -> Response:
        current(request)  # 503 before doing any work
        try:
            prepared = prepare(body)
        except ValueError as exc:
            request.app.state.metrics.items_failed.labels(endpoint="score").inc()
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        if store and prepared.case_id is None:
            prepared.case_id = stable_case_id(body.model_dump_json().encode())
        return await respond_one(request, prepared, "score", store)

    @router.post(
        "/score/letter",
        response_model=ScoreResponse,
        summary="Upload a letter (PDF or text): parse, score and explain",
        responses=_ERRORS,
    )
    async def score_letter(
        request: Request,
        file: Annotated[UploadFile, File(description=f"PDF or plain-text letter ({LETTER_MAX_BYTES_NOTE}).")],
        store: Annotated[bool, Query(description=STORE_HELP)] = False,
    ) -> Response:
        from letters.ingest import parse_bytes

        current(request)
        name = file.filename or "upload"
        data = await file.read()

        def work() -> PreparedCase:
            case = parse_bytes(data, name)
            if not case.services:
                raise ValueError(f"{name}: no disputed services found in the letter")
            return prepare_case(case, spec, case.case_number or case.letter_id)

        try:
            prepared = await run_in_threadpool(work)
        except Exception as exc:  # parse errors of any kind are the upload's fault, named by file
            request.app.state.metrics.items_failed.labels(endpoint="letter").inc()
            msg = (
                str(exc)
                if isinstance(exc, ValueError)
                else f"{name}: cannot read letter ({type(exc).__name__})"
            )
            raise HTTPException(status_code=422, detail=msg) from exc
        return await respond_one(request, prepared, "letter", store)

    @router.post(
        "/score/batch",
        response_model=BatchResponse,
        summary="Score many cases; each item succeeds or fails on its own",
        description=(
            "Body: a JSON array of items (each like the body of `POST /v1/score`), an object "
            '`{"items": [...]}`, or NDJSON (one item per line, `Content-Type: application/x-ndjson`). '
            f"At most {settings.max_batch_items} items. A bad item gets an error naming its index and "
            "case_id; the good items are scored regardless."
        ),
        responses=_ERRORS,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "oneOf": [
                                {"type": "array", "items": item_schema},
                                {
                                    "type": "object",
                                    "properties": {"items": {"type": "array", "items": item_schema}},
                                    "required": ["items"],
                                },
                            ]
                        },
                        "example": [EXAMPLE_CASE, EXAMPLE_TEXT],
                    },
                    "application/x-ndjson": {"schema": {"type": "string"}},
                },
            }
        },
    )
    async def score_batch(
        request: Request,
        store: Annotated[bool, Query(description=STORE_HELP)] = False,
    ) -> Response:
        served = current(request)
        raw = await request.body()
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            items = _split_items(raw, ndjson=content_type in NDJSON_TYPES)
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        if len(items) > settings.max_batch_items:
            raise HTTPException(
                status_code=422,
                detail=f"batch has {len(items)} items; the limit is {settings.max_batch_items}",
            )
        result = await run_in_threadpool(_score_batch, items, item_adapter, prepare, served.model)
        m = request.app.state.metrics
        m.observe_scores("batch", result.pop("_probabilities"))
        if result["n_failed"]:
            m.items_failed.labels(endpoint="batch").inc(result["n_failed"])
        done = result.pop("_scored")
        result["stored"] = None
        if store:
            for p, _ in done:
                if p.case_id is None:
                    p.case_id = stable_case_id(orjson.dumps(p.rows, option=orjson.OPT_SORT_KEYS, default=str))
            result["warnings"] = []
            result["stored"] = await store_scores(request, done, served, result["warnings"])
        result["model"] = model_ref(served)
        return _json(result)

    return router


def _split_items(raw: bytes, ndjson: bool) -> list[Any]:
    """Items of a batch body; an unparsable NDJSON line becomes an item error, not a batch error."""
    if ndjson:
        items: list[Any] = []
        for lineno, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append(orjson.loads(line))
            except orjson.JSONDecodeError as exc:
                items.append(_BadLine(f"line {lineno}: invalid JSON ({exc})"))
        return items
    if not raw.strip():
        raise ValueError('empty body: send a JSON array of cases, {"items": [...]}, or NDJSON')
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValueError(
            f"body is not valid JSON ({exc}); for one case per line use application/x-ndjson"
        ) from None
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return body["items"]
    if isinstance(body, list):
        return body
    raise ValueError('batch body must be a JSON array of cases or an object {"items": [...]}')


class _BadLine:
    def __init__(self, error: str) -> None:
        self.error = error


def _item_id(item: Any) -> str | None:
    if isinstance(item, dict):
        v = item.get("case_id")
        return v if isinstance(v, str) else None
    return None


def _score_batch(
    items: list[Any],
    adapter: TypeAdapter[Any],
    prepare: Callable[[Any, GuidelineMemo], PreparedCase],
    predictor: Any,
) -> dict[str, Any]:
    """Validate and prepare each item on its own, then score all good rows in one model call."""
    results: list[dict[str, Any]] = [{} for _ in items]
    prepared: list[tuple[int, PreparedCase]] = []
    guidelines = GuidelineMemo()  # the batch's cases cite the same few guideline lines
    for i, item in enumerate(items):
        item_id = _item_id(item)
        if isinstance(item, _BadLine):
            results[i] = {"index": i, "id": None, "ok": False, "error": item.error}
            continue
        try:
            prepared.append((i, prepare(adapter.validate_python(item), guidelines)))
        except ValidationError as exc:
            results[i] = {
                "index": i,
                "id": item_id,
                "ok": False,
                "error": f"item {i}{f' ({item_id})' if item_id else ''}: {_validation_message(exc)}",
            }
        except ValueError as exc:
            results[i] = {
                "index": i,
                "id": item_id,
                "ok": False,
                "error": f"item {i}{f' ({item_id})' if item_id else ''}: {exc}",
            }
        except Exception as exc:  # an extractor bug on one item must not lose the batch
            log.exception("unexpected error preparing batch item %d", i)
            results[i] = {
                "index": i,
                "id": item_id,
                "ok": False,
                "error": f"item {i}: could not be prepared ({type(exc).__name__})",
            }

    rows = [r for _, p in prepared for r in p.rows]
    evidence = [e for _, p in prepared for e in p.evidence]
    try:
        scored = predictor.explain(rows, evidence)
        chunks: list[list[dict[str, Any]] | None] = []
        pos = 0
        for _, p in prepared:
            chunks.append(scored[pos : pos + len(p.rows)])
            pos += len(p.rows)
    except Exception:  # isolate the item that breaks the model call, keep the rest
        log.exception("batch scoring failed; scoring items one by one")
        chunks = []
        for _, p in prepared:
            try:
                chunks.append(predictor.explain(p.rows, p.evidence))
            except Exception:
                chunks.append(None)

    probabilities: list[float] = []
    scored_items: list[tuple[PreparedCase, list[dict[str, Any]]]] = []
    for (i, p), services in zip(prepared, chunks, strict=True):
        if services is None:
            results[i] = {"index": i, "id": p.case_id, "ok": False, "error": f"item {i}: scoring failed"}
            continue
        probabilities.extend(s["overturn_likelihood"] for s in services)
        results[i] = {"index": i, "id": p.case_id, "ok": True, "services": services, "warnings": p.warnings}
        scored_items.append((p, services))
    n_ok = sum(1 for r in results if r["ok"])
    return {
        "n_items": len(items),
        "n_ok": n_ok,
        "n_failed": len(items) - n_ok,
        "n_services": len(probabilities),
        "results": results,
        "probability_effect_method": PROBABILITY_EFFECT_METHOD,
        "_probabilities": probabilities,
        "_scored": scored_items,
    }
