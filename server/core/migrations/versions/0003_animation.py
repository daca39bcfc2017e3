"""animation: visits, alert thresholds, nudges and notifications, digest preferences

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _collective(table: str, *, nullable: bool = False) -> tuple[sa.Column[int], sa.Constraint]:
    return (
        sa.Column("collective_id", sa.Integer(), nullable=nullable),
        sa.ForeignKeyConstraint(
            ["collective_id"],
            ["collectives.id"],
            name=op.f(f"fk_{table}_collective_id_collectives"),
            ondelete="CASCADE",
        ),
    )


def _user(table: str, column: str = "user_id", *, cascade: bool = True) -> sa.Constraint:
    return sa.ForeignKeyConstraint(
        [column],
        ["users.id"],
        name=op.f(f"fk_{table}_{column}_users"),
        ondelete="CASCADE" if cascade else None,
    )


def upgrade() -> None:
    column, fk = _collective("visits")
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        column,
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=True),
        sa.Column("card_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        fk,
        _user("visits"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visits_collective_user_at", ["collective_id", "user_id", "at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_visits_user_id"), ["user_id"], unique=False)

    column, fk = _collective("animation_settings")
    op.create_table(
        "animation_settings",
        column,
        sa.Column("thresholds", JSON, nullable=False),
        sa.Column("nudge_template", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        fk,
        sa.PrimaryKeyConstraint("collective_id", name=op.f("pk_animation_settings")),
    )

    column, fk = _collective("nudges")
    op.create_table(
        "nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        column,
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("alert_id", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        fk,
        _user("nudges", "sender_id", cascade=False),
        _user("nudges", "recipient_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
    )
    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nudges_collective_id"), ["collective_id"], unique=False
        )

    column, fk = _collective("notifications", nullable=True)
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        column,
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        fk,
        _user("notifications"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_user_created", ["user_id", "created_at"], unique=False
        )

    op.create_table(
        "digest_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        _user("digest_deliveries"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_deliveries")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_digest_deliveries_token_hash")),
    )
    with op.batch_alter_table("digest_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digest_deliveries_user_id"), ["user_id"], unique=False)

    op.create_table(
        "digest_optouts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        _user("digest_optouts"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_digest_optouts")),
    )


def downgrade() -> None:
    for table in (
        "digest_optouts",
        "digest_deliveries",
        "notifications",
        "nudges",
        "animation_settings",
        "visits",
    ):
        op.drop_table(table)
