"""Collectives, their memberships (with roles), invitations and phases."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.core.models.base import Base, JSONType, utcnow


class Role(StrEnum):
    animator = "animator"
    member = "member"
    observer = "observer"


class PhaseKind(StrEnum):
    collective = "collective"
    individual = "individual"


class Collective(Base):
    __tablename__ = "collectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    theme: Mapped[str] = mapped_column(String(160), default="")
    territory: Mapped[str] = mapped_column(String(160), default="")
    funders: Mapped[list[str]] = mapped_column(JSONType, default=list)
    starts_on: Mapped[date | None] = mapped_column(Date, default=None)
    ends_on: Mapped[date | None] = mapped_column(Date, default=None)
    # Last event sequence number: incremented under a row lock by every write, so commits
    # of one collective are serialised and ``seq`` has neither gaps nor duplicates.
    last_seq: Mapped[int] = mapped_column(default=0)
    # Members may open votes too (animators always may).
    members_open_votes: Mapped[bool] = mapped_column(default=False)
    # The licence of its guide and open data: CC-BY-SA-4.0, CC-BY-4.0 or all-rights-reserved.
    licence: Mapped[str] = mapped_column(String(24), default="CC-BY-SA-4.0")
    # The address of its public showcase, /p/<slug>: made from its name when a first
    # practice is put there.
    slug: Mapped[str | None] = mapped_column(String(80), default=None, unique=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("collective_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(
        ForeignKey("collectives.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    organisation: Mapped[str] = mapped_column(String(160), default="")
    trade: Mapped[str] = mapped_column(String(160), default="")
    skills: Mapped[list[str]] = mapped_column(JSONType, default=list)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    # How each kind of notification reaches this member here, where it differs from the
    # defaults: {"reaction": "never", …} (server/domain/notify/kinds.py).
    notification_prefs: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)


class Invitation(Base):
    """A single-use invitation link; only the token's hash is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(
        ForeignKey("collectives.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class Phase(Base):
    __tablename__ = "phases"

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(
        ForeignKey("collectives.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
