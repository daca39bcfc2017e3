"""One WebSocket connection: a bounded send queue drained by its own writer task, and the
collectives it follows. A slow client overflows its own queue and is closed; nobody waits."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.websockets import WebSocket, WebSocketState

from server.models import User

CLOSE_SLOW_CONSUMER = 4429
# A frame carries several queued messages up to about this many characters.
BATCH_BYTES = 64 * 1024


@dataclass(eq=False)  # identity semantics: subscriptions live in sets
class Subscription:
    """A connection following one collective, optionally viewing one of its boards."""

    connection: Connection
    collective: int
    board: int | None
    animator: bool
    last_seq: int = 0
    # While the history is replayed from the log, live messages wait here (seq, text).
    backlog: list[tuple[int, str]] | None = field(default_factory=list)

    def wants(self, board: int | None) -> bool:
        return self.board is None or board is None or board == self.board

    def deliver(self, seq: int, text: str) -> None:
        """Send one event once and in order; events at or below ``last_seq`` were sent."""
        if self.backlog is not None:
            self.backlog.append((seq, text))
        elif seq > self.last_seq:
            self.last_seq = seq
            self.connection.send(text)

    def go_live(self) -> None:
        backlog, self.backlog = self.backlog or [], None
        for seq, text in sorted(backlog, key=lambda item: item[0]):
            self.deliver(seq, text)


class Connection:
    def __init__(self, websocket: WebSocket, user: User, queue_size: int) -> None:
        self.id = uuid.uuid4().hex
        self.websocket = websocket
        self.user = user
        self.subscriptions: dict[int, Subscription] = {}
        self.errors = 0
        self._queue: asyncio.Queue[str | None] = asyncio.Queue(queue_size)
        self._writer: asyncio.Task[None] | None = None
        self.close_code: int | None = None
        self.close_reason = ""

    def start(self) -> None:
        self._writer = asyncio.create_task(self._write(), name=f"essaim-ws-writer-{self.id}")

    def send(self, text: str) -> None:
        """Queue a text frame; if the queue is full the client is too slow and is closed."""
        if self.close_code is not None:
            return
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            self.close(CLOSE_SLOW_CONSUMER, "slow consumer: reconnect with since")

    async def send_waiting(self, text: str, timeout: float = 30.0) -> None:
        """Queue a frame, waiting for room (history replay); a client that does not read
        for ``timeout`` seconds is closed as a slow consumer."""
        if self.close_code is not None:
            return
        try:
            await asyncio.wait_for(self._queue.put(text), timeout)
        except TimeoutError:
            self.close(CLOSE_SLOW_CONSUMER, "slow consumer: reconnect with since")

    def send_json(self, message: dict[str, Any]) -> None:
        self.send(json.dumps(message, ensure_ascii=False))

    def close(self, code: int, reason: str) -> None:
        """Close after what is already queued is dropped (the client resumes with since)."""
        if self.close_code is not None:
            return
        self.close_code, self.close_reason = code, reason
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(None)

    async def _write(self) -> None:
        try:
            while (text := await self._queue.get()) is not None:
                # Under load, what queued up meanwhile leaves in the same frame, one message
                # per line: one send and one wake-up for many messages (JSON has no raw \n).
                batch, size, closing = [text], len(text), False
                while size < BATCH_BYTES and not self._queue.empty():
                    more = self._queue.get_nowait()
                    if more is None:
                        closing = True
                        break
                    batch.append(more)
                    size += len(more)
                await self.websocket.send_text("\n".join(batch))
                if closing:
                    break
        except Exception:  # the peer went away: the reader notices and cleans up
            return
        with contextlib.suppress(Exception):
            if self.websocket.client_state != WebSocketState.DISCONNECTED:
                await self.websocket.close(self.close_code or 1000, self.close_reason)

    async def stop(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._writer

    @property
    def closing(self) -> bool:
        return self.close_code is not None

    async def wait_closed(self) -> None:
        if self._writer is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._writer
