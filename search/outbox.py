"""The search outbox as the indexer sees it: claiming a batch of due rows, settling it, counting.

On PostgreSQL a batch is claimed with ``FOR UPDATE SKIP LOCKED`` in a transaction held until
the batch is settled, so indexers in several processes each take different rows. The claimed
entities are also held with transaction-scoped advisory locks: two rows about one card, taken
by two indexers, would otherwise race, and the older state could reach the engine last. SQLite
has one writer (one process): its batch is read, then settled in one write.

A row leaves the outbox once applied. One that fails on its own (its loading or its applying
raised, not because the engine was down) is retried with backoff and, after
``ESSAIM_INDEX_MAX_ATTEMPTS`` tries, marked failed and skipped from then on; an engine that is
down never makes a row fail, it only delays it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, case, delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from search.backend import SearchUnavailable
from server.core.db import Database
from server.core.models import Attachment, OutboxEntry, utcnow

MAX_BACKOFF_SECONDS = 60.0
# Advisory lock keys (two int4): the first names the entity kind, the second is its id. Away
# from 0, the first half of the single-bigint migration lock (server.core.db.MIGRATION_LOCK).
LOCK_CLASS = {"card": 7_240_914, "comment": 7_240_915, "attachment": 7_240_916}
ERROR_CHARS = 2000

Key = tuple[str, int]


def backoff(attempts: int) -> float:
    """Seconds to wait before retrying what failed ``attempts`` times."""
    return float(min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class Row:
    """A claimed outbox row (a plain copy: the claim's session may be gone)."""

    id: int
    entity: str
    entity_id: int
    attempts: int

    @property
    def key(self) -> Key:
        return (self.entity, self.entity_id)


@dataclass
class Outcome:
    """What became of a batch's entities, for ``Batch.settle``."""

    done: set[Key] = field(default_factory=set)
    # The engine did not answer: retried later, never counted as the row's own failure.
    delayed: set[Key] = field(default_factory=set)
    # Failed on their own: retried, then marked failed; the error's text is kept.
    broken: dict[Key, str] = field(default_factory=dict)
    text_status: dict[int, str] = field(default_factory=dict)
    unavailable: SearchUnavailable | None = None


@dataclass
class Batch:
    """Due rows claimed by one indexer; ``settle`` records the outcome and ends the claim."""

    database: Database
    rows: list[Row]
    session: AsyncSession | None = None  # PostgreSQL: the claiming transaction

    def keys(self) -> list[Key]:
        return sorted({row.key for row in self.rows})

    def reading(self) -> Any:
        """A session to load entities in: the claim's own on PostgreSQL, else a read."""
        if self.session is not None:
            return nullcontext(self.session)
        return self.database.read()

    async def settle(self, outcome: Outcome, max_attempts: int) -> None:
        if self.session is not None:
            await self._settle(self.session, outcome, max_attempts)
            return
        async with self.database.write() as session:
            await self._settle(session, outcome, max_attempts)

    async def _settle(self, session: AsyncSession, outcome: Outcome, max_attempts: int) -> None:
        now = utcnow()
        done = [r.id for r in self.rows if r.key in outcome.done]
        if done:
            await session.execute(delete(OutboxEntry).where(OutboxEntry.id.in_(done)))
        # Rows retried later, by their next try's number (one UPDATE per distinct number).
        retried: dict[int, list[int]] = defaultdict(list)
        for row in self.rows:
            attempts = row.attempts + 1
            if row.key in outcome.broken and attempts >= max_attempts:
                await session.execute(
                    update(OutboxEntry)
                    .where(OutboxEntry.id == row.id)
                    .values(
                        attempts=attempts,
                        failed_at=now,
                        error=outcome.broken[row.key][:ERROR_CHARS],
                    )
                )
            elif row.key in outcome.broken or row.key in outcome.delayed:
                retried[attempts].append(row.id)
        for attempts, ids in retried.items():
            await session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.id.in_(ids))
                .values(attempts=attempts, available_at=now + timedelta(seconds=backoff(attempts)))
            )
        for attachment_id, status in outcome.text_status.items():
            await session.execute(
                update(Attachment).where(Attachment.id == attachment_id).values(text_status=status)
            )
        await session.commit()


@asynccontextmanager
async def claim(database: Database, limit: int) -> AsyncIterator[Batch]:
    """The oldest due rows (at most ``limit``) no other indexer holds; settle them inside."""
    due = _due().limit(limit)
    if database.dialect != "postgresql":
        async with database.read() as session:
            rows = [Row(*r) for r in (await session.execute(due)).all()]
        yield Batch(database, rows)
        return
    async with database.write() as session:
        rows = [Row(*r) for r in (await session.execute(due.with_for_update(skip_locked=True)))]
        busy = await _lock_entities(session, {row.key for row in rows})
        # Rows of an entity another indexer is indexing stay for later (locked until we end).
        yield Batch(database, [r for r in rows if r.key not in busy], session)


async def _lock_entities(session: AsyncSession, keys: set[Key]) -> set[Key]:
    """Take an advisory lock per entity for this transaction; the keys already held elsewhere."""
    if not keys:
        return set()
    ordered = sorted(keys)
    found = await session.execute(
        text(
            "SELECT k1, k2 FROM unnest(CAST(:k1 AS int[]), CAST(:k2 AS int[])) AS t(k1, k2)"
            " WHERE NOT pg_try_advisory_xact_lock(k1, k2)"
        ),
        {"k1": [LOCK_CLASS[e] for e, _ in ordered], "k2": [i for _, i in ordered]},
    )
    entity_of = {v: k for k, v in LOCK_CLASS.items()}
    return {(entity_of[k1], int(k2)) for k1, k2 in found.all()}


def _due() -> Select[int, str, int, int]:
    return (
        select(OutboxEntry.id, OutboxEntry.entity, OutboxEntry.entity_id, OutboxEntry.attempts)
        .where(OutboxEntry.failed_at.is_(None), OutboxEntry.available_at <= utcnow())
        .order_by(OutboxEntry.id)
    )


async def due(database: Database) -> bool:
    """Whether some row is due, whoever holds it."""
    async with database.read() as session:
        return (await session.execute(_due().limit(1))).first() is not None


async def counts(database: Database) -> dict[str, int]:
    """``{"pending", "failed"}``: rows waiting to be indexed, rows given up on."""
    async with database.read() as session:
        pending, failed = (
            await session.execute(
                select(
                    func.coalesce(func.sum(case((OutboxEntry.failed_at.is_(None), 1), else_=0)), 0),
                    func.coalesce(
                        func.sum(case((OutboxEntry.failed_at.is_not(None), 1), else_=0)), 0
                    ),
                )
            )
        ).one()
    return {"pending": int(pending), "failed": int(failed)}


async def behind(session: AsyncSession, collective_ids: tuple[int, ...]) -> bool:
    """Whether changes in these collectives wait for the indexer (or were given up on)."""
    if not collective_ids:
        return False
    found = await session.scalar(
        select(OutboxEntry.id).where(OutboxEntry.collective_id.in_(collective_ids)).limit(1)
    )
    return found is not None
