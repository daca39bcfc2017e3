"""Throttling: attempts are counted under keys *before* they are carried out.

Counting after the fact (check, then do the slow thing, then record a failure) lets a burst of
parallel requests all pass the check before any of them is recorded. Here the check and the
record happen in one write transaction that is serialised per key, so of N concurrent attempts
at most ``limit`` get through, on SQLite and on PostgreSQL, in one process or several:

- SQLite: write transactions begin with ``BEGIN IMMEDIATE`` (``server.db``), which takes the
  database's write lock up front: every writer of every process queues on it.
- PostgreSQL: ``pg_advisory_xact_lock`` on a 64-bit hash of each key, taken in a fixed order
  (so that two transactions never wait on each other), released at commit. Under READ
  COMMITTED the count that follows sees every attempt committed by the previous holder.

The rows live in ``login_failures`` (``server.models.LoginFailure``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import TooManyRequests
from server.models import LoginFailure, utcnow


def lock_id(key: str) -> int:
    """The advisory-lock number of ``key`` (a signed 64-bit integer, as PostgreSQL wants)."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


async def serialise(session: AsyncSession, keys: Iterable[str]) -> None:
    """Make this transaction the only one counting ``keys`` until it ends."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        # SQLite: the transaction already holds the database write lock (BEGIN IMMEDIATE).
        await session.execute(select(1))
        return
    for number in sorted({lock_id(key) for key in keys}):
        await session.execute(text("SELECT pg_advisory_xact_lock(:n)"), {"n": number})


async def count(session: AsyncSession, key: str, since: datetime) -> int:
    found = await session.scalar(
        select(func.count()).where(LoginFailure.key == key, LoginFailure.at >= since)
    )
    return int(found or 0)


async def record(session: AsyncSession, keys: Iterable[str], since: datetime) -> list[int]:
    """Record one attempt under each key (and drop their rows older than ``since``)."""
    keys = list(dict.fromkeys(keys))
    await session.execute(
        delete(LoginFailure)
        .where(LoginFailure.key.in_(keys), LoginFailure.at < since)
        .execution_options(synchronize_session=False)
    )
    rows = [LoginFailure(key=key, at=utcnow()) for key in keys]
    session.add_all(rows)
    await session.flush()
    return [row.id for row in rows]


def pair_prefix(email: str) -> str:
    """The key prefix of one account's login failures by address, ``pair:<hash>|<address>``
    (the email hashed: with a 254-character email and an IPv6 address the key would not fit)."""
    return f"pair:{hashlib.sha256(email.encode()).hexdigest()[:24]}|"


def window_start(seconds: int) -> datetime:
    return utcnow() - timedelta(seconds=seconds)


async def admit(
    session: AsyncSession, limits: dict[str, int], window_seconds: int, message: str
) -> list[int]:
    """Count one attempt under every key of ``limits``, or raise TooManyRequests (recording
    nothing) when one of them already reached its limit within the window."""
    await serialise(session, limits)
    since = window_start(window_seconds)
    for key, limit in limits.items():
        if await count(session, key, since) >= limit:
            raise TooManyRequests(message, retry_after=window_seconds)
    return await record(session, limits, since)
