"""Phases of a collective: collective (workshops, exchanges) or individual (diagnostics)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.core.errors import InvalidInput, NotFound
from server.core.models import Phase, User
from server.core.platform import Essaim
from server.domain.access import Action, membership
from server.domain.schemas import PhaseIn, PhasePatch, patch_values
from server.domain.views import phase_view
from server.events.kinds import EventKind
from server.events.write import write


async def list_phases(essaim: Essaim, user: User, collective_id: int) -> list[dict[str, Any]]:
    async with essaim.db.read() as session:
        await membership(session, user, collective_id)
        phases = await session.scalars(
            select(Phase)
            .where(Phase.collective_id == collective_id)
            .order_by(Phase.starts_on, Phase.id)
        )
        return [phase_view(p) for p in phases]


async def create_phase(
    essaim: Essaim, user: User, collective_id: int, body: PhaseIn
) -> dict[str, Any]:
    async with write(essaim, user) as w:
        await membership(w.session, user, collective_id, Action.manage)
        phase = Phase(collective_id=collective_id, **body.model_dump())
        w.session.add(phase)
        await w.session.flush()
        view = phase_view(phase)
        await w.emit(collective_id, EventKind.phase_created, view)
    return view


async def _phase(essaim_session: Any, user: User, phase_id: int) -> Phase:
    phase: Phase | None = await essaim_session.get(Phase, phase_id)
    if phase is None:
        raise NotFound("phase")
    try:
        await membership(essaim_session, user, phase.collective_id, Action.manage)
    except NotFound:
        raise NotFound("phase") from None
    return phase


async def update_phase(
    essaim: Essaim, user: User, phase_id: int, body: PhasePatch
) -> dict[str, Any]:
    values = patch_values(body)
    async with write(essaim, user) as w:
        phase = await _phase(w.session, user, phase_id)
        for key, value in values.items():
            setattr(phase, key, value)
        if phase.ends_on < phase.starts_on:
            raise InvalidInput(
                "a phase cannot end before it starts", fields={"ends_on": "before starts_on"}
            )
        await w.session.flush()
        view = phase_view(phase)
        await w.emit(phase.collective_id, EventKind.phase_updated, view)
    return view


async def delete_phase(essaim: Essaim, user: User, phase_id: int) -> None:
    async with write(essaim, user) as w:
        phase = await _phase(w.session, user, phase_id)
        collective_id = phase.collective_id
        await w.session.delete(phase)
        await w.emit(collective_id, EventKind.phase_deleted, {"id": phase_id})
