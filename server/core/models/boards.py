"""Boards and what lives on them: columns, cards, comments, reactions, attachments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.core.models.base import Base, JSONType, utcnow


class BoardKind(StrEnum):
    ideas = "ideas"
    practices = "practices"
    questions = "questions"
    experiments = "experiments"
    documents = "documents"
    kanban = "kanban"


# A new board's columns, by kind: the usual path of its cards from left to right.
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    BoardKind.ideas: ("Émergence", "En maturation", "Expérimentée", "Capitalisée"),
    BoardKind.practices: ("À partager", "À essayer", "Essayée", "Validée"),
    BoardKind.questions: ("Ouvertes", "En discussion", "Résolues"),
    BoardKind.experiments: ("Proposée", "En cours", "Terminée", "Bilan partagé"),
    BoardKind.documents: ("À lire", "Essentiels", "Archives"),
    BoardKind.kanban: ("À faire", "En cours", "Fait"),
}


class CardKind(StrEnum):
    idea = "idea"
    practice = "practice"
    document = "document"
    question = "question"
    experiment = "experiment"
    resource = "resource"
    decision = "decision"  # written by closing a vote


class Moderation(StrEnum):
    published = "published"
    hidden = "hidden"
    deleted = "deleted"


class ReactionKind(StrEnum):
    useful = "useful"
    plus_one = "plus_one"
    tried_it = "tried_it"


class Board(Base):
    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(
        ForeignKey("collectives.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    phase_id: Mapped[int | None] = mapped_column(
        ForeignKey("phases.id", ondelete="SET NULL"), default=None
    )
    archived: Mapped[bool] = mapped_column(default=False)
    # Locked: members may no longer add, edit or move cards nor comment; animators still may.
    locked: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BoardColumn(Base):
    __tablename__ = "board_columns"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]


class Card(Base):
    __tablename__ = "cards"
    __table_args__ = (Index("ix_cards_column_position", "column_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(
        ForeignKey("collectives.id", ondelete="CASCADE"), index=True
    )
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    column_id: Mapped[int] = mapped_column(ForeignKey("board_columns.id"))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    moderation: Mapped[str] = mapped_column(String(16), default=Moderation.published)
    # Pinned by an animator: listed first in its column.
    pinned: Mapped[bool] = mapped_column(default=False)
    # Posted during an anonymous workshop step: its author is stored (animators see them) but
    # hidden from the other participants, in every view and event, until the workshop reveals.
    anonymous: Mapped[bool] = mapped_column(default=False)
    # The live workshop it was posted in (its minutes list it).
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="SET NULL", use_alter=True), default=None, index=True
    )
    # Merged by an animator into another card (a duplicate): it is then only a pointer there,
    # off its board, until the merge is undone (server/domain/merges.py).
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("cards.id", ondelete="SET NULL"), default=None
    )
    # A practice sheet's structure (kind "practice"): {"context", "steps": [...], "results",
    # "costs", "vigilance", "contacts"}; {} when not filled in.
    practice: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Validated by an animator for the collective's guide (server/domain/capitalise.py).
    capitalised_at: Mapped[datetime | None] = mapped_column(default=None)
    capitalised_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # Asked to be reviewed for the guide (it reached a « Capitalisée » column).
    review_requested_at: Mapped[datetime | None] = mapped_column(default=None)
    # In the collective's public showcase (/p/<slug>): put there by an animator, shown only
    # with its author's consent, as they chose: "named" (name and company) or "anonymous".
    public_at: Mapped[datetime | None] = mapped_column(default=None)
    author_consent: Mapped[str | None] = mapped_column(String(16), default=None)
    author_consent_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CardVersion(Base):
    """A card's content as it was before an edit: who changed it from this, when."""

    __tablename__ = "card_versions"
    __table_args__ = (UniqueConstraint("card_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    practice: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Who made this version (the card's author for the first, else the one who edited).
    by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)


class CardMerge(Base):
    """A duplicate merged into the card kept, with what moved, so that it can be undone for
    ``UNDO_DAYS`` days."""

    __tablename__ = "card_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    collective_id: Mapped[int] = mapped_column(
        ForeignKey("collectives.id", ondelete="CASCADE"), index=True
    )
    merged_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    kept_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(default=None)
    # {"comments": [ids], "attachments": [ids], "reactions": [ids], "dropped_reactions":
    #  [{"user_id", "kind", "created_at"}], "options": [vote option ids], "column_id",
    #  "position"}
    moved: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    collective_id: Mapped[int] = mapped_column(
        ForeignKey("collectives.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    moderation: Mapped[str] = mapped_column(String(16), default=Moderation.published)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reaction(Base):
    __tablename__ = "reactions"
    __table_args__ = (UniqueConstraint("card_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(Base):
    """A file attached to a card; bytes live on disk under their sha256."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    collective_id: Mapped[int] = mapped_column(
        ForeignKey("collectives.id", ondelete="CASCADE"), index=True
    )
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Extracted text state for search: filled by the search indexer (pending/ok/unreadable).
    text_status: Mapped[str] = mapped_column(String(16), default="pending")
    meta: Mapped[dict[str, object]] = mapped_column(JSONType, default=dict)
