"""The indexer goes on past a change it cannot index (retried, then marked failed and shown in
the health endpoint and ``essaim settings``), so does a reindex, and several indexers on
PostgreSQL share the outbox without taking the same row twice."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

import search.documents
import search.indexer
import search.reindex
from search.backend import SearchUnavailable
from search.documents import CardState, Document, EntityType, Loaded
from search.indexer import Indexer
from search.query import Query, Result
from search.reindex import reindex
from server.cli.settings import outbox_summary
from server.core.files import FileStore
from server.core.models import OutboxEntry, utcnow
from tests.search.conftest import Stack
from tests.support.search import Outage, ids

ON_POSTGRESQL = pytest.mark.parametrize("search_settings", ["postgresql"], indirect=True)


async def outbox(stack: Stack) -> list[OutboxEntry]:
    async with stack.search.essaim.db.read() as session:
        return list((await session.scalars(select(OutboxEntry).order_by(OutboxEntry.id))).all())


async def make_due(stack: Stack) -> None:
    """Skip the backoff: every row is due now."""
    async with stack.search.essaim.db.write() as session:
        await session.execute(update(OutboxEntry).values(available_at=utcnow()))
        await session.commit()


async def test_a_change_that_cannot_be_loaded_is_retried_then_failed_and_others_go_on(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    bad = await stack.card(stack.member, "Isolation des combles perdus")
    good = await stack.card(stack.member, "Isolation des murs par l'extérieur")
    real_load = search.documents.load

    async def load(
        session: AsyncSession, files: FileStore, entity: EntityType, entity_ids: Sequence[int]
    ) -> Loaded:
        if entity == "card" and bad in entity_ids:
            raise RuntimeError(f"card {bad} cannot be read (test)")
        return await real_load(session, files, entity, entity_ids)

    monkeypatch.setattr(search.indexer, "load", load)
    limit = stack.search.essaim.settings.index_max_attempts
    assert limit == 5  # the default
    with caplog.at_level(logging.WARNING, logger="essaim.search"):
        await stack.index()
        assert ids(await stack.find(stack.member, "isolation ")) == [good]
        rows = await outbox(stack)
        assert [(r.entity, r.entity_id, r.attempts, r.failed_at) for r in rows] == [
            ("card", bad, 1, None)
        ]
        assert rows[0].available_at > utcnow()  # backed off
        failures = [r for r in caplog.records if r.exc_info and r.exc_info[0] is RuntimeError]
        assert failures, caplog.text
        assert "Traceback (most recent call last)" in caplog.text
        assert f"card {bad} cannot be read (test)" in caplog.text

        for attempt in range(2, limit + 1):
            await make_due(stack)
            await stack.index()
            [row] = await outbox(stack)
            assert row.attempts == attempt
        assert row.failed_at is not None
        assert row.error == f"RuntimeError: card {bad} cannot be read (test)"
        assert f"gave up after {limit} attempts" in caplog.text

    # Given up on: no longer tried, and the indexer goes on with later changes.
    await make_due(stack)
    assert await stack.search.indexer.drain() == 0
    later = await stack.card(stack.member, "Isolation phonique des cloisons")
    await stack.index()
    assert set(ids(await stack.find(stack.member, "isolation "))) == {good, later}
    health = await stack.member.get("/api/v1/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "search": {"pending": 0, "failed": 1}}
    summary = await asyncio.to_thread(outbox_summary, stack.search.essaim.settings)
    assert summary.startswith("search outbox: 0 pending, 1 failed"), summary


async def test_an_engine_that_is_down_never_makes_a_change_fail(stack: Stack) -> None:
    indexer = stack.search.indexer
    outage = Outage(indexer.backend)
    indexer.backend = outage
    card = await stack.card(stack.member, "Récupération des eaux de pluie")
    limit = stack.search.essaim.settings.index_max_attempts
    for _ in range(limit + 1):
        await make_due(stack)
        with pytest.raises(SearchUnavailable):
            await indexer.drain()
    [row] = await outbox(stack)
    assert (row.attempts, row.failed_at) == (limit + 1, None)
    health = await stack.member.get("/api/v1/health")
    assert health.json()["search"] == {"pending": 1, "failed": 0}
    outage.down = False
    await make_due(stack)
    await indexer.drain()
    assert ids(await stack.find(stack.member, "pluie ")) == [card]
    assert await outbox(stack) == []


class Recorder(Outage):
    """Passes every call through and records, per document, how often it was sent and whether
    two calls about it were ever in flight at once. Each call lingers a little so that
    concurrent indexers really overlap."""

    def __init__(self, inner: Any) -> None:
        super().__init__(inner)
        self.down = False
        self.sent: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()
        self.overlapped: set[str] = set()

    async def upsert(self, documents: Sequence[Document]) -> None:
        keys = {d.doc for d in documents}
        self.sent.update(keys)
        self.overlapped |= {k for k in keys if self.in_flight[k]}
        self.in_flight.update(keys)
        try:
            await asyncio.sleep(0.01)
            await self.inner.upsert(documents)
        finally:
            self.in_flight.subtract(keys)

    async def update_cards(self, states: Sequence[CardState]) -> None:
        await self.inner.update_cards(states)

    async def search(self, query: Query) -> Result:
        return await self.inner.search(query)


@ON_POSTGRESQL
async def test_two_indexers_on_postgresql_never_take_the_same_row(stack: Stack) -> None:
    cards = [await stack.card(stack.member, f"Chantier participatif numéro {n}") for n in range(30)]
    rows = await outbox(stack)
    assert sorted(r.entity_id for r in rows if r.entity == "card") == cards
    recorder = Recorder(stack.search.backend)
    first, second = (Indexer(stack.search.essaim, recorder, batch=4, poll=3600) for _ in "ab")
    done = await asyncio.gather(first.drain(), second.drain())
    assert sum(done) == len(rows)
    # Every row was applied once, by one indexer or the other, and none is left.
    assert recorder.sent == Counter({f"card-{c}": 1 for c in cards})
    assert await outbox(stack) == []
    found = await stack.find(stack.member, "chantier ", limit=50)
    assert sorted(ids(found)) == cards


@ON_POSTGRESQL
async def test_two_indexers_on_postgresql_never_index_one_card_at_once(stack: Stack) -> None:
    card = await stack.card(stack.member, "Brouillon")
    for version, title in enumerate(["Premier jet", "Deuxième jet", "Version finale"], 1):
        response = await stack.member.patch(
            f"/api/v1/cards/{card}", json={"version": version, "title": title}
        )
        assert response.status_code == 200, response.text
    assert len(await outbox(stack)) == 4
    recorder = Recorder(stack.search.backend)
    # One row per batch: each indexer takes a different row about the same card.
    first, second = (Indexer(stack.search.essaim, recorder, batch=1, poll=3600) for _ in "ab")
    await asyncio.gather(first.drain(), second.drain())
    assert recorder.overlapped == set()
    assert await outbox(stack) == []
    assert ids(await stack.find(stack.member, "finale ")) == [card]


async def test_a_reindex_goes_past_what_cannot_be_read_and_records_it_failed(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    bad = await stack.card(stack.member, "Isolation des combles perdus")
    good = await stack.card(stack.member, "Isolation des murs par l'extérieur")
    real_load = search.documents.load

    async def load(
        session: AsyncSession, files: FileStore, entity: EntityType, entity_ids: Sequence[int]
    ) -> Loaded:
        if entity == "card" and bad in entity_ids:
            raise RuntimeError(f"card {bad} cannot be read (test)")
        return await real_load(session, files, entity, entity_ids)

    monkeypatch.setattr(search.reindex, "load", load)
    with caplog.at_level(logging.WARNING, logger="essaim.search"):
        count = await reindex(stack.search.essaim, stack.search.backend, stream=None)
    assert count == 1
    assert ids(await stack.find(stack.member, "isolation ")) == [good]
    assert "Traceback (most recent call last)" in caplog.text
    [row] = await outbox(stack)
    assert (row.entity, row.entity_id, row.collective_id) == ("card", bad, stack.collective_id)
    assert row.failed_at is not None
    assert row.error == f"RuntimeError: card {bad} cannot be read (test)"
    # Once it can be read again, a reindex covers it.
    monkeypatch.undo()
    await reindex(stack.search.essaim, stack.search.backend, stream=None)
    assert set(ids(await stack.find(stack.member, "isolation "))) == {good, bad}
    assert await outbox(stack) == []
