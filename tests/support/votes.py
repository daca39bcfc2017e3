"""Vote test helpers: open a vote through the API, the ballots stored, the events since a seq."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.applications import Starlette

from server.core.models import Ballot, Vote
from server.core.platform import Essaim
from tests.conftest import ApiClient, World

API = "/api/v1"


async def open_vote(client: ApiClient, world: World, **body: Any) -> dict[str, Any]:
    """Open a vote in ``world``'s collective (labels « A », « B », « C » unless told)."""
    if "card_ids" not in body:
        body.setdefault("options", ["A", "B", "C"])
    body.setdefault("title", "Quelle piste expérimenter ?")
    response = await client.post(f"{API}/collectives/{world.collective_id}/votes", json=body)
    assert response.status_code == 201, response.text
    vote: dict[str, Any] = response.json()
    return vote


def option_ids(vote: dict[str, Any]) -> list[int]:
    return [o["id"] for o in vote["options"]]


async def put_ballot(client: ApiClient, vote_id: int, ballot: dict[str, Any]) -> Any:
    return await client.request("PUT", f"{API}/votes/{vote_id}/ballot", json=ballot)


async def stored_ballots(app: Starlette, vote_id: int) -> list[Ballot]:
    essaim: Essaim = app.state.essaim
    async with essaim.db.read() as session:
        return list(await session.scalars(select(Ballot).where(Ballot.vote_id == vote_id)))


async def stored_vote(app: Starlette, vote_id: int) -> Vote:
    essaim: Essaim = app.state.essaim
    async with essaim.db.read() as session:
        vote = await session.get(Vote, vote_id)
        assert vote is not None
        return vote


async def events_since(client: ApiClient, world: World, since: int) -> list[dict[str, Any]]:
    page = await client.get(
        f"{API}/collectives/{world.collective_id}/events?since={since}&limit=500"
    )
    assert page.status_code == 200, page.text
    events: list[dict[str, Any]] = page.json()["events"]
    return events
