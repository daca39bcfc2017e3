"""A deleted account in the live feed: a ``/ws`` replay from the start shows « Ancien membre »
and never the old name or email (the stored events were rewritten at deletion)."""

from __future__ import annotations

import json

from starlette.applications import Starlette

from tests.conftest import PASSWORD, MakeClient, World
from tests.realtime.conftest import Connect
from tests.support.privacy import EMAIL, NAME, person_with_traces


async def test_a_replay_from_the_start_shows_the_pseudonym(
    app: Starlette, world: World, make_client: MakeClient, connect: Connect
) -> None:
    person = await person_with_traces(app, world, make_client)
    deleted = await person.client.request("DELETE", "/api/v1/me", json={"password": PASSWORD})
    assert deleted.status_code == 200, deleted.text
    seq = (await world.animator.get(f"/api/v1/collectives/{world.collective_id}")).json()["seq"]

    for viewer in (world.animator, world.member):
        ws = await connect(viewer)
        await ws.expect("hello")
        await ws.subscribe(world.collective_id, since=0)
        replayed = await ws.events(seq)
        text = json.dumps(replayed, ensure_ascii=False)
        assert NAME not in text and EMAIL not in text
        created = [
            e for e in replayed if (e["kind"], e["card"]) == ("card.created", person.card_id)
        ]
        assert created[0]["data"]["author"] == {"id": person.id, "display_name": "Ancien membre"}
        await ws.close()
