"""The health panel: indicators grouped under the five failure causes, each with its value,
threshold, weekly series, whether it is in trouble and the action that helps.

An indicator is a measure over a window of time; the panel evaluates it over the whole
period (its value) and over each week of it (its series, oldest first).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Literal

from animation.alerts import Action, Thresholds, board_stalled_alerts, member_silent_alerts
from animation.individual import ActionRecord, DiagnosticRecord, diagnostics_done, plan_progress
from animation.onboarding import onboarding_steps
from animation.participation import active_members, concentration
from animation.practice import animator_activity, experiments, practices_tried
from animation.records import (
    Activity,
    BoardInfo,
    Cause,
    Member,
    Period,
    Visit,
    hours,
)
from animation.responses import (
    Answers,
    newcomer_reply_rate,
    questions_answered,
    time_to_first_response,
)

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Inputs:
    """Everything the indicators read (see ``animation.load``)."""

    activities: Sequence[Activity]
    members: Sequence[Member]
    boards: Sequence[BoardInfo] = ()
    visits: Sequence[Visit] = ()
    nudges: Sequence[datetime] = ()  # when animators sent nudges
    profiled: Collection[int] = frozenset()  # users whose profile is filled in
    thresholds: Thresholds = field(default_factory=Thresholds)
    diagnostics: Sequence[DiagnosticRecord] = ()  # the individual phase (animation.individual)
    actions: Sequence[ActionRecord] = ()

    @cached_property
    def answers(self) -> Answers:
        """Posts and replies of the whole history, read once for every week of the panel."""
        return Answers.of(self.activities)


Measure = Callable[[Inputs, Period], float | None]


@dataclass(frozen=True)
class Indicator:
    key: str
    cause: Cause
    direction: Literal["min", "max"]  # the value should stay at least / at most the threshold
    threshold: Callable[[Inputs], float | None]
    action: Action | None
    measure: Measure


@dataclass(frozen=True)
class Reading:
    key: str
    value: float | None
    threshold: float | None
    direction: str
    in_trouble: bool
    action: str | None
    series: list[float | None]


@dataclass(frozen=True)
class CauseHealth:
    cause: Cause
    in_trouble: bool
    indicators: list[Reading]


def weeks(period: Period) -> list[Period]:
    """Consecutive 7-day windows from the start of ``period``; the last one may be shorter."""
    out, start = [], period.start
    while start < period.end:
        out.append(Period(start, min(start + WEEK, period.end)))
        start += WEEK
    return out


def _unanswered(i: Inputs, p: Period) -> float:
    """Posts of ``p`` that waited at least the alert threshold without a reply by its end."""
    limit = i.thresholds.post_unanswered_hours
    answers = i.answers
    return float(
        sum(
            1
            for post in answers.posts_in(p)
            if not answers.answered_before(post.card_id, p.end) and hours(p.end - post.at) >= limit
        )
    )


def _animator_actions_per_week(i: Inputs, p: Period) -> float:
    done = animator_activity(i.activities, i.members, p, i.nudges)
    return done.actions / max((p.end - p.start) / WEEK, 1 / 7)


def _stalled_boards(i: Inputs, p: Period) -> float:
    return float(len(board_stalled_alerts(i.activities, i.boards, p.end, i.thresholds)))


def _silent(i: Inputs, p: Period) -> float:
    """Members the ``member_silent`` alert names at the period's end (both of its tests)."""
    return float(len(member_silent_alerts(i.activities, i.members, p.end, i.thresholds)))


def _has_experiment_board(i: Inputs) -> float | None:
    return 1.0 if any(b.kind == "experiments" and not b.archived for b in i.boards) else None


def _if_diagnostics(value: float) -> Callable[[Inputs], float | None]:
    """A threshold that applies once the individual phase has begun (a diagnostic exists)."""
    return lambda i: value if i.diagnostics else None


def _if_actions(value: float) -> Callable[[Inputs], float | None]:
    """A threshold that applies once a company's plan has an action."""
    return lambda i: value if i.actions else None


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "newcomer_reply_rate",
        Cause.pedagogy,
        "min",
        lambda i: 0.8,
        Action.welcome,
        lambda i, p: newcomer_reply_rate(i.activities, p, answers=i.answers).rate,
    ),
    Indicator(
        "onboarding_steps",
        Cause.pedagogy,
        "min",
        lambda i: 0.5,
        Action.welcome,
        lambda i, p: onboarding_steps(i.activities, i.members, p.end, i.visits, i.profiled).share,
    ),
    Indicator(
        "wau_mau",
        Cause.involvement,
        "min",
        lambda i: 0.4,
        Action.nudge,
        lambda i, p: active_members(i.activities, i.members, p.end, i.visits).ratio,
    ),
    Indicator("members_silent", Cause.involvement, "max", lambda i: 0.0, Action.nudge, _silent),
    Indicator(
        "gini",
        Cause.involvement,
        "max",
        lambda i: 0.6,
        Action.prompt,
        lambda i, p: concentration(i.activities, i.members, p).gini,
    ),
    Indicator(
        "questions_answered",
        Cause.knowledge,
        "min",
        lambda i: 0.8,
        Action.pin,
        lambda i, p: questions_answered(i.activities, p, answers=i.answers).share,
    ),
    Indicator(
        "answers_per_question",
        Cause.knowledge,
        "min",
        lambda i: 1.0,
        Action.pin,
        lambda i, p: questions_answered(i.activities, p, answers=i.answers).answers_per_question,
    ),
    Indicator(
        "practices_tried",
        Cause.experimentation,
        "min",
        lambda i: 1.0,
        Action.prompt,
        lambda i, p: float(practices_tried(i.activities, p).tried),
    ),
    Indicator(
        "experiments_started",
        Cause.experimentation,
        "min",
        _has_experiment_board,
        Action.prompt,
        lambda i, p: float(experiments(i.activities, p).started),
    ),
    Indicator(
        "first_response_median_h",
        Cause.animation,
        "max",
        lambda i: i.thresholds.post_unanswered_hours / 2,
        Action.pin,
        lambda i, p: time_to_first_response(i.activities, p, answers=i.answers).median_hours,
    ),
    Indicator("unanswered_posts", Cause.animation, "max", lambda i: 0.0, Action.pin, _unanswered),
    Indicator(
        "animator_actions_per_week",
        Cause.animation,
        "min",
        lambda i: 1.0,
        Action.prompt,
        _animator_actions_per_week,
    ),
    Indicator(
        "boards_stalled", Cause.animation, "max", lambda i: 0.0, Action.prompt, _stalled_boards
    ),
    # The individual phase: diagnostics finished, plans carried out, practices put to use.
    Indicator(
        "diagnostics_done",
        Cause.pedagogy,
        "min",
        _if_diagnostics(0.8),
        None,
        lambda i, p: diagnostics_done(i.diagnostics, p).share,
    ),
    Indicator(
        "action_plan_progress",
        Cause.experimentation,
        "min",
        _if_actions(0.25),
        None,
        lambda i, p: plan_progress(i.actions, p).share,
    ),
    Indicator(
        "actions_overdue",
        Cause.experimentation,
        "max",
        _if_actions(0.0),
        None,
        lambda i, p: float(plan_progress(i.actions, p).overdue) if i.actions else None,
    ),
    Indicator(
        "practices_from_actions",
        Cause.knowledge,
        "min",
        _if_actions(1.0),
        None,
        lambda i, p: float(plan_progress(i.actions, p).from_practices) if i.actions else None,
    ),
)


def in_trouble(value: float | None, threshold: float | None, direction: str) -> bool:
    """Whether ``value`` is on the wrong side of ``threshold`` (never without both)."""
    if value is None or threshold is None:
        return False
    return value < threshold if direction == "min" else value > threshold


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def read(indicator: Indicator, inputs: Inputs, period: Period) -> Reading:
    value = _round(indicator.measure(inputs, period))
    threshold = indicator.threshold(inputs)
    trouble = in_trouble(value, threshold, indicator.direction)
    return Reading(
        key=indicator.key,
        value=value,
        threshold=threshold,
        direction=indicator.direction,
        in_trouble=trouble,
        action=indicator.action.value if indicator.action else None,
        series=[_round(indicator.measure(inputs, week)) for week in weeks(period)],
    )


def health_panel(inputs: Inputs, period: Period) -> list[CauseHealth]:
    """One group per failure cause (in the order of ``Cause``), with its indicators."""
    readings = [(i.cause, read(i, inputs, period)) for i in INDICATORS]
    return [
        CauseHealth(
            cause,
            any(r.in_trouble for c, r in readings if c is cause),
            [r for c, r in readings if c is cause],
        )
        for cause in Cause
    ]
