"""Whether posts get answered: time to first response, silence, newcomers, questions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from animation.records import Activity, Cause, Kind, Period, diagnoses, hours, median, percentile


def first_replies(activities: Sequence[Activity]) -> dict[int, datetime]:
    """Card id → moment of its first comment by someone other than its author."""
    first: dict[int, datetime] = {}
    for a in activities:
        if a.kind is Kind.comment and a.actor_id != a.card_author_id:
            if a.card_id not in first or a.at < first[a.card_id]:
                first[a.card_id] = a.at
    return first


def posts(activities: Sequence[Activity], period: Period | None = None) -> list[Activity]:
    """The cards created (within ``period`` when given), oldest first."""
    found = [a for a in activities if a.kind is Kind.post and (period is None or a.at in period)]
    return sorted(found, key=lambda a: (a.at, a.card_id))


@dataclass(frozen=True)
class ResponseTimes:
    posts: int
    answered: int
    median_hours: float | None
    p90_hours: float | None


@diagnoses(Cause.animation)
def time_to_first_response(activities: Sequence[Activity], period: Period) -> ResponseTimes:
    """Hours from each post of ``period`` to its first comment by another member (answered
    posts only; replies after ``period.end`` are not known yet, so they do not count)."""
    replies = first_replies([a for a in activities if a.at < period.end])
    created = posts(activities, period)
    delays = [hours(replies[p.card_id] - p.at) for p in created if p.card_id in replies]
    return ResponseTimes(len(created), len(delays), median(delays), percentile(delays, 90))


@diagnoses(Cause.animation)
def unanswered_posts(activities: Sequence[Activity], period: Period) -> list[int]:
    """Card ids posted in ``period`` with no comment by another member before its end."""
    replies = first_replies([a for a in activities if a.at < period.end])
    return [p.card_id for p in posts(activities, period) if p.card_id not in replies]


def first_posts(activities: Sequence[Activity]) -> dict[int, Activity]:
    """Member id → their first post ever (the one a newcomer waits on)."""
    first: dict[int, Activity] = {}
    for p in posts(activities):
        first.setdefault(p.actor_id, p)
    return first


@dataclass(frozen=True)
class NewcomerReplies:
    first_posts: int
    replied: int
    rate: float | None


@diagnoses(Cause.pedagogy, Cause.animation)
def newcomer_reply_rate(activities: Sequence[Activity], period: Period) -> NewcomerReplies:
    """Among members' first posts made in ``period``, the share answered by someone else."""
    replies = first_replies([a for a in activities if a.at < period.end])
    firsts = [p for p in first_posts(activities).values() if p.at in period]
    replied = sum(1 for p in firsts if p.card_id in replies)
    return NewcomerReplies(len(firsts), replied, replied / len(firsts) if firsts else None)


@dataclass(frozen=True)
class QuestionsAnswered:
    questions: int
    answered: int
    share: float | None
    answers_per_question: float | None


@diagnoses(Cause.knowledge)
def questions_answered(activities: Sequence[Activity], period: Period) -> QuestionsAnswered:
    """Question cards posted in ``period``: share with an answer by someone else, and the
    mean number of such answers (comments by others before ``period.end``) per question."""
    questions = {p.card_id for p in posts(activities, period) if p.card_kind == "question"}
    answers: dict[int, int] = {}
    for a in activities:
        if (
            a.kind is Kind.comment
            and a.card_id in questions
            and a.actor_id != a.card_author_id
            and a.at < period.end
        ):
            answers[a.card_id] = answers.get(a.card_id, 0) + 1
    n = len(questions)
    return QuestionsAnswered(
        n,
        len(answers),
        len(answers) / n if n else None,
        sum(answers.values()) / n if n else None,
    )
