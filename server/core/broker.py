"""Pub/sub brokers behind one small interface, chosen by ``BROKER_URL``.

``memory://`` serves one process; ``redis://host:6379/0`` lets several processes (or hosts)
behave as one. A ``prefix`` query parameter (``redis://…/0?prefix=test-1:``) namespaces every
channel and key, so test runs sharing a Redis never collide. Messages are JSON-able dicts.
"""

from __future__ import annotations

import asyncio
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import redis.asyncio as aioredis

log = logging.getLogger("essaim.broker")

Message = dict[str, Any]
QUEUE_SIZE = 10_000


class Broker(ABC):
    """Publish to channels; subscribe with a local queue. Delivery is at-most-once: the event
    log is the source of truth and subscribers fill gaps from it."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[Message]]] = {}

    @abstractmethod
    async def connect(self) -> None: ...

    @abstractmethod
    async def disconnect(self) -> None: ...

    @abstractmethod
    async def publish(self, channel: str, message: Message) -> None: ...

    async def _listen(self, channel: str) -> None:  # noqa: B027 (optional hook)
        """Start receiving ``channel`` (called for its first local subscriber)."""

    async def _unlisten(self, channel: str) -> None:  # noqa: B027 (optional hook)
        """Stop receiving ``channel`` (called when its last local subscriber left)."""

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[asyncio.Queue[Message]]:
        """A queue receiving every message published on ``channel`` from now on."""
        queue: asyncio.Queue[Message] = asyncio.Queue(QUEUE_SIZE)
        first = channel not in self._queues
        self._queues.setdefault(channel, set()).add(queue)
        try:
            if first:
                await self._listen(channel)
            yield queue
        finally:
            subscribers = self._queues.get(channel)
            if subscribers is not None:
                subscribers.discard(queue)
                if not subscribers:
                    del self._queues[channel]
                    try:
                        await self._unlisten(channel)
                    except Exception:  # the subscriber leaves anyway; its messages go nowhere
                        log.warning("could not stop listening to %s", channel, exc_info=True)

    def _deliver(self, channel: str, message: Message) -> None:
        for queue in list(self._queues.get(channel, ())):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                # The consumer is stuck; it fills the gap from the event log when it wakes.
                log.warning("dropping a message for a full subscriber of %s", channel)


class MemoryBroker(Broker):
    """In-process fan-out, for one process."""

    async def connect(self) -> None:
        return None

    async def disconnect(self) -> None:
        self._queues.clear()

    async def publish(self, channel: str, message: Message) -> None:
        self._deliver(channel, message)


class RedisBroker(Broker):
    """Redis pub/sub: one subscriber connection per process, shared by every local queue."""

    def __init__(self, url: str, prefix: str) -> None:
        super().__init__()
        self.url = url
        self.prefix = prefix
        self.redis: aioredis.Redis = aioredis.from_url(url, decode_responses=True)
        # Pub/sub reads raw bytes: a payload that is not UTF-8 must not break the parser.
        self._subscriber: aioredis.Redis = aioredis.from_url(url)
        self._pubsub = self._subscriber.pubsub()
        self._reader: asyncio.Task[None] | None = None
        self._confirmed: dict[str, asyncio.Event] = {}
        # redis-py's PubSub opens its connection on the first command: two (un)subscriptions
        # sent at once could each open one, and the confirmation sent on the connection the
        # other replaced would never be read. One at a time, then.
        self._commands = asyncio.Lock()

    async def connect(self) -> None:
        await self.redis.ping()

    async def disconnect(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except asyncio.CancelledError:
                pass  # what cancel() asked for
            except Exception:
                log.warning("the redis pub/sub reader had failed", exc_info=True)
        try:
            await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        except Exception:  # going away: the connections below are closed regardless
            log.warning("closing the redis pub/sub failed", exc_info=True)
        await self._subscriber.aclose()
        await self.redis.aclose()
        self._queues.clear()

    async def publish(self, channel: str, message: Message) -> None:
        await self.redis.publish(self.prefix + channel, json.dumps(message))

    async def _listen(self, channel: str) -> None:
        # Wait for Redis to confirm: only then is every later publish sure to reach us.
        confirmed = self._confirmed.setdefault(self.prefix + channel, asyncio.Event())
        async with self._commands:
            await self._pubsub.subscribe(self.prefix + channel)
            if self._reader is None or self._reader.done():
                self._reader = asyncio.create_task(self._read(), name="essaim-redis-reader")
        await asyncio.wait_for(confirmed.wait(), timeout=10)

    async def _unlisten(self, channel: str) -> None:
        self._confirmed.pop(self.prefix + channel, None)
        async with self._commands:
            await self._pubsub.unsubscribe(self.prefix + channel)

    async def _read(self) -> None:
        while True:
            try:
                item = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("redis pub/sub read failed; retrying")
                await asyncio.sleep(0.5)
                continue
            if item is None:
                continue
            raw_channel = item["channel"]
            channel = (
                raw_channel.decode("utf-8", "replace")
                if isinstance(raw_channel, bytes)
                else str(raw_channel)
            )
            kind = item["type"].decode() if isinstance(item["type"], bytes) else item["type"]
            if kind == "subscribe":
                event = self._confirmed.get(channel)
                if event is not None:
                    event.set()
            elif kind == "message":
                try:
                    message = json.loads(item["data"])
                except ValueError:  # not JSON, or not UTF-8
                    message = None
                if not isinstance(message, dict):
                    log.warning("ignoring a malformed message on %s", channel)
                    continue
                self._deliver(channel.removeprefix(self.prefix), message)


def split_prefix(url: str) -> tuple[str, str]:
    """``redis://h/0?prefix=x:`` → (``redis://h/0``, ``x:``); other query parameters stay."""
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    prefix = query.pop("prefix", [""])[0]
    clean = urlunsplit(parts._replace(query=urlencode(query, doseq=True)))
    return clean, prefix or "essaim:"


def broker_from_url(url: str) -> Broker:
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        return MemoryBroker()
    if scheme in {"redis", "rediss"}:
        clean, prefix = split_prefix(url)
        return RedisBroker(clean, prefix)
    raise ValueError(f"unsupported BROKER_URL scheme {scheme!r} (memory:// or redis://)")
