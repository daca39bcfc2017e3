"""Shared helpers of the metrics: percentiles, periods, and the failure-cause tags."""

from __future__ import annotations

from animation import (  # noqa: F401
    individual,
    members,
    onboarding,
    participation,
    practice,
    responses,
)
from animation.records import METRIC_CAUSES, Cause, Period, median, percentile
from tests.animation.sample import at


def test_percentile_is_nearest_rank() -> None:
    # p90 of 1..10: rank ceil(0.9 × 10) = 9 → 9; of [5]: 5; p50 of [1, 2, 3, 4]: rank 2 → 2.
    assert percentile([float(x) for x in range(10, 0, -1)], 90) == 9
    assert percentile([5.0], 90) == 5
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2
    assert percentile([], 90) is None


def test_median_averages_the_middle_pair() -> None:
    assert median([3.0, 1.0, 2.0]) == 2
    assert median([1.0, 2.0, 3.0, 10.0]) == 2.5
    assert median([]) is None


def test_period_is_half_open_and_lists_its_days() -> None:
    period = Period(at(0), at(2))
    assert at(0) in period and at(1.99) in period and at(2) not in period
    assert period.days() == [at(0), at(1)]
    assert Period(at(0, 12), at(1, 1)).days() == [at(0), at(1)]


def test_every_metric_names_the_causes_of_design_md() -> None:
    p, i, k, e, a = (
        Cause.pedagogy,
        Cause.involvement,
        Cause.knowledge,
        Cause.experimentation,
        Cause.animation,
    )
    assert METRIC_CAUSES == {
        "time_to_first_response": (a,),
        "unanswered_posts": (a,),
        "newcomer_reply_rate": (p, a),
        "questions_answered": (k,),
        "active_members": (i,),
        "engaged_per_day": (i,),
        "participation_pyramid": (i,),
        "concentration": (i, a),
        "cohort_retention": (p, i),
        "heat_map": (a,),
        "practices_tried": (e,),
        "experiments": (e,),
        "animator_activity": (a,),
        "onboarding_steps": (p,),
        "member_profiles": (i,),
        "silent_members": (i,),
        "diagnostics_done": (p,),
        "plan_progress": (e, k),
    }
