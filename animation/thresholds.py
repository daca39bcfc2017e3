"""What an animator tunes per collective: the alert thresholds and the nudge template.

Only what the animator set is stored; everything else takes the defaults (``Thresholds``,
``DEFAULT_NUDGE_TEMPLATE``), so improving a default reaches every collective that kept it.
"""

from __future__ import annotations

import dataclasses
import string
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from animation.alerts import Thresholds
from server.core.errors import InvalidInput
from server.core.models import AnimationSettings, User, utcnow
from server.core.platform import Essaim
from server.domain.access import Action, membership
from server.domain.schemas import NudgeTemplateIn, ThresholdsIn
from server.events.kinds import EventKind
from server.events.write import write

DEFAULT_NUDGE_TEMPLATE = (
    "Bonjour {prenom},\n\n"
    "On ne vous a pas vu depuis un moment sur « {collectif} ». Les autres membres ont "
    "partagé de nouvelles fiches et vos retours de terrain leur seraient précieux : passez "
    "voir quand vous aurez cinq minutes, même pour un simple « je l'ai essayé ».\n\n"
    "À bientôt,\n{animateur}"
)
DEFAULT_WELCOME = (
    "Bienvenue {prenom} dans « {collectif} » ! Merci pour ce premier partage. N'hésitez pas à "
    "parcourir les fiches des autres membres et à réagir : c'est comme ça que le groupe "
    "avance. — {animateur}"
)
# What a template may name: the recipient's first and full name, the collective, the sender.
PLACEHOLDERS = ("prenom", "nom", "collectif", "animateur")


def threshold_values(thresholds: Thresholds) -> dict[str, Any]:
    return dataclasses.asdict(thresholds)


def thresholds_from(stored: dict[str, Any]) -> Thresholds:
    """Thresholds from what was stored, ignoring names a newer version no longer has."""
    known = {f.name for f in dataclasses.fields(Thresholds)}
    return Thresholds(**{k: v for k, v in stored.items() if k in known})


async def _settings(session: AsyncSession, collective_id: int) -> AnimationSettings | None:
    return await session.get(AnimationSettings, collective_id)


async def thresholds_of(session: AsyncSession, collective_id: int) -> Thresholds:
    found = await _settings(session, collective_id)
    return thresholds_from(found.thresholds if found else {})


async def template_of(session: AsyncSession, collective_id: int) -> str:
    found = await _settings(session, collective_id)
    return found.nudge_template if found and found.nudge_template else DEFAULT_NUDGE_TEMPLATE


def thresholds_view(thresholds: Thresholds) -> dict[str, Any]:
    return {"thresholds": threshold_values(thresholds), "defaults": threshold_values(Thresholds())}


async def get_thresholds(essaim: Essaim, user: User, collective_id: int) -> dict[str, Any]:
    async with essaim.db.read() as session:
        await membership(session, user, collective_id, Action.manage)
        return thresholds_view(await thresholds_of(session, collective_id))


async def put_thresholds(
    essaim: Essaim, user: User, collective_id: int, body: ThresholdsIn
) -> dict[str, Any]:
    """Replace the collective's thresholds: fields not sent (or null) take their default."""
    values = {k: v for k, v in body.model_dump().items() if v is not None}
    async with write(essaim, user) as w:
        await membership(w.session, user, collective_id, Action.manage)
        row = await _settings(w.session, collective_id)
        if row is None:
            row = AnimationSettings(collective_id=collective_id, thresholds={})
            w.session.add(row)
        row.thresholds = values
        row.updated_at = utcnow()
        view = thresholds_view(thresholds_from(values))
        await w.emit(collective_id, EventKind.alerts_thresholds_updated, view, restricted=True)
    return view


def check_template(text: str, field: str = "template") -> None:
    """Refuse a template naming an unknown placeholder, formatting one, or with unbalanced
    braces."""
    try:
        parts = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(text)]
    except ValueError:
        raise InvalidInput(
            "unbalanced braces in the template",
            fields={field: "write {{ and }} for literal braces"},
        ) from None
    names = [name for name, _, _ in parts if name is not None]
    unknown = sorted({n for n in names if n not in PLACEHOLDERS})
    if unknown:
        allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        raise InvalidInput(
            "unknown placeholder in the template",
            fields={field: f"unknown {', '.join(unknown) or 'empty {}'}; use {allowed}"},
        )
    if any(name is not None and (spec or conv) for name, spec, conv in parts):
        raise InvalidInput("placeholders take no format", fields={field: "write {prenom} plainly"})


def fill(text: str, recipient: User, collective_name: str, sender: User) -> str:
    """``text`` with its placeholders replaced (it was checked by ``check_template``)."""
    first = recipient.display_name.split()[0] if recipient.display_name.split() else ""
    return text.format(
        prenom=first,
        nom=recipient.display_name,
        collectif=collective_name,
        animateur=sender.display_name,
    )


def template_view(template: str) -> dict[str, Any]:
    return {
        "template": template,
        "default": DEFAULT_NUDGE_TEMPLATE,
        "placeholders": list(PLACEHOLDERS),
    }


async def get_template(essaim: Essaim, user: User, collective_id: int) -> dict[str, Any]:
    async with essaim.db.read() as session:
        await membership(session, user, collective_id, Action.manage)
        return template_view(await template_of(session, collective_id))


async def put_template(
    essaim: Essaim, user: User, collective_id: int, body: NudgeTemplateIn
) -> dict[str, Any]:
    if body.template is not None:
        check_template(body.template)
    async with write(essaim, user) as w:
        await membership(w.session, user, collective_id, Action.manage)
        row = await _settings(w.session, collective_id)
        if row is None:
            row = AnimationSettings(collective_id=collective_id, thresholds={})
            w.session.add(row)
        row.nudge_template = body.template
        row.updated_at = utcnow()
        view = template_view(body.template or DEFAULT_NUDGE_TEMPLATE)
        await w.emit(collective_id, EventKind.nudge_template_updated, view, restricted=True)
    return view
