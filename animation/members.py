"""Per member: last activity, contributions, reactions, level (``animation.levels``), trend
and usual rhythm — and who is silent against their own habit."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from animation.levels import LEVEL_WINDOW_DAYS, Level, level_history
from animation.records import (
    CONTRIBUTIONS,
    Activity,
    Cause,
    Kind,
    Member,
    diagnoses,
    participants,
    percentile,
)

# Gaps are read over this many latest days: habits change, old ones fade out.
RHYTHM_MEMORY_DAYS = 120
# The percentile of gaps taken as "usual": high, so that a normal slow week, or the pause
# between the bursts of someone who works in bursts, is part of the habit, not a change.
RHYTHM_PERCENTILE = 100
# A habit needs this many days between the first and the latest active day: someone who
# came for a week and left has no habit yet (the newcomer rules are about them).
HABIT_SPAN_DAYS = 28


def active_days(activities: Sequence[Activity], user_id: int, before: datetime) -> list[date]:
    """Distinct UTC days on which ``user_id`` did anything before ``before``, oldest first."""
    days = {a.day for a in activities if a.actor_id == user_id}
    # A day counts when its midnight is before ``before``: up to the day of the instant just
    # before it.
    limit = (before - timedelta(microseconds=1)).astimezone(UTC).date()
    return sorted(d for d in days if d <= limit)


def usual_gap_days(days: Sequence[date]) -> float | None:
    """The member's usual gap, in days, between the active ``days`` (sorted): the
    ``RHYTHM_PERCENTILE``th percentile of the gaps ending in the last ``RHYTHM_MEMORY_DAYS``
    days before the latest one; None with fewer than three gaps or a span shorter than
    ``HABIT_SPAN_DAYS``: too little to know a habit."""
    if not days:
        return None
    horizon = days[-1] - timedelta(days=RHYTHM_MEMORY_DAYS)
    gaps = [float((b - a).days) for a, b in zip(days, days[1:], strict=False) if b > horizon]
    if len(gaps) < 3 or (days[-1] - days[0]).days < HABIT_SPAN_DAYS:
        return None
    return percentile(gaps, RHYTHM_PERCENTILE)


@dataclass(frozen=True)
class MemberProfile:
    user_id: int
    role: str
    last_activity: datetime | None
    contributions: int  # posts and comments, ever (before ``at``)
    contributions_30d: int
    reactions_given: int
    reactions_received: int
    level: Level
    trend: str  # rising | steady | falling | new
    usual_gap_days: float | None


def _trend(recent: int, previous: int, joined_days: float) -> str:
    if joined_days < 2 * LEVEL_WINDOW_DAYS:
        return "new"  # no previous window to compare with
    if abs(recent - previous) < max(2, previous / 2):
        return "steady"
    return "rising" if recent > previous else "falling"


@diagnoses(Cause.involvement)
def member_profiles(
    activities: Sequence[Activity], members: Sequence[Member], at: datetime
) -> list[MemberProfile]:
    """One profile per participant, from what happened before ``at``, by user id."""
    month_ago = at - timedelta(days=LEVEL_WINDOW_DAYS)
    two_months_ago = at - timedelta(days=2 * LEVEL_WINDOW_DAYS)
    # One pass over the history (200 members × a year of it must stay well under a second).
    by_member: dict[int, list[Activity]] = {}
    received: dict[int, int] = {}
    for a in activities:
        if a.at < at:
            by_member.setdefault(a.actor_id, []).append(a)
            if a.kind is Kind.reaction and a.card_author_id != a.actor_id:
                received[a.card_author_id] = received.get(a.card_author_id, 0) + 1
    out = []
    for m in sorted(participants(members), key=lambda m: m.user_id):
        mine = by_member.get(m.user_id, [])
        made = [a for a in mine if a.kind in CONTRIBUTIONS]
        recent = sum(1 for a in made if a.at >= month_ago)
        previous = sum(1 for a in made if two_months_ago <= a.at < month_ago)
        history = level_history(mine, m, at)
        out.append(
            MemberProfile(
                user_id=m.user_id,
                role=m.role,
                last_activity=max((a.at for a in mine), default=None),
                contributions=len(made),
                contributions_30d=recent,
                reactions_given=sum(1 for a in mine if a.kind is Kind.reaction),
                reactions_received=received.get(m.user_id, 0),
                level=history[-1][1] if history else Level.reader,
                trend=_trend(recent, previous, (at - m.joined_at) / timedelta(days=1)),
                usual_gap_days=usual_gap_days(active_days(mine, m.user_id, at)),
            )
        )
    return out


@dataclass(frozen=True)
class Silence:
    user_id: int
    last_activity: datetime
    silent_days: float
    usual_gap_days: float
    threshold_days: float


# User id → (their last activity before a moment, their active days before it, oldest first).
Pasts = dict[int, tuple[datetime, list[date]]]


def pasts(activities: Sequence[Activity], at: datetime) -> Pasts:
    """Every actor's last activity and active days before ``at``, in one pass (the silence
    tests read them for every member, and the health panel for every week)."""
    last: dict[int, datetime] = {}
    days: dict[int, set[date]] = {}
    for a in activities:
        if a.at < at:
            if a.actor_id not in last or a.at > last[a.actor_id]:
                last[a.actor_id] = a.at
            days.setdefault(a.actor_id, set()).add(a.day)
    return {user: (last[user], sorted(found)) for user, found in days.items()}


@diagnoses(Cause.involvement)
def silent_members(
    activities: Sequence[Activity],
    members: Sequence[Member],
    at: datetime,
    gap_multiple: float = 2.0,
    min_days: float = 14.0,
    *,
    known: Pasts | None = None,
) -> list[Silence]:
    """Participants silent at ``at`` for ``gap_multiple`` × their usual gap and at least
    ``min_days``; members without a known habit yet are never listed. (``known``: the
    ``pasts`` of ``activities`` at ``at``, when the caller has them.)"""
    found = pasts(activities, at) if known is None else known
    out = []
    for m in sorted(participants(members), key=lambda m: m.user_id):
        if m.user_id not in found:
            continue
        last, days = found[m.user_id]
        gap = usual_gap_days(days)
        if gap is None:
            continue
        silent = (at - last) / timedelta(days=1)
        threshold = max(gap_multiple * gap, min_days)
        if silent >= threshold:
            out.append(Silence(m.user_id, last, silent, gap, threshold))
    return out


# The rhythm test (``rhythm_drops``): its defaults, overridable per collective through
# ``animation.alerts.Thresholds`` (the ``rhythm_*`` keys).
RHYTHM_ALPHA = 0.0005  # alert when a silence this long had at most this chance under the habit
RHYTHM_BASELINE_DAYS = 84.0  # the habit: twelve weeks of active days before the silence
RHYTHM_MIN_ACTIVE_DAYS = 8  # …at least this many of them (lurkers and newcomers never qualify)
RHYTHM_MIN_HISTORY_DAYS = 28.0  # …from a first active day at least this long before the silence
RHYTHM_MIN_SILENCE_DAYS = 3.0  # a long weekend is never a drop, however regular the member
# Twelve weekly counts cannot tell a member who skips 10 % of their sessions from one who
# skips 30 %: a member is never taken to be more regular than this dispersion index.
RHYTHM_MIN_DISPERSION = 0.3
DISPERSION_FLOOR = 0.01  # below any threshold a collective may set
# Back from a silence that this test would have flagged less than this many days ago: not
# flagged again yet (the habit evidently has longer pauses than the test thinks, or the member
# was just nudged).
RHYTHM_COOLDOWN_DAYS = 28.0


@dataclass(frozen=True)
class Habit:
    """A member's rhythm over the weeks before a silence: active days per day and the
    dispersion index (variance ÷ mean) of their active days per week."""

    rate: float  # active days per day
    dispersion: float  # < 1: regular (a habit with skipped sessions), > 1: in bursts
    active_days: int  # in the baseline
    weeks: int  # whole weeks in the baseline

    def log_p_silent(self, days: float) -> float:
        """Natural log of the chance of no active day at all in ``days`` days under the
        habit: the zero of the count distribution with mean ``rate × days`` and variance
        ``dispersion ×`` that mean — binomial below 1, Poisson at 1, negative binomial above:
        ``dispersion ** (mean / (1 − dispersion))``, ``exp(−mean)`` at 1."""
        mean = self.rate * days
        if math.isclose(self.dispersion, 1.0):
            return -mean
        return mean * math.log(self.dispersion) / (1 - self.dispersion)

    def days_to(self, alpha: float) -> float:
        """The silence, in days, whose chance under the habit is ``alpha``."""
        per_day = self.log_p_silent(1.0)
        return math.inf if per_day >= 0 else math.log(alpha) / per_day


def habit(
    days: Sequence[date],
    baseline_days: float = RHYTHM_BASELINE_DAYS,
    min_active_days: int = RHYTHM_MIN_ACTIVE_DAYS,
    min_history_days: float = RHYTHM_MIN_HISTORY_DAYS,
    min_dispersion: float = RHYTHM_MIN_DISPERSION,
) -> Habit | None:
    """The habit read from the active ``days`` (sorted, the latest one ending it): whole
    weeks counted back from the latest day, within ``baseline_days`` and not before the first
    day; None with less than ``min_history_days`` from the first to the latest day or fewer
    than ``min_active_days`` in the baseline."""
    if not days or (days[-1] - days[0]).days < min_history_days:
        return None
    last = days[-1]
    weeks = int(min(baseline_days, (last - days[0]).days + 1) // 7)
    counts = [0] * weeks
    for d in days:
        week = (last - d).days // 7
        if week < weeks:
            counts[week] += 1
    total = sum(counts)
    if weeks < 2 or total < min_active_days:
        return None
    mean = total / weeks
    variance = sum((c - mean) ** 2 for c in counts) / (weeks - 1)
    # Never 0, whatever the collective set: perfectly even weeks would make any silence
    # impossible (and the logarithm undefined).
    dispersion = max(variance / mean, min_dispersion, DISPERSION_FLOOR)
    return Habit(total / (7 * weeks), dispersion, total, weeks)


@dataclass(frozen=True)
class RhythmDrop:
    user_id: int
    last_activity: datetime
    silent_days: float
    p_value: float  # the chance of a silence this long under the member's habit
    expected_active_days: float  # how many active days the habit would have had meanwhile
    threshold_days: float  # the silence at which the chance reaches ``alpha``
    habit: Habit
    usual_gap_days: float  # as in ``silent_members``


def rhythm_drops(
    activities: Sequence[Activity],
    members: Sequence[Member],
    at: datetime,
    alpha: float = RHYTHM_ALPHA,
    baseline_days: float = RHYTHM_BASELINE_DAYS,
    min_active_days: int = RHYTHM_MIN_ACTIVE_DAYS,
    min_history_days: float = RHYTHM_MIN_HISTORY_DAYS,
    min_silence_days: float = RHYTHM_MIN_SILENCE_DAYS,
    min_dispersion: float = RHYTHM_MIN_DISPERSION,
    cooldown_days: float = RHYTHM_COOLDOWN_DAYS,
    *,
    known: Pasts | None = None,
) -> list[RhythmDrop]:
    """Participants whose current silence had at most ``alpha`` chance under their own habit
    (``habit``, ``Habit.log_p_silent``) and lasts at least ``min_silence_days``; not those
    back less than ``cooldown_days`` ago from a silence the same test flags, nor those without
    a usual gap (``usual_gap_days``). ``alpha`` 0 turns the test off. (Part of the metric
    "members inactive against their own habit", tagged on ``silent_members``.)"""
    if alpha <= 0:
        return []
    everyone = pasts(activities, at) if known is None else known
    today = at.astimezone(UTC).date()
    out = []
    for m in sorted(participants(members), key=lambda m: m.user_id):
        if m.user_id not in everyone:
            continue
        last, days = everyone[m.user_id]
        found = habit(days, baseline_days, min_active_days, min_history_days, min_dispersion)
        gap = usual_gap_days(days)
        if found is None or gap is None:
            continue
        silent = (at - last) / timedelta(days=1)
        threshold = max(found.days_to(alpha), min_silence_days)
        if silent < threshold:
            continue
        pairs = zip(days, days[1:], strict=False)
        if any((today - b).days < cooldown_days and (b - a).days >= threshold for a, b in pairs):
            continue
        out.append(
            RhythmDrop(
                m.user_id,
                last,
                silent,
                math.exp(found.log_p_silent(silent)),
                found.rate * silent,
                threshold,
                found,
                gap,
            )
        )
    return out
