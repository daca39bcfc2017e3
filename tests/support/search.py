"""Search test helpers: the ids in a result, and a backend whose engine is down."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from search.backend import SearchBackend, SearchUnavailable
from search.documents import CardState, Document
from search.query import Query, Result


def ids(result: dict[str, Any], type_: str = "card") -> list[int]:
    """The ids of the hits of ``type_`` in a search answer, in order."""
    return [h["id"] for h in result["hits"] if h["type"] == type_]


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
