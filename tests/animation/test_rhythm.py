"""The rhythm test: a member's silence against the chance of it under their own habit, with
every figure computed by hand on small fixtures (α = 0.0005: ln α = −7.600902)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from animation.members import Habit, habit, rhythm_drops
from tests.animation.sample import T0, at, comment, member


def days(*offsets: int) -> list[date]:
    return [T0.date() + timedelta(days=d) for d in offsets]


def test_habit_of_a_regular_member() -> None:
    # Every other day, days 0 to 28: four whole weeks back from day 28 (day 0 is left out):
    # 28 26 24 22 | 20 18 16 | 14 12 10 8 | 6 4 2 → counts 4, 3, 4, 3: mean 3.5, variance
    # (4 × 0.25) / 3 = 1/3, dispersion 2/21 = 0.095, floored to 0.3; rate 14 / 28 = 0.5.
    found = habit(days(*range(0, 29, 2)))
    assert found == Habit(rate=0.5, dispersion=0.3, active_days=14, weeks=4)
    unfloored = habit(days(*range(0, 29, 2)), min_dispersion=0)
    assert unfloored is not None and unfloored.dispersion == pytest.approx(2 / 21)
    # No active day in 8 days: 0.3 ** (0.5 × 8 / 0.7) → ln = 4 / 0.7 × ln 0.3 = −6.8798.
    assert found.log_p_silent(8) == pytest.approx(4 / 0.7 * math.log(0.3))
    # α reached after ln α / (0.5 × ln 0.3 / 0.7) = −7.600902 / −0.859981 = 8.8385 days.
    assert found.days_to(0.0005) == pytest.approx(8.838458)


def test_habit_needs_history() -> None:
    assert habit([]) is None
    assert habit(days(*range(0, 20))) is None  # 19 days from the first to the latest: new
    assert habit(days(0, 14, 28, 42, 56, 70, 84)) is None  # 6 active days in the baseline
    assert habit(days(*range(0, 28))) is None  # 27 days of history
    assert habit(days(*range(0, 29))) == Habit(1.0, 0.3, 28, 4)
    # Seven days every week, no floor asked: variance 0, yet the dispersion stays 0.01.
    assert habit(days(*range(0, 29)), min_dispersion=0) == Habit(1.0, 0.01, 28, 4)


def test_poisson_at_dispersion_one() -> None:
    assert Habit(0.25, 1.0, 20, 12).log_p_silent(10) == pytest.approx(-2.5)
    assert Habit(0.25, 1.0, 20, 12).days_to(0.0005) == pytest.approx(7.600902 / 0.25)
    assert Habit(0.0, 1.0, 0, 12).days_to(0.0005) == math.inf


def test_habit_of_a_member_in_bursts() -> None:
    # Days 0–4, 28–32, 56–60, 84–88: twelve weeks back from day 88 hold three bursts of 5:
    # counts 5, 0, 0, 0 × 3 → mean 1.25, variance (3 × 3.75² + 9 × 1.25²) / 11 = 5.1136,
    # dispersion 4.0909; rate 15 / 84 = 0.17857.
    bursts = habit(days(*[d for k in range(4) for d in range(28 * k, 28 * k + 5)]))
    assert bursts is not None
    assert (bursts.weeks, bursts.active_days) == (12, 15)
    assert bursts.dispersion == pytest.approx(4.090909)
    assert bursts.rate == pytest.approx(15 / 84)
    # A 40-day pause: 4.0909 ** (0.17857 × 40 / −3.0909) = exp(−3.2556) = 0.0386 — usual
    # for them, where a Poisson habit of the same rate would give exp(−7.1429) = 0.00079.
    assert math.exp(bursts.log_p_silent(40)) == pytest.approx(0.038559, rel=1e-4)
    assert bursts.days_to(0.0005) == pytest.approx(93.38996, rel=1e-6)


def test_rhythm_drop_of_a_regular_member() -> None:
    history = [comment(2, 1, 9, at(d, 12)) for d in range(0, 29, 2)]  # the fixture above
    members = [member(2)]
    last = at(28, 12)
    assert rhythm_drops(history, members, last + timedelta(days=8.83)) == []
    (drop,) = rhythm_drops(history, members, last + timedelta(days=8.84))
    assert drop.user_id == 2 and drop.last_activity == last
    assert drop.threshold_days == pytest.approx(8.838458)
    assert drop.silent_days == pytest.approx(8.84)
    assert drop.expected_active_days == pytest.approx(0.5 * 8.84)
    assert drop.p_value == pytest.approx(0.3 ** (0.5 * 8.84 / 0.7))
    assert drop.usual_gap_days == 2
    # Per collective: α = 0 turns the test off; a stricter α waits longer.
    assert rhythm_drops(history, members, last + timedelta(days=9), alpha=0) == []
    assert rhythm_drops(history, members, last + timedelta(days=9), alpha=0.0001) == []


def test_rhythm_leaves_out_newcomers_lurkers_and_observers() -> None:
    members = [member(2), member(3), member(4, role="observer"), member(5)]
    history = [comment(2, 1, 9, at(d, 12)) for d in range(30, 50)]  # daily for 20 days
    history += [comment(3, 1, 9, at(d, 12)) for d in range(0, 85, 14)]  # 6 days in 12 weeks
    history += [comment(4, 1, 9, at(d, 12)) for d in range(0, 29, 2)]
    history += [comment(5, 1, 9, at(d, 12)) for d in range(0, 5)]  # a few days only
    assert rhythm_drops(history, members, at(120)) == []


def test_a_long_weekend_is_never_a_drop() -> None:
    # Active every day for four weeks: α is reached after ln α / (ln 0.3 / 0.7) = 4.42 days;
    # with a floor of 5 days, not before 5.
    history = [comment(2, 1, 9, at(d, 12)) for d in range(0, 29)]
    assert [d.user_id for d in rhythm_drops(history, [member(2)], at(33, 10))] == [2]
    assert rhythm_drops(history, [member(2)], at(33, 10), min_silence_days=5) == []


def test_cooldown_after_a_return() -> None:
    # Daily from day 0 to 40, back on day 50 (a 10-day pause), daily again to day 60.
    # Habit at day 60, eight weeks: counts 7, 4, 1, 7, 7, 7, 7, 7 → mean 5.875, variance
    # 34.875 / 7 = 4.982, dispersion 0.8480; rate 47 / 56 = 0.8393; α after 8.35 days.
    history = [comment(2, 1, 9, at(d, 12)) for d in (*range(0, 41), *range(50, 61))]
    members = [member(2)]
    found = habit(days(*range(0, 41), *range(50, 61)))
    assert found is not None and found.days_to(0.0005) == pytest.approx(8.349320)
    # The 10-day pause was itself a drop and ended on day 50: quiet until day 78.
    assert rhythm_drops(history, members, at(70)) == []
    assert rhythm_drops(history, members, at(77, 23)) == []
    assert [d.user_id for d in rhythm_drops(history, members, at(78))] == [2]
    assert [d.user_id for d in rhythm_drops(history, members, at(70), cooldown_days=0)] == [2]
