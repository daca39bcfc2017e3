"""The outbox indexer: drains ``search_outbox`` into the search backend, in batches.

Rows name what changed, not how: each batch reloads the current state of its entities from
the database and sends that, so replays, duplicates and out-of-order rows are harmless. A
batch leaves the outbox only after the backend applied it; when the engine is down the rows
stay, retried with exponential backoff, and nothing written in the meantime is lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import delete, select, update

from search.backend import SearchBackend
from search.documents import ENTITIES, EntityType, Loaded, load
from server.models import Attachment, OutboxEntry, utcnow
from server.runtime import Essaim

log = logging.getLogger("essaim.search")

BATCH = 200
MAX_BACKOFF_SECONDS = 60.0


def backoff(attempts: int) -> float:
    """Seconds to wait before retrying a batch that failed ``attempts`` times."""
    return float(min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** max(0, attempts - 1)))


async def apply(backend: SearchBackend, loaded: Loaded, *, refresh_cards: bool = True) -> None:
    """Send what ``load`` found to the backend (pieces, removals, card-level fields)."""
    await backend.upsert(loaded.documents)
    keys = loaded.removed
    if keys:
        await backend.remove(keys)
    if loaded.removed_cards:
        await backend.remove_cards(loaded.removed_cards)
    if refresh_cards:
        states = [d.card for d in loaded.documents if d.type == "card"]
        if states:
            # A hidden, moved or retagged card carries its comments and files with it.
            await backend.update_cards(states)


async def record_text_status(essaim: Essaim, statuses: dict[int, str]) -> None:
    """Store on each attachment whether its text could be read (ok, unreadable, none)."""
    if not statuses:
        return
    async with essaim.db.write() as session:
        for attachment_id, status in statuses.items():
            await session.execute(
                update(Attachment).where(Attachment.id == attachment_id).values(text_status=status)
            )
        await session.commit()


class Indexer:
    """Drains the outbox; ``run`` loops forever, ``drain`` empties what is due now."""

    def __init__(
        self, essaim: Essaim, backend: SearchBackend, *, batch: int = BATCH, poll: float = 0.5
    ) -> None:
        self.essaim = essaim
        self.backend = backend
        self.batch = batch
        self.poll = poll
        self.failures = 0

    async def drain_once(self) -> int:
        """Index one batch of due outbox rows; returns how many rows left the outbox.

        Raises what the backend raised after pushing the batch's rows back with a delay.
        """
        now = utcnow()
        async with self.essaim.db.read() as session:
            rows = (
                await session.scalars(
                    select(OutboxEntry)
                    .where(OutboxEntry.available_at <= now)
                    .order_by(OutboxEntry.id)
                    .limit(self.batch)
                )
            ).all()
            if not rows:
                return 0
            ids: dict[str, set[int]] = defaultdict(set)
            for row in rows:
                ids[row.entity].add(row.entity_id)
            loaded = Loaded()
            for entity in ENTITIES:
                if ids.get(entity):
                    part = await load(
                        session, self.essaim.files, _entity(entity), sorted(ids[entity])
                    )
                    loaded.documents += part.documents
                    loaded.removed += part.removed
                    loaded.removed_cards += part.removed_cards
                    loaded.text_status.update(part.text_status)
        row_ids = [r.id for r in rows]
        try:
            await apply(self.backend, loaded)
        except Exception:
            attempts = max(r.attempts for r in rows) + 1
            async with self.essaim.db.write() as session:
                await session.execute(
                    update(OutboxEntry)
                    .where(OutboxEntry.id.in_(row_ids))
                    .values(
                        attempts=OutboxEntry.attempts + 1,
                        available_at=utcnow() + timedelta(seconds=backoff(attempts)),
                    )
                )
                await session.commit()
            raise
        await record_text_status(self.essaim, loaded.text_status)
        async with self.essaim.db.write() as session:
            await session.execute(delete(OutboxEntry).where(OutboxEntry.id.in_(row_ids)))
            await session.commit()
        return len(row_ids)

    async def drain(self) -> int:
        """Index every row due now (stops at the first failure, which it raises)."""
        total = 0
        while count := await self.drain_once():
            total += count
        return total

    async def run(self) -> None:
        """Drain forever: poll when idle, back off while the engine fails."""
        while True:
            try:
                done = await self.drain_once()
                self.failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.failures += 1
                log.warning("search indexing failed (%s attempt(s)): %s", self.failures, exc)
                await asyncio.sleep(backoff(self.failures))
                continue
            if not done:
                await asyncio.sleep(self.poll)


def _entity(name: str) -> EntityType:
    if name == "card":
        return "card"
    if name == "comment":
        return "comment"
    return "attachment"
