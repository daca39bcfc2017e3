"""Secrets and trust: argon2id password hashes, random tokens, the stored hashes of tokens,
and which origins may send requests and open sockets."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from server.core.settings import Settings


class Passwords:
    """argon2id hashing with the configured cost; verification never raises on a bad hash.

    A hash costs ~0.3 s of CPU: the async forms run it in a worker thread (argon2 releases the
    GIL), so the event loop keeps serving everyone else, and at most ``concurrency`` run at
    once per process, so a burst of sign-ups queues instead of taking every core and memory.
    """

    def __init__(self, time_cost: int, memory_kib: int, concurrency: int = 2) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, type=Type.ID)
        # Verified against on unknown accounts, so that a login takes as long either way.
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))
        self._slots = asyncio.Semaphore(max(1, concurrency))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy, password) and bool(
                password_hash
            )
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    async def hash_async(self, password: str) -> str:
        """``hash`` in a worker thread, once a hashing slot is free."""
        async with self._slots:
            return await asyncio.to_thread(self.hash, password)

    async def verify_async(self, password_hash: str | None, password: str) -> bool:
        """``verify`` in a worker thread, once a hashing slot is free."""
        async with self._slots:
            return await asyncio.to_thread(self.verify, password_hash, password)


def new_token() -> str:
    """A URL-safe random token with 256 bits of entropy."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The stored form of a token: its SHA-256 (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def origin_allowed(origin: str | None, scheme: str, netloc: str, settings: Settings) -> bool:
    """Whether a request's ``Origin`` (when sent) is this server, reached at
    ``scheme://netloc`` (``ws``/``wss`` count as ``http``/``https``), its public URL or an
    allowed origin: the same rule for HTTP requests and WebSockets."""
    if origin is None:
        return True
    scheme = {"ws": "http", "wss": "https"}.get(scheme, scheme)
    own = {f"{scheme}://{netloc}"}
    if settings.public_url:
        public = urlsplit(settings.public_url)
        own.add(f"{public.scheme}://{public.netloc}")
    return origin in own or origin in settings.allowed_origins
