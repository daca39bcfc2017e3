"""Pub/sub brokers behind one small interface, chosen by ``BROKER_URL``.

``memory://`` serves one process; the real-time issue adds ``redis://`` for several processes.
Messages are JSON-able dicts; a channel per collective (``collective:<id>``).
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger("essaim.broker")

Message = dict[str, Any]


class Broker(ABC):
    @abstractmethod
    async def connect(self) -> None: ...

    @abstractmethod
    async def disconnect(self) -> None: ...

    @abstractmethod
    async def publish(self, channel: str, message: Message) -> None: ...

    @abstractmethod
    def subscribe(self, channel: str) -> Subscription:
        """An async context manager yielding a queue of the channel's messages."""


class Subscription(ABC):
    @abstractmethod
    async def __aenter__(self) -> asyncio.Queue[Message]: ...

    @abstractmethod
    async def __aexit__(self, *exc: object) -> None: ...


class MemoryBroker(Broker):
    """In-process fan-out: each subscriber has its own bounded queue."""

    def __init__(self, queue_size: int = 10_000) -> None:
        self._channels: dict[str, set[asyncio.Queue[Message]]] = {}
        self._queue_size = queue_size

    async def connect(self) -> None:
        return None

    async def disconnect(self) -> None:
        self._channels.clear()

    async def publish(self, channel: str, message: Message) -> None:
        for queue in list(self._channels.get(channel, ())):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                # The consumer is too slow; it resumes from the event log on reconnect.
                log.warning("dropping a message for a full subscriber of %s", channel)

    def subscribe(self, channel: str) -> Subscription:
        return _MemorySubscription(self, channel)

    @asynccontextmanager
    async def _queue(self, channel: str) -> AsyncIterator[asyncio.Queue[Message]]:
        queue: asyncio.Queue[Message] = asyncio.Queue(self._queue_size)
        self._channels.setdefault(channel, set()).add(queue)
        try:
            yield queue
        finally:
            subscribers = self._channels.get(channel)
            if subscribers is not None:
                subscribers.discard(queue)
                if not subscribers:
                    del self._channels[channel]


class _MemorySubscription(Subscription):
    def __init__(self, broker: MemoryBroker, channel: str) -> None:
        self._cm = broker._queue(channel)

    async def __aenter__(self) -> asyncio.Queue[Message]:
        return await self._cm.__aenter__()

    async def __aexit__(self, *exc: object) -> None:
        await self._cm.__aexit__(None, None, None)


def broker_from_url(url: str) -> Broker:
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        return MemoryBroker()
    raise ValueError(f"unsupported BROKER_URL scheme {scheme!r} (supported: memory://)")
