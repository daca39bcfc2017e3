"""``subscribe`` remembers memberships and boards for ``ACCESS_CACHE_SECONDS``: a membership
event forgets at once, and nothing stale outlives that time. Sessions are never remembered."""

from __future__ import annotations

import time
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

import realtime.hub as hub_module
from tests.conftest import World
from tests.realtime.conftest import Connect, LiveServer, open_ws


def later(monkeypatch: pytest.MonkeyPatch) -> None:
    """Move the caches' clock past ``ACCESS_CACHE_SECONDS``."""
    skipped = hub_module.ACCESS_CACHE_SECONDS + 1
    monkeypatch.setattr(hub_module, "clock", lambda: time.monotonic() + skipped)


async def test_a_removed_member_cannot_subscribe_again(world: World, connect: Connect) -> None:
    animator = await connect(world.animator)
    await animator.expect("hello")
    await animator.subscribe(world.collective_id)  # keeps the feed (and its memory) alive
    member = await connect(world.member)
    await member.expect("hello")
    await member.subscribe(world.collective_id)
    await member.subscribe(world.collective_id)  # the membership is now remembered
    removed = await world.animator.delete(
        f"/api/v1/collectives/{world.collective_id}/members/{world.member.id}"
    )
    assert removed.status_code == 204
    (event,) = await member.events(1)
    assert event["kind"] == "member.removed"
    await member.expect("unsubscribed")
    await member.send({"type": "subscribe", "collective": world.collective_id, "since": None})
    refused = await member.expect("error")
    assert refused["code"] == "not_found"


async def test_a_membership_revoked_unseen_is_believed_no_longer_than_the_cache_time(
    world: World, connect: Connect, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    animator = await connect(world.animator)
    await animator.expect("hello")
    await animator.subscribe(world.collective_id)
    member = await connect(world.member)
    await member.expect("hello")
    await member.subscribe(world.collective_id)
    await member.subscribe(world.collective_id)  # remembered
    await member.send({"type": "unsubscribe", "collective": world.collective_id})
    await member.expect("unsubscribed")
    broker = app.state.essaim.broker

    async def lost(channel: str, message: dict[str, Any]) -> None:
        return None  # committed, never published: this process does not see the removal

    with monkeypatch.context() as patch:
        patch.setattr(broker, "publish", lost)
        removed = await world.animator.delete(
            f"/api/v1/collectives/{world.collective_id}/members/{world.member.id}"
        )
        assert removed.status_code == 204
    # Within the cache time the remembered membership may still be believed ...
    await member.subscribe(world.collective_id)
    # ... never after it.
    later(monkeypatch)
    await member.send({"type": "subscribe", "collective": world.collective_id, "since": None})
    refused = await member.expect("error")
    assert refused["code"] == "not_found"


async def test_a_promoted_member_gets_what_animators_see_on_the_next_subscribe(
    world: World, connect: Connect
) -> None:
    animator = await connect(world.animator)
    await animator.expect("hello")
    await animator.subscribe(world.collective_id)
    member = await connect(world.member)
    await member.expect("hello")
    await member.subscribe(world.collective_id)
    await member.subscribe(world.collective_id)  # remembered as a member
    promoted = await world.animator.patch(
        f"/api/v1/collectives/{world.collective_id}/members/{world.member.id}",
        json={"role": "animator"},
    )
    assert promoted.status_code == 200, promoted.text
    (updated,) = await member.events(1)
    assert updated["kind"] == "member.updated"
    await member.subscribe(world.collective_id)  # must read the new role
    card = world.card
    hidden = await world.animator.patch(
        f"/api/v1/cards/{card['id']}", json={"version": card["version"], "moderation": "hidden"}
    )
    assert hidden.status_code == 200, hidden.text
    edit = await world.animator.patch(
        f"/api/v1/cards/{card['id']}",
        json={"version": hidden.json()["version"], "body": "Pour les animateurs"},
    )
    assert edit.status_code == 200, edit.text
    events = await member.events(2)
    assert [e["kind"] for e in events] == ["card.hidden", "card.updated"]
    assert events[1]["data"]["body"] == "Pour les animateurs"


async def test_a_logged_out_session_is_not_remembered(live: LiveServer, world: World) -> None:
    first = await open_ws(live.ws_url, world.member, live.http_url)
    await first.expect("hello")  # a session is never remembered: the next socket reads it
    await first.close()
    cookie = world.member.http.cookies.get("essaim_session")
    assert cookie is not None
    assert (await world.member.post("/api/v1/auth/logout")).status_code == 204
    world.member.http.cookies.set("essaim_session", cookie)
    ws = await open_ws(live.ws_url, world.member, live.http_url)
    with pytest.raises(ConnectionClosed) as closed:
        await ws.receive()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
