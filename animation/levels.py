"""Member levels: how many contributions (posts and comments) make a reader, an occasional
contributor, a regular one or a driving force — the one place these floors are written.

The member table reads a level over the trailing 30 days, with hysteresis (``level_history``);
the participation pyramid and the funders' report count contributions within their period
against the same floors (``pyramid_level``: three tiers, the driving force counted as regular).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from enum import IntEnum

from animation.records import CONTRIBUTIONS, Activity, Member


class Level(IntEnum):
    reader = 0
    occasional = 1
    regular = 2
    driving_force = 3


# Contributions needed for each level (Discourse-style trust levels).
LEVEL_FLOORS = {Level.occasional: 1, Level.regular: 4, Level.driving_force: 12}
REGULAR_FROM = LEVEL_FLOORS[Level.regular]
DRIVING_FROM = LEVEL_FLOORS[Level.driving_force]
# The level names of the API (``/engagement`` member rows); the browser only translates them.
LEVEL_NAMES = {
    Level.reader: "reader",
    Level.occasional: "occasional",
    Level.regular: "regular",
    Level.driving_force: "driving",
}
LEVEL_WINDOW_DAYS = 30  # a member's level counts the contributions of the trailing 30 days
# A member is demoted one level only after this many days in a row below it: one quiet
# month (holidays, a busy season) should not flip someone back and forth.
DEMOTION_DAYS = 28


def raw_level(contributions: int) -> Level:
    """The level earned by ``contributions`` in the trailing window, without hysteresis."""
    level = Level.reader
    for candidate, floor in LEVEL_FLOORS.items():
        if contributions >= floor:
            level = candidate
    return level


def pyramid_level(contributions: int) -> Level:
    """The pyramid's tier for ``contributions`` in a period: reader, occasional or regular
    (the 90-9-1 reference has three tiers, so a driving force counts as regular)."""
    return min(raw_level(contributions), Level.regular)


def level_history(
    activities: Sequence[Activity], member: Member, at: datetime
) -> list[tuple[date, Level]]:
    """The member's level on each UTC day from joining to ``at``: promoted as soon as the
    trailing ``LEVEL_WINDOW_DAYS`` earn it, demoted one step after ``DEMOTION_DAYS`` days
    below it."""
    per_day: dict[date, int] = {}
    for a in activities:
        if a.actor_id == member.user_id and a.kind in CONTRIBUTIONS and a.at < at:
            day = a.at.astimezone(UTC).date()
            per_day[day] = per_day.get(day, 0) + 1
    first = member.joined_at.astimezone(UTC).date()
    last = at.astimezone(UTC).date()
    history: list[tuple[date, Level]] = []
    level, below_since, window = Level.reader, 0, 0
    day = first
    while day <= last:
        window += per_day.get(day, 0)
        window -= per_day.get(day - timedelta(days=LEVEL_WINDOW_DAYS), 0)
        earned = raw_level(window)
        if earned >= level:
            level, below_since = earned, 0
        else:
            below_since += 1
            if below_since >= DEMOTION_DAYS:
                level, below_since = Level(level - 1), 0
        history.append((day, level))
        day += timedelta(days=1)
    return history
