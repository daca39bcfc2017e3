"""How events leave: frames written straight to uvicorn's socket, the ASGI path on other
servers, and the bounded queue behind a socket that cannot take more."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from websockets.frames import Frame, Opcode

import realtime.feed as feed_module
import realtime.hub as hub_module
from realtime.connection import Connection, Outgoing, text_frame
from server.cli import main
from tests.conftest import World
from tests.realtime.conftest import Connect, LiveServer, open_ws
from tests.support.cards import new_card


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65_535, 65_536, 200_000])
def test_a_text_frame_is_what_the_websockets_library_would_send(size: int) -> None:
    payload = bytes(i % 251 for i in range(size))
    expected = Frame(Opcode.TEXT, payload).serialize(mask=False, extensions=[])
    assert text_frame(payload) == expected


async def test_under_uvicorn_sansio_frames_go_straight_to_the_socket(
    world: World, connect: Connect, app: Any
) -> None:
    ws = await connect(world.member)
    await ws.expect("hello")
    (connection,) = app.state.hub.connections
    assert connection.direct
    subscribed = await ws.subscribe(world.collective_id)
    ids = [(await new_card(world.animator, world.board_id, f"Directe {i}"))["id"] for i in range(5)]
    events = await ws.events(5)
    assert [e["seq"] for e in events] == list(range(subscribed["seq"] + 1, subscribed["seq"] + 6))
    assert [e["data"]["id"] for e in events] == ids


def hiding_the_protocol(app: Starlette) -> ASGIApp:
    """The app behind a middleware that wraps ``receive``, as another server or middleware
    would: the endpoint cannot reach uvicorn's protocol and must send through ASGI."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        async def wrapped_receive() -> Message:
            return await receive()

        await app(scope, wrapped_receive, send)

    return wrapped


async def test_frames_go_through_asgi_when_the_protocol_is_out_of_reach(
    world: World, app: Starlette
) -> None:
    server = LiveServer(hiding_the_protocol(app))  # type: ignore[arg-type]
    await server.start()
    try:
        ws = await open_ws(server.ws_url, world.member, server.http_url)
        await ws.expect("hello")
        (connection,) = app.state.hub.connections
        assert not connection.direct
        subscribed = await ws.subscribe(world.collective_id, since=0)
        replayed = await ws.events(subscribed["seq"])
        assert [e["seq"] for e in replayed] == list(range(1, subscribed["seq"] + 1))
        ids = [
            (await new_card(world.animator, world.board_id, f"Par ASGI {i}"))["id"]
            for i in range(5)
        ]
        events = await ws.events(5)
        first = subscribed["seq"] + 1
        assert [e["seq"] for e in events] == list(range(first, first + 5))
        assert [e["data"]["id"] for e in events] == ids
        await ws.close()
    finally:
        await server.stop()


async def test_a_replay_larger_than_the_queue_waits_for_the_reader(
    world: World, connect: Connect, app: Any
) -> None:
    essaim = app.state.essaim
    essaim.settings = type(essaim.settings)(**{**essaim.settings.__dict__, "ws_send_queue": 4})
    body = "é" * 15_000
    ids = [
        (await new_card(world.animator, world.board_id, f"Lourde {i}", body))["id"]
        for i in range(60)
    ]
    # A small receive buffer: the socket fills and the replay must wait for room in the queue.
    ws = await connect(world.member, max_queue=1, rcvbuf=8192)
    await ws.expect("hello")
    subscribed = await ws.subscribe(world.collective_id, since=0)
    events = await ws.events(subscribed["seq"], timeout=20)
    assert [e["seq"] for e in events] == list(range(1, subscribed["seq"] + 1))
    assert [e["data"]["id"] for e in events if e["kind"] == "card.created"][-60:] == ids


async def test_an_event_fanned_out_in_chunks_reaches_everyone_once_and_in_order(
    world: World, connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed_module, "DISPATCH_CHUNK", 1)  # yield after every delivery
    clients = [await connect(user) for user in (world.member, world.animator, world.observer)]
    positions = []
    for ws in clients:
        await ws.expect("hello")
        positions.append((await ws.subscribe(world.collective_id))["seq"])
    leaving = await connect(world.member)
    await leaving.expect("hello")
    await leaving.subscribe(world.collective_id)
    ids = [
        (await new_card(world.animator, world.board_id, f"Par morceaux {i}"))["id"]
        for i in range(5)
    ]
    await leaving.send({"type": "unsubscribe", "collective": world.collective_id})
    for ws, position in zip(clients, positions, strict=True):
        events = await ws.events(5)
        assert [e["seq"] for e in events] == list(range(position + 1, position + 6))
        assert [e["data"]["id"] for e in events] == ids
    # Whatever reached it before the unsubscribe arrived, in order; nothing after.
    seen = []
    while (message := await leaving.receive())["type"] != "unsubscribed":
        if message["type"] == "event":
            seen.append(message["data"]["id"])
    assert seen == ids[: len(seen)]
    await new_card(world.animator, world.board_id, "Après le départ")
    await leaving.send({"type": "ping", "id": "after"})
    assert await leaving.expect("pong") == {"type": "pong", "id": "after"}


def test_essaim_serve_turns_per_message_compression_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # uvicorn's own default is on (~50 KB per connection, and frames could not be shared).
    import uvicorn

    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.update(options))
    monkeypatch.setattr("server.app.asgi.create_app", lambda settings: object())
    monkeypatch.setattr("logging.basicConfig", lambda **options: None)
    assert main.main(["serve", "--data-dir", str(tmp_path)]) == 0
    assert served["ws_per_message_deflate"] is False


async def test_many_new_connections_freeze_the_heap_out_of_full_collections(
    world: World, connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    class FakeGc:  # the test process's own heap is left alone
        @staticmethod
        def collect(generation: int = 2) -> int:
            calls.append(f"collect({generation})")
            return 0

        @staticmethod
        def freeze() -> None:
            calls.append("freeze")

    monkeypatch.setattr(hub_module, "gc", FakeGc)
    monkeypatch.setattr(hub_module, "FREEZE_AFTER_CONNECTIONS", 3)
    monkeypatch.setattr(hub_module, "SILENCE_CHECK_SECONDS", 0.05)
    for user in (world.member, world.animator):
        await (await connect(user)).expect("hello")
    await asyncio.sleep(1.5)  # the watcher's sleep in progress ends; two are not enough
    assert calls == []
    await (await connect(world.observer)).expect("hello")
    async with asyncio.timeout(10):
        while not calls:
            await asyncio.sleep(0.05)
    assert calls == ["collect(1)", "freeze"]


async def test_a_socket_failing_under_a_write_stops_only_its_own_connection() -> None:
    class Dying:
        writes = 0

        def ready(self) -> bool:
            return True

        def write(self, frame: bytes) -> None:
            self.writes += 1
            raise RuntimeError("the handle is closed")

    dying = Dying()
    connection = Connection(object(), object(), 10, 75.0, session_id=1)  # type: ignore[arg-type]
    connection._direct = dying  # type: ignore[assignment]
    message = Outgoing.encode({"type": "event", "seq": 1})
    connection.send(message)  # does not raise into the feed that fans out
    connection.send(message)
    assert dying.writes == 1
    assert connection.queued == 0
