"""Writes API scores into the scores database (the dashboard's source) when a request asks to.

Kept apart from the routes so scoring never depends on the database: it is opened lazily on the
first `store=true` request, and the upsert key (case id, item, model version) makes re-scoring
the same case with the same model idempotent.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from features.spec import Dtype, load_spec
from model.version_label import version_label
from serving.case_rows import PreparedCase

ROW_IDS = frozenset({"letter_id", "item_index", "service"})  # the rest of a prepared row is features


def _not_stored() -> frozenset[str]:
    """Row keys kept out of the stored features: the ids, and the raw text a model's text signal reads
    (kilobytes per service, and clinical prose; its score is in the reasons)."""
    return ROW_IDS | {f.name for f in load_spec().features if f.dtype == Dtype.TEXT}


def stable_case_id(raw: bytes) -> str:
    """An id for a case sent without one: the same request body always gets the same id."""
    return "api-" + hashlib.sha256(raw).hexdigest()[:20]


def score_rows(
    prepared: PreparedCase, services: list[dict[str, Any]], model_name: str, model_version: str,
    scored_at: datetime, *, model_synthetic_only: bool,
) -> list[Any]:
    """One scores-database row per explained service of a prepared case (the API's and `imr score`'s);
    `model_synthetic_only`: the scoring model's `ModelCard.synthetic_only`, stored on every row."""
    from serving.scores_db import ScoreRow

    skip = _not_stored()
    return [
        ScoreRow(
            letter_id=str(prepared.case_id),
            item_index=int(row["item_index"]),
            service_heading=str(s.get("service") or row.get("service") or ""),
            service_family=s.get("service_family"),
            body_region=row.get("service_region") or None,
            ur_guideline_source=row.get("ur_guideline_source") or None,
            ur_denial_date=prepared.ur_denial_date,
            priority=prepared.priority,
            probability=float(s["overturn_likelihood"]),
            risk_band=s["risk_band"],
            top_reasons=[{k: v for k, v in r.items() if k != "description"} for r in s["reasons"]],
            model_name=model_name,
            model_version=model_version,
            scored_at=scored_at,
            synthetic=prepared.synthetic,
            features={k: v for k, v in row.items() if k not in skip and v is not None},
            checklist=stored_checklist(s),
            context=s.get("context"),
            summary=s.get("summary"),
            model_synthetic_only=model_synthetic_only,
        )
        for row, s in zip(prepared.rows, services, strict=True)
    ]


def stored_checklist(service: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The service's checklist items as stored: each not-documented criterion with a what-if carries its
    `likelihood_if_met` (None when no checklist was built)."""
    items = service.get("checklist")
    if items is None:
        return None
    what_if = {w["criterion_id"]: w["likelihood_if_met"] for w in service.get("what_if") or []}
    return [
        {**item, "likelihood_if_met": what_if[item["criterion_id"]]} if item["criterion_id"] in what_if
        else item
        for item in items
    ]


def save_scores(app_state: Any, items: list[tuple[PreparedCase, list[dict[str, Any]]]], served: Any) -> int:
    """Upsert one row per scored service, under the version's one name (`v3 (content version)`, as the
    CLI and the API say it); returns how many rows were written."""
    now = datetime.now(UTC)
    label = version_label(str(served.ref.version), served.model.model.metadata.model_version)
    marked = served.model.metadata.card().synthetic_only
    rows = []
    for prepared, services in items:
        rows += score_rows(prepared, services, served.ref.name, label, now, model_synthetic_only=marked)
    return app_state.scores_db.get().save_scores(rows)
