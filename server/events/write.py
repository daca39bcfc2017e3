"""The one write path: every mutation runs inside ``Write`` — rows, events and search outbox
in one transaction — and its events are published only after the commit succeeded.

    async with write(essaim, actor) as w:
        await w.lock(collective_id)  # or through access.membership / board_for / card_for
        card = Card(...); w.session.add(card); await w.session.flush()
        await w.emit(collective_id, EventKind.card_created, board_id=..., card_id=..., data={...})
        w.index("card", card.id, collective_id)

Locking is the write path's too: a write locks each collective it touches before reading its
state (``lock_collective``), so what it reads stays true until it commits. The authorization
helpers (server/domain/access.py) call ``lock_collective`` on the session they are given, which
locks only inside a write: the same helpers serve plain reads unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.models import Card, Collective, Event, OutboxEntry, User, utcnow
from server.events.kinds import EventKind, check_kind, check_payload
from server.events.payloads import PayloadError
from server.events.wire import broker_message, collective_channel

if TYPE_CHECKING:
    from server.core.platform import Essaim

log = logging.getLogger("essaim.write")

AfterCommit = Callable[[], Awaitable[None]]

# ``session.info`` keys, set by ``write`` on its session only.
WRITING = "essaim_write"
# Set on SQLite writes: their transaction began with BEGIN IMMEDIATE (and the process's write
# lock), so the whole database is already theirs and every row they read is current.
SERIALISED = "essaim_serialised"
LOCKED = "essaim_locked"  # the collectives this write has locked


async def lock_collective(
    session: AsyncSession, collective_id: int, *, reread: object | None = None
) -> None:
    """Inside a write, serialise with the collective's other writers before reading its state;
    outside a write (a plain read session), do nothing.

    Every write locks its collective row first (PostgreSQL ``FOR UPDATE``; SQLite writers are
    already serialised), so positions, versions and role checks read inside the transaction
    stay true until it commits, and locks are always taken in the same order (no deadlock).
    ``reread``: a row of that collective loaded before the lock, read again once it is taken
    (on PostgreSQL; on SQLite it was current already).
    """
    if not session.info.get(WRITING):
        return
    locked: set[int] = session.info.setdefault(LOCKED, set())
    if collective_id in locked:
        return
    if not session.info.get(SERIALISED):
        await session.execute(
            select(Collective.id).where(Collective.id == collective_id).with_for_update()
        )
        if reread is not None:
            await session.refresh(reread)
    locked.add(collective_id)


class Write:
    """One transaction's worth of changes, with the events and index updates it produces."""

    def __init__(self, session: AsyncSession, actor: User | None, essaim: Essaim) -> None:
        self.session = session
        self.actor = actor
        self.essaim = essaim  # for what runs after commit (publications, emails)
        self.events: list[Event] = []
        self._after_commit: list[AfterCommit] = []

    async def lock(self, collective_id: int) -> None:
        """Lock ``collective_id`` for the rest of this write (see ``lock_collective``)."""
        await lock_collective(self.session, collective_id)

    async def emit(
        self,
        collective_id: int,
        kind: EventKind,
        data: dict[str, Any],
        *,
        board_id: int | None = None,
        card_id: int | None = None,
        restricted: bool = False,
        anonymous: bool = False,
    ) -> Event:
        """Append an event with the collective's next ``seq``.

        The increment takes the collective row's write lock until commit (PostgreSQL) or runs
        under the database write lock (SQLite), so concurrent writers get consecutive numbers
        and commit in ``seq`` order: a reader never sees ``n+1`` before ``n``.
        ``restricted`` marks an event about hidden content: only animators get its data.
        ``anonymous`` stores it without an actor (a ballot of an anonymous vote names nobody).
        ``kind`` must be registered and ``data`` match its payload (server/events/kinds.py).
        """
        kind = check_kind(kind)
        check_payload(kind, data)
        if kind.restricted and not restricted:
            raise PayloadError(f"{kind.value} is always restricted: emit it with restricted=True")
        seq = (
            await self.session.execute(
                update(Collective)
                .where(Collective.id == collective_id)
                .values(last_seq=Collective.last_seq + 1)
                .returning(Collective.last_seq)
                .execution_options(synchronize_session=False)
            )
        ).scalar_one()
        event = Event(
            collective_id=collective_id,
            seq=seq,
            kind=kind.value,
            actor_id=self.actor.id if self.actor and not anonymous else None,
            board_id=board_id,
            card_id=card_id,
            payload=data,
            restricted=restricted,
            at=utcnow(),
        )
        self.session.add(event)
        self.events.append(event)
        return event

    async def emit_on_card(
        self,
        card: Card,
        kind: EventKind,
        data: dict[str, Any],
        *,
        restricted: bool = False,
        anonymous: bool = False,
    ) -> Event:
        """Append an event about ``card`` or what hangs on it (comment, reaction, file)."""
        return await self.emit(
            card.collective_id,
            kind,
            data,
            board_id=card.board_id,
            card_id=card.id,
            restricted=restricted,
            anonymous=anonymous,
        )

    def index(self, entity: str, entity_id: int, collective_id: int, op: str = "upsert") -> None:
        """Queue a search-index change in this transaction (drained by the indexer)."""
        self.session.add(
            OutboxEntry(entity=entity, entity_id=entity_id, collective_id=collective_id, op=op)
        )

    def after_commit(self, action: AfterCommit) -> None:
        """Run ``action`` once the transaction committed (emails and other side effects)."""
        self._after_commit.append(action)


@asynccontextmanager
async def write(essaim: Essaim, actor: User | None) -> AsyncIterator[Write]:
    async with essaim.db.write() as session:
        session.info[WRITING] = True
        session.info[SERIALISED] = essaim.db.dialect == "sqlite"
        unit = Write(session, actor, essaim)
        try:
            yield unit
            await session.flush()
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
    for event in unit.events:
        try:
            await essaim.broker.publish(
                collective_channel(event.collective_id), broker_message(event)
            )
        except Exception:  # the log is the source of truth: clients catch up by replay
            log.exception("publishing event %s/%s failed", event.collective_id, event.seq)
    for action in unit._after_commit:
        try:
            await action()
        except Exception:
            log.exception("after-commit action failed")
