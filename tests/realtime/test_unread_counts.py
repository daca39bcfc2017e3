"""The bell updates live: every socket of a user — subscribed to a collective or not, in any
process — gets their new unread count when a notification is added, grouped or read, and no
one else's."""

from __future__ import annotations

from tests.conftest import World
from tests.realtime.conftest import Connect, LiveServer, WsClient


async def unread(ws: WsClient) -> int:
    """The next unread count, past the collective's events and presence."""
    while True:
        message = await ws.receive()
        if message["type"] == "notifications":
            count: int = message["unread"]
            return count
        assert message["type"] in ("event", "presence"), message


async def test_the_unread_count_reaches_the_user_s_sockets_only(
    world: World, connect: Connect, live: LiveServer
) -> None:
    marc = await connect(world.member)
    await marc.expect("hello")
    second_tab = await connect(world.member)  # not subscribed to anything
    await second_tab.expect("hello")
    await marc.subscribe(world.collective_id, since=None, board=world.board_id)
    anna = await connect(world.animator)
    await anna.expect("hello")
    olga = await connect(world.observer)
    await olga.expect("hello")
    card = world.card["id"]
    made = await world.animator.post(f"/api/v1/cards/{card}/comments", json={"body": "Bravo"})
    assert made.status_code == 201
    assert await unread(marc) == 1
    assert await unread(second_tab) == 1
    # A second comment groups into the same notification: still 1, told again.
    await world.animator.post(f"/api/v1/cards/{card}/comments", json={"body": "Et merci"})
    assert await unread(second_tab) == 1
    # Read in one tab: the other hears it.
    read = await world.member.post("/api/v1/notifications/read", json={"all": True})
    assert read.status_code == 200
    assert await unread(second_tab) == 0
    # Nobody else got a count: the commenter and the observer hear nothing of Marc's.
    for other in (anna, olga):
        try:
            message = await other.receive(timeout=0.5)
        except TimeoutError:
            continue
        assert message["type"] != "notifications", message
