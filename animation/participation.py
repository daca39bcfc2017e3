"""Who takes part and how evenly: active members, pyramid, Gini, bus factor, cohorts, heat map.

``visits`` (recorded, debounced, by ``animation.visits``) widen "active" to members who only
read; "engaged" never includes them: it counts what members did, not what they opened.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

from animation.levels import REGULAR_FROM
from animation.records import (
    CONTRIBUTIONS,
    Activity,
    Cause,
    Member,
    Period,
    Visit,
    diagnoses,
    participants,
)

PARIS = ZoneInfo("Europe/Paris")
# 90-9-1: the usual shares of readers, occasional and regular contributors online.
REFERENCE_PYRAMID = (0.90, 0.09, 0.01)


def _ids(members: Iterable[Member]) -> set[int]:
    return {m.user_id for m in participants(members)}


def active_ids(
    activities: Sequence[Activity],
    members: Sequence[Member],
    period: Period,
    visits: Sequence[Visit] = (),
) -> set[int]:
    """Participants who did anything, or visited, within ``period``."""
    ids = _ids(members)
    done = {a.actor_id for a in activities if a.at in period}
    seen = {v.user_id for v in visits if v.at in period}
    return (done | seen) & ids


@dataclass(frozen=True)
class ActiveMembers:
    weekly: int
    monthly: int
    ratio: float | None  # weekly ÷ monthly: how habitual the activity is ("stickiness")


@diagnoses(Cause.involvement)
def active_members(
    activities: Sequence[Activity],
    members: Sequence[Member],
    at: datetime,
    visits: Sequence[Visit] = (),
) -> ActiveMembers:
    """Participants active in the 7 and the 30 days before ``at``, and their ratio."""
    week = len(active_ids(activities, members, Period.ending(at, 7), visits))
    month = len(active_ids(activities, members, Period.ending(at, 30), visits))
    return ActiveMembers(week, month, week / month if month else None)


@diagnoses(Cause.involvement)
def engaged_per_day(
    activities: Sequence[Activity], members: Sequence[Member], period: Period
) -> list[tuple[datetime, int]]:
    """For each UTC day of ``period``: participants who posted, commented, reacted or moved."""
    ids = _ids(members)
    by_day: dict[date, set[int]] = {}
    for a in activities:  # one pass: a year of a large collective is tens of thousands
        if a.at in period and a.actor_id in ids:
            by_day.setdefault(a.day, set()).add(a.actor_id)
    return [(day, len(by_day.get(day.date(), ()))) for day in period.days()]


def contributions(
    activities: Sequence[Activity], members: Sequence[Member], period: Period
) -> dict[int, int]:
    """Participant id → posts and comments in ``period`` (zero for the silent ones)."""
    counts = dict.fromkeys(sorted(_ids(members)), 0)
    for a in activities:
        if a.kind in CONTRIBUTIONS and a.at in period and a.actor_id in counts:
            counts[a.actor_id] += 1
    return counts


@dataclass(frozen=True)
class Pyramid:
    readers: int
    occasional: int
    regular: int
    shares: tuple[float, float, float] | None
    absent: int = 0  # neither visited nor contributed (known only when visits are given)
    reference: tuple[float, float, float] = REFERENCE_PYRAMID


@diagnoses(Cause.involvement)
def participation_pyramid(
    activities: Sequence[Activity],
    members: Sequence[Member],
    period: Period,
    regular_from: int = REGULAR_FROM,
    visits: Sequence[Visit] | None = None,
) -> Pyramid:
    """Participants by contributions in ``period``: none (readers), fewer than
    ``regular_from`` (occasional), at least ``regular_from`` (regular); vs 90-9-1.
    Without ``visits`` every silent participant is a reader; with them, only those who came."""
    counts = contributions(activities, members, period)
    if visits is not None:
        came = {v.user_id for v in visits if v.at in period}
        counts = {who: c for who, c in counts.items() if c or who in came}
    absent = len(_ids(members)) - len(counts)
    readers = sum(1 for c in counts.values() if c == 0)
    regular = sum(1 for c in counts.values() if c >= regular_from)
    occasional = len(counts) - readers - regular
    n = len(counts)
    shares = (readers / n, occasional / n, regular / n) if n else None
    return Pyramid(readers, occasional, regular, shares, absent)


def gini(values: Sequence[int]) -> float:
    """Gini coefficient with the n/(n−1) small-sample correction: 0 equal, 1 one does all."""
    n = len(values)
    total = sum(values)
    if n < 2 or total == 0:
        return 0.0
    ordered = sorted(values)
    weighted = sum((i + 1) * x for i, x in enumerate(ordered))
    raw = 2 * weighted / (n * total) - (n + 1) / n
    return raw * n / (n - 1)


def bus_factor(values: Sequence[int], share: float = 0.5) -> int:
    """The fewest people whose contributions make at least ``share`` of the total (0: none)."""
    total = sum(values)
    if total == 0:
        return 0
    covered, people = 0, 0
    for x in sorted(values, reverse=True):
        covered += x
        people += 1
        if covered >= share * total:
            break
    return people


@dataclass(frozen=True)
class Concentration:
    gini: float
    bus_factor: int
    gini_without_animators: float
    bus_factor_without_animators: int


@diagnoses(Cause.involvement, Cause.animation)
def concentration(
    activities: Sequence[Activity], members: Sequence[Member], period: Period
) -> Concentration:
    """Gini and bus factor of contributions in ``period``, with and without the animators
    (a collective carried by its animator is not yet a community)."""
    counts = contributions(activities, members, period)
    animators = {m.user_id for m in members if m.role == "animator"}
    rest = [c for who, c in counts.items() if who not in animators]
    everyone = list(counts.values())
    return Concentration(gini(everyone), bus_factor(everyone), gini(rest), bus_factor(rest))


def _month(at: datetime) -> tuple[int, int]:
    at = at.astimezone(UTC)
    return at.year, at.month


@diagnoses(Cause.pedagogy, Cause.involvement)
def cohort_retention(
    activities: Sequence[Activity], members: Sequence[Member], at: datetime
) -> dict[str, list[float]]:
    """Join month "YYYY-MM" → share of its participants active in month 0, 1, … after
    joining, up to the month of ``at`` (activity after ``at`` is ignored)."""
    now_y, now_m = _month(at)
    active_months: dict[int, set[tuple[int, int]]] = {}
    for a in activities:
        if a.at < at:
            active_months.setdefault(a.actor_id, set()).add(_month(a.at))
    cohorts: dict[tuple[int, int], list[int]] = {}
    for m in participants(members):
        if m.joined_at < at:
            cohorts.setdefault(_month(m.joined_at), []).append(m.user_id)
    out: dict[str, list[float]] = {}
    for (y, mo), ids in sorted(cohorts.items()):
        shares = []
        for k in range((now_y - y) * 12 + now_m - mo + 1):
            month = (y + (mo - 1 + k) // 12, (mo - 1 + k) % 12 + 1)
            kept = sum(1 for i in ids if month in active_months.get(i, set()))
            shares.append(kept / len(ids))
        out[f"{y:04d}-{mo:02d}"] = shares
    return out


@diagnoses(Cause.animation)
def heat_map(activities: Sequence[Activity], period: Period, tz: tzinfo = PARIS) -> list[list[int]]:
    """Activities of ``period`` counted by local weekday (0 Monday) × hour: 7 rows of 24."""
    grid = [[0] * 24 for _ in range(7)]
    for a in activities:
        if a.at in period:
            local = a.at.astimezone(tz)
            grid[local.weekday()][local.hour] += 1
    return grid
