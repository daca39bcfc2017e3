"""``GET /events``: members and observers get restricted events (and events about hidden
content) redacted down to ids, without who did them; animators get them whole."""

from __future__ import annotations

from typing import Any

from tests.conftest import ApiClient, MakeClient, World
from tests.support.restricted_events import (
    assert_complete,
    assert_nothing_identifying,
    make_restricted_events,
)


async def log(client: ApiClient, collective: int, since: int = 0) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/collectives/{collective}/events?since={since}&limit=500")
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = response.json()["events"]
    return events


async def test_restricted_events_carry_nothing_identifying_to_members_and_observers(
    world: World, make_client: MakeClient
) -> None:
    kinds = await make_restricted_events(world, make_client)
    for who, client in (("member", world.member), ("observer", world.observer)):
        assert_nothing_identifying(await log(client, world.collective_id), kinds, who)
    assert_complete(await log(world.animator, world.collective_id), kinds)


async def test_a_hidden_cards_earlier_events_lose_their_author_too(
    world: World, make_client: MakeClient
) -> None:
    await make_restricted_events(world, make_client)
    events = await log(world.member, world.collective_id)
    created = next(
        e for e in events if e["kind"] == "card.created" and e["card"] == world.card["id"]
    )
    assert created["data"] == {"id": world.card["id"], "redacted": True}
    assert created["actor"] is None
