"""Who is online in a collective: the union of the viewers of its boards (the real-time
presence, shared across processes through the broker)."""

from __future__ import annotations

from typing import Any

from realtime.hub import Hub
from server.app.routing import Call, Endpoints
from server.domain import boards

ROUTES = Endpoints()


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/presence",
    "Who is viewing each board of a collective now, and who is online at all",
    tag="members",
)
async def collective_presence(call: Call) -> dict[str, Any]:
    listed = await boards.list_boards(call.essaim, call.user, call.id("collective_id"))
    hub: Hub = call.request.app.state.hub
    by_board: dict[str, list[dict[str, Any]]] = {}
    online: dict[int, dict[str, Any]] = {}
    for board in listed:
        users = await hub.presence.users(board["id"])
        if users:
            by_board[str(board["id"])] = users
            online.update((u["id"], u) for u in users)
    return {"boards": by_board, "online": list(online.values())}
