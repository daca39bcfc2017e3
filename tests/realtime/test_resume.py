"""Subscribe, receive live events, reconnect with ``since``: nothing lost, nothing twice."""

from __future__ import annotations

from typing import Any

import pytest

import realtime.feed as feed_module
from tests.conftest import World
from tests.realtime.conftest import Connect
from tests.support.cards import new_card


async def test_a_subscriber_receives_live_events_in_order(world: World, connect: Connect) -> None:
    ws = await connect(world.member)
    hello = await ws.expect("hello")
    assert hello["user"]["id"] == world.member.id
    subscribed = await ws.subscribe(world.collective_id)
    titles = [f"Idée {i}" for i in range(5)]
    for title in titles:
        await new_card(world.animator, world.board_id, title)
    events = await ws.events(5)
    assert [e["seq"] for e in events] == list(range(subscribed["seq"] + 1, subscribed["seq"] + 6))
    assert [e["data"]["title"] for e in events] == titles
    assert {e["kind"] for e in events} == {"card.created"}
    assert events[0]["collective"] == world.collective_id
    assert events[0]["board"] == world.board_id


async def test_reconnecting_with_since_replays_exactly_what_was_missed(
    world: World, connect: Connect
) -> None:
    first = await connect(world.member)
    await first.expect("hello")
    subscribed = await first.subscribe(world.collective_id)
    await new_card(world.animator, world.board_id, "Vue en direct")
    (seen,) = await first.events(1)
    await first.close()
    missed = [await new_card(world.animator, world.board_id, f"Manquée {i}") for i in range(3)]
    second = await connect(world.member)
    await second.expect("hello")
    again = await second.subscribe(world.collective_id, since=seen["seq"])
    assert again["seq"] == seen["seq"] + 3
    assert again["epoch"] == subscribed["epoch"]
    replayed = await second.events(3)
    assert [e["data"]["id"] for e in replayed] == [c["id"] for c in missed]
    # Then live, continuing the sequence without a duplicate.
    await new_card(world.member, world.board_id, "Après la reprise")
    (live,) = await second.events(1)
    assert live["seq"] == again["seq"] + 1
    assert live["data"]["title"] == "Après la reprise"


async def test_since_zero_replays_the_whole_log(world: World, connect: Connect) -> None:
    ws = await connect(world.observer)
    await ws.expect("hello")
    subscribed = await ws.subscribe(world.collective_id, since=0)
    events = await ws.events(subscribed["seq"])
    assert [e["seq"] for e in events] == list(range(1, subscribed["seq"] + 1))
    assert events[0]["kind"] == "collective.created"


async def test_positions_that_cannot_be_replayed_get_resync(world: World, connect: Connect) -> None:
    ws = await connect(world.member)
    await ws.expect("hello")
    current = (await ws.subscribe(world.collective_id))["seq"]
    await ws.send({"type": "subscribe", "collective": world.collective_id, "since": current + 10})
    assert (await ws.expect("resync"))["reason"] == "ahead"
    await ws.send(
        {"type": "subscribe", "collective": world.collective_id, "since": 0, "epoch": "other"}
    )
    assert (await ws.expect("resync"))["reason"] == "other_epoch"


async def test_a_position_older_than_the_replay_window_gets_resync(
    world: World, connect: Connect, app: Any
) -> None:
    app.state.essaim.settings = type(app.state.essaim.settings)(
        **{**app.state.essaim.settings.__dict__, "replay_window": 3}
    )
    for i in range(4):
        await new_card(world.member, world.board_id, f"Carte {i}")
    ws = await connect(world.member)
    await ws.expect("hello")
    await ws.send({"type": "subscribe", "collective": world.collective_id, "since": 1})
    resync = await ws.expect("resync")
    assert resync == {"type": "resync", "collective": world.collective_id, "reason": "too_old"}


async def test_board_subscription_filters_other_boards(world: World, connect: Connect) -> None:
    other = await world.animator.post(
        f"/api/v1/collectives/{world.collective_id}/boards", json={"name": "Autre"}
    )
    other_board = other.json()["id"]
    ws = await connect(world.member)
    await ws.expect("hello")
    await ws.subscribe(world.collective_id, board=world.board_id)
    await new_card(world.animator, other_board, "Ailleurs")
    mine = await new_card(world.animator, world.board_id, "Ici")
    (event,) = await ws.events(1)
    assert event["data"]["id"] == mine["id"]


async def test_members_get_hidden_content_redacted_live(world: World, connect: Connect) -> None:
    member = await connect(world.member)
    animator = await connect(world.animator)
    for ws in (member, animator):
        await ws.expect("hello")
        await ws.subscribe(world.collective_id)
    card = world.card
    hidden = await world.animator.patch(
        f"/api/v1/cards/{card['id']}", json={"version": card["version"], "moderation": "hidden"}
    )
    assert hidden.status_code == 200
    edit = await world.animator.patch(
        f"/api/v1/cards/{card['id']}",
        json={"version": hidden.json()["version"], "body": "Texte secret"},
    )
    assert edit.status_code == 200
    member_events = await member.events(2)
    animator_events = await animator.events(2)
    assert [e["kind"] for e in member_events] == ["card.hidden", "card.updated"]
    assert member_events[1]["data"] == {"id": card["id"], "redacted": True}
    assert "Texte secret" not in str(member_events)
    assert animator_events[1]["data"]["body"] == "Texte secret"
    assert [e["seq"] for e in member_events] == [e["seq"] for e in animator_events]


async def test_events_whose_publication_was_lost_are_read_from_the_log(
    world: World, connect: Connect, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small page, so that the gap takes several reads of the log.
    monkeypatch.setattr(feed_module, "CATCH_UP_PAGE", 5)
    ws = await connect(world.member)
    await ws.expect("hello")
    subscribed = await ws.subscribe(world.collective_id)
    broker = app.state.essaim.broker

    async def lost(channel: str, message: dict[str, Any]) -> None:
        return None  # committed, never published (a broker hiccup)

    with monkeypatch.context() as patch:
        patch.setattr(broker, "publish", lost)
        missing = [await new_card(world.animator, world.board_id, f"Perdue {i}") for i in range(12)]
    last = await new_card(world.animator, world.board_id, "Publiée")
    events = await ws.events(13)
    start = subscribed["seq"] + 1
    assert [e["seq"] for e in events] == list(range(start, start + 13))
    assert [e["data"]["id"] for e in events] == [c["id"] for c in [*missing, last]]
