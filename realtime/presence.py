"""Who is viewing which board: entries per connection, with a time to live refreshed by the
process that holds the connection, so the users of a crashed process disappear by themselves.

A user with several connections on a board counts once: ``join`` says whether the user just
appeared, ``leave`` and ``sweep`` whether they just disappeared (so exactly one process
announces each change). ``presence_from_url`` picks the store by ``BROKER_URL``, as the broker:
``memory://`` for one process, ``redis://`` shared by every process.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import redis.asyncio as aioredis

from server.core.broker import split_prefix


@dataclass(frozen=True, slots=True)
class Viewer:
    """One connection viewing one board."""

    connection: str
    collective: int
    board: int
    user_id: int
    display_name: str

    def user(self) -> dict[str, Any]:
        return {"id": self.user_id, "display_name": self.display_name}

    def encode(self) -> str:
        return json.dumps(
            [self.connection, self.collective, self.board, self.user_id, self.display_name]
        )

    @classmethod
    def decode(cls, raw: str) -> Viewer:
        connection, collective, board, user_id, name = json.loads(raw)
        return cls(str(connection), int(collective), int(board), int(user_id), str(name))


def _users(viewers: list[Viewer]) -> list[dict[str, Any]]:
    users = {v.user_id: v.user() for v in viewers}
    return sorted(users.values(), key=lambda u: (str(u["display_name"]), int(u["id"])))


class Presence(ABC):
    def __init__(self, ttl: float) -> None:
        self.ttl = ttl

    @abstractmethod
    async def join(self, viewer: Viewer) -> bool:
        """Record ``viewer``; True if its user was not on the board before."""

    @abstractmethod
    async def leave(self, viewer: Viewer) -> bool:
        """Forget ``viewer``; True if its user is no longer on the board."""

    @abstractmethod
    async def viewers(self, board: int) -> list[Viewer]: ...

    async def users(self, board: int) -> list[dict[str, Any]]:
        return _users(await self.viewers(board))

    @abstractmethod
    async def refresh(self, viewers: list[Viewer]) -> None:
        """Extend the life of this process's live entries."""

    @abstractmethod
    async def sweep(self) -> list[Viewer]:
        """Drop expired entries; the ones whose user thereby left their board."""

    async def close(self) -> None:  # noqa: B027 (nothing to release in memory)
        """Release the connections of the store (the entries stay until their TTL)."""


class MemoryPresence(Presence):
    """One process's presence; a per-board count of each user's connections keeps joins,
    leaves and the user list independent of how many connections a board has."""

    def __init__(self, ttl: float) -> None:
        super().__init__(ttl)
        self._boards: dict[int, dict[Viewer, float]] = {}
        self._connections: dict[int, Counter[int]] = {}

    async def join(self, viewer: Viewer) -> bool:
        entries = self._boards.setdefault(viewer.board, {})
        counts = self._connections.setdefault(viewer.board, Counter())
        if viewer not in entries:
            counts[viewer.user_id] += 1
        entries[viewer] = time.monotonic() + self.ttl
        return counts[viewer.user_id] == 1

    async def leave(self, viewer: Viewer) -> bool:
        entries = self._boards.get(viewer.board, {})
        if entries.pop(viewer, None) is None:
            return False
        return self._forget(viewer)

    def _forget(self, viewer: Viewer) -> bool:
        """Count one connection less; True if it was the user's last on the board."""
        counts = self._connections[viewer.board]
        counts[viewer.user_id] -= 1
        last = counts[viewer.user_id] == 0
        if last:
            del counts[viewer.user_id]
        if not self._boards.get(viewer.board):
            self._boards.pop(viewer.board, None)
            self._connections.pop(viewer.board, None)
        return last

    async def viewers(self, board: int) -> list[Viewer]:
        now = time.monotonic()
        return [v for v, expiry in self._boards.get(board, {}).items() if expiry > now]

    async def users(self, board: int) -> list[dict[str, Any]]:
        # One entry per user, found without walking every connection of a busy board.
        entries = self._boards.get(board, {})
        counts = self._connections.get(board, Counter())
        names: dict[int, str] = {}
        for viewer in entries:
            if viewer.user_id in counts and viewer.user_id not in names:
                names[viewer.user_id] = viewer.display_name
                if len(names) == len(counts):
                    break
        viewers = [Viewer("", 0, board, uid, name) for uid, name in names.items()]
        return _users(viewers)

    async def refresh(self, viewers: list[Viewer]) -> None:
        expiry = time.monotonic() + self.ttl
        for viewer in viewers:
            entries = self._boards.get(viewer.board)
            if entries is not None and viewer in entries:
                entries[viewer] = expiry

    async def sweep(self) -> list[Viewer]:
        now, gone = time.monotonic(), []
        for entries in list(self._boards.values()):
            for viewer, expiry in list(entries.items()):
                if expiry <= now:
                    del entries[viewer]
                    if self._forget(viewer):
                        gone.append(viewer)
        return gone


# Each script reads and writes one board's entries atomically, so that when several processes
# join, leave or sweep the same user at once, exactly one of them announces the change.
# An entry is the JSON list [connection, collective, board, user_id, display_name].
_JOIN = """
local present = 0
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[3], '+inf')) do
  if m ~= ARGV[1] and tostring(cjson.decode(m)[4]) == ARGV[4] then present = 1 end
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[5])
return 1 - present
"""
_LEAVE = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[2], '+inf')) do
  if tostring(cjson.decode(m)[4]) == ARGV[3] then return 0 end
end
return 1
"""
_SWEEP = """
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local gone = {}
if #expired > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
  local alive, seen = {}, {}
  for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    alive[tostring(cjson.decode(m)[4])] = true
  end
  for _, m in ipairs(expired) do
    local user = tostring(cjson.decode(m)[4])
    if not alive[user] and not seen[user] then
      seen[user] = true
      table.insert(gone, m)
    end
  end
end
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[2]) end
return gone
"""


class RedisPresence(Presence):
    """A sorted set per board (member: the viewer, score: its expiry, in Redis time)."""

    def __init__(self, redis: aioredis.Redis, prefix: str, ttl: float) -> None:
        super().__init__(ttl)
        self.redis = redis
        self.prefix = prefix
        self._boards_key = f"{prefix}presence:boards"
        self._join = redis.register_script(_JOIN)
        self._leave = redis.register_script(_LEAVE)
        self._sweep = redis.register_script(_SWEEP)

    async def close(self) -> None:
        await self.redis.aclose()

    def _key(self, board: int) -> str:
        return f"{self.prefix}presence:board:{board}"

    async def _now(self) -> float:
        seconds, micros = await self.redis.time()
        return float(seconds) + micros / 1e6

    async def join(self, viewer: Viewer) -> bool:
        now = await self._now()
        keys = [self._key(viewer.board), self._boards_key]
        args: list[str | float] = [
            viewer.encode(),
            now + self.ttl,
            now,
            viewer.user_id,
            viewer.board,
        ]
        return bool(await self._join(keys=keys, args=args))

    async def leave(self, viewer: Viewer) -> bool:
        now = await self._now()
        args: list[str | float] = [viewer.encode(), now, viewer.user_id]
        return bool(await self._leave(keys=[self._key(viewer.board)], args=args))

    async def viewers(self, board: int, now: float | None = None) -> list[Viewer]:
        now = await self._now() if now is None else now
        raw = await self.redis.zrangebyscore(self._key(board), f"({now}", "+inf")
        return [Viewer.decode(str(r)) for r in raw]

    async def refresh(self, viewers: list[Viewer]) -> None:
        if not viewers:
            return
        expiry = await self._now() + self.ttl
        pipe = self.redis.pipeline(transaction=False)
        for viewer in viewers:
            # XX: only entries that still exist (a leave must not be undone by a refresh).
            pipe.zadd(self._key(viewer.board), {viewer.encode(): expiry}, xx=True)
        await pipe.execute()

    async def sweep(self) -> list[Viewer]:
        now = await self._now()
        gone: list[Viewer] = []
        for board in await self.redis.smembers(self._boards_key):
            keys = [self._key(int(board)), self._boards_key]
            for raw in await self._sweep(keys=keys, args=[now, board]):
                gone.append(Viewer.decode(str(raw)))
        return gone


def presence_from_url(url: str, ttl: float) -> Presence:
    """The presence store of ``url`` (the ``BROKER_URL``): ``memory://`` or ``redis://``, with
    the broker's ``prefix`` namespacing its keys."""
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        return MemoryPresence(ttl)
    if scheme in {"redis", "rediss"}:
        clean, prefix = split_prefix(url)
        return RedisPresence(aioredis.from_url(clean, decode_responses=True), prefix, ttl)
    raise ValueError(f"unsupported presence URL scheme {scheme!r} (memory:// or redis://)")
