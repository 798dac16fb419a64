"""Initial scores schema: scored services and model runs (calibration curves).

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copy of the index list at this revision (later revisions add/drop their own).
_M = ["model_name", "model_version"]
_FACTS = ["ur_denial_date", "service_family", "body_region", "ur_guideline_source", "ur_denial_month"]
INDEXES: list[tuple[str, list[str]]] = [
    ("ix_scored_model_probability", [*_M, "probability", "letter_id", "service_family", "ur_denial_date"]),
    ("ix_scored_model_letter", [*_M, "letter_id", "probability"]),
    ("ix_scored_model_family", [*_M, "service_family", "probability"]),
    ("ix_scored_model_region", [*_M, "body_region", "service_family", "probability"]),
    ("ix_scored_model_guideline", [*_M, "ur_guideline_source", "service_family", "probability"]),
    ("ix_scored_model_month", [*_M, "ur_denial_month", "service_family", "probability"]),
    ("ix_scored_model_facts", [*_M, *_FACTS, "probability", "letter_id"]),
    ("ix_scored_model_scored_at", [*_M, "scored_at"]),
    ("ix_scored_family", ["service_family", "probability"]),
    ("ix_scored_denial_date", ["ur_denial_date"]),
]


def upgrade() -> None:
    op.create_table(
        "scored_services",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("letter_id", sa.String(128), nullable=False),
        sa.Column("item_index", sa.Integer(), nullable=False),
        sa.Column("service_heading", sa.Text(), nullable=False),
        sa.Column("service_family", sa.String(64), nullable=True),
        sa.Column("body_region", sa.String(64), nullable=True),
        sa.Column("ur_guideline_source", sa.String(64), nullable=True),
        sa.Column("ur_denial_date", sa.Date(), nullable=True),
        sa.Column("ur_denial_month", sa.String(7), nullable=True),
        sa.Column("priority", sa.String(32), nullable=True),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("risk_band", sa.String(32), nullable=False),
        sa.Column("top_reasons", sa.JSON(), nullable=False),
        sa.Column("model_name", sa.String(128), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.UniqueConstraint(
            "letter_id", "item_index", "model_name", "model_version", name="uq_scored_service"
        ),
    )
    for name, cols in INDEXES:
        op.create_index(name, "scored_services", cols)
    op.create_table(
        "model_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("model_name", sa.String(128), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("calibration", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("training_fingerprint", sa.String(128), nullable=True),
        sa.UniqueConstraint("model_name", "model_version", name="uq_model_run"),
    )


def downgrade() -> None:
    op.drop_table("model_runs")
    for name, _cols in reversed(INDEXES):
        op.drop_index(name, table_name="scored_services")
    op.drop_table("scored_services")
