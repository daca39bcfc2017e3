"""The Meilisearch backend, through the official ``meilisearch`` client.

The client is synchronous (``requests``): every call runs in a worker thread so the event loop
never blocks. Settings are applied, and their task awaited, before any document is sent. Each
write's task is awaited by the indexer (off the request path) so a batch leaves the outbox
only once Meilisearch has really applied it.

Meilisearch does no French stemming: documents carry stemmed shadow fields (``title_terms``,
``body_terms``) next to the originals, and queries send stems for finished words and the word
as typed for the last one (prefix search then works on the originals too). Typo tolerance is
Meilisearch's own (1 typo from 5 letters, 2 from 9). Chunks of one attachment share ``doc``,
the distinct attribute: one hit per document.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import meilisearch
from meilisearch.errors import MeilisearchError

from search.backend import SearchBackend, SearchUnavailable
from search.documents import CardState, Document
from search.french import STOP_WORDS
from search.query import Hit, Query, Result
from search.snippets import snippet

T = TypeVar("T")

FILTERABLE = [
    "collective_id",
    "kind",
    "tags",
    "board_id",
    "author_id",
    "hidden",
    "card_hidden",
    "card_id",
    "doc",
]
SETTINGS: dict[str, Any] = {
    # Order matters: the attribute rule ranks a match in the title above one in the body.
    "searchableAttributes": ["title_terms", "title", "body_terms", "body"],
    "filterableAttributes": FILTERABLE,
    "distinctAttribute": "doc",
    "stopWords": sorted(STOP_WORDS),
    "typoTolerance": {"enabled": True},
}
RETRIEVED = ["type", "entity_id", "card_id", "collective_id", "board_id", "name", "body"]
TASK_TIMEOUT_MS = 60_000


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _ints(values: Sequence[int]) -> str:
    return "[" + ", ".join(str(int(v)) for v in values) + "]"


class MeilisearchBackend(SearchBackend):
    name = "meilisearch"

    def __init__(self, url: str, api_key: str = "", index: str = "essaim") -> None:
        self.url = url
        self.client = meilisearch.Client(url, api_key or None, timeout=10)
        self.index = self.client.index(index)
        self.index_uid = index

    @classmethod
    def from_url(cls, url: str, api_key: str = "") -> MeilisearchBackend:
        """``meilisearch://host:7700[/index]`` (HTTP) or ``meilisearchs://`` (HTTPS)."""
        parts = urlsplit(url)
        scheme = "https" if parts.scheme == "meilisearchs" else "http"
        index = parts.path.strip("/") or "essaim"
        return cls(urlunsplit((scheme, parts.netloc, "", "", "")), api_key, index)

    async def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except MeilisearchError as exc:
            raise SearchUnavailable(f"Meilisearch at {self.url}: {exc}") from exc
        except OSError as exc:  # requests' ConnectionError is an OSError
            raise SearchUnavailable(f"Meilisearch at {self.url}: {exc}") from exc

    async def _wait(self, task_uid: int) -> None:
        task = await self._call(
            self.client.wait_for_task, task_uid, timeout_in_ms=TASK_TIMEOUT_MS, interval_in_ms=20
        )
        if task.status != "succeeded":
            raise SearchUnavailable(f"Meilisearch task {task_uid} {task.status}: {task.error}")

    async def prepare(self) -> None:
        created = await self._call(self.client.create_index, self.index_uid, {"primaryKey": "id"})
        task = await self._call(
            self.client.wait_for_task,
            created.task_uid,
            timeout_in_ms=TASK_TIMEOUT_MS,
            interval_in_ms=20,
        )
        if task.status != "succeeded" and (task.error or {}).get("code") != (
            "index_already_exists"
        ):
            raise SearchUnavailable(f"creating index {self.index_uid}: {task.error}")
        info = await self._call(self.index.update_settings, dict(SETTINGS))
        await self._wait(info.task_uid)

    async def upsert(self, documents: Sequence[Document]) -> None:
        if not documents:
            return
        chunked = sorted({d.doc for d in documents if d.type == "attachment"})
        if chunked:
            # A shorter new text has fewer chunks: the old extra ones must go.
            await self.remove(chunked)
        payload = [_payload(d.analyzed()) for d in documents]
        info = await self._call(self.index.add_documents, payload, "id")
        await self._wait(info.task_uid)

    async def remove(self, doc_keys: Sequence[str]) -> None:
        if doc_keys:
            keys = ", ".join(_quote(k) for k in doc_keys)
            info = await self._call(self.index.delete_documents, filter=f"doc IN [{keys}]")
            await self._wait(info.task_uid)

    async def remove_cards(self, card_ids: Sequence[int]) -> None:
        if card_ids:
            info = await self._call(
                self.index.delete_documents, filter=f"card_id IN {_ints(card_ids)}"
            )
            await self._wait(info.task_uid)

    async def update_cards(self, states: Sequence[CardState]) -> None:
        if not states:
            return
        by_card = {s.card_id: s for s in states}
        found = await self._call(
            self.index.get_documents,
            {
                "filter": f"card_id IN {_ints(sorted(by_card))}",
                "fields": ["id", "card_id"],
                "limit": 10_000,
            },
        )
        changes: list[dict[str, Any]] = []
        for document in found.results:
            state = by_card[int(document.card_id)]
            changes.append(
                {
                    "id": document.id,
                    "collective_id": state.collective_id,
                    "board_id": state.board_id,
                    "kind": state.kind,
                    "tags": list(state.tags),
                    "card_hidden": state.hidden,
                }
            )
        if changes:
            # A partial update: the fields sent replace those stored, the others stay.
            info = await self._call(self.index.update_documents, changes, "id")
            await self._wait(info.task_uid)

    async def clear(self) -> None:
        info = await self._call(self.index.delete_all_documents)
        await self._wait(info.task_uid)

    def _filter(self, query: Query) -> str:
        visible = "(hidden = false AND card_hidden = false)"
        clauses = [f"collective_id IN {_ints(query.collective_ids)}"]
        if query.animated_ids:
            clauses.append(f"(collective_id IN {_ints(query.animated_ids)} OR {visible})")
        else:
            clauses.append(visible)
        if query.kind is not None:
            clauses.append(f"kind = {_quote(query.kind)}")
        if query.tag is not None:
            clauses.append(f"tags = {_quote(query.tag)}")
        if query.board_id is not None:
            clauses.append(f"board_id = {int(query.board_id)}")
        if query.author_id is not None:
            clauses.append(f"author_id = {int(query.author_id)}")
        return " AND ".join(clauses)

    async def search(self, query: Query) -> Result:
        if not query.words or not query.collective_ids:
            return Result(total=0)
        # The stem, which the *_terms fields hold; the word as typed when it may be a prefix, or
        # when its stem is one of the stopWords Meilisearch drops from a query (« sons » →
        # « son »): then it is found as typed in the title and body.
        q = " ".join(w.text if w.prefix or w.stem in STOP_WORDS else w.stem for w in query.words)
        if not query.words[-1].prefix:
            q += " "  # Meilisearch: a last word followed by a space is not a prefix.
        answer = await self._call(
            self.index.search,
            q,
            {
                "filter": self._filter(query),
                "limit": query.limit,
                "offset": query.offset,
                "facets": ["kind", "tags", "board_id"],
                "attributesToRetrieve": RETRIEVED,
            },
        )
        facets = answer.get("facetDistribution") or {}
        result = Result(
            total=int(answer.get("estimatedTotalHits", answer.get("totalHits", 0))),
            facets={
                "kind": dict(facets.get("kind", {})),
                "tag": dict(facets.get("tags", {})),
                "board": {str(k): v for k, v in facets.get("board_id", {}).items()},
            },
        )
        result.hits = [
            Hit(
                type=h["type"],
                id=int(h["entity_id"]),
                card_id=int(h["card_id"]),
                collective_id=int(h["collective_id"]),
                board_id=int(h["board_id"]),
                title=h["name"],
                snippet=snippet(h.get("body") or h["name"], query.words),
            )
            for h in answer.get("hits", [])
        ]
        return result


def _payload(d: Document) -> dict[str, Any]:
    return {
        **d.filter_fields(),
        # ``name`` is shown; ``title`` is searched (a comment matches on its own words only).
        "name": d.title,
        "title": d.title if d.type != "comment" else "",
        "body": d.body,
        "title_terms": d.title_terms,
        "body_terms": d.body_terms,
    }


__all__ = ["MeilisearchBackend"]
