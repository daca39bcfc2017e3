"""Live workshops (ateliers en direct) run on a board: the method's steps, the animator's
server-side timer, freeze and focus, who joined, and the templates animators save."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.core.models.base import Base, JSONType, utcnow


class WorkshopStatus(StrEnum):
    running = "running"
    ended = "ended"


class TimerState(StrEnum):
    idle = "idle"  # set to the step's duration, not started
    running = "running"  # ends at ``timer_ends_at``
    paused = "paused"  # ``timer_left_s`` left


class Workshop(Base):
    __tablename__ = "workshops"
    __table_args__ = (
        Index("ix_workshops_board_status", "board_id", "status"),
        Index("ix_workshops_collective_started", "collective_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(ForeignKey("collectives.id", ondelete="CASCADE"))
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"), default=None
    )
    title: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(String(40))
    # The method's steps, copied from the template when it started (server/domain/workshops).
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    step_index: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default=WorkshopStatus.running)
    timer_state: Mapped[str] = mapped_column(String(16), default=TimerState.idle)
    timer_duration_s: Mapped[int] = mapped_column(default=0)
    timer_left_s: Mapped[int] = mapped_column(default=0)
    timer_ends_at: Mapped[datetime | None] = mapped_column(default=None)
    frozen: Mapped[bool] = mapped_column(default=False)
    focus_card_id: Mapped[int | None] = mapped_column(
        ForeignKey("cards.id", ondelete="SET NULL"), default=None
    )
    inbox_column_id: Mapped[int | None] = mapped_column(
        ForeignKey("board_columns.id", ondelete="SET NULL"), default=None
    )
    reveal_authors: Mapped[bool] = mapped_column(default=True)
    started_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    # What the workshop produced, frozen at its end (the minutes read it).
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)


class WorkshopParticipant(Base):
    """Someone who joined the workshop's session (its meeting's attendance, once confirmed)."""

    __tablename__ = "workshop_participants"

    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkshopTemplate(Base):
    """A method an animator saved for their collective (the shipped ones live in code)."""

    __tablename__ = "workshop_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(
        ForeignKey("collectives.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(String(2000), default="")
    columns: Mapped[list[str]] = mapped_column(JSONType, default=list)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
