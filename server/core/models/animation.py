"""The animation module's own rows: visits, per-collective settings (alert thresholds, nudge
template), nudges, in-app notifications, and the weekly digest's deliveries and opt-outs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.core.models.base import Base, JSONType, utcnow


class Visit(Base):
    """A member opening a collective, a board or a card: at most one row per user, collective
    and target within the debounce interval (``ESSAIM_VISIT_DEBOUNCE``), and no event."""

    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits_collective_user_at", "collective_id", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(ForeignKey("collectives.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    board_id: Mapped[int | None] = mapped_column(default=None)
    card_id: Mapped[int | None] = mapped_column(default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AnimationSettings(Base):
    """What an animator tuned for one collective; absent fields take the defaults."""

    __tablename__ = "animation_settings"

    collective_id: Mapped[int] = mapped_column(
        ForeignKey("collectives.id", ondelete="CASCADE"), primary_key=True
    )
    thresholds: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    nudge_template: Mapped[str | None] = mapped_column(Text, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Nudge(Base):
    """A message an animator sent to a member (« relance »), delivered in-app and by email."""

    __tablename__ = "nudges"

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(
        ForeignKey("collectives.id", ondelete="CASCADE"), index=True
    )
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(Text)
    alert_id: Mapped[str | None] = mapped_column(String(120), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """Something waiting for one user in the application (a nudge, a comment, a mention…),
    and how it reaches them by email (``delivery``, chosen by their preferences when it was
    written; ``emailed_at`` once an email or a digest carried it)."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_created", "user_id", "created_at"),
        Index("ix_notifications_pending", "delivery", "emailed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    collective_id: Mapped[int | None] = mapped_column(
        ForeignKey("collectives.id", ondelete="CASCADE"), default=None
    )
    kind: Mapped[str] = mapped_column(String(24))  # server/domain/notify/kinds.py
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(default=None)
    # What its emails are grouped by: "card:12", "vote:3", … (one email thread each).
    thread: Mapped[str] = mapped_column(String(40), default="")
    # immediate | daily | weekly | app (server/domain/notify/kinds.py: Delivery)
    delivery: Mapped[str] = mapped_column(String(10), default="app")
    emailed_at: Mapped[datetime | None] = mapped_column(default=None)


class NotificationEmail(Base):
    """One notification email sent (or one digest): the rate limit per thread reads the last
    one, and the next email of the thread answers its first (``In-Reply-To``)."""

    __tablename__ = "notification_emails"
    __table_args__ = (Index("ix_notification_emails_thread", "user_id", "thread", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    thread: Mapped[str] = mapped_column(String(40))
    message_id: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    # For a card's thread: the last comment the email carried (the next one starts after it).
    last_comment_id: Mapped[int | None] = mapped_column(default=None)


class InboundMail(Base):
    """A reply by email that was posted, by its ``Message-ID`` (hashed): the same message
    delivered again (a retrying MTA, a replay) posts nothing."""

    __tablename__ = "inbound_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), default=None
    )
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class DigestDelivery(Base):
    """One weekly digest sent; its unsubscribe token is stored as a hash, so every link ever
    sent keeps working."""

    __tablename__ = "digest_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class DigestOptOut(Base):
    """A user who asked not to receive the weekly digest any more."""

    __tablename__ = "digest_optouts"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
