"""Scored services say whether the model that scored them was trained on SYNTHETIC letters alone
(`ModelCard.synthetic_only`): a nullable boolean, NULL for rows written before this revision (not
known), and the model list's covering index carries it so the dashboard reads the mark from the index.

Revision ID: 0005_model_synthetic_only
Revises: 0004_checklist_context
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_model_synthetic_only"
down_revision = "0004_checklist_context"
branch_labels = None
depends_on = None

_M = ["model_name", "model_version"]
# The model list's covering index as at 0001, and with the new mark.
INDEX = "ix_scored_model_scored_at"
BEFORE = [*_M, "scored_at"]
AFTER = [*_M, "scored_at", "model_synthetic_only"]


def upgrade() -> None:
    with op.batch_alter_table("scored_services") as batch:
        batch.add_column(sa.Column("model_synthetic_only", sa.Boolean(), nullable=True))
    op.drop_index(INDEX, table_name="scored_services")
    op.create_index(INDEX, "scored_services", AFTER)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="scored_services")
    op.create_index(INDEX, "scored_services", BEFORE)
    with op.batch_alter_table("scored_services") as batch:
        batch.drop_column("model_synthetic_only")
