"""Batches of scoring requests: split a body (JSON array, `{"items": [...]}` or NDJSON) into items,
prepare each item on its own so a bad one fails alone, and score all good rows in one model call."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError

from letters.structured import GuidelineMemo
from serving.case_rows import PreparedCase
from serving.schemas import POST_REVIEW_FIELDS

log = logging.getLogger("serving.score")

NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonlines", "application/jsonl")

UTF8_BOM = b"\xef\xbb\xbf"

Prepare = Callable[[Any, GuidelineMemo], PreparedCase]


class NotJson(ValueError):
    """A batch body that is not JSON at all: the client's request cannot be parsed (400)."""


class BadLine:
    """An NDJSON line that is not JSON: it becomes that item's error, not the batch's."""

    def __init__(self, error: str) -> None:
        self.error = error


def split_items(raw: bytes, ndjson: bool, key: str = "items") -> list[Any]:
    """Items of a batch body; an unparsable NDJSON line becomes an item error, not a batch error.
    A leading UTF-8 byte order mark (Windows tools write one) is skipped, as `/v1/score` skips it."""
    raw = raw.removeprefix(UTF8_BOM)
    if ndjson:
        items: list[Any] = []
        for lineno, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append(orjson.loads(line))
            except orjson.JSONDecodeError as exc:
                items.append(BadLine(f"line {lineno}: invalid JSON ({exc})"))
        return items
    if not raw.strip():
        raise ValueError(f'empty body: send a JSON array, {{"{key}": [...]}}, or NDJSON')
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise NotJson(
            f"body is not valid JSON ({exc}); for one item per line use application/x-ndjson"
        ) from None
    if isinstance(body, dict) and isinstance(body.get(key), list):
        return body[key]
    if isinstance(body, list):
        return body
    raise ValueError(f'batch body must be a JSON array or an object {{"{key}": [...]}}')


UNION_TAGS = ("case", "text")  # `/v1/score`'s union tags: pydantic puts one first in an item's loc


def validation_message(exc: ValidationError) -> str:
    """One line per error: where and why, without echoing the (possibly sensitive) input."""
    parts = []
    for e in exc.errors(include_input=False, include_url=False):
        where = e.get("loc", ())
        if e.get("type") == "extra_forbidden" and where and str(where[-1]).lower() in POST_REVIEW_FIELDS:
            parts.append(
                f"post-review field {where[-1]!r} not accepted: scores are made before review, from "
                "pre-review information only"
            )
            continue
        if len(where) > 1 and where[0] in UNION_TAGS:  # the union's tag, not a field the client sent
            where = where[1:]
        loc = ".".join(str(x) for x in where)
        msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{loc or 'body'}: {msg}")
    return "; ".join(parts)


def item_id(item: Any) -> str | None:
    if isinstance(item, dict):
        v = item.get("case_id", item.get("id"))
        return v if isinstance(v, str) else None
    return None


def item_error(i: int, item: Any, message: str) -> dict[str, Any]:
    ident = item_id(item)
    where = f"item {i} ({ident})" if ident else f"item {i}"
    return {"index": i, "id": ident, "ok": False, "error": f"{where}: {message}"}


@dataclass
class BatchOutcome:
    """The response body of a batch, and what the route does after (metrics, the scores database)."""

    body: dict[str, Any]
    probabilities: list[float] = field(default_factory=list)
    scored: list[tuple[PreparedCase, list[dict[str, Any]]]] = field(default_factory=list)


def prepare_items(
    items: list[Any], adapter: TypeAdapter[Any], prepare: Prepare
) -> tuple[list[dict[str, Any]], list[tuple[int, PreparedCase]]]:
    """Validate and prepare each item on its own: (results with the failures filled in, prepared)."""
    results: list[dict[str, Any]] = [{} for _ in items]
    prepared: list[tuple[int, PreparedCase]] = []
    guidelines = GuidelineMemo()  # the batch's cases cite the same few guideline lines
    for i, item in enumerate(items):
        if isinstance(item, BadLine):
            results[i] = {"index": i, "id": None, "ok": False, "error": item.error}
            continue
        try:
            prepared.append((i, prepare(adapter.validate_python(item), guidelines)))
        except ValidationError as exc:
            results[i] = item_error(i, item, validation_message(exc))
        except ValueError as exc:
            results[i] = item_error(i, item, str(exc))
        except Exception as exc:  # an extractor bug on one item must not lose the batch
            log.exception("unexpected error preparing batch item %d", i)
            results[i] = item_error(i, None, f"could not be prepared ({type(exc).__name__})")
    return results, prepared


def explain_prepared(predictor: Any, prepared: list[tuple[int, PreparedCase]]) -> list[list[dict] | None]:
    """Every prepared case's explained services from one model call; if that call fails, case by case
    (the case that breaks it gets None, the rest are scored)."""
    rows = [r for _, p in prepared for r in p.rows]
    evidence = [e for _, p in prepared for e in p.evidence]
    checklists = [c for _, p in prepared for c in (p.checklists or [None] * len(p.rows))]
    try:
        scored = predictor.explain(rows, evidence, checklists=checklists)
    except Exception:
        log.exception("batch scoring failed; scoring items one by one")
        chunks: list[list[dict] | None] = []
        for _, p in prepared:
            try:
                chunks.append(predictor.explain(p.rows, p.evidence, checklists=p.checklists))
            except Exception:
                chunks.append(None)
        return chunks
    chunks = []
    pos = 0
    for _, p in prepared:
        chunks.append(scored[pos : pos + len(p.rows)])
        pos += len(p.rows)
    return chunks


def score_batch(
    items: list[Any], adapter: TypeAdapter[Any], prepare: Prepare, predictor: Any
) -> BatchOutcome:
    """The whole batch, in a worker thread: each item succeeds or fails on its own."""
    results, prepared = prepare_items(items, adapter, prepare)
    outcome = BatchOutcome(body={})
    for (i, p), services in zip(prepared, explain_prepared(predictor, prepared), strict=True):
        if services is None:
            results[i] = {"index": i, "id": p.case_id, "ok": False, "error": f"item {i}: scoring failed"}
            continue
        outcome.probabilities.extend(s["overturn_likelihood"] for s in services)
        results[i] = {"index": i, "id": p.case_id, "ok": True, "services": services, "warnings": p.warnings}
        outcome.scored.append((p, services))
    n_ok = sum(1 for r in results if r["ok"])
    outcome.body = {
        "n_items": len(items),
        "n_ok": n_ok,
        "n_failed": len(items) - n_ok,
        "n_services": len(outcome.probabilities),
        "results": results,
    }
    return outcome
