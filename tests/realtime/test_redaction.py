"""``/ws``: members and observers get restricted events redacted down to ids, without who did
them, live and in replay; animators get them whole."""

from __future__ import annotations

from tests.conftest import MakeClient, World
from tests.realtime.conftest import Connect
from tests.support.restricted_events import (
    assert_complete,
    assert_nothing_identifying,
    make_restricted_events,
)


async def test_restricted_events_carry_nothing_identifying_live_and_in_replay(
    world: World, make_client: MakeClient, connect: Connect
) -> None:
    clients = {"member": world.member, "observer": world.observer, "animator": world.animator}
    sockets = {}
    start = 0
    for who, client in clients.items():
        ws = sockets[who] = await connect(client)
        await ws.expect("hello")
        start = (await ws.subscribe(world.collective_id, board=world.board_id))["seq"]
    kinds = await make_restricted_events(world, make_client)
    collective = await world.animator.get(f"/api/v1/collectives/{world.collective_id}")
    written = collective.json()["seq"] - start
    for who, ws in sockets.items():
        live = await ws.events(written)
        replayed = await ws.subscribe(world.collective_id, since=0, board=world.board_id)
        history = await ws.events(replayed["seq"])
        for events in (live, history):
            if who == "animator":
                assert_complete(events, kinds)
            else:
                assert_nothing_identifying(events, kinds, who)
