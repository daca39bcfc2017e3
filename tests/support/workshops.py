"""Workshop test helpers: start one on a board through the API, and act on it."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import ApiClient

API = "/api/v1"


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def start(client: ApiClient, board_id: int, **body: Any) -> dict[str, Any]:
    body.setdefault("template", "brainstorming")
    started: dict[str, Any] = await ok(
        await client.post(f"{API}/boards/{board_id}/workshops", json=body), 201
    )
    return started


async def act(client: ApiClient, workshop_id: int, verb: str, **body: Any) -> httpx.Response:
    """POST /workshops/{id}/{verb} with ``body`` (none when empty)."""
    path = f"{API}/workshops/{workshop_id}/{verb}"
    return await (client.post(path, json=body) if body else client.post(path))


async def post_card(client: ApiClient, board_id: int, title: str, **body: Any) -> httpx.Response:
    return await client.post(f"{API}/boards/{board_id}/cards", json={"title": title, **body})
