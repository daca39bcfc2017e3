"""A socket lives no longer than its login session: logging out (or any revocation) closes it
at once with ``4401``, a revoked session never subscribes again, and an expired one closes."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select
from websockets.exceptions import ConnectionClosed

import realtime.hub as hub_module
from realtime.hub import Hub
from server.core.models import LoginSession, User
from server.domain.accounts.sessions import revoke_sessions
from tests.conftest import PASSWORD, ApiClient, MakeClient, World
from tests.realtime.conftest import Connect, LiveServer, WsClient, open_ws

SESSION_ENDED = (4401, "session ended")


async def closed(ws: WsClient) -> tuple[int, str]:
    """The close code and reason the server sent, whatever came before it."""
    with pytest.raises(ConnectionClosed) as error:
        while True:
            await ws.receive()
    assert error.value.rcvd is not None, "closed without a close frame from the server"
    return error.value.rcvd.code, error.value.rcvd.reason


async def logout(client: ApiClient) -> str:
    """Log ``client`` out; the cookie it had (the API tells the browser to drop it)."""
    cookie = client.http.cookies.get("essaim_session")
    assert cookie is not None
    assert (await client.post("/api/v1/auth/logout")).status_code == 204
    client.http.cookies.set("essaim_session", cookie)  # an attacker would keep it
    return cookie


async def test_logging_out_closes_the_open_socket_and_the_cookie_opens_no_other(
    world: World, connect: Connect, live: LiveServer
) -> None:
    ws = await connect(world.member)
    await ws.expect("hello")
    await ws.subscribe(world.collective_id, since=0, board=world.board_id)
    other = await connect(world.animator)  # another user's socket stays open
    await other.expect("hello")
    await logout(world.member)
    assert await closed(ws) == SESSION_ENDED
    again = await open_ws(live.ws_url, world.member, live.http_url)
    assert (await closed(again))[0] == 4401
    await other.send({"type": "ping", "id": 1})
    assert await other.expect("pong") == {"type": "pong", "id": 1}


async def test_a_socket_whose_revocation_was_not_heard_cannot_subscribe(
    world: World, connect: Connect, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = await connect(world.member)
    await ws.expect("hello")
    await ws.subscribe(world.collective_id)

    async def lost(channel: str, message: dict[str, Any]) -> None:
        return None  # committed, never published: the hub does not hear of the logout

    with monkeypatch.context() as patch:
        patch.setattr(app.state.essaim.broker, "publish", lost)
        await logout(world.member)
    await ws.send({"type": "subscribe", "collective": world.collective_id, "since": 0})
    assert await closed(ws) == SESSION_ENDED  # and no history was replayed


async def test_the_hub_closes_sockets_of_sessions_revoked_unheard_when_it_reads_them_again(
    world: World, connect: Connect, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = await connect(world.member)
    await ws.expect("hello")
    await ws.subscribe(world.collective_id)

    async def lost(channel: str, message: dict[str, Any]) -> None:
        return None

    with monkeypatch.context() as patch:
        patch.setattr(app.state.essaim.broker, "publish", lost)
        await logout(world.member)
    hub: Hub = app.state.hub
    await hub._end_dead_sessions()  # what it does every SESSION_CHECK_SECONDS
    assert await closed(ws) == SESSION_ENDED


async def test_a_socket_closes_when_its_session_expires(
    world: World, connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = await connect(world.member)
    await ws.expect("hello")
    await ws.subscribe(world.collective_id)
    await ws.send({"type": "ping", "id": 1})
    assert await ws.expect("pong") == {"type": "pong", "id": 1}
    # The session lives ESSAIM_SESSION_TTL_HOURS (14 days by default); move past that.
    later = time.time() + 15 * 24 * 3600
    monkeypatch.setattr(hub_module, "wallclock", lambda: later, raising=False)
    assert await closed(ws) == SESSION_ENDED


async def test_revoking_all_sessions_but_one_closes_the_others_sockets(
    world: World, connect: Connect, make_client: MakeClient, app: Any
) -> None:
    # What a password reset does: every session of the account ends but the current one.
    elsewhere = await make_client()
    login = await elsewhere.post(
        "/api/v1/auth/login", json={"email": "marc@example.fr", "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    here, there = await connect(world.member), await connect(elsewhere)
    for ws in (here, there):
        await ws.expect("hello")
        await ws.subscribe(world.collective_id)
    essaim = app.state.essaim
    async with essaim.db.read() as session:
        user = await session.get(User, world.member.id)
        sessions = list(
            await session.scalars(
                select(LoginSession.id)
                .where(LoginSession.user_id == world.member.id)
                .order_by(LoginSession.id)
            )
        )
    kept = sessions[0]  # the member's first session, from registering
    revoked = await revoke_sessions(essaim, user, keep_session_id=kept)
    assert revoked == sessions[1:]
    assert await closed(there) == SESSION_ENDED
    await here.send({"type": "ping", "id": 2})
    assert await here.expect("pong") == {"type": "pong", "id": 2}
