"""Time to first response, unanswered posts, newcomer reply rate, questions answered."""

from __future__ import annotations

from animation.records import Period
from animation.responses import (
    ResponseTimes,
    newcomer_reply_rate,
    questions_answered,
    time_to_first_response,
    unanswered_posts,
)
from tests.animation.sample import at, comment, post, react

A, B, C = 1, 2, 3
WEEK = Period(at(0), at(7))
HISTORY = [
    post(A, 1, at(0)),
    comment(A, 1, A, at(0, 1)),  # the author's own comment is not a response
    comment(B, 1, A, at(0, 3)),  # first response: 3 h
    comment(C, 1, A, at(0, 5)),
    post(B, 2, at(1)),
    react(A, 2, B, at(1, 1)),  # a reaction is not a response
    comment(C, 2, B, at(1, 10)),  # first response: 10 h
    post(C, 3, at(2)),  # never answered
    post(A, 4, at(3), kind="question"),
    comment(B, 4, A, at(3, 2), kind="question"),  # first response: 2 h
    comment(C, 4, A, at(3, 4), kind="question"),
    post(B, 5, at(4), kind="question"),
    comment(B, 5, B, at(4, 1), kind="question"),  # only the author: unanswered
]


def test_time_to_first_response_by_another_member() -> None:
    # Answered posts 1, 2, 4: delays 3, 10, 2 h → sorted 2, 3, 10: median 3;
    # p90 nearest rank ceil(0.9 × 3) = 3 → 10. Posts 3 and 5 are unanswered.
    assert time_to_first_response(HISTORY, WEEK) == ResponseTimes(5, 3, 3.0, 10.0)


def test_a_reply_after_the_period_is_not_known_yet() -> None:
    # Period ends at day 1 + 5 h: post 2's reply (day 1 + 10 h) is in the future.
    period = Period(at(0), at(1, 5))
    assert time_to_first_response(HISTORY, period) == ResponseTimes(2, 1, 3.0, 3.0)
    assert unanswered_posts(HISTORY, period) == [2]


def test_unanswered_posts() -> None:
    assert unanswered_posts(HISTORY, WEEK) == [3, 5]


def test_empty_collective_has_no_figures() -> None:
    assert time_to_first_response([], WEEK) == ResponseTimes(0, 0, None, None)
    assert unanswered_posts([], WEEK) == []
    assert newcomer_reply_rate([], WEEK).rate is None
    assert questions_answered([], WEEK).share is None


def test_newcomer_reply_rate() -> None:
    # First posts: A → 1 (answered), B → 2 (answered), C → 3 (not): 2 / 3.
    result = newcomer_reply_rate(HISTORY, WEEK)
    assert (result.first_posts, result.replied) == (3, 2)
    assert result.rate is not None and abs(result.rate - 2 / 3) < 1e-9
    # From day 1 on, only B's and C's first posts were made: 1 / 2. B's post 5 is not a first.
    later = newcomer_reply_rate(HISTORY, Period(at(1), at(7)))
    assert (later.first_posts, later.replied, later.rate) == (2, 1, 0.5)


def test_questions_answered_and_answers_per_question() -> None:
    # Questions 4 (two answers by others) and 5 (none): 1 / 2 answered, 2 answers / 2 = 1.0.
    result = questions_answered(HISTORY, WEEK)
    assert (result.questions, result.answered, result.share) == (2, 1, 0.5)
    assert result.answers_per_question == 1.0
