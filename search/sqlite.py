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
from search.query import Query, Result
from search.sqlbase import Alternatives, SQLBackend, facet_rows, page_hits
from server.db import Database

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
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
        title, body, tokenize = 'unicode61 remove_diacritics 2')""",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_terms USING fts5vocab(search_fts, 'row')",
    """CREATE TABLE IF NOT EXISTS search_words (
        word TEXT PRIMARY KEY, stem TEXT NOT NULL) WITHOUT ROWID""",
)

# bm25 column weights: a word in the title (or tags) counts three times one in the body.
BM25 = "bm25(search_fts, 3.0, 1.0)"


def _fts_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class SQLiteBackend(SQLBackend, SearchBackend):
    name = "sqlite"

    def __init__(self, database: Database) -> None:
        super().__init__(database)

    async def prepare(self) -> None:
        async with self.database.write() as session:
            for statement in SCHEMA:
                await session.execute(text(statement))
            await session.commit()

    async def _delete_docs(self, session: AsyncSession, column: str, values: list[Any]) -> None:
        for start in range(0, len(values), 500):
            part = values[start : start + 500]
            marks = ",".join(f":v{i}" for i in range(len(part)))
            params = {f"v{i}": v for i, v in enumerate(part)}
            where = f"WHERE {column} IN ({marks})"
            await session.execute(
                text(
                    f"DELETE FROM search_fts WHERE rowid IN (SELECT rowid FROM "
                    f"search_documents {where})"
                ),
                params,
            )
            await session.execute(text(f"DELETE FROM search_documents {where}"), params)

    async def _insert(self, session: AsyncSession, documents: Sequence[Document]) -> None:
        rows = [
            {
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
            for d in documents
        ]
        await session.execute(
            text(
                "INSERT INTO search_documents (id, doc, type, entity_id, card_id, collective_id,"
                " board_id, kind, tags, author_id, hidden, card_hidden, title, body) VALUES"
                " (:id, :doc, :type, :entity_id, :card_id, :collective_id, :board_id, :kind,"
                " :tags, :author_id, :hidden, :card_hidden, :title, :body)"
            ),
            rows,
        )
        # New rows got consecutive rowids; FTS rows share them (looked up, not assumed).
        ids = {d.id: d for d in documents}
        found = await session.execute(
            text(
                "SELECT rowid, id FROM search_documents WHERE id IN (SELECT value FROM "
                "json_each(:ids))"
            ),
            {"ids": json.dumps(list(ids))},
        )
        await session.execute(
            text("INSERT INTO search_fts (rowid, title, body) VALUES (:rowid, :title, :body)"),
            [
                {"rowid": rowid, "title": ids[i].title_terms, "body": ids[i].body_terms}
                for rowid, i in found.all()
            ],
        )

    async def _insert_words(self, session: AsyncSession, pairs: list[tuple[str, str]]) -> None:
        await session.execute(
            text("INSERT OR IGNORE INTO search_words (word, stem) VALUES (:w, :s)"),
            [{"w": w, "s": s} for w, s in pairs],
        )

    async def update_cards(self, states: Sequence[CardState]) -> None:
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
            await session.commit()

    async def clear(self) -> None:
        async with self.database.write() as session:
            await session.execute(text("DELETE FROM search_fts"))
            await session.execute(text("DELETE FROM search_documents"))
            await session.commit()

    # ------------------------------------------------------------------ queries

    async def _known(self, session: AsyncSession, term: str, prefix: bool) -> bool:
        if prefix:
            sql = "SELECT 1 FROM search_terms WHERE term >= :t AND term < :t || '\uffff' LIMIT 1"
        else:
            sql = "SELECT 1 FROM search_terms WHERE term = :t"
        return (await session.execute(text(sql), {"t": term})).first() is not None

    def _match(self, alternatives: Alternatives, join: str) -> str:
        groups = []
        for alts in alternatives:
            parts: set[str] = set()
            for word, stem, prefix in alts:
                parts.add(_fts_string(stem) + ("*" if prefix else ""))
                if prefix and word != stem:
                    # « isolat » stems to itself, yet « isolation » is indexed as « isol ».
                    parts.add(_fts_string(word) + "*")
            groups.append("(" + " OR ".join(sorted(parts)) + ")")
        return f" {join} ".join(groups)

    async def _run(
        self, session: AsyncSession, query: Query, alternatives: Alternatives, join: str
    ) -> Result:
        where, params = self._filters(query, json_tags=True)
        params.update(match=self._match(alternatives, join), limit=query.limit, offset=query.offset)
        # bm25() must be computed in the FTS query itself, hence the first CTE; the second
        # keeps the best chunk of each document (SQLite takes the bare columns from that row).
        matched = (
            "WITH f AS MATERIALIZED (SELECT rowid AS r, "
            f"{BM25} AS score FROM search_fts WHERE search_fts MATCH :match), "
            "m AS MATERIALIZED (SELECT d.doc, min(f.score) AS score, d.type, d.entity_id,"
            " d.card_id, d.collective_id, d.board_id, d.kind, d.tags, d.title, d.body"
            f" FROM f JOIN search_documents d ON d.rowid = f.r WHERE {where} GROUP BY d.doc) "
        )
        rows = (
            await session.execute(
                text(
                    matched + "SELECT * FROM (SELECT 'hit' AS section, NULL AS key, 0 AS n,"
                    " score, type, entity_id, card_id, collective_id, board_id, title, body"
                    " FROM m ORDER BY score, card_id DESC, entity_id DESC LIMIT :limit OFFSET"
                    " :offset) UNION ALL SELECT 'total', NULL, count(*), 0, NULL, NULL, NULL,"
                    " NULL, NULL, NULL, NULL FROM m UNION ALL SELECT 'kind', kind, count(*), 0,"
                    " NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM m GROUP BY kind UNION ALL"
                    " SELECT 'board', board_id, count(*), 0, NULL, NULL, NULL, NULL, NULL, NULL,"
                    " NULL FROM m GROUP BY board_id UNION ALL SELECT 'tag', j.value, count(*),"
                    " 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM m, json_each(m.tags) j"
                    " GROUP BY j.value"
                ),
                params,
            )
        ).all()
        result = Result(total=0)
        facet_rows(result, [(r.section, r.key, r.n) for r in rows if r.section != "hit"])
        result.hits = page_hits([r for r in rows if r.section == "hit"], query)
        return result


__all__ = ["SQLiteBackend"]
