"""Presence stores: in-process and Redis (several processes share it). A user counts once per
board whatever their number of connections; entries live for a TTL unless refreshed, and the
departure of a user is announced by exactly one sweeper."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import redis.asyncio as aioredis

from realtime.presence import (
    MemoryPresence,
    Presence,
    RedisPresence,
    Viewer,
    presence_from_url,
)
from tests.support.redis import REDIS_URL, delete_prefix, require_redis, unique_prefix

TTL = 0.5
DEADLINE = 5.0

MakePresence = Callable[..., Awaitable[Presence]]


@pytest.fixture(params=["memory", "redis"])
async def make_presence(request: pytest.FixtureRequest) -> AsyncIterator[MakePresence]:
    """``await make_presence()``: a presence store; with Redis, every call is another "process"
    (its own connection) on the same prefix, with the same in-memory store otherwise."""
    if request.param == "memory":
        shared = MemoryPresence(TTL)

        async def memory(ttl: float = TTL) -> Presence:
            shared.ttl = ttl
            return shared

        yield memory
        return
    await require_redis()
    prefix = unique_prefix()
    clients: list[aioredis.Redis] = []

    async def redis(ttl: float = TTL) -> Presence:
        client: aioredis.Redis = aioredis.from_url(REDIS_URL, decode_responses=True)
        clients.append(client)
        return RedisPresence(client, prefix, ttl)

    try:
        yield redis
    finally:
        for client in clients:
            await client.aclose()
        await delete_prefix(REDIS_URL, prefix)


def viewer(user: int, connection: str | None = None, board: int = 10) -> Viewer:
    return Viewer(connection or f"conn-{user}", 1, board, user, f"User {user}")


async def wait_gone(presence: Presence, board: int) -> float:
    """Poll until nobody is seen on ``board``; the time it took."""
    start = time.monotonic()
    async with asyncio.timeout(DEADLINE):
        while await presence.viewers(board):
            await asyncio.sleep(0.05)
    return time.monotonic() - start


async def test_join_is_true_only_for_the_first_connection_of_a_user(
    make_presence: MakePresence,
) -> None:
    presence = await make_presence()
    assert await presence.join(viewer(1, "a")) is True
    assert await presence.join(viewer(1, "b")) is False
    assert await presence.join(viewer(2, "c")) is True
    # Another board is another audience.
    assert await presence.join(viewer(1, "d", board=11)) is True
    assert len(await presence.viewers(10)) == 3


async def test_leave_is_true_only_when_the_last_connection_of_a_user_leaves(
    make_presence: MakePresence,
) -> None:
    presence = await make_presence()
    first, second, other = viewer(1, "a"), viewer(1, "b"), viewer(2, "c")
    for v in (first, second, other):
        await presence.join(v)
    assert await presence.leave(first) is False
    assert await presence.leave(first) is False  # already gone: no second announcement
    assert [u["id"] for u in await presence.users(10)] == [1, 2]
    assert await presence.leave(second) is True
    assert [u["id"] for u in await presence.users(10)] == [2]
    assert await presence.leave(viewer(3, "never-joined")) is False
    assert await presence.leave(other) is True
    assert await presence.users(10) == []


async def test_users_lists_each_user_once(make_presence: MakePresence) -> None:
    presence = await make_presence()
    for connection in ("a", "b", "c"):
        await presence.join(viewer(2, connection))
    await presence.join(viewer(1, "d"))
    await presence.join(viewer(3, "e", board=11))
    assert await presence.users(10) == [
        {"id": 1, "display_name": "User 1"},
        {"id": 2, "display_name": "User 2"},
    ]
    assert await presence.users(11) == [{"id": 3, "display_name": "User 3"}]
    assert await presence.users(12) == []


async def test_an_entry_not_refreshed_expires_and_is_swept_exactly_once(
    make_presence: MakePresence,
) -> None:
    one, two = await make_presence(), await make_presence()
    gone = viewer(1)
    await one.join(gone)
    assert await one.users(10) == [gone.user()]
    waited = await wait_gone(two, 10)
    assert waited <= TTL + 1.0
    swept = await asyncio.gather(one.sweep(), two.sweep(), one.sweep(), two.sweep())
    assert [v for result in swept for v in result] == [gone]
    assert await one.sweep() == [] and await two.sweep() == []
    # Once swept, a late refresh of the dead process does not bring it back.
    await one.refresh([gone])
    assert await two.viewers(10) == []


async def test_a_user_whose_connections_all_expire_is_swept_once(
    make_presence: MakePresence,
) -> None:
    one, two = await make_presence(), await make_presence()
    await one.join(viewer(1, "a"))
    await one.join(viewer(1, "b"))
    await one.join(viewer(2, "c"))
    await wait_gone(two, 10)
    swept = await asyncio.gather(one.sweep(), two.sweep())
    users = sorted(v.user_id for result in swept for v in result)
    assert users == [1, 2], f"each departed user announced once, got {swept}"


async def test_refresh_keeps_an_entry_alive(make_presence: MakePresence) -> None:
    presence, sweeper = await make_presence(), await make_presence()
    kept, dropped = viewer(1), viewer(2)
    await presence.join(kept)
    await presence.join(dropped)
    deadline = time.monotonic() + 3 * TTL
    swept: list[Viewer] = []
    while time.monotonic() < deadline:
        await presence.refresh([kept])
        swept += await sweeper.sweep()
        await asyncio.sleep(TTL / 5)
    assert swept == [dropped]
    assert await sweeper.users(10) == [kept.user()]


async def test_refresh_after_leave_does_not_resurrect(make_presence: MakePresence) -> None:
    presence = await make_presence()
    v = viewer(1)
    await presence.join(v)
    assert await presence.leave(v) is True
    await presence.refresh([v])
    assert await presence.viewers(10) == []
    assert await presence.sweep() == []
    assert await presence.join(v) is True


async def test_concurrent_joins_of_one_user_announce_once(make_presence: MakePresence) -> None:
    one, two = await make_presence(), await make_presence()
    for attempt in range(10):
        board = 100 + attempt
        first, second = viewer(1, "a", board), viewer(1, "b", board)
        joined = await asyncio.gather(one.join(first), two.join(second))
        assert sorted(joined) == [False, True], f"attempt {attempt}: {joined}"


async def test_concurrent_leaves_of_one_user_announce_once(make_presence: MakePresence) -> None:
    one, two = await make_presence(), await make_presence()
    for attempt in range(10):
        board = 100 + attempt
        first, second = viewer(1, "a", board), viewer(1, "b", board)
        await one.join(first)
        await two.join(second)
        left = await asyncio.gather(one.leave(first), two.leave(second))
        assert sorted(left) == [False, True], f"attempt {attempt}: {left}"


async def test_the_presence_store_is_chosen_by_the_broker_url_and_shares_its_prefix() -> None:
    assert isinstance(presence_from_url("memory://", TTL), MemoryPresence)
    await require_redis()
    prefix = unique_prefix()
    presence = presence_from_url(f"{REDIS_URL}?prefix={prefix}", TTL)
    try:
        assert isinstance(presence, RedisPresence) and presence.prefix == prefix
        assert await presence.join(viewer(1))
        raw: aioredis.Redis = aioredis.from_url(REDIS_URL, decode_responses=True)
        try:
            assert await raw.zcard(f"{prefix}presence:board:10") == 1
        finally:
            await raw.aclose()
    finally:
        await presence.close()
        await delete_prefix(REDIS_URL, prefix)
    with pytest.raises(ValueError, match="unsupported"):
        presence_from_url("kafka://somewhere", TTL)
