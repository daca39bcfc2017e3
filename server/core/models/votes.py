"""Votes of a collective: the question and its rules, its options, and one ballot per voter."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.core.models.base import Base, JSONType, utcnow


class ResultsVisibility(StrEnum):
    live = "live"  # everyone who sees the vote sees the tally at any time
    at_close = "at_close"  # nobody sees it before the close (animators neither)


class Vote(Base):
    __tablename__ = "votes"
    __table_args__ = (Index("ix_votes_collective_created", "collective_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(ForeignKey("collectives.id", ondelete="CASCADE"))
    board_id: Mapped[int | None] = mapped_column(
        ForeignKey("boards.id", ondelete="SET NULL"), default=None
    )
    title: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(16))
    budget: Mapped[int] = mapped_column(default=3)
    max_per_option: Mapped[int | None] = mapped_column(default=None)
    anonymous: Mapped[bool] = mapped_column(default=False)
    results: Mapped[str] = mapped_column(String(16), default=ResultsVisibility.live)
    closes_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decision_card_id: Mapped[int | None] = mapped_column(
        ForeignKey("cards.id", ondelete="SET NULL"), default=None
    )
    # The tally frozen at the close: what the vote decided, whatever happens to ballots later.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)


class VoteOption(Base):
    """An option of a vote: a card of the collective, or a label of its own."""

    __tablename__ = "vote_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    card_id: Mapped[int | None] = mapped_column(
        ForeignKey("cards.id", ondelete="SET NULL"), default=None
    )
    label: Mapped[str] = mapped_column(String(200))


class Ballot(Base):
    """A voter's whole ballot (normalised by the vote's method); replaced, never added to."""

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("vote_id", "voter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"))
    voter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
