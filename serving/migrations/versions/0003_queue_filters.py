"""Queue filters and the explanation checklist: the covering indexes also carry the real/synthetic
flag, the facts index the risk band and the queue's sort keys (filters and sorts stay inside the
indexes), three small indexes give the filter controls' choices by seeks, and a nullable `checklist`
column holds the per-criterion checklist of an explanation (issue #18).

Revision ID: 0003_queue_filters
Revises: 0002_scored_features
Create Date: 2026-11-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_queue_filters"
down_revision = "0002_scored_features"
branch_labels = None
depends_on = None

_M = ["model_name", "model_version"]
_FACTS = ["ur_denial_date", "service_family", "body_region", "ur_guideline_source", "ur_denial_month"]
# Covering indexes as at 0001, and with the real/synthetic flag (and, for facts, the new filter and
# sort columns) so the page's filters are checked inside them.
BEFORE: list[tuple[str, list[str]]] = [
    ("ix_scored_model_probability", [*_M, "probability", "letter_id", "service_family", "ur_denial_date"]),
    ("ix_scored_model_letter", [*_M, "letter_id", "probability"]),
    ("ix_scored_model_family", [*_M, "service_family", "probability"]),
    ("ix_scored_model_region", [*_M, "body_region", "service_family", "probability"]),
    ("ix_scored_model_guideline", [*_M, "ur_guideline_source", "service_family", "probability"]),
    ("ix_scored_model_month", [*_M, "ur_denial_month", "service_family", "probability"]),
    ("ix_scored_model_facts", [*_M, *_FACTS, "probability", "letter_id"]),
]
_QUEUE = ["risk_band", "synthetic", "probability", "letter_id", "item_index", "priority", "id"]
AFTER: list[tuple[str, list[str]]] = [
    *[(name, [*cols, "synthetic"]) for name, cols in BEFORE[:-1]],
    ("ix_scored_model_facts", [*_M, *_FACTS, *_QUEUE]),
]
NEW: list[tuple[str, list[str]]] = [
    ("ix_scored_band", ["risk_band", "probability"]),
    ("ix_scored_guideline", ["ur_guideline_source"]),
    ("ix_scored_synthetic", ["synthetic"]),
]


def _swap(drop: list[tuple[str, list[str]]], create: list[tuple[str, list[str]]]) -> None:
    for name, _cols in drop:
        op.drop_index(name, table_name="scored_services")
    for name, cols in create:
        op.create_index(name, "scored_services", cols)


def upgrade() -> None:
    with op.batch_alter_table("scored_services") as batch:
        batch.add_column(sa.Column("checklist", sa.JSON(), nullable=True))
    _swap(BEFORE, AFTER)
    for name, cols in NEW:
        op.create_index(name, "scored_services", cols)


def downgrade() -> None:
    for name, _cols in NEW:
        op.drop_index(name, table_name="scored_services")
    _swap(AFTER, BEFORE)
    with op.batch_alter_table("scored_services") as batch:
        batch.drop_column("checklist")
