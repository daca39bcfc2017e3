"""The report for funders over a period, as data: participation (meetings attended, online
activity), the animation indicators and their trend per month. ``format=json`` answers it as
is; ``animation.report.csv`` and ``animation.report.html`` render it.

Animators get each member's row; observers (funders) get aggregates only — counts and
distributions, never a name (DESIGN.md: observers never see another member's data). Rows are
the collective's current participants (observers excluded); totals are the sums of the rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from animation.individual import ActionRecord, DiagnosticRecord, diagnostics_done, plan_progress
from animation.levels import LEVEL_FLOORS, REGULAR_FROM, Level, pyramid_level
from animation.load import Records, load_individual, load_records
from animation.participation import (
    PARIS,
    REFERENCE_PYRAMID,
    active_ids,
    concentration,
    heat_map,
    participation_pyramid,
)
from animation.periods import parse_period
from animation.practice import experiments, practices_tried
from animation.records import CONTRIBUTIONS, METRIC_CAUSES, Activity, Kind, Period
from animation.responses import (
    Answers,
    newcomer_reply_rate,
    questions_answered,
    time_to_first_response,
)
from server.core.errors import Forbidden
from server.core.models import (
    Attendance,
    Card,
    Collective,
    Meeting,
    Membership,
    Moderation,
    Role,
    User,
    Vote,
    VoteOption,
    utcnow,
)
from server.core.platform import Essaim
from server.domain.access import membership
from server.domain.diagnostics.needs import MIN_COMPANIES, NEED_TAG
from server.domain.views import iso, user_view

FORMATS = ("html", "csv", "json")
METHOD_LABELS = {
    "dot": "vote par points",
    "majority": "jugement majoritaire",
    "approval": "approbation",
    "score": "notes de 1 à 5",
    "consent": "consentement",
}


@dataclass(frozen=True)
class ReportDecision:
    """A vote closed within the period, as the report shows it: aggregates only (how many
    voted, out of how many could, and what won), never a ballot nor who cast it."""

    title: str
    method: str
    closed_on: date  # a Paris date
    voters: int
    eligible: int | None  # who could vote when it closed (None: not known)
    winners: tuple[str, ...]  # the labels of the winning options


@dataclass(frozen=True)
class ReportLine:
    """A line of the report's indicator table (a figure per month, then over the period).
    Not a health-panel indicator (``animation.health.Indicator``): no threshold, no action —
    funders read the trend."""

    key: str
    label: str
    unit: str  # "" (a count), "%", "h" or "" for an index
    metric: str  # the animation function it comes from (its causes in METRIC_CAUSES)


LINES = (
    ReportLine("active_members", "Membres actifs", "", "active_members"),
    ReportLine("contributions", "Contributions (fiches et commentaires)", "", "contributions"),
    ReportLine("reactions", "Réactions", "", "engaged_per_day"),
    ReportLine(
        "first_response_hours", "Délai médian de première réponse", "h", "time_to_first_response"
    ),
    ReportLine(
        "newcomer_reply_rate",
        "Premières contributions ayant reçu une réponse",
        "%",
        "newcomer_reply_rate",
    ),
    ReportLine("questions_answered", "Questions ayant reçu une réponse", "%", "questions_answered"),
    ReportLine("practices_tried", "Pratiques essayées", "", "practices_tried"),
    ReportLine("experiments_started", "Expérimentations lancées", "", "experiments"),
    ReportLine("gini", "Concentration des contributions (indice de Gini)", "", "concentration"),
    ReportLine("meetings", "Rencontres et ateliers tenus", "", "meetings"),
    ReportLine("attendance_rate", "Taux de présence aux rencontres", "%", "meetings"),
)
# Causes of the indicators that do not come from a tagged animation function.
EXTRA_CAUSES = {"contributions": ("I",), "meetings": ("P", "I")}
# Indexed by ``pyramid_level``: the floors of ``animation.levels``, in words.
LEVEL_LABELS = (
    "Lecteurs (aucune contribution)",
    f"Occasionnels ({LEVEL_FLOORS[Level.occasional]} à {REGULAR_FROM - 1})",
    f"Réguliers ({REGULAR_FROM} et plus)",
)
ROLE_LABELS = {Role.animator: "animateur", Role.member: "membre", Role.observer: "observateur"}


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), PARIS).astimezone(UTC)


def _months(start: date, end: date) -> list[tuple[str, date, date]]:
    """(``YYYY-MM``, first day, last day) of each month overlapping [start, end], clipped."""
    out = []
    first = start.replace(day=1)
    while first <= end:
        following = (first + timedelta(days=32)).replace(day=1)
        out.append((f"{first:%Y-%m}", max(first, start), min(following - timedelta(days=1), end)))
        first = following
    return out


async def report_data(
    essaim: Essaim, user: User, collective_id: int, raw_from: str | None, raw_to: str | None
) -> dict[str, Any]:
    """The report as data (also answered as ``format=json``)."""
    async with essaim.db.read() as session:
        member = await membership(session, user, collective_id)
        if member.role == Role.member:
            raise Forbidden("reports are for animators and observers (funders)")
        collective = await session.get(Collective, collective_id)
        assert collective is not None
        now = utcnow()
        # By default from the collective's start (else the last 90 days) to today.
        start, end = parse_period(
            raw_from, raw_to, now.astimezone(PARIS).date(), collective.starts_on
        )
        people = (
            await session.execute(
                select(Membership, User)
                .join(User, User.id == Membership.user_id)
                .where(Membership.collective_id == collective_id, Membership.role != Role.observer)
                .order_by(User.display_name, User.id)
            )
        ).all()
        meetings = list(
            await session.scalars(
                select(Meeting)
                .where(
                    Meeting.collective_id == collective_id,
                    Meeting.held_on >= start,
                    Meeting.held_on <= end,
                )
                .order_by(Meeting.held_on, Meeting.id)
            )
        )
        attendance = (
            await session.execute(
                select(Attendance.meeting_id, Attendance.user_id).where(
                    Attendance.meeting_id.in_([m.id for m in meetings])
                )
            )
        ).all()
        period = Period(_midnight(start), _midnight(end + timedelta(days=1)))
        decisions = await _decisions(session, collective_id, period)
        diagnostics, actions = await load_individual(session, collective_id, period.end)
        steps = await _need_steps(session, collective_id, period)
    records = await load_records(essaim, collective_id, until=period.end)
    # Pure computation over the whole history: off the event loop (see engagement.engagement).
    return await asyncio.to_thread(
        build_report,
        collective,
        member.role,
        start,
        end,
        now,
        [(m, u) for m, u in people],
        meetings,
        [(meeting_id, user_id) for meeting_id, user_id in attendance],
        records,
        decisions,
        Individual(diagnostics, actions, steps),
    )


async def _need_steps(session: AsyncSession, collective_id: int, period: Period) -> int:
    """The themes of the diagnostics made into a collective step within ``period``: the
    question cards the needs page writes carry a ``besoin-<theme>`` tag."""
    tags = await session.scalars(
        select(Card.tags).where(
            Card.collective_id == collective_id,
            Card.moderation == Moderation.published,
            Card.created_at >= period.start,
            Card.created_at < period.end,
            Card.kind == "question",
        )
    )
    return len({t for row in tags for t in row if t.startswith(NEED_TAG)})


async def _decisions(
    session: AsyncSession, collective_id: int, period: Period
) -> list[ReportDecision]:
    """The votes closed within ``period``, from their frozen results (aggregates only)."""
    votes = list(
        await session.scalars(
            select(Vote).where(
                Vote.collective_id == collective_id,
                Vote.result.is_not(None),
                Vote.closed_at >= period.start,
                Vote.closed_at < period.end,
            )
        )
    )
    labels: dict[int, str] = {}
    if votes:
        options = await session.scalars(
            select(VoteOption).where(VoteOption.vote_id.in_([v.id for v in votes]))
        )
        labels = {o.id: o.label for o in options}
    out = []
    for vote in votes:
        assert vote.result is not None and vote.closed_at is not None
        winners = [labels[i] for i in vote.result.get("winner", []) if i in labels]
        out.append(
            ReportDecision(
                title=vote.title,
                method=vote.method,
                closed_on=vote.closed_at.astimezone(PARIS).date(),
                voters=int(vote.result.get("turnout", 0)),
                eligible=None,  # who could vote is not kept at the close
                winners=tuple(winners),
            )
        )
    return out


def build_report(
    collective: Collective,
    role: str,
    start: date,
    end: date,
    now: datetime,
    people: Sequence[tuple[Membership, User]],
    meetings: list[Meeting],
    attendance: Sequence[tuple[int, int]],
    records: Records,
    decisions: Sequence[ReportDecision] = (),
    individual: Individual | None = None,
) -> dict[str, Any]:
    """The report from what ``report_data`` read: pure, so that it runs in a worker thread
    (and tests give it rows built by hand). ``start``/``end`` are inclusive Paris dates."""
    period = Period(_midnight(start), _midnight(end + timedelta(days=1)))
    ids = {m.user_id for m, _ in people}
    acts = [a for a in records.activities if a.actor_id in ids]
    in_period: dict[int, list[Activity]] = {}
    for a in acts:
        if a.at in period:
            in_period.setdefault(a.actor_id, []).append(a)
    attended: dict[int, set[int]] = {}
    for meeting_id, user_id in attendance:
        attended.setdefault(meeting_id, set()).add(user_id)

    rows = [_member_row(m, u, in_period.get(u.id, []), meetings, attended) for m, u in people]
    totals = {
        key: sum(int(r[key]) for r in rows)
        for key in ("meetings_attended", "cards", "comments", "reactions", "active_weeks")
    }
    pyramid = participation_pyramid(acts, records.members, period, REGULAR_FROM)
    concentrated = concentration(acts, records.members, period)
    observer = role == Role.observer
    return {
        "collective": {
            "id": collective.id,
            "name": collective.name,
            "territory": collective.territory,
            "theme": collective.theme,
            "funders": list(collective.funders),
        },
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "generated_at": iso(now),
        "audience": "observer" if observer else "animator",
        "summary": {
            "participants": len(rows),
            "active_members": len(active_ids(acts, records.members, period)),
            "meetings_held": len(meetings),
            "decisions": sum(1 for d in decisions if start <= d.closed_on <= end),
            **totals,
            "attendance_rate": _rate(totals["meetings_attended"], len(meetings) * len(rows)),
        },
        "members": None if observer else rows,
        "distribution": _distribution(rows),
        "meetings": [
            {
                "id": m.id,
                "title": m.title,
                "kind": m.kind,
                "held_on": m.held_on.isoformat(),
                "attendee_count": len(attended.get(m.id, set()) & ids),
            }
            for m in meetings
        ],
        "decisions": [
            {
                "title": d.title,
                "method": d.method,
                "method_label": METHOD_LABELS.get(d.method, d.method),
                "closed_on": d.closed_on.isoformat(),
                "voters": d.voters,
                "eligible": d.eligible,
                "turnout": _rate(d.voters, d.eligible or 0),
                "winners": list(d.winners),
            }
            for d in sorted(decisions, key=lambda d: (d.closed_on, d.title))
            if start <= d.closed_on <= end
        ],
        "individual": _individual(individual or Individual([], [], 0), period, observer),
        "indicators": _indicators(acts, records.members, start, end, meetings, attended, ids),
        "heat_map": heat_map(acts, period),
        "pyramid": {
            "readers": pyramid.readers,
            "occasional": pyramid.occasional,
            "regular": pyramid.regular,
            "shares": list(pyramid.shares) if pyramid.shares else None,
            "reference": list(REFERENCE_PYRAMID),
            "regular_from": REGULAR_FROM,
        },
        "concentration": {
            "gini": round(concentrated.gini, 3),
            "bus_factor": concentrated.bus_factor,
            "gini_without_animators": round(concentrated.gini_without_animators, 3),
            "bus_factor_without_animators": concentrated.bus_factor_without_animators,
        },
    }


@dataclass(frozen=True)
class Individual:
    """The individual phase, as the report reads it (aggregates: no company is named)."""

    diagnostics: Sequence[DiagnosticRecord]
    actions: Sequence[ActionRecord]
    need_steps: int  # themes of the needs made into a collective step within the period


def _individual(individual: Individual, period: Period, observer: bool) -> dict[str, Any] | None:
    """The individual phase's aggregates; for observers only from five companies (below, one
    company's figures would show), for animators always. None: not shown."""
    done = diagnostics_done(individual.diagnostics, period)
    if observer and done.companies < MIN_COMPANIES:
        return None
    progress = plan_progress(individual.actions, period)
    finished_in = sum(
        1 for d in individual.diagnostics if d.completed_at is not None and d.completed_at in period
    )
    return {
        "diagnostics_started": done.planned,
        "diagnostics_done": done.done,
        "diagnostics_done_in_period": finished_in,
        "companies_diagnosed": done.companies,
        "actions_planned": progress.actions,
        "actions_done": progress.done,
        "actions_overdue": progress.overdue,
        "actions_with_practices": progress.from_practices,
        "themes_addressed_collectively": individual.need_steps,
    }


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _member_row(
    m: Membership,
    u: User,
    mine: list[Activity],
    meetings: list[Meeting],
    attended: dict[int, set[int]],
) -> dict[str, Any]:
    weeks = {a.at.astimezone(PARIS).isocalendar()[:2] for a in mine}
    return {
        "user": user_view(u),
        "organisation": m.organisation,
        "role": m.role,
        "meetings_attended": sum(1 for x in meetings if u.id in attended.get(x.id, set())),
        "meetings_held": len(meetings),
        "cards": sum(1 for a in mine if a.kind is Kind.post),
        "comments": sum(1 for a in mine if a.kind is Kind.comment),
        "reactions": sum(1 for a in mine if a.kind is Kind.reaction),
        "active_weeks": len(weeks),
    }


def _bucket(value: int, edges: tuple[tuple[str, int, int], ...]) -> str:
    return next(label for label, low, high in edges if low <= value <= high)


MEETING_BUCKETS = (("0", 0, 0), ("1", 1, 1), ("2", 2, 2), ("3 et plus", 3, 10**9))
WEEK_BUCKETS = (("0", 0, 0), ("1 à 2", 1, 2), ("3 à 5", 3, 5), ("6 et plus", 6, 10**9))


def _distribution(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """How many participants fall in each bracket: what observers see instead of names."""
    out: dict[str, dict[str, int]] = {
        "meetings_attended": {label: 0 for label, _, _ in MEETING_BUCKETS},
        "active_weeks": {label: 0 for label, _, _ in WEEK_BUCKETS},
        "contributions": {label: 0 for label in LEVEL_LABELS},
    }
    for r in rows:
        out["meetings_attended"][_bucket(r["meetings_attended"], MEETING_BUCKETS)] += 1
        out["active_weeks"][_bucket(r["active_weeks"], WEEK_BUCKETS)] += 1
        out["contributions"][LEVEL_LABELS[pyramid_level(r["cards"] + r["comments"])]] += 1
    return out


def _indicators(
    acts: list[Activity],
    members: Any,
    start: date,
    end: date,
    meetings: list[Meeting],
    attended: dict[int, set[int]],
    ids: set[int],
) -> list[dict[str, Any]]:
    months = _months(start, end)
    columns = [(label, first, last) for label, first, last in months] + [("period", start, end)]
    values: dict[str, list[float | None]] = {i.key: [] for i in LINES}
    answers = Answers.of(acts)  # read once for every month
    for _, first, last in columns:
        window = Period(_midnight(first), _midnight(last + timedelta(days=1)))
        held = [m for m in meetings if first <= m.held_on <= last]
        came = sum(len(attended.get(m.id, set()) & ids) for m in held)
        answered = questions_answered(acts, window, answers=answers)
        newcomers = newcomer_reply_rate(acts, window, answers=answers)
        figures: dict[str, float | None] = {
            "active_members": len(active_ids(acts, members, window)),
            "contributions": sum(1 for a in acts if a.kind in CONTRIBUTIONS and a.at in window),
            "reactions": sum(1 for a in acts if a.kind is Kind.reaction and a.at in window),
            "first_response_hours": _round(
                time_to_first_response(acts, window, answers=answers).median_hours
            ),
            "newcomer_reply_rate": _round(newcomers.rate, 3),
            "questions_answered": _round(answered.share, 3),
            "practices_tried": practices_tried(acts, window).tried,
            "experiments_started": experiments(acts, window).started,
            "gini": _round(concentration(acts, members, window).gini, 3),
            "meetings": len(held),
            "attendance_rate": _rate(came, len(held) * len(ids)),
        }
        for key, value in figures.items():
            values[key].append(value)
    return [
        {
            "key": i.key,
            "label": i.label,
            "unit": i.unit,
            "causes": [str(c) for c in METRIC_CAUSES.get(i.metric, ())]
            or list(EXTRA_CAUSES.get(i.metric, ())),
            "months": [
                {"month": label, "value": value}
                for (label, _, _), value in zip(months, values[i.key], strict=False)
            ],
            "value": values[i.key][-1],
        }
        for i in LINES
    ]


def _round(value: float | None, digits: int = 1) -> float | None:
    return round(value, digits) if value is not None else None
