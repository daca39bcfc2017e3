"""The search backend interface; ``search.registry.backend_from_url`` chooses one by ``SEARCH_URL``:

    (empty)                  the database's own: SQLite FTS5 or PostgreSQL full-text search
    meilisearch://host:port  Meilisearch over HTTP (meilisearchs:// for HTTPS)

Errors a backend raises while writing leave the outbox rows in place: the indexer retries.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from search.documents import CardState, Document
from search.query import Query, Result


class SearchUnavailable(Exception):
    """The search engine did not answer; the change stays queued and is retried."""


class SearchBackend(ABC):
    """Stores ``Document`` pieces and answers ``Query``s; one hit per document key."""

    name: str = "?"

    @abstractmethod
    async def prepare(self) -> None:
        """Create or configure the index (idempotent); called before any document is sent."""

    @abstractmethod
    async def upsert(self, documents: Sequence[Document]) -> None:
        """Store the pieces, replacing every earlier piece of the same document keys."""

    @abstractmethod
    async def remove(self, doc_keys: Sequence[str]) -> None:
        """Remove every piece of these documents (unknown keys are ignored)."""

    @abstractmethod
    async def remove_cards(self, card_ids: Sequence[int]) -> None:
        """Remove the cards and everything indexed about them (comments, attachments)."""

    @abstractmethod
    async def update_cards(self, states: Sequence[CardState]) -> None:
        """Copy card-level fields (board, kind, tags, hidden) onto every piece of the cards."""

    @abstractmethod
    async def search(self, query: Query) -> Result:
        """The page of hits, the total and the facets of ``query``, best first."""

    @abstractmethod
    async def clear(self) -> None:
        """Remove every document (before a full reindex)."""

    async def close(self) -> None:  # noqa: B027 - most backends hold nothing of their own
        """Release connections the backend opened itself."""
