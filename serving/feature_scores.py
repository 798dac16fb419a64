"""The structured fast path: services whose features the caller already holds (claims systems).

No text is read: the stated raw features go straight to the one `Predictor` (encoder, booster,
calibrator, TreeSHAP), and each service gets its probability, band and every feature's contribution
in log-odds. The probability is computed exactly as the MLflow pyfunc computes it, so both agree.
A service that fails validation fails alone; the others are scored in one model call.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from pydantic import TypeAdapter, ValidationError

from model.derived_columns import MissingDerivedInputError
from model.predictor import Predictor
from serving.score_batch import item_error, validation_message

log = logging.getLogger("serving.score")


def validate_services(
    items: list[Any], one: TypeAdapter[Any], many: TypeAdapter[Any]
) -> tuple[list[dict[str, Any] | None], list[tuple[int, str | None, dict[str, Any]]]]:
    """(per-item errors, None where valid; the valid items as (index, id, raw feature dict)).

    The whole list is validated in one call; only when that fails is each item validated alone."""
    errors: list[dict[str, Any] | None] = [None] * len(items)
    try:
        parsed = list(enumerate(many.validate_python(items)))
    except ValidationError:
        parsed = []
        for i, item in enumerate(items):
            try:
                parsed.append((i, one.validate_python(item)))
            except ValidationError as exc:
                errors[i] = item_error(i, item, validation_message(exc))
            except ValueError as exc:
                errors[i] = item_error(i, item, str(exc))
    valid = [(i, s.get("id"), s["features"]) for i, s in parsed]
    return errors, valid


def score_rows(predictor: Predictor, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Probability, band, raw score, expected value and per-feature contributions of each row (a
    feature whose contribution is exactly 0, e.g. one the model never splits on, is left out)."""
    x = predictor.matrix(rows)
    raw = predictor.raw_scores(x)
    probability = np.asarray(predictor.model.calibrator.apply(raw), dtype=np.float64)
    contributions = predictor.contributions(x)
    per_feature, names = predictor.grouped(contributions)
    band = predictor.band
    columns = (probability.tolist(), raw.tolist(), contributions.expected.tolist())
    return [
        {
            "overturn_likelihood": p,
            "risk_band": band(p),
            "raw_score": r,
            "expected_value": e,
            "contributions": c,
        }
        for p, r, e, c in zip(*columns, nonzero_contributions(per_feature, names), strict=True)
    ]


def nonzero_contributions(per_feature: np.ndarray, names: list[str]) -> list[dict[str, float]]:
    """Each row's contributions by feature name (in `names` order), those exactly 0 left out.

    Features that are 0 in every row are dropped once for the batch; a row with no other zero (the
    usual case) becomes its dict in one C call rather than a filtered loop in Python."""
    nonzero = per_feature != 0.0
    used = np.flatnonzero(nonzero.any(axis=0))
    kept = [names[j] for j in used]
    dense = nonzero[:, used].all(axis=1).tolist()
    return [
        dict(zip(kept, row, strict=True)) if full else {f: v for f, v in zip(kept, row, strict=True) if v}
        for row, full in zip(per_feature[:, used].tolist(), dense, strict=True)
    ]


def score_feature_services(
    items: list[Any], one: TypeAdapter[Any], many: TypeAdapter[Any], predictor: Predictor
) -> tuple[list[dict[str, Any]], list[float]]:
    """The results of a fast-path batch (in a worker thread) and the probabilities scored."""
    errors, valid = validate_services(items, one, many)
    results: list[dict[str, Any]] = [e if e is not None else {} for e in errors]
    scored: list[dict[str, Any] | str]
    try:
        scored = list(score_rows(predictor, [row for _, _, row in valid]))
    except Exception as exc:  # isolate the row that breaks the model call, keep the rest
        if not isinstance(exc, MissingDerivedInputError):  # that one is the caller's to fix, said per item
            log.exception("fast-path scoring failed; scoring services one by one")
        scored = [_score_alone(predictor, row) for _, _, row in valid]
    probabilities = []
    read = predictor.model.read_feature_names
    for (i, ident, row), score in zip(valid, scored, strict=True):
        if isinstance(score, str):
            where = f"item {i} ({ident})" if ident else f"item {i}"
            results[i] = {"index": i, "id": ident, "ok": False, "error": f"{where}: {score}"}
            continue
        results[i] = {"index": i, "id": ident, "ok": True, **score, **not_stated(row, read)}
        probabilities.append(score["overturn_likelihood"])
    return results, probabilities


def not_stated(row: dict[str, Any], read: list[str]) -> dict[str, Any]:
    """The features the model reads that `row` leaves out (scored as missing, as documented), and a
    warning when that is more than half of them: a likelihood from a few stated values looks as sure
    as one from a full row, and the client should know it is not."""
    missing = [name for name in read if row.get(name) is None]
    warning = None
    if 2 * len(missing) > len(read):
        stated = len(read) - len(missing)
        warning = (
            f"{len(missing)} of the {len(read)} features the model reads were not stated and are scored "
            f"as missing; this likelihood rests on {stated} stated value{'' if stated == 1 else 's'}"
        )
    return {"features_not_stated": missing, "warning": warning}


def _score_alone(predictor: Predictor, row: dict[str, Any]) -> dict[str, Any] | str:
    """One row's scores, or why it cannot be scored: the model's inputs it lacks (a model that reads
    the text score needs a text feature stated), else "scoring failed" (the server's log has why)."""
    try:
        return score_rows(predictor, [row])[0]
    except MissingDerivedInputError as exc:
        return f"{exc}; on this route, state at least one of them in `features`"
    except Exception:  # noqa: BLE001 - logged once for the batch above
        return "scoring failed"
