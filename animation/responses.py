"""Whether posts get answered: time to first response, silence, newcomers, questions."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from animation.records import Activity, Cause, Kind, Period, diagnoses, hours, median, percentile


def posts(activities: Sequence[Activity], period: Period | None = None) -> list[Activity]:
    """The cards created (within ``period`` when given), oldest first."""
    found = [a for a in activities if a.kind is Kind.post and (period is None or a.at in period)]
    return sorted(found, key=lambda a: (a.at, a.card_id))


@dataclass(frozen=True)
class Answers:
    """A history's posts and the replies to them, read once to answer for many periods (the
    health panel asks for each of its weeks): a card was answered before ``end`` exactly when
    its first reply overall came before ``end``."""

    posts: list[Activity]  # every post, oldest first (as ``posts``)
    times: list[datetime]  # their moments, for bisection
    # Card id → moments of its comments by someone other than its author, in order.
    replies: dict[int, list[datetime]]
    first_reply: dict[int, datetime]  # card id → the first of them
    firsts: dict[int, Activity]  # member id → their first post ever (what a newcomer waits on)

    @classmethod
    def of(cls, activities: Sequence[Activity]) -> Answers:
        everything = posts(activities)
        replies: dict[int, list[datetime]] = {}
        for a in activities:
            if a.kind is Kind.comment and a.actor_id != a.card_author_id:
                replies.setdefault(a.card_id, []).append(a.at)
        for moments in replies.values():
            moments.sort()
        firsts: dict[int, Activity] = {}
        for p in everything:
            firsts.setdefault(p.actor_id, p)
        return cls(
            everything,
            [p.at for p in everything],
            replies,
            {card: moments[0] for card, moments in replies.items()},
            firsts,
        )

    def posts_in(self, period: Period) -> list[Activity]:
        return self.posts[
            bisect_left(self.times, period.start) : bisect_left(self.times, period.end)
        ]

    def answered_before(self, card_id: int, end: datetime) -> bool:
        first = self.first_reply.get(card_id)
        return first is not None and first < end

    def replies_before(self, card_id: int, end: datetime) -> int:
        return bisect_left(self.replies.get(card_id, ()), end)


@dataclass(frozen=True)
class ResponseTimes:
    posts: int
    answered: int
    median_hours: float | None
    p90_hours: float | None


@diagnoses(Cause.animation)
def time_to_first_response(
    activities: Sequence[Activity], period: Period, *, answers: Answers | None = None
) -> ResponseTimes:
    """Hours from each post of ``period`` to its first comment by another member (answered
    posts only; replies after ``period.end`` are not known yet, so they do not count).
    (``answers``: ``Answers.of(activities)``, when the caller has it; likewise below.)"""
    known = answers or Answers.of(activities)
    created = known.posts_in(period)
    delays = [
        hours(known.first_reply[p.card_id] - p.at)
        for p in created
        if known.answered_before(p.card_id, period.end)
    ]
    return ResponseTimes(len(created), len(delays), median(delays), percentile(delays, 90))


@diagnoses(Cause.animation)
def unanswered_posts(
    activities: Sequence[Activity], period: Period, *, answers: Answers | None = None
) -> list[int]:
    """Card ids posted in ``period`` with no comment by another member before its end."""
    known = answers or Answers.of(activities)
    return [
        p.card_id
        for p in known.posts_in(period)
        if not known.answered_before(p.card_id, period.end)
    ]


@dataclass(frozen=True)
class NewcomerReplies:
    first_posts: int
    replied: int
    rate: float | None


@diagnoses(Cause.pedagogy, Cause.animation)
def newcomer_reply_rate(
    activities: Sequence[Activity], period: Period, *, answers: Answers | None = None
) -> NewcomerReplies:
    """Among members' first posts made in ``period``, the share answered by someone else
    (before the period's end)."""
    known = answers or Answers.of(activities)
    firsts = [p for p in known.firsts.values() if p.at in period]
    replied = sum(1 for p in firsts if known.answered_before(p.card_id, period.end))
    return NewcomerReplies(len(firsts), replied, replied / len(firsts) if firsts else None)


@dataclass(frozen=True)
class QuestionsAnswered:
    questions: int
    answered: int
    share: float | None
    answers_per_question: float | None


@diagnoses(Cause.knowledge)
def questions_answered(
    activities: Sequence[Activity], period: Period, *, answers: Answers | None = None
) -> QuestionsAnswered:
    """Question cards posted in ``period``: share with an answer by someone else, and the
    mean number of such answers (comments by others before ``period.end``) per question."""
    known = answers or Answers.of(activities)
    questions = {p.card_id for p in known.posts_in(period) if p.card_kind == "question"}
    counts = [known.replies_before(card, period.end) for card in questions]
    answered = sum(1 for c in counts if c)
    n = len(questions)
    return QuestionsAnswered(
        n,
        answered,
        answered / n if n else None,
        sum(counts) / n if n else None,
    )
