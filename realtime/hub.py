"""This process's fan-out: one feed per followed collective turns broker messages into an
in-order, gap-free stream (missing events are read from the log), encodes each event once per
audience and hands it to every local subscription. Presence entries are refreshed here."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from sqlalchemy import select

from realtime.broker import Message, RedisBroker
from realtime.connection import Connection, Subscription
from realtime.presence import MemoryPresence, Presence, RedisPresence, Viewer
from server.models import Collective, Event, Role
from server.runtime import Essaim
from server.services.events import redacted
from server.services.views import event_message

log = logging.getLogger("essaim.realtime")

# How often a quiet feed checks the log for an event whose publication was lost.
TAIL_CHECK_SECONDS = 5.0
CATCH_UP_PAGE = 500


def channel(collective: int) -> str:
    return f"collective:{collective}"


def wire(event: Event) -> Message:
    """The broker form of an event: its wire message plus the audience flag."""
    return {**event_message(event), "restricted": event.restricted}


class Feed:
    """Live events of one collective for this process's subscriptions."""

    def __init__(self, hub: Hub, collective: int) -> None:
        self.hub = hub
        self.collective = collective
        self.subscriptions: set[Subscription] = set()
        self.last_seq = 0
        self.ready = asyncio.Event()
        self.task = asyncio.create_task(self._run(), name=f"essaim-feed-{collective}")

    async def _run(self) -> None:
        try:
            async with self.hub.essaim.broker.subscribe(channel(self.collective)) as queue:
                self.last_seq = await self.hub.current_seq(self.collective)
                self.ready.set()
                while True:
                    try:
                        message = await asyncio.wait_for(queue.get(), TAIL_CHECK_SECONDS)
                    except TimeoutError:
                        await self._catch_up(None)
                        continue
                    await self._handle(message)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("feed of collective %s failed", self.collective)
            self.ready.set()
            for sub in list(self.subscriptions):
                sub.connection.close(1011, "feed failed: reconnect with since")

    async def _handle(self, message: Message) -> None:
        if message.get("type") == "presence":
            text = json.dumps(message, ensure_ascii=False)
            for sub in list(self.subscriptions):
                if sub.board is not None and sub.board == message.get("board"):
                    sub.connection.send(text)
            return
        if message.get("type") != "event":
            return
        seq = int(message["seq"])
        if seq <= self.last_seq:
            return  # already delivered (read from the log during a gap fill)
        if seq > self.last_seq + 1:
            await self._catch_up(seq)
        if seq == self.last_seq + 1:
            self._dispatch(message)

    async def _catch_up(self, before: int | None) -> None:
        """Deliver from the log the events after ``last_seq`` (and before ``before``)."""
        while True:
            async with self.hub.essaim.db.read() as session:
                query = select(Event).where(
                    Event.collective_id == self.collective, Event.seq > self.last_seq
                )
                if before is not None:
                    query = query.where(Event.seq < before)
                events = list(await session.scalars(query.order_by(Event.seq).limit(CATCH_UP_PAGE)))
            for event in events:
                if event.seq == self.last_seq + 1:
                    self._dispatch(wire(event))
            if len(events) < CATCH_UP_PAGE:
                return

    def _dispatch(self, message: Message) -> None:
        message = dict(message)
        restricted = bool(message.pop("restricted", False))
        seq = int(message["seq"])
        self.last_seq = seq
        full = json.dumps(message, ensure_ascii=False)
        hidden = full
        if restricted:
            hidden = json.dumps({**message, "data": redacted(message)}, ensure_ascii=False)
        for sub in list(self.subscriptions):
            if sub.wants(message.get("board")):
                sub.deliver(seq, full if sub.animator or not restricted else hidden)
        self._apply_membership(message)

    def _apply_membership(self, message: Message) -> None:
        """Role changes take effect at once; a removed member stops receiving."""
        kind, data = message.get("kind"), message.get("data") or {}
        if kind == "member.updated":
            user_id, role = data.get("user", {}).get("id"), data.get("role")
            for sub in list(self.subscriptions):
                if sub.connection.user.id == user_id:
                    sub.animator = role == Role.animator
        elif kind == "member.removed":
            for sub in list(self.subscriptions):
                if sub.connection.user.id == data.get("user_id"):
                    asyncio.create_task(self.hub.unsubscribe(sub, notify=True))


class Hub:
    def __init__(self, essaim: Essaim) -> None:
        self.essaim = essaim
        settings = essaim.settings
        broker = essaim.broker
        self.presence: Presence = (
            RedisPresence(broker.redis, broker.prefix, settings.presence_ttl_seconds)
            if isinstance(broker, RedisBroker)
            else MemoryPresence(settings.presence_ttl_seconds)
        )
        self.feeds: dict[int, Feed] = {}
        self.connections: set[Connection] = set()
        self._presence_task: asyncio.Task[None] | None = None
        self.epoch = ""

    async def start(self) -> None:
        self.epoch = await self.essaim.epoch()
        self._presence_task = asyncio.create_task(self._keep_presence(), name="essaim-presence")

    async def stop(self) -> None:
        for connection in list(self.connections):
            connection.close(1001, "server shutting down: reconnect with since")
        for connection in list(self.connections):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.wait_closed(), 2)
        tasks = [f.task for f in self.feeds.values()]
        if self._presence_task is not None:
            tasks.append(self._presence_task)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.feeds.clear()

    async def current_seq(self, collective: int) -> int:
        async with self.essaim.db.read() as session:
            seq = await session.scalar(
                select(Collective.last_seq).where(Collective.id == collective)
            )
        return int(seq or 0)

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
        if sub.board is not None:
            await self.leave(self.viewer(sub))
        if notify:
            connection.send_json({"type": "unsubscribed", "collective": sub.collective})

    def viewer(self, sub: Subscription) -> Viewer:
        user = sub.connection.user
        assert sub.board is not None
        return Viewer(sub.connection.id, sub.collective, sub.board, user.id, user.display_name)

    async def join(self, viewer: Viewer) -> None:
        if await self.presence.join(viewer):
            await self._announce(viewer, "join")

    async def leave(self, viewer: Viewer) -> None:
        with contextlib.suppress(Exception):
            if await self.presence.leave(viewer):
                await self._announce(viewer, "leave")

    async def _announce(self, viewer: Viewer, change: str) -> None:
        message: dict[str, Any] = {
            "type": "presence",
            "collective": viewer.collective,
            "board": viewer.board,
            "event": change,
            "user": viewer.user(),
        }
        await self.essaim.broker.publish(channel(viewer.collective), message)

    async def _keep_presence(self) -> None:
        interval = max(self.presence.ttl / 3, 0.2)
        while True:
            await asyncio.sleep(interval)
            try:
                live = [
                    self.viewer(sub)
                    for connection in self.connections
                    for sub in connection.subscriptions.values()
                    if sub.board is not None
                ]
                await self.presence.refresh(live)
                for viewer in await self.presence.sweep():
                    await self._announce(viewer, "leave")
            except Exception:
                log.exception("presence upkeep failed; retrying")
