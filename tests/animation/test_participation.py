"""Active members, engaged per day, pyramid, Gini and bus factor, cohorts, heat map."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from animation.participation import (
    ActiveMembers,
    Pyramid,
    active_members,
    bus_factor,
    cohort_retention,
    concentration,
    engaged_per_day,
    gini,
    heat_map,
    participation_pyramid,
)
from animation.records import Period, Visit
from tests.animation.sample import at, comment, member, post, react

MEMBERS = [member(1, role="animator"), member(2), member(3), member(4), member(5, role="observer")]


def test_weekly_and_monthly_active_members() -> None:
    history = [
        react(1, 9, 2, at(25)),  # in the week before day 30 (from day 23)
        comment(2, 9, 1, at(29)),
        post(3, 10, at(10)),  # in the month only
        post(4, 11, at(-5)),  # before the month
        post(5, 12, at(29)),  # observers do not count
    ]
    # Week {1, 2}, month {1, 2, 3}: 2 / 3.
    assert active_members(history, MEMBERS, at(30)) == ActiveMembers(2, 3, 2 / 3)
    # A visit (once recorded) makes member 4 active, in the week and the month: 3 / 4.
    visits = [Visit(at(28), 4)]
    assert active_members(history, MEMBERS, at(30), visits) == ActiveMembers(3, 4, 0.75)
    assert active_members([], MEMBERS, at(30)) == ActiveMembers(0, 0, None)


def test_engaged_members_per_day() -> None:
    history = [post(2, 1, at(0, 9)), react(3, 1, 2, at(0, 10)), post(5, 2, at(0, 11))]
    history += [comment(2, 1, 2, at(2, 8)), comment(2, 1, 2, at(2, 9))]
    # Day 0: {2, 3} (5 observes); day 1: nobody; day 2: {2} twice.
    assert engaged_per_day(history, MEMBERS, Period(at(0), at(3))) == [
        (at(0), 2),
        (at(1), 0),
        (at(2), 1),
    ]


def test_participation_pyramid_against_90_9_1() -> None:
    history = [post(1, n, at(0, n)) for n in range(5)]
    history += [comment(2, 0, 1, at(1)), comment(2, 1, 1, at(1, 1))]
    history += [react(3, 0, 1, at(1))]  # a reaction alone keeps 3 a reader
    # 1: 5 (regular, ≥ 4), 2: 2 (occasional), 3 and 4: 0 (readers) → 2, 1, 1 of 4.
    pyramid = participation_pyramid(history, MEMBERS, Period(at(0), at(7)))
    assert pyramid == Pyramid(2, 1, 1, (0.5, 0.25, 0.25))
    assert pyramid.reference == (0.90, 0.09, 0.01)
    # Once visits exist, a silent member who did not come is absent, not a reader.
    visited = participation_pyramid(
        history, MEMBERS, Period(at(0), at(7)), visits=[Visit(at(2), 3), Visit(at(9), 4)]
    )
    assert visited == Pyramid(1, 1, 1, (1 / 3, 1 / 3, 1 / 3), absent=1)
    assert participation_pyramid([], [], Period(at(0), at(7))).shares is None


def test_gini_with_small_group_correction() -> None:
    assert gini([1, 1, 1, 1]) == 0
    # [0, 0, 0, 4]: Σ i·x = 4·4 = 16; 2·16 / (4·4) − 5/4 = 0.75; × 4/3 = 1.
    assert gini([4, 0, 0, 0]) == pytest.approx(1.0)
    # [1, 3]: Σ|xi − xj| / (2 n² μ) = 4 / 16 = 0.25; × 2/1 = 0.5.
    assert gini([3, 1]) == pytest.approx(0.5)
    assert gini([5]) == 0 and gini([]) == 0 and gini([0, 0]) == 0


def test_bus_factor() -> None:
    assert bus_factor([5, 2, 0, 0]) == 1  # 5 ≥ 7 / 2
    assert bus_factor([2, 3, 2, 3]) == 2  # 3 + 3 = 6 ≥ 5
    assert bus_factor([1, 1, 1, 1]) == 2  # ties: any two make half
    assert bus_factor([]) == 0 and bus_factor([0, 0]) == 0


def test_concentration_with_and_without_the_animator() -> None:
    history = [post(1, n, at(0, n)) for n in range(5)]
    history += [comment(2, 0, 1, at(1)), comment(2, 1, 1, at(1, 1))]
    # With: [0, 0, 2, 5]: Σ i·x = 3·2 + 4·5 = 26; 52/28 − 5/4 = 0.607…; × 4/3 = 0.8095…
    # Without the animator: [0, 0, 2]: 2·6 / 6 − 4/3 = 2/3; × 3/2 = 1; bus factor 1.
    result = concentration(history, MEMBERS, Period(at(0), at(7)))
    assert result.gini == pytest.approx(0.8095238) and result.bus_factor == 1
    assert result.gini_without_animators == pytest.approx(1.0)
    assert result.bus_factor_without_animators == 1


def test_cohort_retention_by_join_month() -> None:
    def day(month: int, d: int) -> datetime:
        return datetime(2026, month, d, 12, tzinfo=UTC)

    members = [
        member(1, day(1, 10)),
        member(2, day(1, 20)),
        member(3, day(2, 5)),
        member(4, day(3, 14)),  # joined yesterday, did nothing yet
        member(9, day(1, 2), role="observer"),
    ]
    history = [
        post(1, 1, day(1, 11)),
        post(1, 2, day(3, 1)),
        post(2, 3, day(2, 3)),
        comment(3, 3, 2, day(2, 6)),
        react(3, 1, 1, day(3, 2)),
        post(2, 4, day(3, 16)),  # after "now": ignored
    ]
    # January (1, 2): Jan {1} ½, Feb {2} ½, Mar {1} ½. February (3): 1, 1. March (4): 0.
    assert cohort_retention(history, members, day(3, 15)) == {
        "2026-01": [0.5, 0.5, 0.5],
        "2026-02": [1.0, 1.0],
        "2026-03": [0.0],
    }
    assert cohort_retention([], [], day(3, 15)) == {}


def test_heat_map_by_local_weekday_and_hour() -> None:
    history = [post(1, 1, at(0, 9.5)), post(1, 2, at(6, 23.5)), post(1, 3, at(8))]
    week = Period(at(0), at(7))
    in_utc = heat_map(history, week, tz=UTC)
    assert in_utc[0][9] == 1 and in_utc[6][23] == 1 and sum(map(sum, in_utc)) == 2
    # Paris is UTC+1 in early March: Monday 10 h, and Sunday 23:30 UTC is Monday 0:30.
    paris = heat_map(history, week)
    assert paris[0][10] == 1 and paris[0][0] == 1 and sum(map(sum, paris)) == 2
    assert len(paris) == 7 and all(len(row) == 24 for row in paris)
