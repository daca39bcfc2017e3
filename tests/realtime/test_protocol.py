"""The socket's edges: refused connections, bad messages, presence, slow consumers."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import ApiClient, MakeClient, World
from tests.realtime.conftest import Connect, LiveServer, open_ws


async def closed_with(live: LiveServer, client: ApiClient | None, origin: str | None) -> int:
    ws = await open_ws(live.ws_url, client, origin)
    with pytest.raises(ConnectionClosed) as closed:
        await ws.receive()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def test_a_connection_without_a_session_is_closed_with_4401(
    live: LiveServer, make_client: MakeClient
) -> None:
    assert await closed_with(live, None, live.http_url) == 4401
    anonymous = await make_client()
    assert await closed_with(live, anonymous, live.http_url) == 4401


async def test_a_foreign_origin_is_closed_with_4403(live: LiveServer, world: World) -> None:
    assert await closed_with(live, world.member, "https://evil.example") == 4403


async def test_a_logged_out_session_cannot_connect(live: LiveServer, world: World) -> None:
    assert (await world.member.post("/api/v1/auth/logout")).status_code == 204
    assert await closed_with(live, world.member, live.http_url) == 4401


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "malformed"),
        ("[1, 2]", "malformed"),
        (json.dumps({"type": "dance"}), "unknown_type"),
        (json.dumps({"type": "subscribe"}), "invalid"),
        (json.dumps({"type": "subscribe", "collective": "1"}), "invalid"),
        (json.dumps({"type": "subscribe", "collective": True}), "invalid"),
        (json.dumps({"type": "subscribe", "collective": 10**12}), "invalid"),
        (json.dumps({"type": "subscribe", "collective": 1, "since": -1}), "invalid"),
        (json.dumps({"type": "subscribe", "collective": 1, "epoch": 5}), "invalid"),
        (json.dumps({"type": "subscribe", "collective": 1, "extra": 1}), "invalid"),
        (json.dumps({"type": "subscribe", "collective": 999_999}), "not_found"),
        (json.dumps({"type": "ping", "pad": "x" * 70_000}), "too_large"),
    ],
)
async def test_bad_messages_get_an_error_and_the_connection_lives_on(
    world: World, connect: Connect, raw: str, code: str
) -> None:
    ws = await connect(world.member)
    await ws.expect("hello")
    await ws.send(raw)
    error = await ws.expect("error")
    assert error["code"] == code
    assert error["message"]
    await ws.send({"type": "ping", "id": 7})
    assert await ws.expect("pong") == {"type": "pong", "id": 7}


@pytest.mark.parametrize(
    "raw",
    ["[" * 30_000, '{"a":' * 12_000, "[" * 3_000 + "]" * 3_000],
    ids=["open-arrays", "open-objects", "closed-arrays"],
)
async def test_deeply_nested_json_gets_an_error_and_the_connection_lives_on(
    world: World, connect: Connect, caplog: pytest.LogCaptureFixture, raw: str
) -> None:
    ws = await connect(world.member)
    await ws.expect("hello")
    with caplog.at_level(logging.DEBUG):
        for _ in range(3):
            await ws.send(raw)
            error = await ws.expect("error")
            assert error["code"] == "malformed"
        # Brackets inside strings are not nesting.
        await ws.send({"type": "ping", "id": '["\\' + "[{" * 100})
        assert await ws.expect("pong") == {"type": "pong", "id": '["\\' + "[{" * 100}
        assert (await ws.subscribe(world.collective_id))["collective"] == world.collective_id
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_another_collective_or_its_board_is_not_found(world: World, connect: Connect) -> None:
    outsider = await connect(world.outsider)
    await outsider.expect("hello")
    await outsider.send({"type": "subscribe", "collective": world.collective_id})
    assert (await outsider.expect("error"))["code"] == "not_found"
    member = await connect(world.member)
    await member.expect("hello")
    mine = (await world.outsider.get("/api/v1/collectives")).json()["collectives"][0]["id"]
    boards = await world.outsider.post(f"/api/v1/collectives/{mine}/boards", json={"name": "B"})
    await member.send(
        {"type": "subscribe", "collective": world.collective_id, "board": boards.json()["id"]}
    )
    assert (await member.expect("error"))["code"] == "not_found"


async def test_too_many_bad_messages_close_the_connection_with_4400(
    world: World, connect: Connect
) -> None:
    ws = await connect(world.member)
    await ws.expect("hello")
    for _ in range(25):
        await ws.send("nope")
    codes = []
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            codes.append((await ws.receive())["code"])
    assert set(codes) == {"malformed"}
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400


async def test_presence_join_and_leave_on_a_board(world: World, connect: Connect) -> None:
    marc = await connect(world.member)
    await marc.expect("hello")
    first = await marc.subscribe(world.collective_id, board=world.board_id)
    assert [u["id"] for u in first["presence"]] == []
    anna = await connect(world.animator)
    await anna.expect("hello")
    second = await anna.subscribe(world.collective_id, board=world.board_id)
    assert [u["id"] for u in second["presence"]] == [world.member.id]
    joined = await marc.receive()
    while joined["type"] != "presence" or joined["user"]["id"] != world.animator.id:
        joined = await marc.receive()
    assert joined["event"] == "join" and joined["board"] == world.board_id
    await anna.close()
    left = await marc.receive()
    while left["type"] != "presence" or left["event"] != "leave":
        left = await marc.receive()
    assert left["user"]["id"] == world.animator.id


async def test_a_slow_consumer_is_closed_and_never_delays_the_others(
    world: World, connect: Connect, app: object
) -> None:
    essaim = app.state.essaim  # type: ignore[attr-defined]
    essaim.settings = type(essaim.settings)(**{**essaim.settings.__dict__, "ws_send_queue": 4})
    # The slow one reads nothing: its client buffer (1 message) and the sockets fill up.
    slow = await connect(world.member, max_queue=1, rcvbuf=8192)
    fast = await connect(world.animator)
    for ws in (slow, fast):
        await ws.expect("hello")
        await ws.subscribe(world.collective_id)
    body = "é" * 15_000
    count = 200

    async def write() -> None:
        for i in range(count):
            response = await world.animator.post(
                f"/api/v1/boards/{world.board_id}/cards",
                json={"title": f"Grosse fiche {i}", "body": body},
            )
            assert response.status_code == 201

    async def read_fast() -> list[int]:
        return [e["seq"] for e in await fast.events(count, timeout=20)]

    _, seqs = await asyncio.gather(write(), read_fast())
    assert seqs == list(range(seqs[0], seqs[0] + count))
    codes = []
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            codes.append((await slow.receive(timeout=10))["type"])
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4429


async def test_a_silent_client_is_closed_with_4408(
    world: World, connect: Connect, app: object
) -> None:
    essaim = app.state.essaim  # type: ignore[attr-defined]
    essaim.settings = type(essaim.settings)(
        **{**essaim.settings.__dict__, "ws_heartbeat_seconds": 0.2}
    )
    ws = await connect(world.member)
    assert (await ws.expect("hello"))["heartbeat"] == 0.2
    with pytest.raises(ConnectionClosed) as closed:
        await ws.receive(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408


async def test_unsubscribe_stops_the_events(world: World, connect: Connect) -> None:
    ws = await connect(world.member)
    await ws.expect("hello")
    await ws.subscribe(world.collective_id)
    await ws.send({"type": "unsubscribe", "collective": world.collective_id})
    assert await ws.expect("unsubscribed") == {
        "type": "unsubscribed",
        "collective": world.collective_id,
    }
    response = await world.animator.post(
        f"/api/v1/boards/{world.board_id}/cards", json={"title": "Après"}
    )
    assert response.status_code == 201
    await ws.send({"type": "ping", "id": "after"})
    assert await ws.expect("pong") == {"type": "pong", "id": "after"}


async def test_a_removed_member_stops_receiving(world: World, connect: Connect) -> None:
    ws = await connect(world.member)
    await ws.expect("hello")
    await ws.subscribe(world.collective_id)
    removed = await world.animator.delete(
        f"/api/v1/collectives/{world.collective_id}/members/{world.member.id}"
    )
    assert removed.status_code == 204
    (event,) = await ws.events(1)
    assert event["kind"] == "member.removed"
    assert (await ws.expect("unsubscribed"))["collective"] == world.collective_id
