"""The individual phase in figures (pure): diagnostics finished of those started, plans carried
out, overdue actions and practices put to use, at any week's end; and the health panel's
indicators, which apply only once the phase has begun."""

from __future__ import annotations

from datetime import timedelta

from animation.health import Inputs, health_panel
from animation.individual import (
    ActionRecord,
    DiagnosticRecord,
    diagnostics_done,
    plan_progress,
    themes_addressed,
)
from animation.records import Cause, Period
from tests.animation.sample import at


def test_diagnostics_done_counts_what_was_finished_by_the_period_s_end() -> None:
    records = [
        DiagnosticRecord("a", at(0), at(3)),
        DiagnosticRecord("b", at(1), None),
        DiagnosticRecord("a", at(5), at(6)),  # the same company again
        DiagnosticRecord("c", at(20), at(21)),  # after the period
    ]
    done = diagnostics_done(records, Period(at(0), at(10)))
    assert (done.planned, done.done, done.companies) == (3, 2, 1)
    assert done.share == 2 / 3
    early = diagnostics_done(records, Period(at(0), at(2)))
    assert (early.planned, early.done, early.share) == (2, 0, 0.0)
    assert diagnostics_done([], Period(at(0), at(2))).share is None


def test_plan_progress_reads_each_action_as_it_stood_at_the_end() -> None:
    day = at(0).date()
    actions = [
        ActionRecord(at(0), "done", at(4), day + timedelta(days=3), "export", 1),
        ActionRecord(at(0), "doing", at(1), day + timedelta(days=2), "export", 0),
        ActionRecord(at(0), "todo", at(0), None, "finance", 0),
        ActionRecord(at(0), "dropped", at(2), day + timedelta(days=1), "rh", 0),
        ActionRecord(at(30), "todo", at(30), None, None, 0),  # planned later
    ]
    now = plan_progress(actions, Period(at(0), at(10)))
    assert (now.actions, now.done, now.overdue, now.from_practices) == (3, 1, 1, 1)
    assert now.share == 1 / 3
    # At day 2 the first was not done yet, nor the fourth dropped: 4 planned, none overdue on
    # that day (the day-1 one counts from day 2 on: due before the end's date).
    then = plan_progress(actions, Period(at(0), at(2)))
    assert (then.actions, then.done, then.overdue, then.from_practices) == (4, 0, 1, 0)
    assert themes_addressed(actions) == 1


def test_the_panel_shows_the_phase_once_it_has_begun() -> None:
    period = Period(at(0), at(14))
    quiet = {r.key: r for g in health_panel(Inputs([], []), period) for r in g.indicators}
    for key in ("diagnostics_done", "action_plan_progress", "actions_overdue"):
        assert quiet[key].threshold is None and not quiet[key].in_trouble, key
    inputs = Inputs(
        [],
        [],
        diagnostics=[DiagnosticRecord("a", at(0), at(2)), DiagnosticRecord("b", at(0), None)],
        actions=[ActionRecord(at(1), "todo", at(1), at(3).date(), "export", 0)],
    )
    groups = {g.cause: g for g in health_panel(inputs, period)}
    readings = {r.key: r for g in groups.values() for r in g.indicators}
    assert readings["diagnostics_done"].value == 0.5 and readings["diagnostics_done"].in_trouble
    assert readings["actions_overdue"].value == 1.0 and readings["actions_overdue"].in_trouble
    assert readings["action_plan_progress"].value == 0.0
    assert readings["practices_from_actions"].in_trouble
    assert "diagnostics_done" in [r.key for r in groups[Cause.pedagogy].indicators]
    assert "practices_from_actions" in [r.key for r in groups[Cause.knowledge].indicators]
    assert len(readings["diagnostics_done"].series) == 2
