"""Scoring endpoints: one case, a batch (JSON list or NDJSON), an uploaded letter, and the structured
fast path (services with their features stated).

Every request takes the current model once (so a reload mid-request changes nothing for it), does
its CPU work in the bounded `ScoringPool` (never on the event loop), and returns plain data that
FastAPI validates against the typed response model and serialises.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, File, HTTPException, Query, Request, UploadFile, status
from pydantic import Discriminator, Tag, TypeAdapter

from features.spec import FeatureSpec
from letters.structured import GuidelineMemo
from model.explanation_models import PROBABILITY_EFFECT_METHOD
from model.version_label import version_label
from serving.auth import key_first, require_scope
from serving.case_rows import PreparedCase, prepare_structured
from serving.feature_scores import score_feature_services
from serving.letter_reader import LetterReader, TextTooLong
from serving.metrics import ServiceMetrics
from serving.model_store import Served
from serving.schemas import (
    EXAMPLE_CASE,
    EXAMPLE_FEATURES,
    EXAMPLE_TEXT,
    BatchResponse,
    ErrorResponse,
    FeatureBatchResponse,
    FeatureScore,
    ModelRefOut,
    ScoreResponse,
    build_request_models,
)
from serving.score_batch import NDJSON_TYPES, UNION_TAGS, BatchOutcome, NotJson, score_batch, split_items
from serving.score_store import save_scores, stable_case_id
from serving.scoring_pool import ScoringPool
from serving.settings import ServingSettings

log = logging.getLogger("serving.score")

STORE_HELP = "Also write the scores to the scores database (the dashboard's source); idempotent per case."

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorResponse,
        "description": "The body cannot be parsed: not valid JSON (one line saying where), or a broken "
        "multipart upload.",
    },
    401: {"model": ErrorResponse, "description": "Missing or unknown API key."},
    403: {"model": ErrorResponse, "description": "The key lacks the `score` scope."},
    413: {
        "model": ErrorResponse,
        "description": "Over a limit, named in one line: the request body's bytes, a letter's characters, "
        "or a batch's items (`IMR_SERVE_MAX_BATCH_ITEMS`).",
    },
    415: {"model": ErrorResponse, "description": "The body's Content-Type is not one this route reads."},
    422: {
        "model": ErrorResponse,
        "description": "Valid JSON that the request schema refuses (one entry per field, e.g. a post-review "
        "field was sent), or a request that cannot be scored or is not a batch's shape (one line).",
    },
    429: {"model": ErrorResponse, "description": "Too many failed API key attempts from this address."},
    503: {"model": ErrorResponse, "description": "No model loaded yet, or the server is busy."},
}


class UnusableInput(ValueError):
    """The request (not one item of it) cannot be scored: 422 with this message."""


class UnparsableBody(ValueError):
    """A raw body that is not JSON: 400 with this message (as `/v1/score` answers invalid JSON)."""


class TooManyItems(ValueError):
    """A batch over `IMR_SERVE_MAX_BATCH_ITEMS`: 413 with this message (a limit, like the body's bytes)."""


@dataclass(frozen=True)
class ScoringContext:
    """What the scoring routes share, built once per app: settings, spec, request models, the pool."""

    settings: ServingSettings
    spec: FeatureSpec
    metrics: ServiceMetrics
    pool: ScoringPool
    letters: LetterReader
    models: dict[str, type]
    body_adapter: TypeAdapter[Any]
    feature_adapter: TypeAdapter[Any]
    features_adapter: TypeAdapter[Any]

    @classmethod
    def build(
        cls, settings: ServingSettings, spec: FeatureSpec, metrics: ServiceMetrics, pool: ScoringPool
    ) -> "ScoringContext":
        models = build_request_models(
            spec.request_model(), max_services=200, max_text_chars=settings.max_text_chars
        )
        body = score_body_type(models)
        feature_service = models["FeatureServiceIn"]
        letters = LetterReader(
            spec, max_chars=settings.max_text_chars, process_from_chars=settings.text_process_from_chars
        )
        return cls(
            settings, spec, metrics, pool, letters, models, TypeAdapter(body), TypeAdapter(feature_service),
            TypeAdapter(list[feature_service]),  # type: ignore[valid-type]
        )

    def prepare(self, body: Any, guidelines: GuidelineMemo | None = None) -> PreparedCase:
        """Rows and evidence of a validated request body (letter text or structured case)."""
        if isinstance(body, self.models["LetterText"]):
            return self.letters.text(body.text, body.case_id)
        return prepare_structured(body, self.spec, guidelines)


SCORE_BODY_TAGS = UNION_TAGS  # the union's tags: pydantic puts them into an error's loc


def score_body_type(models: dict[str, type]) -> Any:
    """`CaseIn | LetterText`, told apart by the presence of `text`."""
    case_in, letter_text = models["CaseIn"], models["LetterText"]
    return Annotated[
        Annotated[case_in, Tag("case")] | Annotated[letter_text, Tag("text")],  # type: ignore[valid-type]
        Discriminator(lambda v: "text" if isinstance(v, dict) and "text" in v else "case"),
    ]


def client_loc(loc: tuple[Any, ...] | list[Any]) -> list[Any]:
    """An error's loc as the client wrote the body: `["body", "text"]`, not the union's
    `["body", "text", "text"]` (the tag is not a field of the body)."""
    out = list(loc)
    if len(out) > 1 and out[0] == "body" and out[1] in SCORE_BODY_TAGS:
        del out[1]
    return out


# ---- dependencies ----------------------------------------------------------------------------


async def scoring_context(request: Request) -> ScoringContext:
    ctx: ScoringContext = request.app.state.scoring
    return ctx


async def served_model(request: Request) -> Served[Any]:
    """The model for this whole request, or 503 before any work is done."""
    served = request.app.state.store.current
    if served is None:
        raise HTTPException(status_code=503, detail="no model loaded yet; try again shortly")
    return served  # type: ignore[no-any-return]


Context = Annotated[ScoringContext, Depends(scoring_context)]
CurrentModel = Annotated[Served[Any], Depends(served_model)]
StoreFlag = Annotated[bool, Query(description=STORE_HELP)]


# ---- the work, run in the pool -----------------------------------------------------------------


def prepare_and_explain(
    prepare: Callable[[], PreparedCase], predictor: Any
) -> tuple[PreparedCase, list[dict]]:
    """One case prepared and explained; an input the extractors cannot use raises `UnusableInput`."""
    try:
        prepared = prepare()
    except TextTooLong:
        raise
    except ValueError as exc:
        raise UnusableInput(str(exc)) from exc
    return prepared, predictor.explain(prepared.rows, prepared.evidence, checklists=prepared.checklists)


def body_items(raw: bytes, content_type: str, limit: int, key: str) -> list[Any]:
    """A batch body's items; `UnparsableBody` (not JSON), `UnusableInput` (not a list, empty) or
    `TooManyItems` (over `limit` items)."""
    try:
        items = split_items(raw, ndjson=content_type in NDJSON_TYPES, key=key)
    except NotJson as exc:
        raise UnparsableBody(str(exc)) from exc
    except ValueError as exc:
        raise UnusableInput(str(exc)) from exc
    if len(items) > limit:
        raise TooManyItems(
            f"batch has {len(items)} {key}; the limit is {limit} (IMR_SERVE_MAX_BATCH_ITEMS): "
            "send them in smaller batches"
        )
    return items


def run_batch(ctx: ScoringContext, raw: bytes, content_type: str, predictor: Any) -> BatchOutcome:
    items = body_items(raw, content_type, ctx.settings.max_batch_items, "items")
    return score_batch(items, ctx.body_adapter, ctx.prepare, predictor)


def run_features(
    ctx: ScoringContext, raw: bytes, content_type: str, predictor: Any
) -> tuple[list[FeatureScore], list[float]]:
    """The fast path's results, built as response models here in the pool (not on the event loop):
    they come from the predictor and validated input, so they are constructed, not validated again."""
    items = body_items(raw, content_type, ctx.settings.max_batch_items, "services")
    adapters = (ctx.feature_adapter, ctx.features_adapter)
    results, probabilities = score_feature_services(items, *adapters, predictor)
    return [FeatureScore.model_construct(**r) for r in results], probabilities


async def in_pool(ctx: ScoringContext, endpoint: str, fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)` in the pool; a body that is not JSON -> 400, text or a batch over its limit -> 413,
    unusable input -> 422 (each counted as a failed item)."""
    try:
        return await ctx.pool.run(fn, *args)
    except UnparsableBody as exc:
        ctx.metrics.items_failed.labels(endpoint=endpoint).inc()
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail=str(exc)) from exc
    except (TextTooLong, TooManyItems) as exc:
        ctx.metrics.items_failed.labels(endpoint=endpoint).inc()
        raise HTTPException(status_code=status.HTTP_413_CONTENT_TOO_LARGE, detail=str(exc)) from exc
    except UnusableInput as exc:
        ctx.metrics.items_failed.labels(endpoint=endpoint).inc()
        raise HTTPException(status_code=422, detail=str(exc)) from exc


# ---- responses -------------------------------------------------------------------------------


def served_label(served: Served[Any]) -> str:
    return version_label(served.ref.version, served.model.model.metadata.model_version)


def version_fields(served: Served[Any]) -> dict[str, Any]:
    """`registry_version` (None for a local directory, whose source names it by its content version, the
    rule `version_label` follows) and `content_version`, as `/v1/model` and every score carry them."""
    content = served.model.model.metadata.model_version
    registry = None if served.ref.version == content else served.ref.version
    return {"registry_version": registry, "content_version": content}


def model_ref(served: Served[Any]) -> dict[str, Any]:
    return {
        "name": served.ref.name,
        "version": served.ref.version,
        **version_fields(served),
        "alias": served.ref.alias,
        "label": served_label(served),
    }


def synthetic_marks(served: Served[Any]) -> dict[str, Any]:
    """`model_synthetic_only` and `model_synthetic_notice`, as every score response and `/v1/model`
    carry them: from the served model's card (`ModelCard.synthetic_only`), naming it by its label."""
    card = served.model.metadata.card()
    notice = card.synthetic_notice(served_label(served))
    return {"model_synthetic_only": card.synthetic_only, "model_synthetic_notice": notice}


async def store_scores(
    request: Request, ctx: ScoringContext, items: list[tuple[PreparedCase, list[dict]]], served: Served[Any],
    warnings: list[str],
) -> int | None:
    """Write scores to the scores database; a database failure never fails the scoring."""
    try:
        return await ctx.pool.run(save_scores, request.app.state, items, served)
    except HTTPException:
        raise
    except Exception as exc:
        log.error("scores not stored: %s", type(exc).__name__)
        warnings.append(f"scores not stored in the scores database ({type(exc).__name__})")
        return None


async def case_response(
    request: Request, ctx: ScoringContext, served: Served[Any], scored: tuple[PreparedCase, list[dict]],
    *, endpoint: str, store: bool,
) -> dict[str, Any]:
    prepared, services = scored
    ctx.metrics.observe_scores(endpoint, (s["overturn_likelihood"] for s in services))
    warnings = list(prepared.warnings)
    stored = await store_scores(request, ctx, [scored], served, warnings) if store else None
    return {
        "case_id": prepared.case_id,
        "model": model_ref(served),
        **synthetic_marks(served),
        "services": services,
        "warnings": warnings,
        "stored": stored,
        "probability_effect_method": PROBABILITY_EFFECT_METHOD,
    }


async def batch_response(
    request: Request, ctx: ScoringContext, served: Served[Any], outcome: BatchOutcome, *, store: bool
) -> dict[str, Any]:
    ctx.metrics.observe_scores("batch", outcome.probabilities)
    body = outcome.body
    if body["n_failed"]:
        ctx.metrics.items_failed.labels(endpoint="batch").inc(body["n_failed"])
    body.update(model=model_ref(served), **synthetic_marks(served), stored=None,
                probability_effect_method=PROBABILITY_EFFECT_METHOD)
    if store:
        for p, _ in outcome.scored:
            if p.case_id is None:
                p.case_id = stable_case_id(orjson.dumps(p.rows, option=orjson.OPT_SORT_KEYS, default=str))
        body["warnings"] = []
        body["stored"] = await store_scores(request, ctx, outcome.scored, served, body["warnings"])
    return body


def raw_body_openapi(item_schema: dict[str, Any], key: str, example: Any) -> dict[str, Any]:
    """OpenAPI request body of a route that reads its raw body (JSON array, {key: [...]}, NDJSON)."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"type": "array", "items": item_schema},
                            {
                                "type": "object",
                                "properties": {key: {"type": "array", "items": item_schema}},
                                "required": [key],
                            },
                        ]
                    },
                    "example": example,
                },
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    }


# ---- routes ----------------------------------------------------------------------------------


def build_score_router(ctx: ScoringContext) -> APIRouter:
    """The scoring routes; their request bodies are typed by the models built from the feature spec."""
    # The key is checked before the body is parsed (`key_first`); the dependency documents it in OpenAPI.
    router = APIRouter(
        prefix="/v1", tags=["scoring"], dependencies=[Depends(require_scope("score"))],
        route_class=scoring_route("score"),
    )
    ScoreBody = score_body_type(ctx.models)
    examples = {
        "structured": {"summary": "Case attributes and services", "value": EXAMPLE_CASE},
        "text": {"summary": "Text of a case file or letter (SYNTHETIC)", "value": EXAMPLE_TEXT},
    }

    @router.post(
        "/score",
        response_model=ScoreResponse,
        summary="Score one case (structured attributes and services, or letter text)",
        responses=_ERRORS,
    )
    async def score(
        request: Request,
        body: Annotated[ScoreBody, Body(openapi_examples=examples)],  # type: ignore[valid-type]
        ctx: Context,
        served: CurrentModel,
        store: StoreFlag = False,
    ) -> dict[str, Any]:
        scored = await in_pool(ctx, "score", prepare_and_explain, lambda: ctx.prepare(body), served.model)
        if store and scored[0].case_id is None:
            scored[0].case_id = stable_case_id(body.model_dump_json().encode())
        return await case_response(request, ctx, served, scored, endpoint="score", store=store)

    @router.post(
        "/score/letter",
        response_model=ScoreResponse,
        summary="Upload a letter (PDF or text): parse, score and explain",
        responses=_ERRORS,
    )
    async def score_letter(
        request: Request,
        file: Annotated[UploadFile, File(description="PDF or plain-text letter (size limits apply).")],
        ctx: Context,
        served: CurrentModel,
        store: StoreFlag = False,
    ) -> dict[str, Any]:
        name = file.filename or "upload"
        data = await file.read()

        def prepare() -> PreparedCase:
            try:
                return ctx.letters.upload(data, name)
            except (TextTooLong, ValueError):
                raise
            except Exception as exc:  # parse errors of any kind are the upload's fault, named by file
                raise ValueError(f"{name}: cannot read letter ({type(exc).__name__})") from exc

        scored = await in_pool(ctx, "letter", prepare_and_explain, prepare, served.model)
        return await case_response(request, ctx, served, scored, endpoint="letter", store=store)

    item_schema = {
        "anyOf": [{"$ref": "#/components/schemas/CaseIn"}, {"$ref": "#/components/schemas/LetterText"}]
    }

    @router.post(
        "/score/batch",
        response_model=BatchResponse,
        summary="Score many cases; each item succeeds or fails on its own",
        description=(
            "Body: a JSON array of items (each like the body of `POST /v1/score`), an object "
            '`{"items": [...]}`, or NDJSON (one item per line, `Content-Type: application/x-ndjson`). '
            f"At most {ctx.settings.max_batch_items} items (more: 413); a body that is not JSON: 400. A bad "
            "item gets an error naming its index and case_id; the good items are scored regardless."
        ),
        responses=_ERRORS,
        openapi_extra=raw_body_openapi(item_schema, "items", [EXAMPLE_CASE, EXAMPLE_TEXT]),
    )
    async def score_batch_route(
        request: Request, ctx: Context, served: CurrentModel, store: StoreFlag = False
    ) -> dict[str, Any]:
        raw = await request.body()
        outcome = await in_pool(ctx, "batch", run_batch, ctx, raw, content_type(request), served.model)
        return await batch_response(request, ctx, served, outcome, store=store)

    @router.post(
        "/score/features",
        response_model=FeatureBatchResponse,
        summary="Score services whose features you already hold (structured fast path)",
        description=(
            "For systems that hold structured data: each service states its raw pre-review features "
            "(as `features.table` builds them; a feature left out is missing). No text is read. Returns "
            "each service's calibrated probability, band and every feature's TreeSHAP contribution "
            "(log-odds); the probability equals the registered MLflow model's. Each scored service also "
            "lists the features the model reads that it did not state (`features_not_stated`), with a "
            "`warning` when that is more than half of them. Body: a JSON array, "
            '`{"services": [...]}`, or NDJSON. '
            f"At most {ctx.settings.max_batch_items} services (more: 413); a bad one fails alone. A body "
            "that is not JSON: 400."
        ),
        responses=_ERRORS,
        openapi_extra=raw_body_openapi(
            {"$ref": "#/components/schemas/FeatureServiceIn"}, "services", EXAMPLE_FEATURES
        ),
    )
    async def score_features(request: Request, ctx: Context, served: CurrentModel) -> FeatureBatchResponse:
        raw = await request.body()
        results, probabilities = await in_pool(
            ctx, "features", run_features, ctx, raw, content_type(request), served.model
        )
        ctx.metrics.observe_scores("features", probabilities)
        n_ok = len(probabilities)
        if len(results) > n_ok:
            ctx.metrics.items_failed.labels(endpoint="features").inc(len(results) - n_ok)
        # Built by the predictor from validated input: constructed, not validated again (thousands of
        # services); FastAPI serialises it through the response model.
        return FeatureBatchResponse.model_construct(
            model=ModelRefOut.model_construct(**model_ref(served)),
            **synthetic_marks(served),
            n_items=len(results),
            n_ok=n_ok,
            n_failed=len(results) - n_ok,
            results=results,
        )

    return router


def content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


# The media types each scoring route reads. "" (no Content-Type header): the raw-body routes read the
# body as JSON; `/v1/score` cannot (FastAPI parses a JSON body only when the header says JSON).
ROUTE_MEDIA_TYPES: dict[str, tuple[str, ...]] = {
    "/v1/score": ("application/json",),
    "/v1/score/batch": ("application/json", *NDJSON_TYPES, ""),
    "/v1/score/features": ("application/json", *NDJSON_TYPES, ""),
    "/v1/score/letter": ("multipart/form-data",),
}


def media_type_error(path: str, sent: str) -> str | None:
    """The 415 message for a body of media type `sent` (lower case, no parameters) on route `path`, or
    None when the route reads it (`application/*+json` counts as JSON, as FastAPI reads it)."""
    accepted = ROUTE_MEDIA_TYPES.get(path)
    if accepted is None or sent in accepted:
        return None
    if "application/json" in accepted and sent.startswith("application/") and sent.endswith("+json"):
        return None
    named = [t for t in accepted if t]
    what = f"Content-Type {sent}" if sent else "no Content-Type header"
    return f"{path}: {what}; send the body as {' or '.join(named)}"


def scoring_route(scope: str) -> type[Any]:
    """The scoring routes' class: the key first (`key_first`), then the media type (415 naming the one
    to send), and only then the body. Without this a form or text body reached body validation and the
    client was told that `body.case` should be a dictionary."""

    class ScoringRoute(key_first(scope)):  # type: ignore[misc,valid-type]
        def check_request(self, request: Request) -> None:
            problem = media_type_error(self.path, content_type(request))
            if problem is not None:
                raise HTTPException(status_code=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, detail=problem)

    return ScoringRoute
