"""The health panel: weekly windows, trouble on the right side of each threshold, and the
indicators of each cause computed by hand on small fixtures."""

from __future__ import annotations

from animation.alerts import Thresholds
from animation.health import INDICATORS, Inputs, health_panel, in_trouble, weeks
from animation.records import BoardInfo, Cause, Period
from tests.animation.sample import at, comment, member, post, react


def test_weeks_cut_the_period_in_seven_day_windows() -> None:
    windows = weeks(Period(at(0), at(17)))
    assert [(w.start, w.end) for w in windows] == [
        (at(0), at(7)),
        (at(7), at(14)),
        (at(14), at(17)),
    ]


def test_in_trouble_follows_the_direction_and_needs_both_numbers() -> None:
    assert in_trouble(0.5, 0.8, "min") and not in_trouble(0.8, 0.8, "min")
    assert in_trouble(3, 0, "max") and not in_trouble(0, 0, "max")
    assert not in_trouble(None, 1, "min") and not in_trouble(1, None, "max")


def test_every_cause_has_indicators_with_unique_keys() -> None:
    assert {i.cause for i in INDICATORS} == set(Cause)
    assert len({i.key for i in INDICATORS}) == len(INDICATORS)


def test_panel_values_series_and_trouble() -> None:
    members = [member(1, role="animator"), member(2), member(3)]
    activities = [
        post(2, 10, at(0), kind="question"),
        comment(3, 10, 2, at(0, 6)),  # answered in 6 h
        post(3, 11, at(8)),  # never answered
        react(2, 12, 1, at(9), reaction="tried_it", kind="practice"),
        post(1, 12, at(1), kind="practice"),
    ]
    inputs = Inputs(
        activities,
        members,
        boards=[BoardInfo(1, at(-1))],
        thresholds=Thresholds(post_unanswered_hours=48),
    )
    panel = {g.cause: g for g in health_panel(inputs, Period(at(0), at(14)))}
    assert list(panel) == list(Cause)
    readings = {r.key: r for g in panel.values() for r in g.indicators}
    # First posts: 2's got a reply, the animator's and 3's did not: 1 of 3 (week 1: 1 of 2).
    assert readings["newcomer_reply_rate"].value == 0.333
    assert readings["newcomer_reply_rate"].in_trouble
    assert readings["newcomer_reply_rate"].series == [0.5, 0.0]
    assert readings["newcomer_reply_rate"].action == "welcome"
    assert panel[Cause.pedagogy].in_trouble
    # Knowledge: the one question was answered once.
    assert readings["questions_answered"].value == 1.0
    assert readings["answers_per_question"].value == 1.0
    assert not panel[Cause.knowledge].in_trouble
    # Animation: 6 h median, under half the 48 h threshold; two posts waited past it (the
    # practice, whose reaction is no reply, in week 1; 3's in week 2).
    first = readings["first_response_median_h"]
    assert (first.value, first.threshold, first.in_trouble) == (6.0, 24.0, False)
    assert readings["unanswered_posts"].value == 2.0
    assert readings["unanswered_posts"].series == [1.0, 1.0]
    # Experimentation: one practice tried; no experiments board, so no threshold there.
    assert readings["practices_tried"].value == 1.0
    assert readings["experiments_started"].threshold is None
    assert not readings["experiments_started"].in_trouble


def test_members_silent_counts_whom_the_alert_names_by_either_test() -> None:
    # Member 2 comments every other day up to day 28 (the rhythm fixture of test_rhythm: the
    # rhythm test fires 8.84 days after the last comment, the DESIGN rule of 2 × 2 days with a
    # 14-day floor not before 14). Member 3 is new, the animator silent: neither counts.
    members = [member(1, role="animator"), member(2), member(3, joined=at(30))]
    activities = [comment(2, 1, 9, at(d, 12)) for d in range(0, 29, 2)]
    activities += [post(1, 9, at(-1)), post(3, 20, at(31))]
    inputs = Inputs(activities, members, boards=[BoardInfo(1, at(-1))], thresholds=Thresholds())

    def silent_at(day: float) -> float | None:
        found = {
            r.key: r
            for g in health_panel(inputs, Period(at(day - 7), at(day)))
            for r in g.indicators
        }
        return found["members_silent"].value

    assert silent_at(28.5 + 8.8) == 0.0
    assert silent_at(28.5 + 8.9) == 1.0  # the rhythm test alone
    assert silent_at(28.5 + 14.1) == 1.0  # both tests: counted once
    # Without the rhythm test (α = 0), only the DESIGN rule's 14 days count.
    inputs = Inputs(
        activities, members, boards=[BoardInfo(1, at(-1))], thresholds=Thresholds(rhythm_alpha=0)
    )
    assert silent_at(28.5 + 8.9) == 0.0
    assert silent_at(28.5 + 14.1) == 1.0
