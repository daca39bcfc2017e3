"""Rebuild the search index from the database, with a progress bar on a terminal."""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from search.backend import SearchBackend
from search.documents import EntityType, Loaded, load
from search.indexer import apply, record_text_status
from search.outbox import ERROR_CHARS
from server.core.models import Attachment, Card, Comment, OutboxEntry, utcnow
from server.core.platform import Essaim

log = logging.getLogger("essaim.search")

BATCH = 500
MODELS: dict[EntityType, type[Card] | type[Comment] | type[Attachment]] = {
    "card": Card,
    "comment": Comment,
    "attachment": Attachment,
}


class Progress:
    """A one-line progress bar (redrawn at most ten times a second)."""

    def __init__(self, total: int, stream: TextIO | None) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream
        self.started = time.monotonic()
        self._drawn = 0.0

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.stream is not None and (now - self._drawn > 0.1 or self.done >= self.total):
            self._drawn = now
            share = min(1.0, self.done / self.total)
            bar = "#" * int(share * 30)
            rate = self.done / max(now - self.started, 1e-6)
            self.stream.write(
                f"\rindexing [{bar:<30}] {share:4.0%} {self.done}/{self.total} ({rate:.0f}/s)"
            )
            self.stream.flush()

    def finish(self) -> None:
        if self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()


async def reindex(
    essaim: Essaim, backend: SearchBackend, *, stream: TextIO | None = sys.stderr
) -> int:
    """Clear the index and index every card, comment and attachment; returns the count.

    An entity that cannot be read is left out (logged with its traceback, recorded as a
    failed outbox row, not counted). Outbox rows written before the rebuild started are
    covered by it and removed; later ones stay for the indexer.
    """
    await backend.prepare()
    async with essaim.db.read() as session:
        covered = await session.scalar(select(func.max(OutboxEntry.id)))
        counts = {e: await session.scalar(select(func.count(m.id))) or 0 for e, m in MODELS.items()}
    progress = Progress(sum(counts.values()), stream)
    await backend.clear()
    broken: dict[tuple[EntityType, int], str] = {}
    done = 0
    for entity, model in MODELS.items():
        last = 0
        while True:
            async with essaim.db.read() as session:
                ids = list(
                    (
                        await session.scalars(
                            select(model.id).where(model.id > last).order_by(model.id).limit(BATCH)
                        )
                    ).all()
                )
                if not ids:
                    break
                loaded = await _load(session, essaim, entity, ids, broken)
            # Every piece is fresh: no card-level fields to copy onto older pieces.
            await apply(backend, loaded, refresh_cards=False)
            await record_text_status(essaim, loaded.text_status)
            last = ids[-1]
            done += len(ids)
            progress.advance(len(ids))
    progress.finish()
    async with essaim.db.write() as session:
        if covered is not None:
            await session.execute(delete(OutboxEntry).where(OutboxEntry.id <= covered))
        # What could not be indexed stays visible as failed (health, essaim settings).
        now = utcnow()
        for (entity, entity_id), error in broken.items():
            model = MODELS[entity]
            collective_id = await session.scalar(
                select(model.collective_id).where(model.id == entity_id)
            )
            session.add(
                OutboxEntry(
                    entity=entity,
                    entity_id=entity_id,
                    collective_id=collective_id or 0,
                    op="upsert",
                    attempts=1,
                    failed_at=now,
                    error=error[:ERROR_CHARS],
                )
            )
        await session.commit()
    return done - len(broken)


async def _load(
    session: AsyncSession,
    essaim: Essaim,
    entity: EntityType,
    ids: list[int],
    broken: dict[tuple[EntityType, int], str],
) -> Loaded:
    """``load``, or when the batch fails, each entity alone: one that cannot be read is
    logged and recorded in ``broken``, and the rebuild goes on."""
    try:
        # Savepoints: on PostgreSQL a failed statement must not doom the other loads.
        async with session.begin_nested():
            return await load(session, essaim.files, entity, ids)
    except Exception:
        log.exception("reindexing %d %s(s) failed; trying them one by one", len(ids), entity)
    loaded = Loaded()
    for entity_id in ids:
        try:
            async with session.begin_nested():
                part = await load(session, essaim.files, entity, [entity_id])
        except Exception as exc:
            log.exception("reindexing %s %s failed; it is left out", entity, entity_id)
            broken[(entity, entity_id)] = f"{type(exc).__name__}: {exc}"
            continue
        loaded.documents += part.documents
        loaded.removed += part.removed
        loaded.removed_cards += part.removed_cards
        loaded.text_status.update(part.text_status)
    return loaded
