"""Throttling: attempts are counted under keys *before* they are carried out.

Counting after the fact (check, then do the slow thing, then record a failure) lets a burst of
parallel requests all pass the check before any of them is recorded. Here the check and the
record happen in one write transaction that is serialised per key, so of N concurrent attempts
at most ``limit`` get through, on SQLite and on PostgreSQL, in one process or several:

- SQLite: write transactions begin with ``BEGIN IMMEDIATE`` (``server.core.db``), which takes the
  database's write lock up front: every writer of every process queues on it.
- PostgreSQL: ``pg_advisory_xact_lock`` on a 64-bit hash of each key, taken in a fixed order
  (so that two transactions never wait on each other), released at commit. Under READ
  COMMITTED the count that follows sees every attempt committed by the previous holder.

The rows live in ``login_failures`` (``server.core.models.LoginFailure``).
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.errors import TooManyRequests
from server.core.models import LoginFailure, utcnow


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


# ---------------------------------------------------------------- keys
# Every key is built here, so that counting, forgiving and forgetting them agree.


def client(address: str) -> str:
    """Whom an address stands for: an IPv4 address itself, an IPv6 address its /64 network.

    One IPv6 subscriber gets a whole /64 (2^64 addresses): keyed by full address, each new
    address would bring a fresh allowance."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # "unknown", or a test transport's name
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def account_key(email: str) -> str:
    return f"account:{email}"


def address_key(address: str) -> str:
    return f"address:{client(address)}"


def pair_prefix(email: str) -> str:
    """The key prefix of one account's login failures by address, ``pair:<hash>|<address>``
    (the email hashed: with a 254-character email and an IPv6 address the key would not fit)."""
    return f"pair:{hashlib.sha256(email.encode()).hexdigest()[:24]}|"


def pair_key(email: str, address: str) -> str:
    return pair_prefix(email) + client(address)


def register_key(address: str) -> str:
    return f"register:{client(address)}"


def email_key(purpose: str, email: str) -> str:
    """Emails about one's account (``purpose``) asked for one address."""
    return f"{purpose}:email:{email}"


def email_address_key(purpose: str, address: str) -> str:
    """Emails about one's account (``purpose``) asked for from one client address."""
    return f"{purpose}:address:{client(address)}"


def account_keys(email: str) -> ColumnElement[bool]:
    """The keys of an account's failed logins: its own and its (account, address) pairs."""
    return or_(
        LoginFailure.key == account_key(email),
        LoginFailure.key.startswith(pair_prefix(email), autoescape=True),
    )


def keys_naming(email: str) -> ColumnElement[bool]:
    """Every key that names ``email``: the account's, its pairs' and the emailed links'
    (escaped: an ``_`` or ``%`` in an address must not match other addresses' keys)."""
    return or_(
        account_keys(email),
        LoginFailure.key.endswith(email_key("", email), autoescape=True),
    )


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
