"""Rebuild the search index from the database, with a progress bar on a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from sqlalchemy import delete, func, select

from search.backend import SearchBackend
from search.documents import EntityType, load
from search.indexer import apply, record_text_status
from server.models import Attachment, Card, Comment, OutboxEntry
from server.runtime import Essaim

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

    Outbox rows written before the rebuild started are covered by it and removed; later ones
    stay for the indexer.
    """
    await backend.prepare()
    async with essaim.db.read() as session:
        covered = await session.scalar(select(func.max(OutboxEntry.id)))
        counts = {e: await session.scalar(select(func.count(m.id))) or 0 for e, m in MODELS.items()}
    progress = Progress(sum(counts.values()), stream)
    await backend.clear()
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
                loaded = await load(session, essaim.files, entity, ids)
            # Every piece is fresh: no card-level fields to copy onto older pieces.
            await apply(backend, loaded, refresh_cards=False)
            await record_text_status(essaim, loaded.text_status)
            last = ids[-1]
            done += len(ids)
            progress.advance(len(ids))
    progress.finish()
    if covered is not None:
        async with essaim.db.write() as session:
            await session.execute(delete(OutboxEntry).where(OutboxEntry.id <= covered))
            await session.commit()
    return done
