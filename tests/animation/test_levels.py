"""Member levels: the floors, the pyramid's three tiers, promotion and slow demotion."""

from __future__ import annotations

from datetime import date, timedelta

from animation.levels import (
    DRIVING_FROM,
    REGULAR_FROM,
    Level,
    level_history,
    pyramid_level,
    raw_level,
)
from animation.participation import participation_pyramid
from animation.records import Period
from tests.animation.sample import T0, at, member, post


def days(*offsets: int) -> list[date]:
    return [T0.date() + timedelta(days=d) for d in offsets]


def test_raw_level_floors() -> None:
    levels = [raw_level(n) for n in (0, 1, 3, 4, 11, 12)]
    assert levels == [
        Level.reader,
        Level.occasional,
        Level.occasional,
        Level.regular,
        Level.regular,
        Level.driving_force,
    ]


def test_promotion_is_immediate_and_demotion_slow() -> None:
    history = [post(2, n, at(0, n)) for n in range(4)]
    levels = dict(level_history(history, member(2, at(0)), at(100)))
    # Day 0: 4 contributions → regular at once. They leave the 30-day window on day 30;
    # 28 days below later (day 57) one step down, 28 more (day 85) another.
    assert levels[T0.date()] == Level.regular
    assert levels[days(29)[0]] == Level.regular
    assert levels[days(56)[0]] == Level.regular
    assert levels[days(57)[0]] == Level.occasional
    assert levels[days(84)[0]] == Level.occasional
    assert levels[days(85)[0]] == Level.reader


def test_level_does_not_flap_around_a_floor() -> None:
    # 4 contributions (regular), one leaves the window (3: occasional earned) for ten days,
    # then a new one (4 again): the member stays regular all along.
    history = [post(2, 0, at(0)), *[post(2, n, at(10, n)) for n in range(1, 4)]]
    history.append(post(2, 9, at(40)))
    levels = [level for _, level in level_history(history, member(2, at(0)), at(45))]
    assert levels[10:46] == [Level.regular] * 36


def test_the_pyramid_counts_a_driving_force_as_regular() -> None:
    tiers = [pyramid_level(n) for n in (0, 1, 3, 4, 11, 12, 40)]
    assert tiers == [Level.reader, Level.occasional, Level.occasional] + [Level.regular] * 4


def test_the_pyramid_and_the_levels_share_their_floors() -> None:
    # One collective, one period: members with 0, 3, 4 and 12 contributions in it.
    members = [member(2), member(3), member(4), member(5)]
    counts = {2: 0, 3: REGULAR_FROM - 1, 4: REGULAR_FROM, 5: DRIVING_FROM}
    history = [
        post(who, 100 * who + n, at(1, n % 24)) for who, c in counts.items() for n in range(c)
    ]
    pyramid = participation_pyramid(history, members, Period(at(0), at(30)))
    assert (pyramid.readers, pyramid.occasional, pyramid.regular) == (1, 1, 2)
    assert [raw_level(c) for c in counts.values()] == list(Level)
