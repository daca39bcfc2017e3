"""This process's fan-out: the connections, one feed per followed collective (``realtime.feed``)
and the subscriptions that follow them. Presence entries are refreshed here, memberships and
boards read by ``subscribe`` are remembered for a few seconds, and sockets whose login session
was revoked (in any process) or expired are closed."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from typing import Any, TypeVar

from sqlalchemy import select

from realtime.connection import (
    Connection,
    Subscription,
)
from realtime.feed import Feed
from realtime.presence import Presence, Viewer, presence_from_url
from server.core.errors import ErrorCode
from server.core.models import Board, Collective, Membership, User
from server.core.platform import Essaim
from server.domain.access import membership
from server.domain.accounts.sessions import live_sessions, session_expiry
from server.events.wire import NOTIFICATIONS_CHANNEL, SESSIONS_CHANNEL, collective_channel

log = logging.getLogger("essaim.realtime")

# How often connections are checked for silence (each closes after its own ``silence``).
SILENCE_CHECK_SECONDS = 1.0
# After this many new connections, the objects alive are frozen out of the garbage collector's
# full passes (see Hub._freeze_if_grown).
FREEZE_AFTER_CONNECTIONS = 500
# How long a membership or a board's collective, once read for a ``subscribe``, is believed
# without reading it again: a storm of reconnections (a process restarted, a network blip)
# costs one lookup per user instead of several per socket. A membership is forgotten at once
# when the collective's feed sees it updated or removed; this bounds what a lost publication
# could leave stale (documented in docs/realtime.md). Sessions are never remembered: a revoked
# one must never pass.
ACCESS_CACHE_SECONDS = 5.0
# Remembered entries are swept of the expired ones when a cache reaches this size.
ACCESS_CACHE_SWEEP = 1024

K = TypeVar("K")
V = TypeVar("V")
clock = time.monotonic  # the caches' time (tests move it forward)
wallclock = time.time  # the time sessions expire in (tests move it forward)
# How often the sessions of open sockets are read again, in case the publication of a
# revocation was lost (the broker delivers at most once).
SESSION_CHECK_SECONDS = 30.0
SESSION_ENDED = "session ended"


def remember(cache: dict[K, tuple[float, V]], key: K, value: V, now: float) -> None:
    if len(cache) >= ACCESS_CACHE_SWEEP:
        for stale in [k for k, (expiry, _) in cache.items() if expiry <= now]:
            del cache[stale]
    cache[key] = (now + ACCESS_CACHE_SECONDS, value)


class Hub:
    def __init__(self, essaim: Essaim) -> None:
        self.essaim = essaim
        settings = essaim.settings
        # Chosen by the broker's URL: presence is shared exactly as widely as the events.
        self.presence: Presence = presence_from_url(
            settings.broker_url, settings.presence_ttl_seconds
        )
        self.feeds: dict[int, Feed] = {}
        self.connections: set[Connection] = set()
        self._presence_task: asyncio.Task[None] | None = None
        self._silence_task: asyncio.Task[None] | None = None
        self._sessions_task: asyncio.Task[None] | None = None
        self._sessions_ready = asyncio.Event()
        self._notifications_task: asyncio.Task[None] | None = None
        self._retiring: set[asyncio.Task[None]] = set()  # feeds cancelled, not yet ended
        self._fresh_connections = 0  # opened since the heap was last frozen
        self.epoch = ""
        self._boards: dict[int, tuple[float, int]] = {}

    async def start(self) -> None:
        self.epoch = await self.essaim.epoch()
        self._presence_task = asyncio.create_task(self._keep_presence(), name="essaim-presence")
        self._silence_task = asyncio.create_task(self._watch(), name="essaim-connections")
        self._sessions_task = asyncio.create_task(self._follow_sessions(), name="essaim-sessions")
        self._notifications_task = asyncio.create_task(
            self._follow_notifications(), name="essaim-notifications"
        )
        # Listening before the first socket opens: no revocation published from now on is missed.
        await self._sessions_ready.wait()

    async def stop(self) -> None:
        for connection in list(self.connections):
            connection.close(ErrorCode.SHUTTING_DOWN, "server shutting down: reconnect with since")
        for connection in list(self.connections):
            try:
                await asyncio.wait_for(connection.wait_closed(), 2)
            except TimeoutError:  # a client that does not answer the close: we leave anyway
                log.debug("connection %s did not close in time", connection.id)
            except Exception:
                log.warning("closing connection %s failed", connection.id, exc_info=True)
        tasks = [f.task for f in self.feeds.values()] + list(self._retiring)
        tasks += [
            t
            for t in (
                self._presence_task,
                self._silence_task,
                self._sessions_task,
                self._notifications_task,
            )
            if t is not None
        ]
        for task in tasks:
            task.cancel()
        for task in tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass  # what cancel() asked for
            except Exception:
                log.warning("task %s had failed", task.get_name(), exc_info=True)
        self.feeds.clear()
        await self.presence.close()

    async def session_alive(self, connection: Connection) -> bool:
        """Read the connection's session again (never remembered); if it was revoked or
        expired, close the connection and say False."""
        expires_at = await session_expiry(self.essaim, connection.session_id)
        if expires_at is None or expires_at.timestamp() <= wallclock():
            connection.close(ErrorCode.NOT_AUTHENTICATED, SESSION_ENDED)
            return False
        connection.expires_at = expires_at.timestamp()
        return True

    def end_sessions(self, session_ids: set[int]) -> None:
        """Close this process's connections of these (revoked) sessions."""
        for connection in list(self.connections):
            if connection.session_id in session_ids:
                connection.close(ErrorCode.NOT_AUTHENTICATED, SESSION_ENDED)

    async def _follow_sessions(self) -> None:
        """Close the sockets of sessions revoked in any process as the broker says so, and
        read the sessions of all sockets again every ``SESSION_CHECK_SECONDS`` (a lost
        publication)."""
        resumed = False
        while True:
            try:
                async with self.essaim.broker.subscribe(SESSIONS_CHANNEL) as queue:
                    self._sessions_ready.set()
                    if resumed:  # revocations published while not listening were missed
                        await self._end_dead_sessions()
                    check_at = clock() + SESSION_CHECK_SECONDS
                    while True:
                        try:
                            message = await asyncio.wait_for(
                                queue.get(), max(check_at - clock(), 0)
                            )
                        except TimeoutError:
                            await self._end_dead_sessions()
                            check_at = clock() + SESSION_CHECK_SECONDS
                            continue
                        ids = message.get("sessions")
                        if not isinstance(ids, list):
                            log.warning("ignoring a malformed session revocation: %r", message)
                            continue
                        self.end_sessions({i for i in ids if isinstance(i, int)})
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("following session revocations failed; retrying")
                self._sessions_ready.set()  # do not hold the start up; the checks remain
                resumed = True
                await asyncio.sleep(1.0)

    def tell_unread(self, counts: dict[int, int]) -> None:
        """Send each user's new unread count to their sockets in this process."""
        for connection in list(self.connections):
            unread = counts.get(connection.user.id)
            if unread is not None:
                connection.send_json({"type": "notifications", "unread": unread})

    async def _follow_notifications(self) -> None:
        """Forward the unread counts published by any process (``NOTIFICATIONS_CHANNEL``).
        A lost publication only delays the bell: the page reads the count again later."""
        while True:
            try:
                async with self.essaim.broker.subscribe(NOTIFICATIONS_CHANNEL) as queue:
                    while True:
                        message = await queue.get()
                        unread = message.get("unread")
                        if not isinstance(unread, dict):
                            log.warning("ignoring a malformed unread count: %r", message)
                            continue
                        self.tell_unread(
                            {
                                int(uid): n
                                for uid, n in unread.items()
                                if str(uid).isdigit() and isinstance(n, int)
                            }
                        )
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("following unread counts failed; retrying")
                await asyncio.sleep(1.0)

    async def _end_dead_sessions(self) -> None:
        """Close the connections whose session is no longer live in the database."""
        held = {c.session_id for c in self.connections}
        if not held:
            return
        try:
            dead = held - await live_sessions(self.essaim, held)
        except Exception:  # the database is away: the next check tries again
            log.exception("reading the sessions of open sockets failed; retrying later")
            return
        if dead:
            self.end_sessions(dead)

    async def membership(self, user: User, collective: int) -> Membership:
        """The user's membership of ``collective`` (NotFound if none), remembered by the
        collective's feed, if there is one, until a membership event or for at most
        ``ACCESS_CACHE_SECONDS``."""
        now = clock()
        feed = self.feeds.get(collective)
        changes = 0
        if feed is not None:
            hit = feed.members.get(user.id)
            if hit is not None and hit[0] > now:
                return hit[1]
            changes = feed.member_changes
        async with self.essaim.db.read() as session:
            member = await membership(session, user, collective)
        if feed is not None and self.feeds.get(collective) is feed:
            if feed.member_changes == changes:  # no membership event raced this read
                remember(feed.members, user.id, member, now)
        return member

    async def board_collective(self, board: int) -> int | None:
        """The collective of ``board`` (None if there is no such board), remembered for
        ``ACCESS_CACHE_SECONDS`` (a board never changes collective)."""
        now = clock()
        hit = self._boards.get(board)
        if hit is not None and hit[0] > now:
            return hit[1]
        async with self.essaim.db.read() as session:
            found = await session.get(Board, board)
        if found is None:
            return None
        remember(self._boards, board, found.collective_id, now)
        return found.collective_id

    async def position(self, collective: int) -> int | None:
        """The current seq of ``collective`` as the log says (None: no such collective)."""
        async with self.essaim.db.read() as session:
            seq = await session.scalar(
                select(Collective.last_seq).where(Collective.id == collective)
            )
        return None if seq is None else int(seq)

    async def follow(self, sub: Subscription) -> None:
        """Register ``sub``; from now on live events reach its backlog."""
        while True:
            feed = self.feeds.get(sub.collective)
            if feed is None or feed.task.done():
                feed = self.feeds[sub.collective] = Feed(self, sub.collective)
            await feed.ready.wait()
            if self.feeds.get(sub.collective) is feed and not feed.task.done():
                feed.subscriptions.add(sub)
                sub.connection.subscriptions[sub.collective] = sub
                return

    async def unsubscribe(self, sub: Subscription, *, notify: bool = False) -> None:
        connection = sub.connection
        if connection.subscriptions.get(sub.collective) is sub:
            del connection.subscriptions[sub.collective]
        feed = self.feeds.get(sub.collective)
        if feed is not None:
            feed.subscriptions.discard(sub)
            if not feed.subscriptions:
                del self.feeds[sub.collective]
                feed.task.cancel()
                # Kept until it has ended, so that stop() waits for it: a feed cancelled during
                # a query still returns its connection, and must do so before the database is
                # disposed (a connection returned to a disposed pool is never closed).
                self._retiring.add(feed.task)
                feed.task.add_done_callback(self._retiring.discard)
        if sub.board is not None:
            await self.leave(self.viewer(sub))
        if notify:
            connection.send_json({"type": "unsubscribed", "collective": sub.collective})

    def viewer(self, sub: Subscription) -> Viewer:
        """The presence entry of a board subscription, made once: refreshing thousands of them
        must not rebuild them (nor read their user's ORM attributes) every time."""
        if sub.viewer is None:
            user = sub.connection.user
            assert sub.board is not None
            sub.viewer = Viewer(
                sub.connection.id, sub.collective, sub.board, user.id, user.display_name
            )
        return sub.viewer

    async def join(self, viewer: Viewer) -> None:
        if await self.presence.join(viewer):
            await self._announce(viewer, "join")

    async def leave(self, viewer: Viewer) -> None:
        try:
            if await self.presence.leave(viewer):
                await self._announce(viewer, "leave")
        except Exception:  # the entry's TTL removes it (and announces the leave) later
            log.warning("presence leave of %s failed", viewer.connection, exc_info=True)

    async def _announce(self, viewer: Viewer, change: str) -> None:
        message: dict[str, Any] = {
            "type": "presence",
            "collective": viewer.collective,
            "board": viewer.board,
            "event": change,
            "user": viewer.user(),
        }
        await self.essaim.broker.publish(collective_channel(viewer.collective), message)

    async def _keep_presence(self) -> None:
        interval = max(self.presence.ttl / 3, 0.2)
        while True:
            await asyncio.sleep(interval)
            try:
                live = [
                    sub.viewer
                    for connection in self.connections
                    for sub in connection.subscriptions.values()
                    if sub.viewer is not None
                ]
                await self.presence.refresh(live)
                for viewer in await self.presence.sweep():
                    await self._announce(viewer, "leave")
            except Exception:
                log.exception("presence upkeep failed; retrying")

    def register(self, connection: Connection) -> None:
        self.connections.add(connection)
        self._fresh_connections += 1

    async def _watch(self) -> None:
        """Close the connections that sent nothing for their ``silence`` (three heartbeats) and
        those whose session expired; freeze the heap after many new connections."""
        while True:
            await asyncio.sleep(SILENCE_CHECK_SECONDS)
            now, wall = time.monotonic(), wallclock()
            for connection in list(self.connections):
                if now - connection.last_seen > connection.silence:
                    connection.close(ErrorCode.CLIENT_SILENT, "no message for three heartbeats")
                elif connection.expires_at <= wall:
                    connection.close(ErrorCode.NOT_AUTHENTICATED, SESSION_ENDED)
            self._freeze_if_grown()

    def _freeze_if_grown(self) -> None:
        """Keep full garbage collections short while thousands of connections are open.

        Each connection holds ~100 objects the collector tracks (uvicorn's protocol, Starlette's
        call chain, ours) and a full pass scans them all: ~170 ms at 2,000 connections, a stall
        of every socket. Freezing moves the objects alive now out of later passes (cheap: a
        list splice); frozen objects are still freed when no longer referenced, and closed
        connections were measured to leave no garbage cycles. Young cycles are collected first;
        freezing only after many new connections bounds what a cycle alive at that moment could
        keep."""
        if self._fresh_connections < FREEZE_AFTER_CONNECTIONS:
            return
        self._fresh_connections = 0
        gc.collect(1)
        gc.freeze()
