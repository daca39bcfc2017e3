"""Real-time fixtures: the app served by a real uvicorn server on a free port, and WebSocket
clients (the ``websockets`` library) carrying a user's session cookie."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal

import pytest
import uvicorn
import websockets
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection

from tests.conftest import ApiClient
from tests.support.network import free_port

RECEIVE_TIMEOUT = 5.0


class LiveServer:
    """uvicorn serving an app in this event loop. Given the ``app`` fixture (whose lifespan
    already runs), HTTP calls through ``make_client`` and WebSockets share one platform."""

    def __init__(self, app: Starlette, *, lifespan: Literal["auto", "on", "off"] = "off") -> None:
        self.port = free_port()
        self.app = app
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            ws_per_message_deflate=False,
            lifespan=lifespan,
        )
        self.server = uvicorn.Server(config)
        self.task: asyncio.Task[None] | None = None

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve())
        async with asyncio.timeout(10):
            while not self.server.started:
                await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await self.task


class WsClient:
    """A WebSocket client with helpers to wait for the next message of a type."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.pending: list[dict[str, Any]] = []

    async def send(self, message: dict[str, Any] | str) -> None:
        await self.connection.send(message if isinstance(message, str) else json.dumps(message))

    async def receive(self, timeout: float = RECEIVE_TIMEOUT) -> dict[str, Any]:
        """The next message; a frame may carry several, one per line (docs/realtime.md)."""
        if not self.pending:
            raw = await asyncio.wait_for(self.connection.recv(), timeout)
            assert isinstance(raw, str)
            self.pending.extend(json.loads(line) for line in raw.split("\n"))
        message: dict[str, Any] = self.pending.pop(0)
        return message

    async def expect(self, kind: str, timeout: float = RECEIVE_TIMEOUT) -> dict[str, Any]:
        """The next message of type ``kind``, skipping presence messages and unread counts
        (they come whenever the user's notifications change)."""
        while True:
            message = await self.receive(timeout)
            if message["type"] == kind:
                return message
            if message["type"] not in ("presence", "notifications"):
                raise AssertionError(f"expected {kind}, got {message}")

    async def events(self, count: int, timeout: float = RECEIVE_TIMEOUT) -> list[dict[str, Any]]:
        received: list[dict[str, Any]] = []
        while len(received) < count:
            message = await self.receive(timeout)
            if message["type"] == "event":
                received.append(message)
            elif message["type"] not in ("presence", "notifications"):
                raise AssertionError(f"expected events, got {message}")
        return received

    async def subscribe(
        self, collective: int, since: int | None = None, board: int | None = None, **extra: Any
    ) -> dict[str, Any]:
        await self.send(
            {"type": "subscribe", "collective": collective, "since": since, "board": board, **extra}
        )
        return await self.expect("subscribed")

    async def close(self) -> None:
        await self.connection.close()


Connect = Callable[..., Awaitable[WsClient]]


async def open_ws(
    url: str,
    client: ApiClient | None,
    origin: str | None,
    max_queue: int | None = 64,
    rcvbuf: int | None = None,
) -> WsClient:
    """Open a WebSocket; ``rcvbuf`` caps the socket's receive buffer (no autotuning), so a
    client that stops reading pushes back on the server quickly."""
    sock = None
    if rcvbuf is not None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.setblocking(False)
        port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    headers = {}
    if client is not None:
        cookie = client.http.cookies.get("essaim_session")
        headers["Cookie"] = f"essaim_session={cookie}"
    connection = await websockets.connect(
        url,
        additional_headers=headers,
        origin=origin,  # type: ignore[arg-type]
        compression=None,
        max_queue=max_queue,
        open_timeout=5,
        sock=sock,
    )
    ws = WsClient(connection)
    return ws


@pytest.fixture
async def live(app: Starlette) -> AsyncIterator[LiveServer]:
    server = LiveServer(app)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def connect(live: LiveServer) -> AsyncIterator[Connect]:
    """``await connect(api_client)``: an open, greeted WebSocket for that user."""
    opened: list[WsClient] = []

    async def make(
        client: ApiClient,
        origin: str | None = "default",
        max_queue: int | None = 64,
        rcvbuf: int | None = None,
    ) -> WsClient:
        ws = await open_ws(
            live.ws_url,
            client,
            live.http_url if origin == "default" else origin,
            max_queue,
            rcvbuf,
        )
        opened.append(ws)
        return ws

    yield make
    for ws in opened:
        await ws.close()
