"""The two baseline servers of the fan-out benchmark, each run as its own process.

``python -m bench.fanout_baselines raw --port P``
    The ceiling for Python: the ``websockets`` library alone. Subscribers connect to ``/ws``;
    the publisher sends each publish over a control WebSocket at ``/publish``; the server builds
    the event, serialises it once and hands it to every subscriber of the board with
    ``websockets.broadcast`` (no per-connection queue, no task switch per delivery).

``python -m bench.fanout_baselines socketio --port P``
    What a Python team would pick instead: python-socketio (``AsyncServer``, ASGI mode) on
    uvicorn with the same uvicorn settings as ``essaim serve``. Subscribers join a room per board
    by emitting ``subscribe``; the publisher POSTs to ``/publish`` over HTTP, like Essaim's card
    creation, and the handler emits the event to the room.

Both build the same event as Essaim's ``card.created`` (same keys, same card shape, so the frames
are the same size within a few bytes), so the three servers do comparable work per delivery:
parse a publish, serialise one event, write one text frame per subscriber.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

COLLECTIVE_ID = 1


def make_event(seq: int, board: int, title: str) -> dict[str, Any]:
    """An event shaped like Essaim's ``card.created`` (see ``GET /collectives/{id}/events``)."""
    now = datetime.now(UTC).isoformat()
    return {
        "type": "event",
        "collective": COLLECTIVE_ID,
        "seq": seq,
        "kind": "card.created",
        "board": board,
        "card": seq,
        "actor": 1,
        "at": now,
        "data": {
            "id": seq,
            "collective_id": COLLECTIVE_ID,
            "board_id": board,
            "column_id": 1,
            "position": seq,
            "kind": "idea",
            "title": title,
            "body": "Fan-out benchmark card.",
            "tags": [],
            "author": {"id": 1, "display_name": "Fanout 0"},
            "version": 1,
            "moderation": "published",
            "reactions": {},
            "comment_count": 0,
            "created_at": now,
            "updated_at": now,
        },
    }


def dumps(value: Any) -> str:
    # Compact separators, as Starlette's send_json and python-socketio produce.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------- raw websockets


async def serve_raw(host: str, port: int) -> None:
    from websockets.asyncio.server import Server, ServerConnection, broadcast, serve
    from websockets.http11 import Request, Response

    boards: dict[int, set[ServerConnection]] = {}
    seq = 0

    async def subscriber(ws: ServerConnection) -> None:
        board: int | None = None
        try:
            async for raw in ws:
                try:
                    message = json.loads(raw)
                except ValueError:
                    await ws.send(dumps({"type": "error", "code": "malformed"}))
                    continue
                if not isinstance(message, dict):
                    continue
                if message.get("type") == "subscribe":
                    if board is not None:
                        boards[board].discard(ws)
                    board = int(message["board"])
                    boards.setdefault(board, set()).add(ws)
                    reply = {"type": "subscribed", "collective": COLLECTIVE_ID, "seq": seq}
                    await ws.send(dumps(reply | {"board": board}))
                elif message.get("type") == "ping":
                    await ws.send(dumps({"type": "pong", "id": message.get("id")}))
        finally:
            if board is not None:
                boards[board].discard(ws)

    async def publisher(ws: ServerConnection) -> None:
        nonlocal seq
        async for raw in ws:
            publish = json.loads(raw)
            seq += 1
            board = int(publish["board"])
            frame = dumps(make_event(seq, board, str(publish["title"])))
            broadcast(boards.get(board, ()), frame)
            await ws.send(dumps({"seq": seq}))

    async def handler(ws: ServerConnection) -> None:
        path = ws.request.path if ws.request is not None else ""
        await (publisher(ws) if path == "/publish" else subscriber(ws))

    def process_request(connection: ServerConnection, request: Request) -> Response | None:
        if request.path == "/health":
            return connection.respond(HTTPStatus.OK, "ok\n")
        return None

    # compression=None: Essaim turns per-message deflate off too (it costs ~50 KB/connection).
    # max_queue is the receive side only; broadcast itself never waits on a slow client.
    server: Server
    async with serve(
        handler, host, port, compression=None, process_request=process_request, max_size=65536
    ) as server:
        print(f"raw websockets server on ws://{host}:{port}/", flush=True)
        await server.serve_forever()


# ---------------------------------------------------------------- python-socketio


def socketio_app() -> Any:
    import socketio

    # websocket only: the benchmark's clients open the WebSocket transport directly (EIO=4),
    # as a browser does after the upgrade; long-polling would only add setup work.
    sio = socketio.AsyncServer(async_mode="asgi", transports=["websocket"])
    seq = 0

    async def subscribe(sid: str, data: dict[str, Any]) -> None:
        board = int(data["board"])
        await sio.enter_room(sid, f"board:{board}")
        reply = {"type": "subscribed", "collective": COLLECTIVE_ID, "seq": seq, "board": board}
        await sio.emit("subscribed", reply, to=sid)

    sio.on("subscribe", subscribe)  # not as a decorator: python-socketio is untyped

    async def respond(send: Send, status: int, body: bytes) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def publish_app(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal seq
        if scope["type"] != "http":
            return
        if scope["path"] == "/health":
            await respond(send, 200, b'{"status":"ok"}')
            return
        if scope["path"] != "/publish" or scope["method"] != "POST":
            await respond(send, 404, b'{"error":"not found"}')
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        publish = json.loads(body)
        seq += 1
        board = int(publish["board"])
        event = make_event(seq, board, str(publish["title"]))
        await sio.emit("event", event, room=f"board:{board}")
        await respond(send, 201, dumps({"seq": seq}).encode())

    return socketio.ASGIApp(sio, other_asgi_app=publish_app)


def serve_socketio(host: str, port: int) -> None:
    import uvicorn

    print(f"python-socketio server on http://{host}:{port}/", flush=True)
    # The same uvicorn settings as `essaim serve` (auto loop → uvloop, auto ws → websockets
    # sans-I/O, no per-message deflate), so the difference is the framework, not the server.
    uvicorn.run(
        socketio_app(),
        host=host,
        port=port,
        log_level="warning",
        lifespan="off",
        ws_per_message_deflate=False,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("kind", choices=["raw", "socketio"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    if args.kind == "socketio":
        serve_socketio(args.host, args.port)
        return 0
    try:
        import uvloop
    except ImportError:  # the baseline still runs, only slower
        asyncio.run(serve_raw(args.host, args.port))
    else:
        # uvloop for the ceiling too: uvicorn (Essaim, socketio) runs on it when installed.
        uvloop.run(serve_raw(args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
