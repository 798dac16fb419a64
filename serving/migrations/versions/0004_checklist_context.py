"""The explanation's context factors and summary line beside its checklist (issue #18): what moved the
likelihood but is no guideline criterion (JSON), and the reviewer-style summary line (text).

Revision ID: 0004_checklist_context
Revises: 0003_queue_filters
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_checklist_context"
down_revision = "0003_queue_filters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scored_services") as batch:
        batch.add_column(sa.Column("context", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("summary", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scored_services") as batch:
        batch.drop_column("summary")
        batch.drop_column("context")
