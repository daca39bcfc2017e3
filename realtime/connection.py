"""One WebSocket connection: the collectives it follows and its bounded send queue.

A message goes straight to the socket when nothing is waiting before it; otherwise it waits in
a bounded queue that a short-lived drainer task empties (several messages per frame). A slow
client overflows its own queue and is closed; nobody waits for it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import struct
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from starlette.websockets import WebSocket, WebSocketState
from websockets.protocol import State

from realtime.presence import Viewer
from server.core.errors import ErrorCode
from server.core.models import User

try:  # uvicorn's default WebSocket protocol (uvicorn >= 0.35 with websockets installed)
    from uvicorn.protocols.websockets.websockets_sansio_impl import (
        WebSocketsSansIOProtocol as _SansIO,
    )
except ImportError:  # pragma: no cover - older uvicorn: every frame goes through ASGI
    _SansIO = None  # type: ignore[assignment,misc]

log = logging.getLogger("essaim.realtime")

# A frame carries several queued messages up to about this many characters.
BATCH_BYTES = 64 * 1024


def text_frame(payload: bytes) -> bytes:
    """A final, unmasked, uncompressed text frame (RFC 6455 §5.2): what a server sends."""
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 65536:
        return struct.pack("!BBH", 0x81, 126, size) + payload
    return struct.pack("!BBQ", 0x81, 127, size) + payload


class Outgoing:
    """One server message, encoded once: its text and its frame are shared by every
    connection it goes to."""

    __slots__ = ("text", "frame")

    def __init__(self, text: str) -> None:
        self.text = text
        self.frame = text_frame(text.encode())

    @classmethod
    def encode(cls, message: dict[str, Any]) -> Outgoing:
        return cls(json.dumps(message, ensure_ascii=False))


class DirectSocket:
    """Writes whole frames to the transport under uvicorn's websockets-sansio protocol.

    Safe because that protocol writes every frame of its own (pings, pongs, close) with one
    synchronous ``transport.write`` and never fragments, so frames cannot interleave; used only
    while the connection is open, its write buffer below the high-water mark and no extension
    (compression) negotiated. Anything else goes through the ASGI ``send``.
    """

    __slots__ = ("protocol",)

    def __init__(self, protocol: Any) -> None:
        self.protocol = protocol

    @classmethod
    def of(cls, websocket: WebSocket) -> DirectSocket | None:
        # The ASGI ``receive`` reaches the endpoint unwrapped (``send`` is wrapped by
        # Starlette's exception handling), so its owner is the protocol of this connection.
        owner = getattr(getattr(websocket, "_receive", None), "__self__", None)
        if _SansIO is None or not isinstance(owner, _SansIO):
            return None
        if owner.conn.extensions:
            return None
        return cls(owner)

    def ready(self) -> bool:
        protocol = self.protocol
        return bool(
            protocol.writable.is_set()
            and not protocol.close_sent
            and protocol.conn.state is State.OPEN
            and not protocol.transport.is_closing()
        )

    def write(self, frame: bytes) -> None:
        self.protocol.transport.write(frame)


@dataclass(eq=False, slots=True)  # identity semantics: subscriptions live in sets
class Subscription:
    """A connection following one collective, optionally viewing one of its boards."""

    connection: Connection
    collective: int
    board: int | None
    animator: bool
    last_seq: int = 0
    viewer: Viewer | None = None  # its presence entry, once it has a board and joined
    # While the history is replayed from the log, live messages wait here (seq, message).
    backlog: list[tuple[int, Outgoing]] | None = field(default_factory=list)

    def wants(self, board: int | None) -> bool:
        return self.board is None or board is None or board == self.board

    def deliver(self, seq: int, message: Outgoing) -> None:
        """Send one event once and in order; events at or below ``last_seq`` were sent."""
        if self.backlog is not None:
            self.backlog.append((seq, message))
        elif seq > self.last_seq:
            self.last_seq = seq
            self.connection.send(message)

    def go_live(self) -> None:
        backlog, self.backlog = self.backlog or [], None
        for seq, message in sorted(backlog, key=lambda item: item[0]):
            self.deliver(seq, message)


class Connection:
    __slots__ = (
        "id",
        "websocket",
        "user",
        "session_id",
        "expires_at",
        "subscriptions",
        "errors",
        "close_code",
        "close_reason",
        "silence",
        "last_seen",
        "_queue_size",
        "_direct",
        "_pending",
        "_drainer",
        "_room",
        "_broken",
    )

    def __init__(
        self, websocket: WebSocket, user: User, queue_size: int, silence: float, *, session_id: int
    ) -> None:
        self.id = uuid.uuid4().hex
        self.websocket = websocket
        self.user = user
        # The login session behind the socket: its revocation or expiry closes the socket.
        self.session_id = session_id
        self.expires_at = math.inf  # when it expires (``time.time()``), once read
        self.subscriptions: dict[int, Subscription] = {}
        self.errors = 0
        self.close_code: int | None = None
        self.close_reason = ""
        # Closed with CLIENT_SILENT when nothing was received for ``silence`` seconds (the hub
        # checks every connection now and then: no timer per connection).
        self.silence = silence
        self.last_seen = time.monotonic()
        self._queue_size = queue_size
        self._direct = DirectSocket.of(websocket)
        # Messages waiting for the socket, created when first needed (a deque costs ~0.7 KB);
        # never empty while no drainer runs.
        self._pending: deque[Outgoing] | None = None
        self._drainer: asyncio.Task[None] | None = None
        self._room: asyncio.Event | None = None  # set when the drainer takes messages
        self._broken = False  # the peer went away: nothing more is sent

    @property
    def direct(self) -> bool:
        """True when frames go straight to the socket (uvicorn's websockets-sansio)."""
        return self._direct is not None

    def send(self, message: Outgoing | str) -> None:
        """Send a message, or queue it behind those waiting; if the queue is full the client is
        too slow and is closed."""
        if self.close_code is not None or self._broken:
            return
        if isinstance(message, str):
            message = Outgoing(message)
        direct = self._direct
        if self._drainer is None and direct is not None and direct.ready():
            try:
                direct.write(message.frame)
            except Exception:  # the socket died under us: this connection only
                log.debug("connection %s: write failed; the peer is gone", self.id, exc_info=True)
                self._broken = True
            return
        pending = self._pending
        if pending is None:
            pending = self._pending = deque()
        elif len(pending) >= self._queue_size:
            self.close(ErrorCode.SLOW_CONSUMER, "slow consumer: reconnect with since")
            return
        pending.append(message)
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain(), name=f"essaim-ws-{self.id}")

    async def send_waiting(self, message: Outgoing | str, timeout: float = 30.0) -> None:
        """Send, waiting for room in the queue (history replay); a client that does not read
        for ``timeout`` seconds is closed as a slow consumer."""
        try:
            async with asyncio.timeout(timeout):
                while self.queued >= self._queue_size and not self.closing:
                    if self._room is None:
                        self._room = asyncio.Event()
                    await self._room.wait()
        except TimeoutError:
            self.close(ErrorCode.SLOW_CONSUMER, "slow consumer: reconnect with since")
            return
        self.send(message)

    @property
    def queued(self) -> int:
        """Messages waiting for the socket."""
        return 0 if self._pending is None else len(self._pending)

    def send_json(self, message: dict[str, Any]) -> None:
        self.send(Outgoing.encode(message))

    def close(self, code: ErrorCode, reason: str) -> None:
        """Close after what is already queued is dropped (the client resumes with since)."""
        if self.close_code is not None:
            return
        self.close_code, self.close_reason = code.close_code, reason
        self._pending = None
        self._make_room()
        if self._drainer is None and not self._broken:
            self._drainer = asyncio.create_task(self._drain(), name=f"essaim-ws-{self.id}")

    def _make_room(self) -> None:
        room, self._room = self._room, None
        if room is not None:
            room.set()

    async def _drain(self) -> None:
        try:
            while self._pending and self.close_code is None:
                # What queued up leaves in one frame, one message per line: one send and one
                # wake-up for many messages (JSON has no raw \n).
                pending, batch, size = self._pending, [], 0
                while pending and size < BATCH_BYTES:
                    text = pending.popleft().text
                    batch.append(text)
                    size += len(text)
                if not pending:
                    self._pending = None  # a burst is over: give its memory back
                self._make_room()
                await self.websocket.send_text("\n".join(batch))
            if self.close_code is not None:
                try:
                    if self.websocket.client_state != WebSocketState.DISCONNECTED:
                        await self.websocket.close(self.close_code, self.close_reason)
                except Exception:  # normal: the peer closed first or the socket is gone
                    log.debug("connection %s: close failed", self.id, exc_info=True)
        except Exception:  # the peer went away: the reader notices and cleans up
            log.debug("connection %s: send failed; the peer is gone", self.id, exc_info=True)
            self._broken = True
            self._pending = None
        finally:
            self._drainer = None
            self._make_room()

    async def stop(self) -> None:
        self._broken = True
        self._pending = None
        drainer = self._drainer
        if drainer is not None:
            drainer.cancel()
            await self._wait(drainer)

    @property
    def closing(self) -> bool:
        return self.close_code is not None

    async def wait_closed(self) -> None:
        drainer = self._drainer
        if drainer is not None:
            await self._wait(drainer)

    async def _wait(self, drainer: asyncio.Task[None]) -> None:
        try:
            await drainer
        except asyncio.CancelledError:
            pass  # stopped on purpose
        except Exception:  # _drain handles the peer going away: anything else is a bug
            log.warning("connection %s: the sender failed", self.id, exc_info=True)
