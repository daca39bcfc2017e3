"""calendar: meetings get optional times and a place; users get the secret of their calendar feed

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("location", sa.String(length=200), nullable=False, server_default="")
        )
    # Existing meetings get an empty place; the default is then dropped, as the models declare none.
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.alter_column("location", server_default=None)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_users_calendar_token"), ["calendar_token"])


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_calendar_token"), type_="unique")
        batch_op.drop_column("calendar_token")

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("location")
        batch_op.drop_column("ends_at")
        batch_op.drop_column("starts_at")
