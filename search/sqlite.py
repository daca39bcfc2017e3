"""The embedded backend: SQLite FTS5 over the stemmed shadow text, bm25 ranking.

FTS5 has no French stemmer and custom tokenizers need the C API, so the index holds the
analysed terms (``search.french``) and queries are analysed the same way; snippets are cut
from the original text in Python. Its tables are created by ``prepare`` rather than by a
migration: the FTS5 virtual table and its shadow tables are derived data, rebuilt by
``essaim search reindex``, and would otherwise show up as unknown tables in the schema.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from search.backend import SearchBackend
from search.documents import CardState, Document
from search.french import analyze
from search.query import Query, Result
from search.snippets import snippet
from search.sqlbase import Alternatives, SQLBackend, facet_rows, page_hits
from search.sqlite_scope import piece_scope, scope_match, scope_tokens
from server.core.db import Database

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS search_documents (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        doc TEXT NOT NULL,
        type TEXT NOT NULL,
        entity_id INTEGER NOT NULL,
        card_id INTEGER NOT NULL,
        collective_id INTEGER NOT NULL,
        board_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        tags TEXT NOT NULL,
        author_id INTEGER NOT NULL,
        hidden INTEGER NOT NULL,
        card_hidden INTEGER NOT NULL,
        title TEXT NOT NULL,
        body TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS ix_search_documents_doc ON search_documents (doc)",
    "CREATE INDEX IF NOT EXISTS ix_search_documents_card ON search_documents (card_id)",
    # remove_diacritics is moot (terms are folded) but keeps hand-made queries forgiving.
    # ``scope`` holds filter tokens (see ``scope_tokens``): FTS5 filters by collective,
    # visibility, kind, board, author and tag while it matches, so bm25 is only computed for
    # what the user may see.
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
        title, body, scope, tokenize = 'unicode61 remove_diacritics 2')""",
    """CREATE TABLE IF NOT EXISTS search_words (
        word TEXT PRIMARY KEY, stem TEXT NOT NULL) WITHOUT ROWID""",
    # Every term ever indexed (never pruned: a stale term matches nothing). A prefix is
    # expanded into the terms it starts: FTS5 would otherwise merge the whole index's
    # postings of every such term before filtering by collective.
    "CREATE TABLE IF NOT EXISTS search_vocab (term TEXT PRIMARY KEY) WITHOUT ROWID",
)

# bm25 column weights: a word in the title (or tags) counts three times one in the body; the
# filter tokens of ``scope`` count for nothing.
BM25 = "bm25(search_fts, 3.0, 1.0, 0.0)"
# bm25 costs a few microseconds per matching piece plus a pass over every posting of each
# query term: a query matching more pieces than this (more when the page asked for lies
# further) ranks only the most recent this many of them. Up to it the total is exact and the
# facets count every match; beyond it, the total is estimated from the number of matching
# pieces (flagged ``total_exact = False``) and the facets count the ranked candidates only.
CANDIDATES = 500
# A prefix that starts more indexed terms than this is left to FTS5's own prefix query.
PREFIX_TERMS = 24

TEXT_COLUMNS = "{title body}"


def _fts_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


# For the connections searches read through: a larger page cache (the default 2 MB makes
# every bm25 and document lookup of a large index a read from the OS) and memory-mapped I/O.
READ_PRAGMAS = ("PRAGMA cache_size = -32768", "PRAGMA mmap_size = 268435456")


class SQLiteBackend(SQLBackend, SearchBackend):
    name = "sqlite"

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        # Terms already in ``search_vocab``: saves an INSERT per term per piece.
        self._seen_terms: set[str] = set()
        self._pending_terms: set[str] = set()

    async def _tune(self, session: AsyncSession) -> None:
        connection = await session.connection()
        if not connection.info.get("essaim_search_pragmas"):
            for pragma in READ_PRAGMAS:
                await connection.exec_driver_sql(pragma)
            connection.info["essaim_search_pragmas"] = True

    async def prepare(self) -> None:
        async with self.database.write() as session:
            columns = {
                r[1] for r in (await session.execute(text("PRAGMA table_info(search_fts)"))).all()
            }
            if columns and "scope" not in columns:
                # An index from before the filter tokens: rebuilt from the stored pieces.
                await session.execute(text("DROP TABLE IF EXISTS search_terms"))
                await session.execute(text("DROP TABLE search_fts"))
            for statement in SCHEMA:
                await session.execute(text(statement))
            if columns and "scope" not in columns:
                await self._rebuild_fts(session)
            await session.commit()
        self._written()

    async def _rebuild_fts(self, session: AsyncSession) -> None:
        rows = (await session.execute(text("SELECT * FROM search_documents"))).all()
        for start in range(0, len(rows), 1000):
            params = [
                {
                    "rowid": r.rowid,
                    "title": analyze(
                        ""
                        if r.type == "comment"
                        else " ".join([r.title, *(json.loads(r.tags) if r.type == "card" else [])])
                    ),
                    "body": analyze(r.body),
                    "scope": piece_scope(r),
                }
                for r in rows[start : start + 1000]
            ]
            await session.execute(
                text(
                    "INSERT INTO search_fts (rowid, title, body, scope) VALUES"
                    " (:rowid, :title, :body, :scope)"
                ),
                params,
            )
            await self._add_terms(session, [f"{p['title']} {p['body']}" for p in params])

    async def _add_terms(self, session: AsyncSession, texts: Sequence[str]) -> None:
        """Record the terms of analysed texts in ``search_vocab`` (once per process)."""
        fresh = {t for analysed in texts for t in analysed.split()} - self._seen_terms
        if fresh:
            await session.execute(
                text("INSERT OR IGNORE INTO search_vocab (term) VALUES (:t)"),
                [{"t": t} for t in sorted(fresh)],
            )
            self._pending_terms.update(fresh)

    def _written(self) -> None:
        self._seen_terms.update(self._pending_terms)
        self._pending_terms.clear()

    async def _delete_docs(self, session: AsyncSession, column: str, values: list[Any]) -> None:
        found = await session.execute(
            text(
                f"SELECT rowid FROM search_documents WHERE {column} IN (SELECT value FROM"
                " json_each(:values))"
            ),
            {"values": json.dumps(values)},
        )
        rowids = [r[0] for r in found.all()]
        if not rowids:
            return
        params = {"rowids": json.dumps(rowids)}
        await session.execute(
            text("DELETE FROM search_fts WHERE rowid IN (SELECT value FROM json_each(:rowids))"),
            params,
        )
        await session.execute(
            text(
                "DELETE FROM search_documents WHERE rowid IN (SELECT value FROM json_each(:rowids))"
            ),
            params,
        )

    async def _insert(self, session: AsyncSession, documents: Sequence[Document]) -> None:
        self._pending_terms.clear()
        # The write transaction holds SQLite's lock: the next rowids are ours to give, and
        # the FTS rows share them.
        last = (
            await session.execute(text("SELECT coalesce(max(rowid), 0) FROM search_documents"))
        ).scalar_one()
        rows = [
            {
                "rowid": last + n,
                "id": d.id,
                "doc": d.doc,
                "type": d.type,
                "entity_id": d.entity_id,
                "card_id": d.card.card_id,
                "collective_id": d.card.collective_id,
                "board_id": d.card.board_id,
                "kind": d.card.kind,
                "tags": json.dumps(list(d.card.tags), ensure_ascii=False),
                "author_id": d.author_id,
                "hidden": int(d.hidden),
                "card_hidden": int(d.card.hidden),
                "title": d.title,
                "body": d.body,
            }
            for n, d in enumerate(documents, start=1)
        ]
        await session.execute(
            text(
                "INSERT INTO search_documents (rowid, id, doc, type, entity_id, card_id,"
                " collective_id, board_id, kind, tags, author_id, hidden, card_hidden, title,"
                " body) VALUES (:rowid, :id, :doc, :type, :entity_id, :card_id, :collective_id,"
                " :board_id, :kind, :tags, :author_id, :hidden, :card_hidden, :title, :body)"
            ),
            rows,
        )
        await session.execute(
            text(
                "INSERT INTO search_fts (rowid, title, body, scope) VALUES"
                " (:rowid, :title, :body, :scope)"
            ),
            [
                {
                    "rowid": last + n,
                    "title": d.title_terms,
                    "body": d.body_terms,
                    "scope": scope_tokens(
                        d.card.collective_id,
                        not d.hidden and not d.card.hidden,
                        d.card.board_id,
                        d.card.kind,
                        d.card.tags,
                        d.author_id,
                    ),
                }
                for n, d in enumerate(documents, start=1)
            ],
        )
        await self._add_terms(session, [f"{d.title_terms} {d.body_terms}" for d in documents])

    async def _insert_words(self, session: AsyncSession, pairs: list[tuple[str, str]]) -> None:
        await session.execute(
            text("INSERT OR IGNORE INTO search_words (word, stem) VALUES (:w, :s)"),
            [{"w": w, "s": s} for w, s in pairs],
        )

    async def update_cards(self, states: Sequence[CardState]) -> None:
        if not states:
            return
        async with self.database.write() as session:
            await session.execute(
                text(
                    "UPDATE search_documents SET collective_id = :collective_id, board_id ="
                    " :board_id, kind = :kind, tags = :tags, card_hidden = :hidden"
                    " WHERE card_id = :card_id"
                ),
                [
                    {
                        "collective_id": s.collective_id,
                        "board_id": s.board_id,
                        "kind": s.kind,
                        "tags": json.dumps(list(s.tags), ensure_ascii=False),
                        "hidden": int(s.hidden),
                        "card_id": s.card_id,
                    }
                    for s in states
                ],
            )
            # The filter tokens follow; only the pieces whose tokens changed are rewritten.
            pieces = await session.execute(
                text(
                    "SELECT d.rowid, d.collective_id, d.board_id, d.kind, d.tags, d.author_id,"
                    " d.hidden, d.card_hidden, f.scope FROM search_documents d JOIN search_fts f"
                    " ON f.rowid = d.rowid WHERE d.card_id IN (SELECT value FROM"
                    " json_each(:cards))"
                ),
                {"cards": json.dumps(sorted({s.card_id for s in states}))},
            )
            changed = [
                {"rowid": r.rowid, "scope": scope}
                for r in pieces.all()
                if (scope := piece_scope(r)) != r.scope
            ]
            if changed:
                await session.execute(
                    text("UPDATE search_fts SET scope = :scope WHERE rowid = :rowid"), changed
                )
            await session.commit()

    async def clear(self) -> None:
        async with self.database.write() as session:
            await session.execute(text("DELETE FROM search_fts"))
            await session.execute(text("DELETE FROM search_documents"))
            await session.execute(text("DELETE FROM search_vocab"))
            await session.commit()
        self._seen_terms.clear()

    # ------------------------------------------------------------------ queries

    async def _known(self, session: AsyncSession, term: str, prefix: bool) -> bool:
        match = f"{TEXT_COLUMNS} : {_fts_string(term)}" + ("*" if prefix else "")
        sql = "SELECT 1 FROM search_fts WHERE search_fts MATCH :m LIMIT 1"
        return (await session.execute(text(sql), {"m": match})).first() is not None

    async def _expansions(
        self, session: AsyncSession, alternatives: Alternatives
    ) -> dict[str, list[str]]:
        """The indexed terms each prefix of ``alternatives`` starts (when there are few)."""
        prefixes = {
            p
            for alts in alternatives
            for word, stem, prefix in alts
            if prefix
            for p in {stem, word}
        }
        out: dict[str, list[str]] = {}
        for prefix in sorted(prefixes):
            found = await session.execute(
                text("SELECT term FROM search_vocab WHERE term >= :lo AND term < :hi LIMIT :n"),
                {"lo": prefix, "hi": prefix + "\uffff", "n": PREFIX_TERMS + 1},
            )
            terms = [r[0] for r in found.all()]
            if len(terms) <= PREFIX_TERMS:
                out[prefix] = terms
        return out

    def _match(
        self, alternatives: Alternatives, join: str, expansions: dict[str, list[str]] | None = None
    ) -> str:
        expansions = expansions or {}

        def prefixed(term: str) -> list[str]:
            if term in expansions:
                return [_fts_string(t) for t in expansions[term]]
            return [_fts_string(term) + "*"]

        groups = []
        for alts in alternatives:
            parts: set[str] = set()
            for word, stem, prefix in alts:
                if prefix:
                    parts.update(prefixed(stem))
                    if word != stem:
                        # « isolat » stems to itself, yet « isolation » is indexed as « isol ».
                        parts.update(prefixed(word))
                else:
                    parts.add(_fts_string(stem))
            if not parts:
                # A prefix that starts no indexed term: it matches nothing.
                parts.add(_fts_string(alts[0][1]) + "*")
            groups.append("(" + " OR ".join(sorted(parts)) + ")")
        return f" {join} ".join(groups)

    async def _run(
        self, session: AsyncSession, query: Query, alternatives: Alternatives, join: str
    ) -> Result:
        expansions = await self._expansions(session, alternatives)
        words = self._match(alternatives, join, expansions)
        match = f"{TEXT_COLUMNS} : ({words}) AND {scope_match(query)}"
        cap = max(CANDIDATES, 2 * (query.offset + query.limit))
        params: dict[str, Any] = {"match": match, "limit": query.limit, "offset": query.offset}
        # ``b``, found without bm25 (cheap): the oldest of the ``cap`` most recent matching
        # pieces, which exists only when more than ``cap`` pieces match; only the pieces more
        # recent than it are ranked, and all are then counted (cheap too). FTS5 filters and
        # ranks (bm25 must be computed in the FTS query itself); ``m`` keeps the best piece
        # of each document (SQLite takes the bare columns from the row of min()); the page
        # alone is joined to its text.
        bound = (
            await session.execute(
                text(
                    "SELECT rowid FROM search_fts WHERE search_fts MATCH :match"
                    " ORDER BY rowid DESC LIMIT 1 OFFSET :cap"
                ),
                {"match": match, "cap": cap},
            )
        ).scalar()
        params["bound"] = -1 if bound is None else bound
        rows = (
            await session.execute(
                text(
                    "WITH f AS MATERIALIZED (SELECT rowid AS r, "
                    f"{BM25} AS score FROM search_fts WHERE search_fts MATCH :match"
                    " AND rowid > :bound), "
                    "m AS MATERIALIZED (SELECT min(f.score) AS score, d.rowid AS r,"
                    " d.entity_id, d.card_id, d.board_id, d.kind, d.tags"
                    " FROM f JOIN search_documents d ON d.rowid = f.r GROUP BY d.doc) "
                    "SELECT 'hit' AS section, NULL AS key, 0 AS n, p.score, d.type,"
                    " d.entity_id, d.card_id, d.collective_id, d.board_id, d.title, d.body"
                    " FROM (SELECT r, score FROM m ORDER BY score, card_id DESC, entity_id DESC"
                    " LIMIT :limit OFFSET :offset) p JOIN search_documents d ON d.rowid = p.r"
                    " UNION ALL SELECT 'total', NULL, count(*), 0, NULL, NULL, NULL, NULL, NULL,"
                    " NULL, NULL FROM m UNION ALL SELECT 'pieces', NULL, count(*), 0, NULL,"
                    " NULL, NULL, NULL, NULL, NULL, NULL FROM f UNION ALL SELECT 'matched',"
                    " NULL, (SELECT count(*) FROM search_fts WHERE search_fts MATCH :match), 0,"
                    " NULL, NULL, NULL, NULL, NULL, NULL, NULL WHERE :bound >= 0"
                    " UNION ALL SELECT 'kind', kind,"
                    " count(*), 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM m GROUP BY kind"
                    " UNION ALL SELECT 'board', board_id, count(*), 0, NULL, NULL, NULL, NULL,"
                    " NULL, NULL, NULL FROM m GROUP BY board_id UNION ALL SELECT 'tag',"
                    " j.value, count(*), 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM m,"
                    " json_each(m.tags) j GROUP BY j.value"
                ),
                params,
            )
        ).all()
        result = Result(total=0)
        counts = {"hit", "pieces", "matched"}
        facet_rows(result, [(r.section, r.key, r.n) for r in rows if r.section not in counts])
        pieces = next((int(r.n) for r in rows if r.section == "pieces"), 0)
        matched = next((int(r.n) for r in rows if r.section == "matched"), None)
        if matched is not None and pieces:
            # More pieces match than were ranked: scale their count by the share of distinct
            # documents among the candidates.
            result.total = max(result.total, round(matched * result.total / pieces))
            result.total_exact = False
        hits = [r for r in rows if r.section == "hit"]
        hits.sort(key=lambda r: (r.score, -r.card_id, -r.entity_id))
        result.hits = page_hits(hits, lambda r: snippet(r.body or r.title, query.words))
        return result


__all__ = ["SQLiteBackend"]
