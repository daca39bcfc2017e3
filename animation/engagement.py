"""Engagement figures of a collective: the health panel, every metric of the animation module,
and one row per member — animators see everything, observers the aggregates, a member their
own row only (DESIGN.md, "Animation module")."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import mean
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from animation.alerts import member_silent_alerts
from animation.health import Inputs, health_panel
from animation.levels import DRIVING_FROM, LEVEL_NAMES
from animation.load import Records, load_individual, load_records
from animation.members import MemberProfile, member_profiles
from animation.onboarding import onboarding_steps
from animation.participation import (
    active_members,
    cohort_retention,
    concentration,
    contributions,
    engaged_per_day,
    heat_map,
    participation_pyramid,
)
from animation.periods import parse_period
from animation.practice import animator_activity, experiments, practices_tried
from animation.records import METRIC_CAUSES, Period
from animation.responses import (
    newcomer_reply_rate,
    questions_answered,
    time_to_first_response,
    unanswered_posts,
)
from animation.thresholds import thresholds_of
from server.core.errors import Forbidden
from server.core.models import Membership, Nudge, Role, User, utcnow
from server.core.platform import Essaim
from server.domain.access import membership
from server.domain.views import iso, user_view

WEEKLY_WEEKS = 12


# ---------------------------------------------------------------- the period


@dataclass(frozen=True)
class Window:
    first: date
    last: date  # inclusive

    @property
    def period(self) -> Period:
        start = datetime.combine(self.first, time(), UTC)
        return Period(start, datetime.combine(self.last + timedelta(days=1), time(), UTC))

    def view(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def parse_window(raw_from: str | None, raw_to: str | None, today: date) -> Window:
    """``from``/``to`` (``periods.parse_period``); by default the last 90 days."""
    return Window(*parse_period(raw_from, raw_to, today))


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class Scene:
    """What the figures are computed from, at ``at`` (the period's end, or now)."""

    records: Records
    memberships: dict[int, tuple[Membership, User]]
    nudges: list[datetime]
    inputs: Inputs
    at: datetime


async def _scene(essaim: Essaim, session: AsyncSession, collective_id: int, end: datetime) -> Scene:
    at = min(end, utcnow())
    records = await load_records(essaim, collective_id, at)
    rows = await session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.collective_id == collective_id)
    )
    memberships = {m.user_id: (m, u) for m, u in rows}
    nudges = list(
        await session.scalars(
            select(Nudge.created_at).where(
                Nudge.collective_id == collective_id, Nudge.created_at < at
            )
        )
    )
    thresholds = await thresholds_of(session, collective_id)
    profiled = {uid for uid, (m, _) in memberships.items() if m.organisation or m.trade}
    diagnostics, actions = await load_individual(session, collective_id, at)
    inputs = Inputs(
        records.activities,
        records.members,
        records.boards,
        records.visits,
        nudges,
        profiled,
        thresholds,
        diagnostics,
        actions,
    )
    return Scene(records, memberships, nudges, inputs, at)


def _causes(function: str) -> list[str]:
    return [c.name for c in METRIC_CAUSES.get(function, ())]


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def metrics(scene: Scene, period: Period) -> dict[str, dict[str, Any]]:
    """Every metric of the animation module over ``period``, by key, with its details."""
    acts, members, visits = scene.inputs.activities, scene.inputs.members, scene.inputs.visits
    active = active_members(acts, members, scene.at, visits)
    per_day = engaged_per_day(acts, members, period)
    answers = scene.inputs.answers  # read once for the four below (and the health panel)
    times = time_to_first_response(acts, period, answers=answers)
    unanswered = unanswered_posts(acts, period, answers=answers)
    newcomers = newcomer_reply_rate(acts, period, answers=answers)
    questions = questions_answered(acts, period, answers=answers)
    pyramid = participation_pyramid(acts, members, period, visits=visits)
    counts = contributions(acts, members, period)
    # The pyramid's regulars split: a « force motrice » makes the driving level's floor
    # within the period.
    driving = sum(1 for c in counts.values() if c >= DRIVING_FROM)
    spread = concentration(acts, members, period)
    tried = practices_tried(acts, period)
    runs = experiments(acts, period)
    onboarding = onboarding_steps(acts, members, scene.at, visits, scene.inputs.profiled)
    animators = animator_activity(acts, members, period, scene.nudges)
    ref = pyramid.reference
    return {
        "wau": {"value": active.weekly, "causes": _causes("active_members")},
        "mau": {"value": active.monthly, "causes": _causes("active_members")},
        "wau_mau": {"value": _r(active.ratio), "causes": _causes("active_members")},
        "engaged_per_day": {
            "value": _r(mean(n for _, n in per_day)) if per_day else None,
            "days": [{"date": d.date().isoformat(), "count": n} for d, n in per_day],
            "causes": _causes("engaged_per_day"),
        },
        "first_response_median_h": {
            "value": _r(times.median_hours, 1),
            "posts": times.posts,
            "answered": times.answered,
            "causes": _causes("time_to_first_response"),
        },
        "first_response_p90_h": {
            "value": _r(times.p90_hours, 1),
            "posts": times.posts,
            "answered": times.answered,
            "causes": _causes("time_to_first_response"),
        },
        "unanswered_posts": {
            "value": len(unanswered),
            "posts": times.posts,
            "card_ids": unanswered,
            "causes": _causes("unanswered_posts"),
        },
        "newcomer_reply_rate": {
            "value": _r(newcomers.rate),
            "first_posts": newcomers.first_posts,
            "replied": newcomers.replied,
            "causes": _causes("newcomer_reply_rate"),
        },
        "questions_answered": {
            "value": _r(questions.share),
            "questions": questions.questions,
            "answered": questions.answered,
            "causes": _causes("questions_answered"),
        },
        "answers_per_question": {
            "value": _r(questions.answers_per_question),
            "questions": questions.questions,
            "causes": _causes("questions_answered"),
        },
        "pyramid": {
            "readers": pyramid.readers,
            "occasional": pyramid.occasional,
            "regular": pyramid.regular - driving,
            "driving": driving,
            "absent": pyramid.absent,
            "shares": None
            if pyramid.shares is None
            else dict(
                zip(("readers", "occasional", "regular"), map(_r, pyramid.shares), strict=True)
            ),
            "reference": {"readers": ref[0], "occasional": ref[1], "regular": ref[2]},
            "causes": _causes("participation_pyramid"),
        },
        "gini": {
            "value": _r(spread.gini),
            "without_animators": _r(spread.gini_without_animators),
            "causes": _causes("concentration"),
        },
        "bus_factor": {"value": spread.bus_factor, "causes": _causes("concentration")},
        "bus_factor_without_animators": {
            "value": spread.bus_factor_without_animators,
            "causes": _causes("concentration"),
        },
        "cohort_retention": {
            "value": {
                month: [_r(s) for s in shares]
                for month, shares in cohort_retention(acts, members, scene.at).items()
            },
            "causes": _causes("cohort_retention"),
        },
        "heatmap": {
            "value": heat_map(acts, period),
            "timezone": "Europe/Paris",
            "causes": _causes("heat_map"),
        },
        "practices_tried": {
            "value": tried.tried,
            "practices": tried.practices,
            "tried_by": tried.tried_by,
            "causes": _causes("practices_tried"),
        },
        "experiments_started": {"value": runs.started, "causes": _causes("experiments")},
        "experiments_finished": {"value": runs.finished, "causes": _causes("experiments")},
        "onboarding_steps": {
            "value": _r(onboarding.share),
            "members": onboarding.members,
            "steps": onboarding.steps,
            "causes": _causes("onboarding_steps"),
        },
        "animator_activity": {
            "value": animators.actions,
            "prompts": animators.prompts,
            "replies": animators.replies,
            "reactions": animators.reactions,
            "nudges": animators.nudges,
            "causes": _causes("animator_activity"),
        },
    }


def health(scene: Scene, period: Period) -> list[dict[str, Any]]:
    return [
        {
            "cause": group.cause.name,
            "in_trouble": group.in_trouble,
            "indicators": [
                {
                    "key": r.key,
                    "value": r.value,
                    "threshold": r.threshold,
                    "direction": r.direction,
                    "in_trouble": r.in_trouble,
                    "action": r.action,
                    "series": r.series,
                }
                for r in group.indicators
            ],
        }
        for group in health_panel(scene.inputs, period)
    ]


# ---------------------------------------------------------------- members


def _weekly(scene: Scene) -> dict[int, list[int]]:
    """Each member's activities in each of the last ``WEEKLY_WEEKS`` weeks, oldest first."""
    start = scene.at - timedelta(weeks=WEEKLY_WEEKS)
    counts: dict[int, list[int]] = {}
    for a in scene.records.activities:
        if start <= a.at < scene.at:
            weeks = counts.setdefault(a.actor_id, [0] * WEEKLY_WEEKS)
            weeks[min(int((a.at - start) / timedelta(weeks=1)), WEEKLY_WEEKS - 1)] += 1
    return counts


def member_rows(scene: Scene, only: int | None = None) -> list[dict[str, Any]]:
    acts, members = scene.inputs.activities, scene.inputs.members
    chosen = [m for m in members if only is None or m.user_id == only]
    # "silent" exactly when the member_silent alert names them (its DESIGN and rhythm tests).
    silent = {
        alert.subject.id
        for alert in member_silent_alerts(acts, chosen, scene.at, scene.inputs.thresholds)
    }
    last_visit: dict[int, datetime] = {}
    for v in scene.inputs.visits:
        last_visit[v.user_id] = max(v.at, last_visit.get(v.user_id, v.at))
    weekly = _weekly(scene)
    rows = []
    profile: MemberProfile
    for profile in member_profiles(acts, chosen, scene.at):
        membership_row, user = scene.memberships[profile.user_id]
        rows.append(
            {
                "user": user_view(user),
                "role": profile.role,
                "organisation": membership_row.organisation,
                "joined_at": iso(membership_row.joined_at),
                "level": LEVEL_NAMES[profile.level],
                "trend": "silent" if profile.user_id in silent else profile.trend,
                "last_active_at": iso(profile.last_activity),
                "last_visit_at": iso(last_visit.get(profile.user_id)),
                "contributions": profile.contributions,
                "contributions_30d": profile.contributions_30d,
                "reactions_given": profile.reactions_given,
                "reactions_received": profile.reactions_received,
                "usual_gap_days": profile.usual_gap_days,
                "weekly": weekly.get(profile.user_id, [0] * WEEKLY_WEEKS),
            }
        )
    return rows


# ---------------------------------------------------------------- the endpoints' services


async def engagement(
    essaim: Essaim, user: User, collective_id: int, raw_from: str | None, raw_to: str | None
) -> dict[str, Any]:
    """The collective's figures (animators, observers) or the caller's own (members)."""
    async with essaim.db.read() as session:
        me = await membership(session, user, collective_id)
        window = parse_window(raw_from, raw_to, utcnow().date())
        period = window.period
        scene = await _scene(essaim, session, collective_id, period.end)
    # The figures are pure computation over the whole history (seconds for 200 members and
    # a year of it): computed in a worker thread so that the event loop, and every live
    # board on this process, never waits for them.
    if me.role == Role.member:
        rows = await asyncio.to_thread(member_rows, scene, user.id)
        return {"scope": "self", "period": window.view(), "member": rows[0] if rows else None}
    return {
        "scope": "collective",
        "period": window.view(),
        **await asyncio.to_thread(_collective_figures, scene, period),
    }


def _collective_figures(scene: Scene, period: Period) -> dict[str, Any]:
    return {"health": health(scene, period), "metrics": metrics(scene, period)}


async def engagement_members(essaim: Essaim, user: User, collective_id: int) -> dict[str, Any]:
    """Every member's row (animators), one's own (members); observers see no one's."""
    async with essaim.db.read() as session:
        me = await membership(session, user, collective_id)
        if me.role == Role.observer:
            raise Forbidden("observers see aggregates only, not members' figures")
        scene = await _scene(essaim, session, collective_id, utcnow())
    only = None if me.role == Role.animator else user.id
    return {"members": await asyncio.to_thread(member_rows, scene, only)}
