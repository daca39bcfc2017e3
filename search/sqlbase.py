"""What the two database backends share: write batching, the word list behind typo
tolerance, visibility filters, and the query plan (all words, then any word, then typos)."""

from __future__ import annotations

import html
from abc import abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from search.documents import Document
from search.french import words as folded_words
from search.query import Hit, Query, Result, Word
from search.typos import allowed_typos, closest
from server.core.db import Database

# Per query word, its alternatives as (folded word, stem, prefix?): the word as typed and,
# when the index does not know it, the nearest known words.
Alternatives = list[list[tuple[str, str, bool]]]


def facet_rows(result: Result, rows: Sequence[tuple[str, Any, int]]) -> None:
    """Fill ``result.total`` and its facets from (section, key, count) rows."""
    for section, key, n in rows:
        if section == "total":
            result.total = int(n)
        elif key is not None:
            result.facets[section][str(key)] = int(n)


def page_hits(rows: Sequence[Row[Any]], snippet_of: Callable[[Row[Any]], str]) -> list[Hit]:
    """Hits from (type, entity_id, card_id, collective_id, board_id, title, …) rows."""
    return [
        Hit(
            type=r.type,
            id=int(r.entity_id),
            card_id=int(r.card_id),
            collective_id=int(r.collective_id),
            board_id=int(r.board_id),
            title=r.title,
            snippet=snippet_of(r),
        )
        for r in rows
    ]


def escape_marks(text: str, start: str, stop: str) -> str:
    """HTML-escape ``text`` whose matches are delimited by the control characters given."""
    return html.escape(text).replace(start, "<mark>").replace(stop, "</mark>")


class SQLBackend:
    """Shared by the SQLite and PostgreSQL backends; subclasses give the dialect's SQL."""

    def __init__(self, database: Database) -> None:
        self.database = database
        # Words already in the typo word list: saves an INSERT per word per document.
        self._seen_words: set[str] = set()

    # ------------------------------------------------------------------ writes

    async def upsert(self, documents: Sequence[Document]) -> None:
        if not documents:
            return
        analysed = [d.analyzed() for d in documents]
        keys = sorted({d.doc for d in analysed})
        pairs = self._new_words(analysed)
        async with self.database.write() as session:
            await self._delete_docs(session, "doc", keys)
            await self._insert(session, analysed)
            if pairs:
                await self._insert_words(session, pairs)
            await session.commit()
        self._seen_words.update(w for w, _ in pairs)
        self._written()

    def _written(self) -> None:
        """Called once a batch of documents is committed."""

    async def remove(self, doc_keys: Sequence[str]) -> None:
        if doc_keys:
            async with self.database.write() as session:
                await self._delete_docs(session, "doc", list(doc_keys))
                await session.commit()

    async def remove_cards(self, card_ids: Sequence[int]) -> None:
        if card_ids:
            async with self.database.write() as session:
                await self._delete_docs(session, "card_id", list(card_ids))
                await session.commit()

    def _new_words(self, documents: Sequence[Document]) -> list[tuple[str, str]]:
        from search.french import STOP_WORDS, stem

        fresh: set[str] = set()
        for d in documents:
            for word in folded_words(f"{d.title} {d.body}"):
                if (
                    len(word) >= 5
                    and word not in self._seen_words
                    and word not in STOP_WORDS
                    and word.isalpha()
                ):
                    fresh.add(word)
        return sorted((w, stem(w)) for w in fresh)

    @abstractmethod
    async def _delete_docs(self, session: AsyncSession, column: str, values: list[Any]) -> None:
        """Delete the pieces whose ``column`` is in ``values``."""

    @abstractmethod
    async def _insert(self, session: AsyncSession, documents: Sequence[Document]) -> None:
        """Insert analysed pieces."""

    @abstractmethod
    async def _insert_words(self, session: AsyncSession, pairs: list[tuple[str, str]]) -> None:
        """Add (word, stem) pairs to the typo word list, ignoring those already there."""

    # ------------------------------------------------------------------ queries

    @abstractmethod
    async def _known(self, session: AsyncSession, term: str, prefix: bool) -> bool:
        """Whether the index holds ``term`` (or, for a prefix, a term starting with it)."""

    @abstractmethod
    async def _run(
        self, session: AsyncSession, query: Query, alternatives: Alternatives, join: str
    ) -> Result:
        """Run one query plan: each word's alternatives OR-ed, words joined by ``join``."""

    async def _candidates(self, session: AsyncSession, word: str) -> list[tuple[str, str]]:
        from sqlalchemy import text

        typos = allowed_typos(word)
        rows = await session.execute(
            text(
                f"SELECT word, stem FROM {self.words_table} WHERE word >= :lo AND word < :hi"
                " AND length(word) BETWEEN :short AND :long"
            ),
            {
                "lo": word[0],
                "hi": chr(ord(word[0]) + 1),
                "short": len(word) - typos,
                "long": len(word) + typos,
            },
        )
        return [(r[0], r[1]) for r in rows.all()]

    words_table = "search_words"

    async def _completions(self, session: AsyncSession, prefix: str) -> list[tuple[str, str]]:
        from sqlalchemy import text

        rows = await session.execute(
            text(
                f"SELECT word, stem FROM {self.words_table} WHERE word >= :lo AND word < :hi"
                " ORDER BY length(word) LIMIT 16"
            ),
            {"lo": prefix, "hi": prefix + "\uffff"},
        )
        return [(r[0], r[1]) for r in rows.all()]

    async def _tune(self, session: AsyncSession) -> None:
        """Dialect settings for a read connection, applied once per connection."""

    async def _exact_alternatives(
        self, session: AsyncSession, words: Sequence[Word]
    ) -> Alternatives:
        """Per word: its stem, and for the word being typed the stems of its completions."""
        out: Alternatives = []
        for word in words:
            alts = [(word.text, word.stem, word.prefix)]
            if word.prefix and len(word.text) >= 3:
                # « isolat » is the start of « isolation », indexed as « isol »: complete the
                # typed word from the word list, then search the completions' stems.
                for full, stem in await self._completions(session, word.text):
                    if stem != word.stem:
                        alts.append((full, stem, False))
            out.append(alts)
        return out

    async def _with_typos(
        self, session: AsyncSession, words: Sequence[Word], exact: Alternatives
    ) -> Alternatives:
        """``exact`` plus, for each word the index does not know, the nearest known words."""
        out: Alternatives = []
        for word, found in zip(words, exact, strict=True):
            alts = list(found)
            known = await self._known(session, word.stem, word.prefix)
            if not known and word.prefix and word.text != word.stem:
                known = await self._known(session, word.text, True)
            if not known and allowed_typos(word.text):
                candidates = dict(await self._candidates(session, word.text))
                alts.extend(
                    (near, candidates[near], False) for near in closest(word.text, candidates)
                )
            out.append(alts)
        return out

    async def search(self, query: Query) -> Result:
        if not query.words or not query.collective_ids:
            return Result(total=0)
        async with self.database.read() as session:
            await self._tune(session)
            alternatives = await self._exact_alternatives(session, query.words)
            result = await self._run(session, query, alternatives, "AND")
            # Typo tolerance only matters for unknown words, and an unknown word makes the
            # exact plan find nothing (or little, when it is the word being typed): the
            # lookups for near words are only made when the page is not already full.
            if result.total < query.offset + query.limit:
                with_typos = await self._with_typos(session, query.words, alternatives)
                if with_typos != alternatives:
                    alternatives = with_typos
                    result = await self._run(session, query, alternatives, "AND")
            # Like Meilisearch's "last" strategy, but simpler: when no document has every
            # word, rank those with any of them (bm25 favours those with more).
            if result.total == 0 and len(alternatives) > 1:
                result = await self._run(session, query, alternatives, "OR")
            return result

    def _filters(self, query: Query, *, json_tags: bool) -> tuple[str, dict[str, Any]]:
        params: dict[str, Any] = {}

        def placeholders(name: str, values: Sequence[int]) -> str:
            for i, v in enumerate(values):
                params[f"{name}{i}"] = v
            return ",".join(f":{name}{i}" for i in range(len(values)))

        clauses = [f"d.collective_id IN ({placeholders('c', query.collective_ids)})"]
        visible = (
            "(d.hidden = 0 AND d.card_hidden = 0)"
            if json_tags
            else ("(NOT d.hidden AND NOT d.card_hidden)")
        )
        if query.animated_ids:
            animated = placeholders("a", query.animated_ids)
            clauses.append(f"(d.collective_id IN ({animated}) OR {visible})")
        else:
            clauses.append(visible)
        if query.kind is not None:
            clauses.append("d.kind = :kind")
            params["kind"] = query.kind
        if query.board_id is not None:
            clauses.append("d.board_id = :board")
            params["board"] = query.board_id
        if query.author_id is not None:
            clauses.append("d.author_id = :author")
            params["author"] = query.author_id
        if query.tag is not None:
            params["tag"] = query.tag
            clauses.append(
                "EXISTS (SELECT 1 FROM json_each(d.tags) WHERE value = :tag)"
                if json_tags
                else ":tag = ANY(d.tags)"
            )
        return " AND ".join(clauses), params
