"""Experimentation and animation: practices tried, experiments run, what the animator does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from animation.records import Activity, Cause, Kind, Member, Period, diagnoses


@dataclass(frozen=True)
class PracticesTried:
    practices: int  # practice cards that exist by the end of the period
    tried: int  # of which got a « tried_it » within the period
    tried_by: int  # distinct members who said « tried_it » within the period


@diagnoses(Cause.experimentation)
def practices_tried(activities: Sequence[Activity], period: Period) -> PracticesTried:
    """Practice cards followed by a « tried_it » reaction within ``period``."""
    practices = {
        a.card_id
        for a in activities
        if a.kind is Kind.post and a.card_kind == "practice" and a.at < period.end
    }
    tries = [
        a
        for a in activities
        if a.kind is Kind.reaction
        and a.reaction == "tried_it"
        and a.card_id in practices
        and a.at in period
    ]
    return PracticesTried(
        len(practices), len({a.card_id for a in tries}), len({a.actor_id for a in tries})
    )


@dataclass(frozen=True)
class Experiments:
    started: int
    finished: int


@diagnoses(Cause.experimentation)
def experiments(
    activities: Sequence[Activity],
    period: Period,
    started_from: int = 1,
    finished_from: int = 2,
) -> Experiments:
    """Experiment cards moved within ``period`` to column ``started_from`` or later (started;
    « En cours ») and to ``finished_from`` or later (finished; « Terminée »), each counted once."""
    moves = [
        a
        for a in activities
        if a.kind is Kind.move and a.card_kind == "experiment" and a.at in period
    ]
    started = {a.card_id for a in moves if a.column >= started_from}
    finished = {a.card_id for a in moves if a.column >= finished_from}
    return Experiments(len(started), len(finished))


@dataclass(frozen=True)
class AnimatorActivity:
    prompts: int  # cards posted by animators
    replies: int  # comments written by animators
    reactions: int
    nudges: int = 0  # nudges animators sent (``animation.nudges``)

    @property
    def actions(self) -> int:
        """What the animators did to make the collective talk: prompts, replies and nudges
        (reactions are too light to count)."""
        return self.prompts + self.replies + self.nudges


@diagnoses(Cause.animation)
def animator_activity(
    activities: Sequence[Activity],
    members: Sequence[Member],
    period: Period,
    nudges: Sequence[datetime] = (),
) -> AnimatorActivity:
    """What the collective's animators posted, replied and reacted within ``period``, and the
    nudges among ``nudges`` (when each was sent) that fall within it."""
    animators = {m.user_id for m in members if m.role == "animator"}
    mine = [a for a in activities if a.actor_id in animators and a.at in period]
    return AnimatorActivity(
        sum(1 for a in mine if a.kind is Kind.post),
        sum(1 for a in mine if a.kind is Kind.comment),
        sum(1 for a in mine if a.kind is Kind.reaction),
        sum(1 for at in nudges if at in period),
    )
