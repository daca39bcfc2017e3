"""The individual phase in figures: diagnostics done against those planned, the progress of
the action plans, overdue actions, and practices tried from an action — for the health panel
(tagged with the failure causes) and the funder report (aggregates only, never a company).

Pure functions over records read once (``animation.load.load_individual``); a record holds no
answer and no action title: only what the figures need.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from animation.records import Cause, Period, diagnoses


@dataclass(frozen=True)
class DiagnosticRecord:
    company: str  # the company's key (server.domain.diagnostics.needs.company_key)
    created_at: datetime
    completed_at: datetime | None  # None: still a draft


@dataclass(frozen=True)
class ActionRecord:
    created_at: datetime
    status: str
    changed_at: datetime  # when its status last changed
    due_on: date | None
    theme_id: str | None
    practices: int  # linked cards that are practices


TODO, DOING, DONE, DROPPED = "todo", "doing", "done", "dropped"  # ActionStatus, as stored


def _status_at(action: ActionRecord, end: datetime) -> str:
    """Its status at ``end``: a change after ``end`` had not happened yet (then: planned)."""
    return action.status if action.changed_at < end else TODO


@dataclass(frozen=True)
class DiagnosticsDone:
    planned: int  # diagnostics started by the period's end
    done: int  # of which finished by then
    companies: int  # distinct companies diagnosed (finished), as the needs count them

    @property
    def share(self) -> float | None:
        return self.done / self.planned if self.planned else None


@diagnoses(Cause.pedagogy)
def diagnostics_done(diagnostics: Sequence[DiagnosticRecord], period: Period) -> DiagnosticsDone:
    started = [d for d in diagnostics if d.created_at < period.end]
    finished = [d for d in started if d.completed_at is not None and d.completed_at < period.end]
    return DiagnosticsDone(len(started), len(finished), len({d.company for d in finished}))


@dataclass(frozen=True)
class PlanProgress:
    actions: int  # planned by the period's end, abandoned ones excepted
    done: int
    overdue: int  # still to do or under way after their due date
    from_practices: int  # under way or done with a practice of the collective linked

    @property
    def share(self) -> float | None:
        return self.done / self.actions if self.actions else None


@diagnoses(Cause.experimentation, Cause.knowledge)
def plan_progress(actions: Sequence[ActionRecord], period: Period) -> PlanProgress:
    end = period.end
    current = [(a, _status_at(a, end)) for a in actions if a.created_at < end]
    kept = [(a, s) for a, s in current if s != DROPPED]
    return PlanProgress(
        actions=len(kept),
        done=sum(1 for _, s in kept if s == DONE),
        overdue=sum(
            1
            for a, s in kept
            if s in (TODO, DOING) and a.due_on is not None and a.due_on < end.date()
        ),
        from_practices=sum(1 for a, s in kept if a.practices and s in (DOING, DONE)),
    )


def themes_addressed(actions: Sequence[ActionRecord]) -> int:
    """The themes that have at least one action done (for the report)."""
    return len({a.theme_id for a in actions if a.theme_id and a.status == DONE})
