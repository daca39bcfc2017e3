"""Onboarding: the first steps a new member takes, from filling their profile to posting."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from animation.records import Activity, Cause, Kind, Member, Visit, diagnoses

# In the order a newcomer usually takes them: say who you are, come and read, react,
# answer someone, then post your own.
STEPS = ("profile", "visited", "reacted", "commented", "posted")


@dataclass(frozen=True)
class Onboarding:
    members: int  # members (not animators or observers) who had joined by then
    steps: dict[str, int]  # step → how many of them have done it
    share: float | None  # steps done ÷ steps possible


@diagnoses(Cause.pedagogy)
def onboarding_steps(
    activities: Sequence[Activity],
    members: Sequence[Member],
    at: datetime,
    visits: Sequence[Visit] = (),
    profiled: Collection[int] = (),
) -> Onboarding:
    """How far the members who joined before ``at`` went through ``STEPS`` by then;
    ``profiled`` are the users whose profile (organisation or trade) is filled in."""
    ids = {m.user_id for m in members if m.role == "member" and m.joined_at < at}
    done: dict[str, set[int]] = {step: set() for step in STEPS}
    done["profile"] = set(profiled) & ids
    done["visited"] = {v.user_id for v in visits if v.at < at} & ids
    by_kind = {Kind.reaction: "reacted", Kind.comment: "commented", Kind.post: "posted"}
    for a in activities:
        step = by_kind.get(a.kind)
        if step and a.at < at and a.actor_id in ids:
            done[step].add(a.actor_id)
    # Doing something visible means one came: visits may not have been recorded yet.
    done["visited"] |= done["reacted"] | done["commented"] | done["posted"]
    steps = {step: len(who) for step, who in done.items()}
    possible = len(ids) * len(STEPS)
    return Onboarding(len(ids), steps, sum(steps.values()) / possible if possible else None)
