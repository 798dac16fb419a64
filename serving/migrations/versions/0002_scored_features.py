"""Scored services keep the feature values they were scored on (JSON), so drift compares every feature.

Revision ID: 0002_scored_features
Revises: 0001_initial
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_scored_features"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scored_services") as batch:
        batch.add_column(sa.Column("features", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scored_services") as batch:
        batch.drop_column("features")
