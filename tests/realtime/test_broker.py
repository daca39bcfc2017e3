"""The brokers behind ``BROKER_URL``: in-process fan-out, and Redis pub/sub shared by several
processes (two ``RedisBroker`` instances here, each with its own connections, as two processes
would have). Every test uses its own key prefix on the real Redis and removes its keys."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import pytest
import redis.asyncio as aioredis

from server.core.broker import (
    Broker,
    MemoryBroker,
    Message,
    RedisBroker,
    broker_from_url,
    split_prefix,
)
from tests.support.redis import REDIS_URL, delete_prefix, require_redis, unique_prefix

WAIT = 5.0
QUIET = 0.3  # how long "nothing arrives" is watched for


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A fresh prefix on the test Redis (skip or fail when Redis is missing); its keys are
    deleted afterwards."""
    await require_redis()
    prefix = unique_prefix()
    yield prefix
    await delete_prefix(REDIS_URL, prefix)


MakeBroker = Callable[..., Awaitable[RedisBroker]]


@pytest.fixture
async def make_broker(redis_prefix: str) -> AsyncIterator[MakeBroker]:
    """``await make_broker()``: a connected RedisBroker on the test prefix (one per "process")."""
    brokers: list[RedisBroker] = []

    async def make(prefix: str | None = None) -> RedisBroker:
        broker = broker_from_url(f"{REDIS_URL}?prefix={prefix or redis_prefix}")
        assert isinstance(broker, RedisBroker)
        brokers.append(broker)
        await broker.connect()
        return broker

    yield make
    for broker in brokers:
        await broker.disconnect()


async def next_message(queue: asyncio.Queue[Message], timeout: float = WAIT) -> Message:
    return await asyncio.wait_for(queue.get(), timeout)


async def assert_quiet(queue: asyncio.Queue[Message], seconds: float = QUIET) -> None:
    try:
        message = await asyncio.wait_for(queue.get(), seconds)
    except TimeoutError:
        return
    raise AssertionError(f"unexpected message {message}")


async def numsub(broker: RedisBroker, channel: str) -> int:
    counts = await broker.redis.pubsub_numsub(broker.prefix + channel)
    return int(counts[0][1])


# ---------------------------------------------------------------- Redis, two processes


async def test_a_message_published_by_one_process_reaches_the_other_in_order(
    make_broker: MakeBroker,
) -> None:
    a, b = await make_broker(), await make_broker()
    async with a.subscribe("collective:1") as first, a.subscribe("collective:1") as second:
        async with b.subscribe("collective:1") as local:
            messages = [{"type": "event", "seq": n, "data": {"é": "ü" * n}} for n in range(50)]
            for message in messages:
                await b.publish("collective:1", message)
            for queue in (first, second, local):
                received = [await next_message(queue) for _ in messages]
                assert received == messages
                await assert_quiet(queue, 0.05)


async def test_both_processes_publish_to_each_other(make_broker: MakeBroker) -> None:
    a, b = await make_broker(), await make_broker()
    async with a.subscribe("c") as on_a, b.subscribe("c") as on_b:
        await a.publish("c", {"from": "a"})
        await b.publish("c", {"from": "b"})
        for queue in (on_a, on_b):
            assert [await next_message(queue), await next_message(queue)] == [
                {"from": "a"},
                {"from": "b"},
            ]


async def test_channels_are_isolated(make_broker: MakeBroker) -> None:
    a, b = await make_broker(), await make_broker()
    async with a.subscribe("collective:1") as one, a.subscribe("collective:2") as two:
        await b.publish("collective:2", {"n": 2})
        await b.publish("collective:1", {"n": 1})
        await b.publish("collective:3", {"n": 3})
        assert await next_message(one) == {"n": 1}
        assert await next_message(two) == {"n": 2}
        await assert_quiet(one)
        await assert_quiet(two)


async def test_prefixes_are_isolated(make_broker: MakeBroker, redis_prefix: str) -> None:
    other_prefix = unique_prefix()
    try:
        mine, mine_too = await make_broker(), await make_broker()
        theirs = await make_broker(other_prefix)
        async with mine.subscribe("c") as queue, theirs.subscribe("c") as their_queue:
            await theirs.publish("c", {"to": "them"})
            await mine_too.publish("c", {"to": "us"})
            assert await next_message(queue) == {"to": "us"}
            assert await next_message(their_queue) == {"to": "them"}
            await assert_quiet(queue)
            await assert_quiet(their_queue)
            # The prefix is part of the Redis channel name.
            assert await numsub(mine, "c") == 1
            raw = await mine.redis.pubsub_numsub(f"{redis_prefix}c", f"{other_prefix}c", "c")
            assert [int(count) for _, count in raw] == [1, 1, 0]
    finally:
        await delete_prefix(REDIS_URL, other_prefix)


async def test_unsubscribing_the_last_local_subscriber_stops_delivery(
    make_broker: MakeBroker,
) -> None:
    a, b = await make_broker(), await make_broker()
    async with a.subscribe("c") as kept:
        async with a.subscribe("c") as left:
            await b.publish("c", {"n": 1})
            assert await next_message(left) == {"n": 1}
            assert await next_message(kept) == {"n": 1}
        # One local subscriber left: the process still listens, only ``kept`` receives.
        assert await numsub(a, "c") == 1
        await b.publish("c", {"n": 2})
        assert await next_message(kept) == {"n": 2}
        await assert_quiet(left)
    # The last one left: the process no longer listens to the channel at all.
    async with asyncio.timeout(WAIT):
        while await numsub(a, "c"):
            await asyncio.sleep(0.02)
    assert "c" not in a._queues
    await b.publish("c", {"n": 3})
    await assert_quiet(kept)
    await assert_quiet(left)
    # Subscribing again works, from the next message on.
    async with a.subscribe("c") as again:
        await b.publish("c", {"n": 4})
        assert await next_message(again) == {"n": 4}


@pytest.mark.parametrize(
    "payload",
    [b"not json {", b"\xff\xfe\x00 not utf-8", b"[1, 2, 3]", b"42", b"null", b'"text"'],
    ids=["not-json", "not-utf8", "array", "number", "null", "string"],
)
async def test_a_malformed_payload_is_ignored_and_the_reader_survives(
    make_broker: MakeBroker, payload: bytes
) -> None:
    a = await make_broker()
    raw: aioredis.Redis = aioredis.from_url(REDIS_URL)
    try:
        async with a.subscribe("c") as queue:
            await raw.publish(f"{a.prefix}c", payload)
            await a.publish("c", {"after": 1})
            # Subscribers only ever get the messages of the interface: dicts.
            try:
                first = await next_message(queue)
            except TimeoutError:
                raise AssertionError(
                    f"after {payload!r}, a valid message never arrived: the reader is stuck"
                ) from None
            assert first == {"after": 1}, f"{payload!r} was delivered as {first!r}"
            assert a._reader is not None and not a._reader.done()
            await a.publish("c", {"after": 2})
            assert await next_message(queue) == {"after": 2}
            await assert_quiet(queue, 0.05)
    finally:
        await raw.aclose()


async def test_publishing_without_subscribers_is_harmless(make_broker: MakeBroker) -> None:
    a = await make_broker()
    await a.publish("nobody", {"n": 1})
    async with a.subscribe("nobody") as queue:
        await assert_quiet(queue, 0.1)


async def test_prefix_and_url_come_from_broker_url() -> None:
    assert split_prefix("redis://h:6379/0?prefix=t-1:") == ("redis://h:6379/0", "t-1:")
    assert split_prefix("redis://h/0") == ("redis://h/0", "essaim:")
    clean, prefix = split_prefix("redis://h/0?socket_timeout=5&prefix=p:")
    assert (clean, prefix) == ("redis://h/0?socket_timeout=5", "p:")
    broker = broker_from_url("redis://127.0.0.1:6379/3?prefix=x:")
    assert isinstance(broker, RedisBroker)
    try:
        assert (broker.url, broker.prefix) == ("redis://127.0.0.1:6379/3", "x:")
    finally:
        await broker.redis.aclose()


# ---------------------------------------------------------------- memory and the URL


async def test_memory_broker_fans_out_in_order_per_channel() -> None:
    broker = broker_from_url("memory://")
    assert isinstance(broker, MemoryBroker)
    await broker.connect()
    try:
        async with AsyncExitStack() as stack:
            first = await stack.enter_async_context(broker.subscribe("a"))
            second = await stack.enter_async_context(broker.subscribe("a"))
            other = await stack.enter_async_context(broker.subscribe("b"))
            for n in range(5):
                await broker.publish("a", {"n": n})
            await broker.publish("b", {"n": "b"})
            for queue in (first, second):
                assert [await next_message(queue) for _ in range(5)] == [{"n": n} for n in range(5)]
                assert queue.empty()
            assert await next_message(other) == {"n": "b"}
            assert other.empty()
        # Everyone left: nothing is kept, and a publish reaches no one.
        assert broker._queues == {}
        async with broker.subscribe("a") as later:
            await broker.publish("a", {"n": "later"})
            assert await next_message(later) == {"n": "later"}
            assert later.empty()
    finally:
        await broker.disconnect()


async def test_memory_broker_unsubscribe_stops_delivery_to_that_queue() -> None:
    broker: Broker = MemoryBroker()
    await broker.connect()
    try:
        async with broker.subscribe("a") as kept:
            async with broker.subscribe("a") as left:
                pass
            await broker.publish("a", {"n": 1})
            assert await next_message(kept) == {"n": 1}
            assert left.empty()
    finally:
        await broker.disconnect()


@pytest.mark.parametrize(
    "url", ["kafka://localhost:9092", "nats://h:4222", "http://h/", "redis", "memory"]
)
def test_broker_from_url_refuses_an_unknown_scheme(url: str) -> None:
    with pytest.raises(ValueError, match=r"unsupported BROKER_URL scheme .*memory:// or redis://"):
        broker_from_url(url)


async def test_subscriptions_made_at_once_on_a_fresh_broker_are_all_confirmed(
    redis_prefix: str,
) -> None:
    """A process starting subscribes to several channels at the same moment (the sessions,
    the unread counts, the first feeds): each must be confirmed and receive. Before the
    subscriptions were sent one at a time, two of them could race to open the pub/sub
    connection and one waited for a confirmation that never came."""
    for attempt in range(5):
        broker = RedisBroker(REDIS_URL, f"{redis_prefix}{attempt}:")
        await broker.connect()
        try:
            async with AsyncExitStack() as stack:
                queues = await asyncio.wait_for(
                    asyncio.gather(
                        *(stack.enter_async_context(broker.subscribe(c)) for c in "abc")
                    ),
                    WAIT * 2,
                )
                for channel in "abc":
                    await broker.publish(channel, {"on": channel})
                for channel, queue in zip("abc", queues, strict=True):
                    assert await asyncio.wait_for(queue.get(), WAIT) == {"on": channel}
        finally:
            await broker.disconnect()
