"""Event kinds are declared once (server/events/kinds.py): the write path refuses any
other, so the registry that the docs and the replay test enumerate is complete."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from server.core.platform import Essaim
from server.events.kinds import EVENT_KINDS
from tests.conftest import World


async def test_an_undeclared_event_kind_is_refused_and_nothing_is_written(
    app: Starlette, world: World
) -> None:
    essaim: Essaim = app.state.essaim
    cid = world.collective_id
    seq = (await world.member.get(f"/api/v1/collectives/{cid}")).json()["seq"]
    with pytest.raises(ValueError, match="card.teleported"):
        async with essaim.write(None) as w:
            await w.emit(cid, "card.teleported", {"id": world.card["id"]})
    assert (await world.member.get(f"/api/v1/collectives/{cid}")).json()["seq"] == seq
    page = await world.member.get(f"/api/v1/collectives/{cid}/events?since={seq}")
    assert page.json()["events"] == []


def test_every_declared_kind_says_what_it_carries() -> None:
    assert all(doc.strip() for doc in EVENT_KINDS.values())
    assert all(kind.count(".") == 1 and kind == kind.lower() for kind in EVENT_KINDS)
