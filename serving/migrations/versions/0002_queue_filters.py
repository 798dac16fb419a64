"""Queue filters and the explanation checklist: the facts index also carries the risk band and the
real/synthetic flag (band, UR guideline and origin filters stay index-only), and a nullable
`checklist` column holds the per-criterion checklist of an explanation (issue #18).

Revision ID: 0002_queue_filters
Revises: 0001_initial
Create Date: 2026-11-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_queue_filters"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

_M = ["model_name", "model_version"]
_FACTS = ["ur_denial_date", "service_family", "body_region", "ur_guideline_source", "ur_denial_month"]
FACTS_BEFORE = [*_M, *_FACTS, "probability", "letter_id"]
FACTS_AFTER = [
    *_M,
    *_FACTS,
    "risk_band",
    "synthetic",
    "probability",
    "letter_id",
    "item_index",
    "priority",
    "id",
]


def upgrade() -> None:
    with op.batch_alter_table("scored_services") as batch:
        batch.add_column(sa.Column("checklist", sa.JSON(), nullable=True))
    op.drop_index("ix_scored_model_facts", table_name="scored_services")
    op.create_index("ix_scored_model_facts", "scored_services", FACTS_AFTER)


def downgrade() -> None:
    op.drop_index("ix_scored_model_facts", table_name="scored_services")
    op.create_index("ix_scored_model_facts", "scored_services", FACTS_BEFORE)
    with op.batch_alter_table("scored_services") as batch:
        batch.drop_column("checklist")
