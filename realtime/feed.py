"""One collective's live feed in this process: broker messages turned into an in-order,
gap-free stream (missing events are read from the log), each event encoded once per audience
(text and WebSocket frame) and handed to the collective's local subscriptions. Membership
events change what the subscriptions receive at once."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from sqlalchemy import select

from realtime.connection import Outgoing, Subscription
from server.core.broker import Message
from server.core.errors import ErrorCode
from server.core.models import Collective, Event, Membership, Role
from server.events.read import redacted
from server.events.wire import broker_message, collective_channel

if TYPE_CHECKING:
    from realtime.hub import Hub  # the hub creates its feeds; a feed asks it to unsubscribe

log = logging.getLogger("essaim.realtime")

# How often a quiet feed checks the log for an event whose publication was lost.
TAIL_CHECK_SECONDS = 5.0
CATCH_UP_PAGE = 500
# Deliveries between two yields to the event loop while one event fans out (~10 µs each).
DISPATCH_CHUNK = 256


class Feed:
    """Live events of one collective for this process's subscriptions."""

    def __init__(self, hub: Hub, collective: int) -> None:
        self.hub = hub
        self.collective = collective
        self.subscriptions: set[Subscription] = set()
        self.last_seq = 0
        # Memberships read for subscriptions (user id → (expiry, membership)), and a count of
        # membership events seen, so that a lookup racing one of them is not remembered.
        self.members: dict[int, tuple[float, Membership]] = {}
        self.member_changes = 0
        self.ready = asyncio.Event()
        self.task = asyncio.create_task(self._run(), name=f"essaim-feed-{collective}")

    async def _run(self) -> None:
        try:
            async with self.hub.essaim.broker.subscribe(
                collective_channel(self.collective)
            ) as queue:
                self.last_seq = await self._current_seq()
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
                sub.connection.close(ErrorCode.INTERNAL_ERROR, "feed failed: reconnect with since")

    async def _current_seq(self) -> int:
        async with self.hub.essaim.db.read() as session:
            seq = await session.scalar(
                select(Collective.last_seq).where(Collective.id == self.collective)
            )
        return int(seq or 0)

    async def _handle(self, message: Message) -> None:
        if message.get("type") == "presence":
            outgoing = Outgoing.encode(message)
            board = message.get("board")
            for sub in list(self.subscriptions):
                if sub.board is not None and sub.board == board:
                    sub.connection.send(outgoing)
            return
        if message.get("type") != "event":
            return
        seq = int(message["seq"])
        if seq <= self.last_seq:
            return  # already delivered (read from the log during a gap fill)
        if seq > self.last_seq + 1:
            await self._catch_up(seq)
        if seq == self.last_seq + 1:
            await self._dispatch(message)

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
                    await self._dispatch(broker_message(event))
            if len(events) < CATCH_UP_PAGE:
                return

    async def _dispatch(self, message: Message) -> None:
        message = dict(message)
        restricted = bool(message.pop("restricted", False))
        seq = int(message["seq"])
        self.last_seq = seq
        # Encoded once per audience; every connection writes the same frame bytes.
        full = Outgoing.encode(message)
        hidden = Outgoing.encode(redacted(message)) if restricted else full
        board = message.get("board")
        subscriptions = list(self.subscriptions)
        for start in range(0, len(subscriptions), DISPATCH_CHUNK):
            if start:
                # Let the loop breathe between chunks (the next write's database round trips,
                # pings), and skip whoever unsubscribed meanwhile.
                await asyncio.sleep(0)
                current = self.subscriptions
            else:
                current = None
            for sub in subscriptions[start : start + DISPATCH_CHUNK]:
                if current is not None and sub not in current:
                    continue
                if sub.board is None or board is None or sub.board == board:
                    sub.deliver(seq, hidden if restricted and not sub.animator else full)
        if str(message.get("kind", "")).startswith("member."):
            self._apply_membership(message)

    def _apply_membership(self, message: Message) -> None:
        """Role changes take effect at once; a removed member stops receiving."""
        kind, data = message.get("kind"), message.get("data") or {}
        if kind in ("member.updated", "member.removed"):
            self.member_changes += 1
            user = data.get("user", {}).get("id") if kind == "member.updated" else None
            changed = user if user is not None else data.get("user_id")
            if isinstance(changed, int):
                self.members.pop(changed, None)
        if kind == "member.updated":
            user_id, role = data.get("user", {}).get("id"), data.get("role")
            for sub in list(self.subscriptions):
                if sub.connection.user.id == user_id:
                    sub.animator = role == Role.animator
        elif kind == "member.removed":
            for sub in list(self.subscriptions):
                if sub.connection.user.id == data.get("user_id"):
                    asyncio.create_task(self.hub.unsubscribe(sub, notify=True))
