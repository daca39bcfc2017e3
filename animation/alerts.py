"""Alert rules: evaluated at an instant over the records, with per-collective thresholds.

An alert exists while its condition holds: evaluating later, once the post got a reply or
the member came back, simply no longer yields it (alerts resolve themselves).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from animation import members as habits
from animation.members import pasts, rhythm_drops, silent_members
from animation.participation import contributions
from animation.records import (
    Activity,
    BoardInfo,
    Cause,
    Member,
    Period,
    hours,
    participants,
)
from animation.responses import Answers


@dataclass(frozen=True)
class Thresholds:
    """A collective's alert thresholds; the defaults are those of DESIGN.md."""

    newcomer_unanswered_hours: float = 24.0  # a newcomer's first post waiting for a reply
    post_unanswered_hours: float = 48.0  # any post waiting for a reply
    # Unanswered posts older than this stop alerting (they stay in the metrics): an alert
    # nobody can act on any more is noise.
    unanswered_horizon_days: float = 30.0
    silence_gap_multiple: float = 2.0  # silent for this many times the member's usual gap…
    silence_min_days: float = 14.0  # …and at least this many days
    # Or: silent for longer than their own habit makes plausible (``members.rhythm_drops``):
    # the chance of such a silence under their habit is at most ``rhythm_alpha`` (0: off)…
    rhythm_alpha: float = habits.RHYTHM_ALPHA
    rhythm_baseline_days: float = habits.RHYTHM_BASELINE_DAYS  # …habit read over these days…
    rhythm_min_active_days: int = habits.RHYTHM_MIN_ACTIVE_DAYS  # …with this many active…
    rhythm_min_history_days: float = habits.RHYTHM_MIN_HISTORY_DAYS  # …since this long…
    rhythm_min_silence_days: float = habits.RHYTHM_MIN_SILENCE_DAYS  # …never under this…
    rhythm_min_dispersion: float = habits.RHYTHM_MIN_DISPERSION  # …nobody more regular…
    rhythm_cooldown_days: float = habits.RHYTHM_COOLDOWN_DAYS  # …nor just back from a drop
    board_stalled_days: float = 14.0  # no activity at all on a board
    concentration_share: float = 0.5  # one person makes this share of contributions…
    concentration_window_days: float = 30.0  # …over this window…
    concentration_min_contributions: int = 10  # …once there are enough to judge


class Rule(StrEnum):
    newcomer_unanswered = "newcomer_unanswered"
    post_unanswered = "post_unanswered"
    member_silent = "member_silent"
    board_stalled = "board_stalled"
    contributions_concentrated = "contributions_concentrated"


class Action(StrEnum):
    nudge = "nudge"  # a message to a member (French template the animator edits)
    pin = "pin"  # pin the card so that others see it
    prompt = "prompt"  # post a « question de la semaine » on a board
    welcome = "welcome"  # welcome a newcomer


@dataclass(frozen=True)
class Subject:
    kind: str  # member | card | board
    id: int


@dataclass(frozen=True)
class Alert:
    rule: Rule
    subject: Subject
    since: datetime  # when the condition started holding (concentration: the evaluation)
    causes: tuple[Cause, ...]
    actions: tuple[Action, ...]
    evidence: dict[str, float] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, int]:
        """Stable identity across evaluations, to follow one alert until it resolves."""
        return (self.rule, self.subject.kind, self.subject.id)


def _unanswered(
    activities: Sequence[Activity], members: Sequence[Member], at: datetime, t: Thresholds
) -> list[Alert]:
    known = Answers.of(activities)
    # An animator's first post is not a newcomer's: it only waits like any other post.
    animators = {m.user_id for m in members if m.role == "animator"}
    firsts = {p.card_id for who, p in known.firsts.items() if who not in animators}
    ids = {m.user_id for m in participants(members)}
    horizon = at - timedelta(days=t.unanswered_horizon_days)
    alerts = []
    for p in known.posts_in(Period(horizon, at)):
        if known.answered_before(p.card_id, at) or p.actor_id not in ids:
            continue
        waited = hours(at - p.at)
        newcomer = p.card_id in firsts
        limit = t.newcomer_unanswered_hours if newcomer else t.post_unanswered_hours
        if waited < limit:
            continue
        rule = Rule.newcomer_unanswered if newcomer else Rule.post_unanswered
        actions = (Action.welcome, Action.pin) if newcomer else (Action.pin, Action.nudge)
        causes = (Cause.pedagogy, Cause.animation) if newcomer else (Cause.animation,)
        alerts.append(
            Alert(
                rule,
                Subject("card", p.card_id),
                p.at + timedelta(hours=limit),
                causes,
                actions,
                {"hours_waiting": round(waited, 1), "threshold_hours": limit},
            )
        )
    return alerts


def member_silent_alerts(
    activities: Sequence[Activity],
    members: Sequence[Member],
    at: datetime,
    thresholds: Thresholds | None = None,
) -> list[Alert]:
    """The ``member_silent`` alerts alone (for a member table or a health indicator that
    should agree with the alerts), from what happened before ``at``."""
    return _silent([a for a in activities if a.at < at], members, at, thresholds or Thresholds())


def _silent(
    activities: Sequence[Activity], members: Sequence[Member], at: datetime, t: Thresholds
) -> list[Alert]:
    """One ``member_silent`` alert per member silent for 2× their usual gap and the floor
    (DESIGN.md), or for longer than their habit makes plausible (the rhythm test), whichever
    threshold is the lower: ``since`` is when the silence crossed it."""
    # Animators are not nudged: their own activity is a metric (``animator_activity``).
    animators = {m.user_id for m in members if m.role == "animator"}
    known = pasts(activities, at)
    design = {
        s.user_id: s
        for s in silent_members(
            activities, members, at, t.silence_gap_multiple, t.silence_min_days, known=known
        )
    }
    drops = {
        d.user_id: d
        for d in rhythm_drops(
            activities,
            members,
            at,
            t.rhythm_alpha,
            t.rhythm_baseline_days,
            t.rhythm_min_active_days,
            t.rhythm_min_history_days,
            t.rhythm_min_silence_days,
            t.rhythm_min_dispersion,
            t.rhythm_cooldown_days,
            known=known,
        )
    }
    alerts = []
    for user in sorted((design.keys() | drops.keys()) - animators):
        silence, drop = design.get(user), drops.get(user)
        crossed = [x.threshold_days for x in (silence, drop) if x is not None]
        either = silence or drop
        assert either is not None
        evidence = {
            "silent_days": round(either.silent_days, 1),
            "usual_gap_days": either.usual_gap_days,
            "threshold_days": round(min(crossed), 1),
        }
        if drop is not None:
            evidence |= {
                "p_value": float(f"{drop.p_value:.2g}"),
                "expected_active_days": round(drop.expected_active_days, 1),
                "active_days_per_week": round(7 * drop.habit.rate, 2),
                "rhythm_threshold_days": round(drop.threshold_days, 1),
            }
        alerts.append(
            Alert(
                Rule.member_silent,
                Subject("member", user),
                either.last_activity + timedelta(days=min(crossed)),
                (Cause.involvement,),
                (Action.nudge,),
                evidence,
            )
        )
    return alerts


def board_stalled_alerts(
    activities: Sequence[Activity],
    boards: Sequence[BoardInfo],
    at: datetime,
    thresholds: Thresholds | None = None,
) -> list[Alert]:
    """The ``board_stalled`` alerts alone (the health panel counts them week by week)."""
    return _stalled(activities, boards, at, thresholds or Thresholds())


def _stalled(
    activities: Sequence[Activity], boards: Sequence[BoardInfo], at: datetime, t: Thresholds
) -> list[Alert]:
    last: dict[int, datetime] = {}
    for a in activities:
        if a.at < at:
            last[a.board_id] = max(a.at, last.get(a.board_id, a.at))
    alerts = []
    for b in boards:
        if b.archived or b.created_at >= at:
            continue
        since = max(last.get(b.board_id, b.created_at), b.created_at)
        idle = (at - since) / timedelta(days=1)
        if idle >= t.board_stalled_days:
            alerts.append(
                Alert(
                    Rule.board_stalled,
                    Subject("board", b.board_id),
                    since + timedelta(days=t.board_stalled_days),
                    (Cause.animation, Cause.involvement),
                    (Action.prompt,),
                    {"idle_days": round(idle, 1), "threshold_days": t.board_stalled_days},
                )
            )
    return alerts


def _concentrated(
    activities: Sequence[Activity], members: Sequence[Member], at: datetime, t: Thresholds
) -> list[Alert]:
    window = Period.ending(at, t.concentration_window_days)
    counts = contributions(activities, members, window)
    total = sum(counts.values())
    if total < t.concentration_min_contributions:
        return []
    top, made = max(counts.items(), key=lambda item: (item[1], -item[0]))
    if made / total < t.concentration_share:
        return []
    return [
        Alert(
            Rule.contributions_concentrated,
            Subject("member", top),
            at,
            (Cause.involvement, Cause.animation),
            (Action.prompt, Action.nudge),
            {"share": round(made / total, 3), "contributions": made, "total": total},
        )
    ]


def evaluate(
    activities: Sequence[Activity],
    members: Sequence[Member],
    boards: Sequence[BoardInfo],
    at: datetime,
    thresholds: Thresholds | None = None,
) -> list[Alert]:
    """Every alert whose condition holds at ``at``, from what happened before ``at``."""
    t = thresholds or Thresholds()
    past = [a for a in activities if a.at < at]
    return [
        *_unanswered(past, members, at, t),
        *_silent(past, members, at, t),
        *_stalled(past, boards, at, t),
        *_concentrated(past, members, at, t),
    ]
