"""Request bodies: strict pydantic models (unknown fields and wrong types are refused).

For PATCH bodies only the fields actually sent are applied (``model_fields_set``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from server.core.models import (
    BoardKind,
    CardKind,
    FlagOutcome,
    FlagReason,
    MeetingKind,
    PhaseKind,
    ReactionKind,
    Role,
)
from server.domain.notify.kinds import Delivery

# Database integers are 32-bit: larger ids cannot exist, and must not reach the database.
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
Position = Annotated[int, Field(ge=0, le=100_000)]

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refuse it on every database alike.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


NO_NUL = AfterValidator(_no_nul)

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=160), NO_NUL
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=160), NO_NUL]
LongText = Annotated[str, StringConstraints(max_length=20_000), NO_NUL]
Tag = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=40),
    NO_NUL,
]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=254), NO_NUL
]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def _email(value: str) -> str:
    if not EMAIL.match(value):
        raise ValueError("not a valid email address")
    return value


def _ends_after_start(ends: date | None, info: ValidationInfo) -> date | None:
    starts = info.data.get("starts_on")
    if starts and ends and ends < starts:
        raise ValueError("ends_on must not be before starts_on")
    return ends


class RegisterIn(Body):
    email: Email
    password: Annotated[str, StringConstraints(min_length=10, max_length=256), NO_NUL]
    display_name: Name
    language: Literal["fr", "en"] = "fr"

    _check_email = field_validator("email")(_email)


class LoginIn(Body):
    email: Email
    password: Annotated[str, StringConstraints(min_length=1, max_length=256), NO_NUL]


Password = Annotated[str, StringConstraints(min_length=10, max_length=256), NO_NUL]


class PasswordResetRequestIn(Body):
    email: Email


class PasswordResetIn(Body):
    password: Password


class ProfilePatch(Body):
    display_name: Name | None = None
    language: Literal["fr", "en"] | None = None


class CollectiveIn(Body):
    name: Name
    description: LongText = ""
    theme: ShortText = ""
    territory: ShortText = ""
    funders: Annotated[list[Name], Field(max_length=20)] = []
    starts_on: date | None = None
    ends_on: date | None = None

    _order = field_validator("ends_on")(_ends_after_start)


class CollectivePatch(Body):
    name: Name | None = None
    description: LongText | None = None
    theme: ShortText | None = None
    territory: ShortText | None = None
    funders: Annotated[list[Name], Field(max_length=20)] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    members_open_votes: bool | None = None
    licence: Literal["CC-BY-SA-4.0", "CC-BY-4.0", "all-rights-reserved"] | None = None


class InvitationIn(Body):
    role: Role = Role.member
    email: Email | None = None

    @field_validator("email")
    @classmethod
    def _check(cls, value: str | None) -> str | None:
        return _email(value) if value else None


class MemberPatch(Body):
    role: Role | None = None
    organisation: ShortText | None = None
    trade: ShortText | None = None
    skills: Annotated[list[Tag], Field(max_length=20)] | None = None


class PhaseIn(Body):
    name: Name
    kind: PhaseKind
    description: LongText = ""
    starts_on: date
    ends_on: date

    _order = field_validator("ends_on")(_ends_after_start)


class PhasePatch(Body):
    name: Name | None = None
    kind: PhaseKind | None = None
    description: LongText | None = None
    starts_on: date | None = None
    ends_on: date | None = None


ColumnName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), NO_NUL
]


class BoardIn(Body):
    name: Name
    kind: BoardKind = BoardKind.ideas
    description: LongText = ""
    phase_id: Id | None = None
    columns: Annotated[list[ColumnName], Field(min_length=1, max_length=12)] | None = None


class BoardPatch(Body):
    name: Name | None = None
    description: LongText | None = None
    phase_id: Id | None = None
    archived: bool | None = None
    locked: bool | None = None


class ColumnIn(Body):
    name: ColumnName
    position: Position | None = None


class ColumnPatch(Body):
    name: ColumnName | None = None
    position: Position | None = None


Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NO_NUL
]
Tags = Annotated[list[Tag], Field(max_length=12)]


Step = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000), NO_NUL
]


class PracticeIn(Body):
    """A practice sheet's structure (every part optional)."""

    context: LongText = ""
    steps: Annotated[list[Step], Field(max_length=30)] = []
    results: LongText = ""
    costs: LongText = ""
    vigilance: LongText = ""
    contacts: LongText = ""


class CardIn(Body):
    kind: CardKind = CardKind.idea
    title: Title
    body: LongText = ""
    tags: Tags = []
    column_id: Id | None = None
    position: Position | None = None
    practice: PracticeIn | None = None  # only for kind "practice"


class CardPatch(Body):
    version: Id
    kind: CardKind | None = None
    title: Title | None = None
    body: LongText | None = None
    tags: Tags | None = None
    column_id: Id | None = None
    position: Position | None = None
    moderation: Literal["published", "hidden"] | None = None
    pinned: bool | None = None
    practice: PracticeIn | None = None  # only for kind "practice"; replaces the structure


class ShowcaseIn(Body):
    """Put the card in the collective's public showcase (true), or take it out (false)."""

    public: bool


class ConsentIn(Body):
    """The author's consent to be shown in the showcase: by name and company, anonymously,
    or not at all (null: withdrawn)."""

    consent: Literal["named", "anonymous"] | None


class CapitaliseIn(Body):
    """Validate a card for the collective's guide (true), or take it out (false)."""

    capitalised: bool


CommentText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000), NO_NUL
]


class CommentIn(Body):
    body: CommentText


class CommentPatch(Body):
    body: CommentText | None = None
    moderation: Literal["published", "hidden"] | None = None
    # The comment's updated_at as the editor loaded it: a newer one answers 409.
    updated_at: AwareDatetime | None = None


class ReactionIn(Body):
    kind: ReactionKind


Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000), NO_NUL]


class FlagIn(Body):
    reason: FlagReason
    note: Note | None = None


class FlagResolveIn(Body):
    outcome: FlagOutcome


Place = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), NO_NUL]


class MeetingIn(Body):
    """``starts_at``/``ends_at`` are optional (without them the meeting is an all-day event
    on ``held_on``); ``starts_at`` falls on ``held_on`` in Paris, ``ends_at`` after it."""

    title: Name
    kind: MeetingKind = MeetingKind.meeting
    held_on: date
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    location: Place = ""
    notes: LongText | None = None


class MeetingPatch(Body):
    title: Name | None = None
    kind: MeetingKind | None = None
    held_on: date | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    location: Place | None = None
    notes: LongText | None = None


class NotificationsRead(Body):
    """Which of one's notifications to mark read: ``ids``, or ``all``."""

    ids: Annotated[list[Id], Field(min_length=1, max_length=500)] | None = None
    all: bool = False

    @model_validator(mode="after")
    def _one_of_them(self) -> NotificationsRead:
        if (self.ids is None) == (not self.all):
            raise ValueError("give either ids or all: true")
        return self


class QuietHoursIn(Body):
    """No notification email between ``start`` and ``end`` (Paris time, "HH:MM")."""

    start: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    end: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class CollectivePreferencesIn(Body):
    collective_id: Id
    preferences: Annotated[dict[str, Delivery], Field(max_length=40)]


class NotificationPreferencesIn(Body):
    """``all``: for every collective of the caller; ``collectives``: for one each (after
    ``all``); ``quiet_hours``: null for none. Kinds not named keep their setting."""

    all: Annotated[dict[str, Delivery], Field(max_length=40)] | None = None
    collectives: Annotated[list[CollectivePreferencesIn], Field(max_length=500)] | None = None
    quiet_hours: QuietHoursIn | None = None


class MergeIn(Body):
    """The duplicate to merge into the card of the path."""

    card_id: Id


class AttendanceIn(Body):
    user_ids: Annotated[list[Id], Field(max_length=1_000)]


def patch_values(body: BaseModel, nullable: frozenset[str] = frozenset()) -> dict[str, object]:
    """The fields a PATCH body actually sent; ``null`` only where the field may be empty."""
    from server.core.errors import InvalidInput

    values = body.model_dump(exclude_unset=True)
    bad = {k: "may not be null" for k, v in values.items() if v is None and k not in nullable}
    if bad:
        raise InvalidInput("some fields may not be null", fields=bad)
    return values


# ---------------------------------------------------------------- animation


class VisitIn(Body):
    board_id: Id | None = None
    card_id: Id | None = None


Hours = Annotated[float, Field(ge=1, le=24 * 90)]
Days = Annotated[float, Field(ge=1, le=365)]


class ThresholdsIn(Body):
    """A collective's alert thresholds; fields left out take their default (DESIGN.md)."""

    newcomer_unanswered_hours: Hours | None = None
    post_unanswered_hours: Hours | None = None
    unanswered_horizon_days: Days | None = None
    silence_gap_multiple: Annotated[float, Field(ge=1, le=10)] | None = None
    silence_min_days: Days | None = None
    board_stalled_days: Days | None = None
    concentration_share: Annotated[float, Field(gt=0, le=1)] | None = None
    concentration_window_days: Annotated[float, Field(ge=7, le=365)] | None = None
    concentration_min_contributions: Annotated[int, Field(ge=1, le=10_000)] | None = None
    # The member's own rhythm (animation/members.py ``rhythm_drops``); alpha 0 turns it off.
    rhythm_alpha: Annotated[float, Field(ge=0, le=0.1)] | None = None
    rhythm_baseline_days: Days | None = None
    rhythm_min_active_days: Annotated[int, Field(ge=1, le=365)] | None = None
    rhythm_min_history_days: Days | None = None
    rhythm_min_silence_days: Days | None = None
    rhythm_min_dispersion: Annotated[float, Field(ge=0.05, le=1)] | None = None
    rhythm_cooldown_days: Days | None = None


MessageText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5_000), NO_NUL
]


class NudgeTemplateIn(Body):
    """``null`` puts the default template back."""

    template: MessageText | None


class NudgeIn(Body):
    user_id: Id
    message: MessageText | None = None
    alert_id: Annotated[str, StringConstraints(max_length=120), NO_NUL] | None = None


class PromptIn(Body):
    board_id: Id
    title: Title
    body: LongText = ""


class WelcomeIn(Body):
    user_id: Id
    message: MessageText | None = None


class AccountDeletionIn(Body):
    """``DELETE /me``: the password confirms it is really them; ``erase_contributions`` also
    deletes their cards, comments and reactions (else they stay under « Ancien membre »)."""

    password: Annotated[str, StringConstraints(min_length=1, max_length=256), NO_NUL]
    erase_contributions: bool = False


CUSTOM_KEY = re.compile(r"custom-([0-9]{1,10})")


def custom_id(key: str) -> int | None:
    """The row id in a saved template's key (``custom-<id>``: workshop methods, diagnostic
    templates), None for any other string, an id no row can have included."""
    found = CUSTOM_KEY.fullmatch(key)
    value = int(found.group(1)) if found else 0
    return value if 0 < value <= 2_147_483_647 else None
