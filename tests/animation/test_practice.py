"""Practices tried, experiments started and finished, animator activity."""

from __future__ import annotations

from animation.practice import (
    AnimatorActivity,
    Experiments,
    PracticesTried,
    animator_activity,
    experiments,
    practices_tried,
)
from animation.records import Period
from tests.animation.sample import at, comment, member, move, post, react

WEEK = Period(at(0), at(7))


def test_practices_with_a_tried_it_follow_up() -> None:
    history = [
        post(1, 10, at(0), kind="practice"),
        react(2, 10, 1, at(1), "tried_it", kind="practice"),
        react(3, 10, 1, at(2), "tried_it", kind="practice"),
        react(4, 10, 1, at(1), "useful", kind="practice"),  # not a « tried_it »
        post(2, 11, at(1), kind="practice"),  # nobody tried it
        post(3, 12, at(1)),
        react(3, 12, 3, at(2), "tried_it"),  # an idea, not a practice
        react(5, 10, 1, at(8), "tried_it", kind="practice"),  # after the period
    ]
    # Practices 10, 11; tried: {10}; by {2, 3}.
    assert practices_tried(history, WEEK) == PracticesTried(2, 1, 2)
    assert practices_tried([], WEEK) == PracticesTried(0, 0, 0)


def test_experiments_started_and_finished_by_column() -> None:
    history = [
        move(1, 20, 1, at(1)),
        move(1, 20, 2, at(3)),  # 20: started and finished, counted once each
        move(2, 21, 1, at(2)),  # 21: started
        move(2, 22, 3, at(4)),  # 22: straight to « Bilan partagé »: both
        move(2, 23, 2, at(4), kind="idea"),  # not an experiment
        move(2, 24, 0, at(4)),  # back to « Proposée »: neither
        move(2, 25, 2, at(9)),  # after the period
    ]
    assert experiments(history, WEEK) == Experiments(3, 2)
    assert experiments([], WEEK) == Experiments(0, 0)


def test_animator_activity() -> None:
    members = [member(1, role="animator"), member(2)]
    history = [
        post(1, 30, at(0)),
        post(1, 31, at(1)),
        comment(1, 32, 2, at(1)),
        react(1, 32, 2, at(2)),
        post(2, 32, at(0)),  # a member's post is not a prompt
        post(1, 33, at(8)),  # after the period
    ]
    assert animator_activity(history, members, WEEK) == AnimatorActivity(2, 1, 1)


def test_animator_actions_count_prompts_replies_and_nudges_of_the_period() -> None:
    members = [member(1, role="animator"), member(2)]
    history = [post(1, 30, at(0)), comment(1, 31, 2, at(1)), react(1, 31, 2, at(2))]
    nudges = [at(3), at(6, 23), at(7), at(-1)]  # two within the week, one at its end, one before
    done = animator_activity(history, members, WEEK, nudges)
    assert done == AnimatorActivity(prompts=1, replies=1, reactions=1, nudges=2)
    assert done.actions == 4  # reactions are not actions
