"""The outbox indexer: drains ``search_outbox`` into the search backend, in batches.

Rows name what changed, not how: each batch reloads the current state of its entities from
the database and sends that, so replays, duplicates and out-of-order rows are harmless. A
batch leaves the outbox only after the backend applied it; when the engine is down the rows
stay, retried with exponential backoff, and nothing written in the meantime is lost. When a
batch fails for another reason (a file whose reading raises, a document the engine refuses),
its entities are retried one by one so the others go through, and the one at fault is retried
with backoff, then marked failed (``search.outbox``): a bad row never stalls the indexer.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import update

from search.backend import SearchBackend, SearchUnavailable
from search.documents import ENTITIES, EntityType, Loaded, load
from search.outbox import MAX_BACKOFF_SECONDS, Batch, Key, Outcome, backoff, claim
from server.core.models import Attachment
from server.core.platform import Essaim

log = logging.getLogger("essaim.search")

BATCH = 200

__all__ = ["BATCH", "MAX_BACKOFF_SECONDS", "Indexer", "apply", "backoff", "record_text_status"]


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
        """Index one batch of due outbox rows; returns how many rows it settled (applied,
        put back for later, or marked failed).

        Raises ``SearchUnavailable`` when the engine did not answer, after pushing the rows
        it could not send back with a delay.
        """
        async with claim(self.essaim.db, self.batch) as batch:
            if not batch.rows:
                return 0
            outcome = Outcome()
            keys = batch.keys()
            try:
                loaded = await self._load(batch, keys)
                await apply(self.backend, loaded)
                outcome.done.update(keys)
                outcome.text_status.update(loaded.text_status)
            except SearchUnavailable as exc:
                outcome.delayed.update(keys)
                outcome.unavailable = exc
            except Exception:
                log.exception(
                    "search indexing of %d change(s) failed; trying them one by one", len(keys)
                )
                await self._one_by_one(batch, keys, outcome)
            await batch.settle(outcome, self.essaim.settings.index_max_attempts)
        self._report(batch, outcome)
        if outcome.unavailable is not None:
            raise outcome.unavailable
        return len(batch.rows)

    async def _load(self, batch: Batch, keys: list[Key]) -> Loaded:
        loaded = Loaded()
        async with batch.reading() as session:
            for entity in ENTITIES:
                ids = [i for e, i in keys if e == entity]
                if not ids:
                    continue
                # A savepoint: on PostgreSQL a failed statement must not doom the claim.
                async with session.begin_nested():
                    part = await load(session, self.essaim.files, _entity(entity), ids)
                loaded.documents += part.documents
                loaded.removed += part.removed
                loaded.removed_cards += part.removed_cards
                loaded.text_status.update(part.text_status)
        return loaded

    async def _one_by_one(self, batch: Batch, keys: list[Key], outcome: Outcome) -> None:
        """Index each entity alone, so that only the one at fault stays behind."""
        for key in keys:
            if outcome.unavailable is not None:
                outcome.delayed.add(key)
                continue
            try:
                loaded = await self._load(batch, [key])
                await apply(self.backend, loaded)
            except SearchUnavailable as exc:
                outcome.delayed.add(key)
                outcome.unavailable = exc
            except Exception as exc:
                log.warning("search indexing of %s %s failed", *key, exc_info=True)
                outcome.broken[key] = f"{type(exc).__name__}: {exc}"
            else:
                outcome.done.add(key)
                outcome.text_status.update(loaded.text_status)

    def _report(self, batch: Batch, outcome: Outcome) -> None:
        limit = self.essaim.settings.index_max_attempts
        for row in batch.rows:
            if row.key in outcome.broken and row.attempts + 1 >= limit:
                log.error(
                    "search indexing of %s %s gave up after %d attempts (outbox row %d): %s",
                    row.entity,
                    row.entity_id,
                    row.attempts + 1,
                    row.id,
                    outcome.broken[row.key],
                )

    async def drain(self) -> int:
        """Index every row due now (stops at the first engine failure, which it raises)."""
        total = 0
        while count := await self.drain_once():
            total += count
        return total

    async def run(self) -> None:
        """Drain forever: poll when idle, back off while the engine (or the database) fails."""
        while True:
            try:
                done = await self.drain_once()
                self.failures = 0
            except asyncio.CancelledError:
                raise
            except SearchUnavailable as exc:
                self.failures += 1
                log.warning("search engine unavailable (%s attempt(s)): %s", self.failures, exc)
                await asyncio.sleep(backoff(self.failures))
                continue
            except Exception:
                # Not the engine: the database, or a fault of the indexer itself.
                self.failures += 1
                log.exception("search indexing failed (%s attempt(s))", self.failures)
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
