"""SQLAlchemy 2 typed models; importing this package registers every table on ``Base``."""

from server.models.accounts import LoginFailure, LoginSession, User
from server.models.base import Base, clock_at, utcnow
from server.models.boards import (
    DEFAULT_COLUMNS,
    Attachment,
    Board,
    BoardColumn,
    BoardKind,
    Card,
    CardKind,
    Comment,
    Moderation,
    Reaction,
    ReactionKind,
)
from server.models.collectives import Collective, Invitation, Membership, Phase, PhaseKind, Role
from server.models.events import Event, OutboxEntry, StoreMeta

__all__ = [
    "DEFAULT_COLUMNS",
    "Attachment",
    "Base",
    "Board",
    "BoardColumn",
    "BoardKind",
    "Card",
    "CardKind",
    "Collective",
    "Comment",
    "Event",
    "Invitation",
    "LoginFailure",
    "LoginSession",
    "Membership",
    "Moderation",
    "OutboxEntry",
    "Phase",
    "PhaseKind",
    "Reaction",
    "ReactionKind",
    "Role",
    "StoreMeta",
    "User",
    "clock_at",
    "utcnow",
]
