"""Alert rules: each fires at its threshold, not just under it, and resolves by itself."""

from __future__ import annotations

from datetime import timedelta

import pytest

from animation.alerts import (
    Action,
    Alert,
    Rule,
    Subject,
    Thresholds,
    evaluate,
    member_silent_alerts,
)
from animation.records import Activity, BoardInfo, Cause
from tests.animation.sample import at, comment, member, post

MEMBERS = [member(1, role="animator"), member(2), member(3), member(4), member(5)]


def rules(alerts: list[Alert]) -> list[tuple[str, str, int]]:
    return sorted(a.key for a in alerts)


def test_newcomer_first_post_unanswered_24_hours() -> None:
    history = [post(2, 10, at(0))]
    assert evaluate(history, MEMBERS, [], at(0, 23.9)) == []
    (alert,) = evaluate(history, MEMBERS, [], at(1))
    assert alert == Alert(
        Rule.newcomer_unanswered,
        Subject("card", 10),
        at(1),
        (Cause.pedagogy, Cause.animation),
        (Action.welcome, Action.pin),
        {"hours_waiting": 24.0, "threshold_hours": 24.0},
    )
    # The author's own comment changes nothing; someone else's resolves it.
    history.append(comment(2, 10, 2, at(1, 2)))
    assert rules(evaluate(history, MEMBERS, [], at(1, 3))) == [alert.key]
    history.append(comment(3, 10, 2, at(1, 4)))
    assert evaluate(history, MEMBERS, [], at(1, 5)) == []


def test_an_animators_first_post_is_not_a_newcomers() -> None:
    assert evaluate([post(1, 10, at(0))], MEMBERS, [], at(1)) == []
    assert rules(evaluate([post(1, 10, at(0))], MEMBERS, [], at(2))) == [
        ("post_unanswered", "card", 10)
    ]


def test_any_post_unanswered_48_hours() -> None:
    history = [post(2, 9, at(-10)), comment(3, 9, 2, at(-9)), post(2, 10, at(0))]
    assert evaluate(history, MEMBERS, [], at(1.99)) == []  # not a first post: 48 h
    (alert,) = evaluate(history, MEMBERS, [], at(2))
    assert (alert.rule, alert.subject, alert.actions) == (
        Rule.post_unanswered,
        Subject("card", 10),
        (Action.pin, Action.nudge),
    )
    assert alert.evidence == {"hours_waiting": 48.0, "threshold_hours": 48.0}
    # Past the horizon (30 days) the alert stops: nobody can act on it any more.
    assert evaluate(history, MEMBERS, [], at(30.5)) == []


def test_thresholds_are_per_collective() -> None:
    history = [post(2, 10, at(0))]
    quick = Thresholds(newcomer_unanswered_hours=2)
    assert evaluate(history, MEMBERS, [], at(0, 1.9), quick) == []
    assert rules(evaluate(history, MEMBERS, [], at(0, 2), quick)) == [
        ("newcomer_unanswered", "card", 10)
    ]


def test_member_silent_against_their_habit() -> None:
    # Member 2 replies every 3 days to day 30 (usual gap 3 → threshold max(6, 14) = 14).
    history = [post(3, 1, at(-1)), *[comment(2, 1, 3, at(d, 12)) for d in range(0, 31, 3)]]
    design_only = Thresholds(rhythm_alpha=0)
    assert evaluate(history, MEMBERS, [], at(44, 11), design_only) == []
    (alert,) = evaluate(history, MEMBERS, [], at(44, 12), design_only)
    assert (alert.rule, alert.subject, alert.actions) == (
        Rule.member_silent,
        Subject("member", 2),
        (Action.nudge,),
    )
    assert alert.evidence == {"silent_days": 14.0, "usual_gap_days": 3.0, "threshold_days": 14.0}
    assert alert.since == at(44, 12)
    history.append(post(2, 2, at(45)))  # back: resolved (and the new post is not yet 48 h old)
    assert evaluate(history, MEMBERS, [], at(45, 1)) == []
    # The same habit on the animator raises nothing: animators are not nudged.
    animator = [post(3, 1, at(-1)), *[comment(1, 1, 3, at(d, 12)) for d in range(0, 31, 3)]]
    assert evaluate(animator, MEMBERS, [], at(50)) == []


def test_member_silent_by_the_rhythm_test() -> None:
    # The same member with the default thresholds. Habit, four weeks back from day 30:
    # 30 27 24 | 21 18 | 15 12 | 9 6 3 → 10 active days, rate 10 / 28, dispersion floored to
    # 0.3: α = 0.0005 is reached after ln α / (10 / 28 × ln 0.3 / 0.7) = 12.374 days, before
    # the 14 days of the silence rule; same rule name, same action, more evidence.
    history = [post(3, 1, at(-1)), *[comment(2, 1, 3, at(d, 12)) for d in range(0, 31, 3)]]
    assert evaluate(history, MEMBERS, [], at(42, 20.9)) == []
    (alert,) = evaluate(history, MEMBERS, [], at(43))
    assert (alert.rule, alert.subject, alert.actions) == (
        Rule.member_silent,
        Subject("member", 2),
        (Action.nudge,),
    )
    assert (alert.since - at(30, 12)) / timedelta(days=1) == pytest.approx(12.373842)
    silent = 12.5
    assert alert.evidence == {
        "silent_days": silent,
        "usual_gap_days": 3.0,
        "threshold_days": 12.4,
        "p_value": float(f"{0.3 ** (10 / 28 * silent / 0.7):.2g}"),  # 0.00046
        "expected_active_days": round(10 / 28 * silent, 1),  # 4.5
        "active_days_per_week": 2.5,
        "rhythm_threshold_days": 12.4,
    }
    # At 14 days both rules hold: one alert, since the earlier threshold.
    (later,) = evaluate(history, MEMBERS, [], at(44, 12))
    assert later.since == alert.since and later.evidence["threshold_days"] == 12.4
    assert member_silent_alerts(history, MEMBERS, at(44, 12)) == [later]


def test_board_stalled_14_days() -> None:
    boards = [
        BoardInfo(1, at(-20)),
        BoardInfo(2, at(0, 1)),  # never used: idle since its creation
        BoardInfo(3, at(-20), archived=True),
    ]
    history = [post(1, 10, at(0)), comment(3, 10, 1, at(0, 1))]
    assert evaluate(history, MEMBERS, boards, at(14, 0.9)) == []
    alerts = evaluate(history, MEMBERS, boards, at(14, 1))
    assert rules(alerts) == [("board_stalled", "board", 1), ("board_stalled", "board", 2)]
    assert all(a.actions == (Action.prompt,) for a in alerts)
    history.append(post(3, 11, at(15), board=1))
    assert rules(evaluate(history, MEMBERS, boards, at(15, 1))) == [("board_stalled", "board", 2)]


def test_half_of_contributions_by_one_person() -> None:
    def history(mine: int, others: int) -> list[Activity]:
        made = [post(2, n, at(0, n)) for n in range(mine)]
        made += [comment(3 + n % 3, 0, 2, at(1, n)) for n in range(others)]
        return made

    def concentrated(mine: int, others: int) -> list[Alert]:
        alerts = evaluate(history(mine, others), MEMBERS, [], at(2))
        return [a for a in alerts if a.rule is Rule.contributions_concentrated]

    # 5 of 10: exactly half → fires; 5 of 11 (0.45) does not; 9 of 9: too few to judge.
    (alert,) = concentrated(5, 5)
    assert alert.subject == Subject("member", 2)
    assert alert.evidence == {"share": 0.5, "contributions": 5, "total": 10}
    assert concentrated(5, 6) == []
    assert concentrated(9, 0) == []
    # Thirty days later, out of the window: resolved.
    assert evaluate(history(5, 5), MEMBERS, [], at(32)) == []


def test_empty_collective_raises_nothing() -> None:
    assert evaluate([], [], [], at(0)) == []
    assert evaluate([], [member(2, at(-1))], [], at(0)) == []
