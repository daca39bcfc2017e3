"""Notification preferences: per member and per collective, how each kind reaches them
(``Membership.notification_prefs``, only what differs from the defaults is stored), and their
quiet hours (``User.quiet_hours``, Paris time: no notification email between them)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from server.core.errors import InvalidInput, NotFound
from server.core.models import Collective, Membership, Role, User
from server.core.platform import Essaim
from server.core.timezone import PARIS
from server.domain.notify.kinds import BY_NAME, KINDS, Delivery, choices, delivery_of, kinds_for
from server.domain.schemas import NotificationPreferencesIn, QuietHoursIn
from server.events.write import write


def _collective_view(member: Membership, name: str) -> dict[str, Any]:
    offered = kinds_for(member.role == Role.animator)
    stored = member.notification_prefs or {}
    return {
        "collective_id": member.collective_id,
        "name": name,
        "role": member.role,
        "kinds": [k.name for k in offered],
        "preferences": {k.name: delivery_of(stored, k.name).value for k in offered},
    }


async def preferences_view(essaim: Essaim, user: User) -> dict[str, Any]:
    async with essaim.db.read() as session:
        rows = await session.execute(
            select(Membership, Collective.name)
            .join(Collective, Collective.id == Membership.collective_id)
            .where(Membership.user_id == user.id)
            .order_by(Collective.name, Collective.id)
        )
        collectives = [_collective_view(m, name) for m, name in rows]
        fresh = await session.get(User, user.id)
    return {
        "kinds": [
            {
                "name": k.name,
                "label": k.label,
                "default": k.default.value,
                "animators_only": k.audience == "animators",
                "choices": [d.value for d in choices(k)],
            }
            for k in KINDS
        ],
        "deliveries": [d.value for d in Delivery],
        "collectives": collectives,
        "quiet_hours": (fresh.quiet_hours if fresh else None) or None,
        "timezone": "Europe/Paris",
    }


def _checked(prefs: dict[str, Delivery], member: Membership | None, where: str) -> dict[str, str]:
    """The choices of ``prefs``, refused (422, nothing stored) if a kind is unknown, not
    offered to the member's role, or does not offer that choice."""
    animator = member is not None and member.role == Role.animator
    offered = {k.name for k in kinds_for(animator or member is None)}
    wrong: dict[str, str] = {}
    for name, delivery in prefs.items():
        kind = BY_NAME.get(name)
        if kind is None:
            wrong[f"{where}.{name}"] = "no such kind of notification"
        elif name not in offered:
            wrong[f"{where}.{name}"] = "this kind is for animators only"
        elif delivery not in choices(kind):
            wrong[f"{where}.{name}"] = f"'{delivery.value}' is not offered for this kind"
    if wrong:
        raise InvalidInput("some preferences cannot be set", fields=wrong)
    return {name: delivery.value for name, delivery in prefs.items()}


async def update_preferences(
    essaim: Essaim, user: User, body: NotificationPreferencesIn
) -> dict[str, Any]:
    """Change some preferences: ``all`` for every collective of the caller, ``collectives``
    for one each (applied after ``all``), ``quiet_hours`` (null: none). Kinds not named keep
    their setting. Any wrong value refuses the whole change."""
    async with write(essaim, user) as w:
        members = {
            m.collective_id: m
            for m in await w.session.scalars(
                select(Membership).where(Membership.user_id == user.id)
            )
        }
        changes: list[tuple[Membership, dict[str, str]]] = []
        if body.all:
            everywhere = _checked(body.all, None, "all")
            for member in members.values():
                offered = {k.name for k in kinds_for(member.role == Role.animator)}
                changes.append((member, {k: v for k, v in everywhere.items() if k in offered}))
        for i, entry in enumerate(body.collectives or []):
            found = members.get(entry.collective_id)
            if found is None:
                raise NotFound("collective")
            changes.append((found, _checked(entry.preferences, found, f"collectives.{i}")))
        for member, values in changes:
            merged = {**(member.notification_prefs or {}), **values}
            # Only what differs from the defaults is kept: a default changed later applies.
            member.notification_prefs = {
                k: v for k, v in merged.items() if k in BY_NAME and BY_NAME[k].default != v
            }
        if "quiet_hours" in body.model_fields_set:
            fresh = await w.session.get(User, user.id)
            assert fresh is not None
            fresh.quiet_hours = _quiet(body.quiet_hours)
    return await preferences_view(essaim, user)


def _quiet(hours: QuietHoursIn | None) -> dict[str, str] | None:
    if hours is None:
        return None
    if hours.start == hours.end:
        raise InvalidInput(
            "quiet hours must start and end at different times",
            fields={"quiet_hours.end": "same as start"},
        )
    return {"start": hours.start, "end": hours.end}


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def quiet_until(quiet_hours: dict[str, str] | None, at: datetime) -> datetime | None:
    """When the quiet hours that hold at ``at`` end (UTC), or None when ``at`` is outside them.
    Hours may span midnight (22:00–07:00)."""
    if not quiet_hours:
        return None
    try:
        start, end = _clock(quiet_hours["start"]), _clock(quiet_hours["end"])
    except (KeyError, ValueError):
        return None
    local = at.astimezone(PARIS)
    now = local.time()
    inside = (start <= now < end) if start < end else (now >= start or now < end)
    if not inside:
        return None
    ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if ends <= local:
        ends = (local + timedelta(days=1)).replace(
            hour=end.hour, minute=end.minute, second=0, microsecond=0
        )
    return ends.astimezone(at.tzinfo)
