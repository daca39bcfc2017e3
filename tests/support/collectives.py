"""A collective as the API shows it: its URL and its sequence number (the last event's seq,
which tests compare before and after a refused call to prove nothing was written)."""

from __future__ import annotations

from tests.conftest import ApiClient, World


def url(world: World, tail: str = "") -> str:
    """The API path of ``world``'s collective, followed by ``tail``."""
    return f"/api/v1/collectives/{world.collective_id}{tail}"


async def collective_seq(client: ApiClient, collective_id: int) -> int:
    """The collective's current sequence number, as ``client`` reads it."""
    response = await client.get(f"/api/v1/collectives/{collective_id}")
    assert response.status_code == 200, response.text
    return int(response.json()["seq"])


async def seq(world: World) -> int:
    """``world``'s collective's sequence number, read by its animator."""
    return await collective_seq(world.animator, world.collective_id)
