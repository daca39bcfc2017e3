"""SQLAlchemy 2 typed models; importing this package registers every table on ``Base``."""

from server.core.models.accounts import AccountToken, LoginFailure, LoginSession, User
from server.core.models.animation import (
    AnimationSettings,
    DigestDelivery,
    DigestOptOut,
    Notification,
    Nudge,
    Visit,
)
from server.core.models.base import Base, clock_at, utcnow
from server.core.models.boards import (
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
from server.core.models.collectives import (
    Collective,
    Invitation,
    Membership,
    Phase,
    PhaseKind,
    Role,
)
from server.core.models.events import Event, OutboxEntry, StoreMeta
from server.core.models.meetings import Attendance, Meeting, MeetingKind
from server.core.models.moderation import AuditEntry, Flag, FlagOutcome, FlagReason, FlagStatus
from server.core.models.votes import Ballot, ResultsVisibility, Vote, VoteOption
from server.core.models.workshops import (
    TimerState,
    Workshop,
    WorkshopParticipant,
    WorkshopStatus,
    WorkshopTemplate,
)

__all__ = [
    "DEFAULT_COLUMNS",
    "AccountToken",
    "AnimationSettings",
    "Attachment",
    "Attendance",
    "AuditEntry",
    "Ballot",
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
    "ResultsVisibility",
    "Role",
    "StoreMeta",
    "TimerState",
    "User",
    "Visit",
    "Vote",
    "VoteOption",
    "Workshop",
    "WorkshopParticipant",
    "WorkshopStatus",
    "WorkshopTemplate",
    "clock_at",
    "utcnow",
]
