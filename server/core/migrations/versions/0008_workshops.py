"""workshops: live workshops on boards, their participants and saved templates; cards posted
anonymously or in a workshop

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workshop_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collective_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column(
            "columns",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "steps",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["collective_id"],
            ["collectives.id"],
            name=op.f("fk_workshop_templates_collective_id_collectives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_workshop_templates_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_templates")),
    )
    with op.batch_alter_table("workshop_templates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshop_templates_collective_id"), ["collective_id"], unique=False
        )

    op.create_table(
        "workshops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collective_id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("template", sa.String(length=40), nullable=False),
        sa.Column(
            "steps",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("timer_state", sa.String(length=16), nullable=False),
        sa.Column("timer_duration_s", sa.Integer(), nullable=False),
        sa.Column("timer_left_s", sa.Integer(), nullable=False),
        sa.Column("timer_ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        sa.Column("focus_card_id", sa.Integer(), nullable=True),
        sa.Column("inbox_column_id", sa.Integer(), nullable=True),
        sa.Column("reveal_authors", sa.Boolean(), nullable=False),
        sa.Column("started_by", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "summary",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["boards.id"],
            name=op.f("fk_workshops_board_id_boards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["collective_id"],
            ["collectives.id"],
            name=op.f("fk_workshops_collective_id_collectives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["focus_card_id"],
            ["cards.id"],
            name=op.f("fk_workshops_focus_card_id_cards"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["inbox_column_id"],
            ["board_columns.id"],
            name=op.f("fk_workshops_inbox_column_id_board_columns"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_workshops_meeting_id_meetings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["started_by"],
            ["users.id"],
            name=op.f("fk_workshops_started_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshops")),
    )
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.create_index("ix_workshops_board_status", ["board_id", "status"], unique=False)
        batch_op.create_index(
            "ix_workshops_collective_started", ["collective_id", "started_at"], unique=False
        )

    op.create_table(
        "workshop_participants",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_workshop_participants_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_workshop_participants_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workshop_id", "user_id", name=op.f("pk_workshop_participants")),
    )
    with op.batch_alter_table("workshop_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshop_participants_user_id"), ["user_id"], unique=False
        )

    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("anonymous", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("workshop_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_cards_workshop_id"), ["workshop_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_cards_workshop_id_workshops"),
            "workshops",
            ["workshop_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # Existing cards get false; the default is then dropped, as the models declare none.
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.alter_column("anonymous", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cards_workshop_id_workshops"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_cards_workshop_id"))
        batch_op.drop_column("workshop_id")
        batch_op.drop_column("anonymous")

    with op.batch_alter_table("workshop_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_participants_user_id"))

    op.drop_table("workshop_participants")
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_index("ix_workshops_collective_started")
        batch_op.drop_index("ix_workshops_board_status")

    op.drop_table("workshops")
    with op.batch_alter_table("workshop_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_templates_collective_id"))

    op.drop_table("workshop_templates")
