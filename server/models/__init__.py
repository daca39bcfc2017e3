"""SQLAlchemy 2 typed models; importing this package registers every table on ``Base``."""

from server.models.accounts import AccountToken, LoginFailure, LoginSession, User
from server.models.animation import (
    AnimationSettings,
    DigestDelivery,
    DigestOptOut,
    Notification,
    Nudge,
    Visit,
)
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
from server.models.meetings import Attendance, Meeting, MeetingKind
from server.models.moderation import AuditEntry, Flag, FlagOutcome, FlagReason, FlagStatus

__all__ = [
    "DEFAULT_COLUMNS",
    "AnimationSettings",
    "Attachment",
    "Attendance",
    "AuditEntry",
    "Base",
    "Board",
    "BoardColumn",
    "BoardKind",
    "Card",
    "CardKind",
    "Collective",
    "Comment",
    "DigestDelivery",
    "DigestOptOut",
    "Event",
    "Flag",
    "FlagOutcome",
    "FlagReason",
    "FlagStatus",
    "Invitation",
    "AccountToken",
    "LoginFailure",
    "LoginSession",
    "Meeting",
    "MeetingKind",
    "Membership",
    "Moderation",
    "Notification",
    "Nudge",
    "OutboxEntry",
    "Phase",
    "PhaseKind",
    "Reaction",
    "ReactionKind",
    "Role",
    "StoreMeta",
    "User",
    "Visit",
    "clock_at",
    "utcnow",
]
