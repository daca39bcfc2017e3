"""The one write path: every mutation runs inside ``Write`` — rows, events and search outbox
in one transaction — and its events are published only after the commit succeeded.

    async with essaim.write(actor) as w:
        card = Card(...); w.session.add(card); await w.session.flush()
        await w.emit(collective_id, "card.created", board_id=..., card_id=card.id, data={...})
        w.index("card", card.id, collective_id)
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.models import Card, Collective, Event, OutboxEntry, User, utcnow
from server.domain.access import SERIALISED, WRITING
from server.domain.views import event_message
from server.events.kinds import check_kind

if TYPE_CHECKING:
    from server.core.platform import Essaim

log = logging.getLogger("essaim.write")

AfterCommit = Callable[[], Awaitable[None]]


class Write:
    """One transaction's worth of changes, with the events and index updates it produces."""

    def __init__(self, session: AsyncSession, actor: User | None) -> None:
        self.session = session
        self.actor = actor
        self.events: list[Event] = []
        self._after_commit: list[AfterCommit] = []

    async def emit(
        self,
        collective_id: int,
        kind: str,
        data: dict[str, Any],
        *,
        board_id: int | None = None,
        card_id: int | None = None,
        restricted: bool = False,
    ) -> Event:
        """Append an event with the collective's next ``seq``.

        The increment takes the collective row's write lock until commit (PostgreSQL) or runs
        under the database write lock (SQLite), so concurrent writers get consecutive numbers
        and commit in ``seq`` order: a reader never sees ``n+1`` before ``n``.
        ``restricted`` marks an event about hidden content: only animators get its data.
        """
        check_kind(kind)
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
            kind=kind,
            actor_id=self.actor.id if self.actor else None,
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
        self, card: Card, kind: str, data: dict[str, Any], *, restricted: bool = False
    ) -> Event:
        """Append an event about ``card`` or what hangs on it (comment, reaction, file)."""
        return await self.emit(
            card.collective_id,
            kind,
            data,
            board_id=card.board_id,
            card_id=card.id,
            restricted=restricted,
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
        unit = Write(session, actor)
        try:
            yield unit
            await session.flush()
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
    for event in unit.events:
        try:
            message = {**event_message(event), "restricted": event.restricted}
            await essaim.broker.publish(f"collective:{event.collective_id}", message)
        except Exception:  # the log is the source of truth: clients catch up by replay
            log.exception("publishing event %s/%s failed", event.collective_id, event.seq)
    for action in unit._after_commit:
        try:
            await action()
        except Exception:
            log.exception("after-commit action failed")
