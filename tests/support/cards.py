"""Cards posted through the API, for tests about what happens once they exist."""

from __future__ import annotations

from typing import Any

from tests.conftest import ApiClient


async def new_card(client: ApiClient, board: int, title: str, body: str = "") -> dict[str, Any]:
    """Post a card on ``board`` as ``client``; the card as the API returns it."""
    response = await client.post(
        f"/api/v1/boards/{board}/cards", json={"title": title, "body": body}
    )
    assert response.status_code == 201, response.text
    card: dict[str, Any] = response.json()
    return card
