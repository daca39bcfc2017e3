"""The individual phase: 360° diagnostics of the collective's companies, made from a template
(themes of questions), and the action plan agreed with each company."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.core.models.base import Base, JSONType, utcnow


class DiagnosticStatus(StrEnum):
    draft = "draft"  # being filled in: saved as one types
    done = "done"  # complete: counted in the collective's needs


class ActionStatus(StrEnum):
    todo = "todo"  # à faire
    doing = "doing"  # en cours
    done = "done"  # fait
    dropped = "dropped"  # abandonné


class DiagnosticTemplate(Base):
    """A template an animator built for their collective (the shipped ones live in code).
    Editing it bumps ``version``; a diagnostic keeps the copy it was made with."""

    __tablename__ = "diagnostic_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(
        ForeignKey("collectives.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(String(2000), default="")
    version: Mapped[int] = mapped_column(default=1)
    themes: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Diagnostic(Base):
    __tablename__ = "diagnostics"
    __table_args__ = (Index("ix_diagnostics_collective_member", "collective_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(ForeignKey("collectives.id", ondelete="CASCADE"))
    # The member whose company is diagnosed.
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The company's name when it was made, and who of the collective belongs to it (the
    # diagnosed member first): set by the animator, never by a member's own profile.
    company: Mapped[str] = mapped_column(String(160), default="")
    company_user_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    template_key: Mapped[str] = mapped_column(String(40))
    template_name: Mapped[str] = mapped_column(String(160))
    template_version: Mapped[int]
    # The template's themes and questions as they were when it was made.
    themes: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=DiagnosticStatus.draft)
    version: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)


class PlanAction(Base):
    """An action of a company's plan: what it answers (a theme of its diagnostic), who, when."""

    __tablename__ = "plan_actions"
    __table_args__ = (Index("ix_plan_actions_collective_due", "collective_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    diagnostic_id: Mapped[int] = mapped_column(
        ForeignKey("diagnostics.id", ondelete="CASCADE"), index=True
    )
    collective_id: Mapped[int] = mapped_column(ForeignKey("collectives.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    theme_id: Mapped[str | None] = mapped_column(String(60), default=None)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    due_on: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(16), default=ActionStatus.todo)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    notes: Mapped[str] = mapped_column(Text, default="")
    card_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    version: Mapped[int] = mapped_column(default=1)
    reminded_on: Mapped[date | None] = mapped_column(Date, default=None)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
