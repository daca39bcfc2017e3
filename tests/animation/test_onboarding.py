"""Onboarding steps counted by hand on a small collective."""

from __future__ import annotations

from animation.onboarding import STEPS, onboarding_steps
from animation.records import Visit
from tests.animation.sample import at, comment, member, post, react


def test_steps_done_by_members_only_and_before_the_moment() -> None:
    members = [
        member(1, role="animator"),
        member(2),
        member(3),
        member(4),
        member(5, role="observer"),
        member(6, joined=at(20)),  # joins after the moment: not counted
    ]
    activities = [
        post(1, 10, at(0)),  # the animator's steps do not count
        post(2, 11, at(1)),
        comment(3, 11, 2, at(2)),
        react(4, 11, 2, at(3)),
        post(3, 12, at(30)),  # after the moment
    ]
    visits = [Visit(at(0.5), 4), Visit(at(0.5), 5)]
    result = onboarding_steps(activities, members, at(10), visits, profiled={1, 2, 3})
    assert result.members == 3
    assert result.steps == {"profile": 2, "visited": 3, "reacted": 1, "commented": 1, "posted": 1}
    assert result.share == 8 / (3 * len(STEPS))


def test_no_members_no_share() -> None:
    assert onboarding_steps([], [member(1, role="animator")], at(1)).share is None
