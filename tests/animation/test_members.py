"""Per-member figures: usual rhythm, profile, trend, silence against habit (levels:
``test_levels``)."""

from __future__ import annotations

from datetime import date, timedelta

from animation.levels import Level
from animation.members import member_profiles, silent_members, usual_gap_days
from tests.animation.sample import T0, at, comment, member, post, react


def days(*offsets: int) -> list[date]:
    return [T0.date() + timedelta(days=d) for d in offsets]


def test_usual_gap_needs_a_habit() -> None:
    assert usual_gap_days([]) is None
    assert usual_gap_days(days(0, 3, 30)) is None  # two gaps only
    assert usual_gap_days(days(1, 2, 4, 8)) is None  # three gaps but one week of history
    # Gaps 3, 3, 24, 3 over 33 days: the usual gap is the longest, 24.
    assert usual_gap_days(days(0, 3, 6, 30, 33)) == 24


def test_usual_gap_forgets_old_habits() -> None:
    # A 90-day gap ending on day 90, then every 5 days up to day 240: the old gap ends
    # more than 120 days before the latest day, so the habit is 5.
    assert usual_gap_days(days(0, 90, *range(95, 241, 5))) == 5


def test_silent_against_their_own_habit() -> None:
    members = [member(2), member(3), member(4, at(29)), member(5, role="observer")]
    history = [comment(2, 1, 9, at(d, 12)) for d in range(0, 31, 3)]  # every 3 days to day 30
    history += [comment(3, 1, 9, at(d, 12)) for d in range(0, 41, 10)]  # every 10 to day 40
    history += [post(4, 2, at(29, 12))]  # joined yesterday: no habit yet
    history += [comment(5, 1, 9, at(d)) for d in range(0, 31, 3)]
    # Member 2: gap 3 → max(2 × 3, 14) = 14 days after day 30 noon.
    assert silent_members(history, members, at(44, 11)) == []
    silent = silent_members(history, members, at(44, 12))
    assert [(s.user_id, s.usual_gap_days, s.threshold_days) for s in silent] == [(2, 3, 14)]
    # Member 3: gap 10 → 20 days after day 40 noon.
    assert [s.user_id for s in silent_members(history, members, at(60, 11))] == [2]
    assert [s.user_id for s in silent_members(history, members, at(60, 12))] == [2, 3]
    assert silent_members([], members, at(60)) == []


def test_member_profiles() -> None:
    members = [member(2, at(0)), member(3, at(0)), member(9, role="observer")]
    history = [
        post(2, 100, at(0)),
        post(3, 101, at(0, 1)),
        comment(2, 101, 3, at(1)),
        react(3, 100, 2, at(2)),
        react(2, 100, 2, at(3)),  # on one's own card: given, not received
    ]
    two, three = member_profiles(history, members, at(5))
    assert (two.user_id, two.last_activity, two.contributions, two.contributions_30d) == (
        2,
        at(3),
        2,
        2,
    )
    assert (two.reactions_given, two.reactions_received) == (1, 1)
    assert (two.level, two.trend, two.usual_gap_days) == (Level.occasional, "new", None)
    assert (three.contributions, three.reactions_given, three.reactions_received) == (1, 1, 0)


def test_member_trend() -> None:
    def trend(previous: int, recent: int) -> str:
        history = [post(2, n, at(-45, n)) for n in range(previous)]
        history += [post(2, 50 + n, at(-10, n)) for n in range(recent)]
        (profile,) = member_profiles(history, [member(2, at(-90))], at(0))
        return profile.trend

    # |recent − previous| against max(2, previous / 2).
    assert trend(2, 6) == "rising"
    assert trend(4, 3) == "steady"
    assert trend(4, 0) == "falling"
