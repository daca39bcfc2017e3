"""Moderation records: members' flags on content (the review queue) and the audit log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.core.models.base import Base, JSONType, utcnow


class FlagReason(StrEnum):
    spam = "spam"
    offensive = "offensive"
    off_topic = "off_topic"
    personal_data = "personal_data"
    other = "other"


class FlagStatus(StrEnum):
    open = "open"
    resolved = "resolved"


class FlagOutcome(StrEnum):
    hidden = "hidden"
    dismissed = "dismissed"


class Flag(Base):
    """A member's report of a card or comment; open until an animator resolves it.

    One open flag per reporter and target: checked under the collective's write lock,
    which every write takes first (``server.events.write.lock_collective``).
    """

    __tablename__ = "flags"
    __table_args__ = (
        Index("ix_flags_collective_status", "collective_id", "status"),
        Index("ix_flags_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(ForeignKey("collectives.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(16))  # card | comment
    target_id: Mapped[int]
    # The card concerned (the target itself, or the card a flagged comment is on).
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[str] = mapped_column(String(16), default=FlagStatus.open)
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    resolved_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One moderation action, written in the same transaction as the action itself."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_collective_id_id", "collective_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(ForeignKey("collectives.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int | None] = mapped_column(default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)
