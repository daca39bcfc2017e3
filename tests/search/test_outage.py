"""With the search engine down, writes succeed and queue; when it returns, the index catches
up with every change made meanwhile, nothing lost."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from search.backend import SearchUnavailable
from server.core.models import OutboxEntry
from tests.search.conftest import Stack
from tests.search.fake_meilisearch import FakeMeilisearch
from tests.support.search import Outage, ids


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
