"""notifications: delivery by email (per thread, digests), preferences, quiet hours, replies

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 23:45:00
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("thread", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("delivery", sa.String(length=10), nullable=False, server_default="app")
        )
        batch_op.add_column(sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_notifications_pending", ["delivery", "emailed_at"])
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column("thread", server_default=None)
        batch_op.alter_column("delivery", server_default=None)

    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notification_prefs", JSON, nullable=False, server_default="{}")
        )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.alter_column("notification_prefs", server_default=None)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quiet_hours", JSON, nullable=True))

    op.create_table(
        "notification_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("thread", sa.String(length=40), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_comment_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_emails_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_emails")),
    )
    op.create_index(
        "ix_notification_emails_thread", "notification_emails", ["user_id", "thread", "sent_at"]
    )
    op.create_table(
        "inbound_mails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_inbound_mails_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_inbound_mails_comment_id_comments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_mails")),
        sa.UniqueConstraint("message_hash", name=op.f("uq_inbound_mails_message_hash")),
    )
    # The key reply addresses and unsubscribe links are signed with: made once per store, so
    # that every process (and every restart) signs and checks alike.
    store_meta = sa.table("store_meta", sa.column("key", sa.String), sa.column("value", sa.String))
    op.bulk_insert(store_meta, [{"key": "mail_key", "value": secrets.token_hex(32)}])


def downgrade() -> None:
    op.execute("DELETE FROM store_meta WHERE key = 'mail_key'")
    op.drop_table("inbound_mails")
    op.drop_index("ix_notification_emails_thread", table_name="notification_emails")
    op.drop_table("notification_emails")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("quiet_hours")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_column("notification_prefs")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_pending")
        batch_op.drop_column("emailed_at")
        batch_op.drop_column("delivery")
        batch_op.drop_column("thread")
