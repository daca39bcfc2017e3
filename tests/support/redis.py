"""The test Redis (``ESSAIM_TEST_REDIS_URL``): whether it answers, and key prefixes of one's
own so that tests sharing the server never see each other's keys."""

from __future__ import annotations

import asyncio
import os
import uuid

import redis.asyncio as aioredis

from tests.conftest import unavailable

REDIS_URL = os.environ.get("ESSAIM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def redis_problem(url: str) -> str | None:
    client: aioredis.Redis = aioredis.from_url(url, socket_connect_timeout=2)
    try:
        async with asyncio.timeout(5):
            await client.ping()
        return None
    except Exception as exc:  # any failure means "not here"
        return f"Redis not reachable at {url}: {exc!r}"
    finally:
        await client.aclose()


async def require_redis(url: str = REDIS_URL) -> None:
    """Skip (laptop) or fail (CI) the test when Redis does not answer."""
    problem = await redis_problem(url)
    if problem:
        unavailable(problem)


def unique_prefix() -> str:
    """A key prefix no other test uses."""
    return f"essaim-test-{uuid.uuid4().hex}:"


async def delete_prefix(url: str, prefix: str) -> None:
    """Remove every key under ``prefix``."""
    client: aioredis.Redis = aioredis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=500)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
