"""similar cards and capitalisation: a card merged into another points to it (merges are
kept to be undone); practice sheets have a structure and a history; cards are validated for
the guide; a collective chooses its guide's licence

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 00:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_cards_merged_into_id_cards"),
            "cards",
            ["merged_into_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.add_column(sa.Column("practice", JSON, nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("capitalised_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("capitalised_by", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("review_requested_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("public_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("author_consent", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("author_consent_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_cards_capitalised_by_users"),
            "users",
            ["capitalised_by"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.alter_column("practice", server_default=None)
    with op.batch_alter_table("collectives", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "licence", sa.String(length=24), nullable=False, server_default="CC-BY-SA-4.0"
            )
        )
    with op.batch_alter_table("collectives", schema=None) as batch_op:
        batch_op.alter_column("licence", server_default=None)
        batch_op.add_column(sa.Column("slug", sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_collectives_slug"), ["slug"])
    op.create_table(
        "card_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("practice", JSON, nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["cards.id"],
            name=op.f("fk_card_versions_card_id_cards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_card_versions_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_versions")),
        sa.UniqueConstraint("card_id", "version", name=op.f("uq_card_versions_card_id")),
    )
    op.create_index(op.f("ix_card_versions_card_id"), "card_versions", ["card_id"])
    op.create_table(
        "card_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collective_id", sa.Integer(), nullable=False),
        sa.Column("merged_id", sa.Integer(), nullable=False),
        sa.Column("kept_id", sa.Integer(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moved", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["collective_id"],
            ["collectives.id"],
            name=op.f("fk_card_merges_collective_id_collectives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["merged_id"],
            ["cards.id"],
            name=op.f("fk_card_merges_merged_id_cards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["kept_id"],
            ["cards.id"],
            name=op.f("fk_card_merges_kept_id_cards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_card_merges_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_merges")),
    )
    for column in ("collective_id", "merged_id", "kept_id"):
        op.create_index(op.f(f"ix_card_merges_{column}"), "card_merges", [column])


def downgrade() -> None:
    for column in ("collective_id", "merged_id", "kept_id"):
        op.drop_index(op.f(f"ix_card_merges_{column}"), table_name="card_merges")
    op.drop_table("card_merges")
    op.drop_index(op.f("ix_card_versions_card_id"), table_name="card_versions")
    op.drop_table("card_versions")
    with op.batch_alter_table("collectives", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_collectives_slug"), type_="unique")
        batch_op.drop_column("slug")
        batch_op.drop_column("licence")
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cards_capitalised_by_users"), type_="foreignkey")
        batch_op.drop_column("author_consent_at")
        batch_op.drop_column("author_consent")
        batch_op.drop_column("public_at")
        batch_op.drop_column("review_requested_at")
        batch_op.drop_column("capitalised_by")
        batch_op.drop_column("capitalised_at")
        batch_op.drop_column("practice")
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cards_merged_into_id_cards"), type_="foreignkey")
        batch_op.drop_column("merged_into_id")
