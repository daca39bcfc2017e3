"""With the search engine down, writes succeed and queue; when it returns, the index catches
up with every change made meanwhile, nothing lost."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import func, select, update

from search.backend import SearchBackend, SearchUnavailable
from search.documents import CardState, Document
from search.query import Query, Result
from server.core.models import OutboxEntry
from tests.search.conftest import Stack
from tests.search.fake_meilisearch import FakeMeilisearch
from tests.search.test_behaviour import ids


class Outage(SearchBackend):
    """Wraps a backend; while ``down`` every call fails like an engine that does not answer."""

    def __init__(self, inner: SearchBackend) -> None:
        self.inner = inner
        self.down = True
        self.name = inner.name

    def _check(self) -> None:
        if self.down:
            raise SearchUnavailable("engine down (test)")

    async def prepare(self) -> None:
        self._check()
        await self.inner.prepare()

    async def upsert(self, documents: Sequence[Document]) -> None:
        self._check()
        await self.inner.upsert(documents)

    async def remove(self, doc_keys: Sequence[str]) -> None:
        self._check()
        await self.inner.remove(doc_keys)

    async def remove_cards(self, card_ids: Sequence[int]) -> None:
        self._check()
        await self.inner.remove_cards(card_ids)

    async def update_cards(self, states: Sequence[CardState]) -> None:
        self._check()
        await self.inner.update_cards(states)

    async def search(self, query: Query) -> Result:
        self._check()
        return await self.inner.search(query)

    async def clear(self) -> None:
        self._check()
        await self.inner.clear()


async def outbox_size(stack: Stack) -> int:
    async with stack.search.essaim.db.read() as session:
        return int(await session.scalar(select(func.count(OutboxEntry.id))) or 0)


async def test_writes_succeed_while_the_engine_is_down_and_the_index_catches_up(
    stack: Stack, fake_meilisearch: FakeMeilisearch
) -> None:
    indexer = stack.search.indexer
    outage = Outage(indexer.backend)
    indexer.backend = outage
    if stack.search.backend.name == "meilisearch":
        # The real failure path too: the fake server drops connections.
        outage.down = False
        fake_meilisearch.down = True
    try:
        first = await stack.card(stack.member, "Compostage des déchets verts")
        second = await stack.card(stack.member, "Broyage des déchets verts")
        await stack.member.post(f"/api/v1/cards/{first}/comments", json={"body": "Très utile"})
        assert (await stack.member.delete(f"/api/v1/cards/{second}")).status_code == 204
        with pytest.raises(SearchUnavailable):
            await indexer.drain()
        assert await outbox_size(stack) == 4
        # A failed batch is pushed back, not dropped: retried after its backoff.
        async with stack.search.essaim.db.read() as session:
            attempts = (await session.scalars(select(OutboxEntry.attempts))).all()
        assert set(attempts) == {1}
        if fake_meilisearch.down:
            down = await stack.member.get("/api/v1/search", params={"q": "déchets"})
            assert down.status_code == 503
            assert down.json()["error"]["code"] == "search_unavailable"
    finally:
        outage.down = False
        fake_meilisearch.down = False
    async with stack.search.essaim.db.write() as session:
        await session.execute(update(OutboxEntry).values(available_at=func.now()))
        await session.commit()
    await indexer.drain()
    assert await outbox_size(stack) == 0
    assert ids(await stack.find(stack.member, "déchets verts ")) == [first]
    assert len(ids(await stack.find(stack.member, "très utile "), "comment")) == 1
