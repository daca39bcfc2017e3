"""The bodies of the workshop endpoints, strict like every body (server/domain/schemas.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from server.domain.schemas import NO_NUL, AttendanceIn, Body, ColumnName, Id, Name, Title

StepTitle = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), NO_NUL
]
Instructions = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1_000), NO_NUL]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000), NO_NUL]
TemplateKey = Annotated[str, StringConstraints(min_length=1, max_length=40), NO_NUL]
MAX_STEPS = 12


class StepIn(Body):
    title: StepTitle
    minutes: Annotated[int, Field(ge=1, le=240)]
    instructions: Instructions = ""
    cards: bool = True
    intake: bool = False
    anonymous: bool = False
    vote: bool = False


class TemplateIn(Body):
    """A method an animator saves for their collective."""

    name: Name
    description: Description = ""
    columns: Annotated[list[ColumnName], Field(max_length=8)] = []
    steps: Annotated[list[StepIn], Field(min_length=1, max_length=MAX_STEPS)]


class WorkshopIn(Body):
    template: TemplateKey
    title: Title | None = None
    reveal_authors: bool = True
    meeting_id: Id | None = None


class TimerIn(Body):
    action: Literal["start", "pause", "add_minute", "reset"]


class StepChoice(Body):
    index: Annotated[int, Field(ge=0, lt=MAX_STEPS)]


class FreezeIn(Body):
    frozen: bool


class FocusIn(Body):
    card_id: Id | None


__all__ = [
    "AttendanceIn",
    "FocusIn",
    "FreezeIn",
    "StepChoice",
    "StepIn",
    "TemplateIn",
    "TimerIn",
    "WorkshopIn",
]
