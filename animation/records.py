"""The inputs of every metric: activities, memberships, boards and visits."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import ParamSpec, TypeVar

DAY = timedelta(days=1)


class Cause(StrEnum):
    """The five reasons collaborative platforms fail (DESIGN.md, "Animation module")."""

    pedagogy = "P"
    involvement = "I"
    knowledge = "K"
    experimentation = "E"
    animation = "A"


class Kind(StrEnum):
    post = "post"  # a card created
    comment = "comment"
    reaction = "reaction"
    move = "move"  # a card moved to another column


# What counts as a contribution: writing something. Reactions and moves are engagement only.
CONTRIBUTIONS = frozenset({Kind.post, Kind.comment})


@dataclass(frozen=True)
class Activity:
    """One thing a member did on a card, read from the event log."""

    at: datetime
    actor_id: int
    kind: Kind
    card_id: int
    board_id: int = 0
    card_kind: str = "idea"
    card_author_id: int = 0  # the author of the card concerned (the actor, for a post)
    reaction: str = ""  # for reactions: useful, plus_one, tried_it
    column: int = -1  # for moves: position of the column the card went to
    # Its UTC day, read once: habits look at every member's days for every week of a panel.
    day: date = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "day", self.at.astimezone(UTC).date())


@dataclass(frozen=True)
class Member:
    user_id: int
    joined_at: datetime
    role: str = "member"  # animator | member | observer


@dataclass(frozen=True)
class BoardInfo:
    board_id: int
    created_at: datetime
    kind: str = "ideas"
    archived: bool = False


@dataclass(frozen=True)
class Visit:
    """A member opening the collective (or one of its boards or cards), debounced; every
    metric taking ``visits`` also works without them."""

    at: datetime
    user_id: int


@dataclass(frozen=True)
class Period:
    """A half-open interval ``[start, end)`` of time."""

    start: datetime
    end: datetime

    def __contains__(self, at: object) -> bool:
        return isinstance(at, datetime) and self.start <= at < self.end

    def days(self) -> list[datetime]:
        """Midnights (UTC) of the days overlapping the period, oldest first."""
        first = self.start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        out: list[datetime] = []
        day = first
        while day < self.end:
            out.append(day)
            day += DAY
        return out

    @classmethod
    def ending(cls, end: datetime, days: float) -> Period:
        return cls(end - timedelta(days=days), end)


P = ParamSpec("P")
R = TypeVar("R")

# Metric function name → the failure causes it diagnoses (filled by ``diagnoses``).
METRIC_CAUSES: dict[str, tuple[Cause, ...]] = {}


def diagnoses(*causes: Cause) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Tag a metric function with the failure causes it diagnoses (see ``METRIC_CAUSES``)."""

    def tag(function: Callable[P, R]) -> Callable[P, R]:
        METRIC_CAUSES[function.__name__] = causes
        return function

    return tag


def participants(members: Iterable[Member]) -> list[Member]:
    """Members who may contribute: observers only watch, so they are left out of rates."""
    return [m for m in members if m.role != "observer"]


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0–100) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float | None:
    """The usual median (mean of the two middle values for an even count); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600
