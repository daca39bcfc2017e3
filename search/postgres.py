"""The PostgreSQL backend: a French text-search configuration with ``unaccent`` (migration
0002), a GIN-indexed ``tsvector`` (title and tags weighted A, body B), ``ts_rank``, and
``ts_headline`` computed for the returned page only (it re-parses the text: costly)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from search.backend import SearchBackend
from search.documents import CardState, Document
from search.query import Query, Result
from search.sqlbase import Alternatives, SQLBackend, escape_marks, facet_rows, page_hits
from server.core.db import Database

CONFIG = "search.french_unaccent"
# Private-use characters delimit matches in ts_headline's output, so the rest can be escaped.
START, STOP = "\ue000", "\ue001"
HEADLINE = f'StartSel="{START}", StopSel="{STOP}", MaxWords=24, MinWords=10, MaxFragments=1'


def _lexeme(term: str, prefix: bool) -> str:
    return "'" + term.replace("'", "''").replace("\\", "\\\\") + "'" + (":*" if prefix else "")


class PostgresBackend(SQLBackend, SearchBackend):
    name = "postgresql"
    words_table = "search.words"

    def __init__(self, database: Database) -> None:
        super().__init__(database)

    async def prepare(self) -> None:
        async with self.database.read() as session:
            # Migration 0002 creates everything; fail early and clearly if it did not run.
            await session.execute(text("SELECT 1 FROM search.documents LIMIT 1"))

    async def _delete_docs(self, session: AsyncSession, column: str, values: list[Any]) -> None:
        await session.execute(
            text(f"DELETE FROM search.documents WHERE {column} = ANY(:values)"),
            {"values": values},
        )

    async def _insert(self, session: AsyncSession, documents: Sequence[Document]) -> None:
        await session.execute(
            text(
                "INSERT INTO search.documents (id, doc, type, entity_id, card_id, collective_id,"
                " board_id, kind, tags, author_id, hidden, card_hidden, title, body, tsv) VALUES"
                " (:id, :doc, :type, :entity_id, :card_id, :collective_id, :board_id, :kind,"
                " :tags, :author_id, :hidden, :card_hidden, :title, :body,"
                f" setweight(to_tsvector('{CONFIG}', :indexed_title), 'A') ||"
                f" setweight(to_tsvector('{CONFIG}', :body), 'B'))"
            ),
            [
                {
                    **d.filter_fields(),
                    "title": d.title,
                    "indexed_title": _indexed_title(d),
                    "body": d.body,
                }
                for d in documents
            ],
        )

    async def _insert_words(self, session: AsyncSession, pairs: list[tuple[str, str]]) -> None:
        await session.execute(
            text(
                "INSERT INTO search.words (word, stem) SELECT * FROM unnest("
                "CAST(:words AS text[]), CAST(:stems AS text[])) ON CONFLICT DO NOTHING"
            ),
            {"words": [w for w, _ in pairs], "stems": [s for _, s in pairs]},
        )

    async def update_cards(self, states: Sequence[CardState]) -> None:
        async with self.database.write() as session:
            await session.execute(
                text(
                    "UPDATE search.documents SET collective_id = :collective_id, board_id ="
                    " :board_id, kind = :kind, tags = :tags, card_hidden = :hidden"
                    " WHERE card_id = :card_id"
                ),
                [
                    {
                        "collective_id": s.collective_id,
                        "board_id": s.board_id,
                        "kind": s.kind,
                        "tags": list(s.tags),
                        "hidden": s.hidden,
                        "card_id": s.card_id,
                    }
                    for s in states
                ],
            )
            await session.commit()

    async def clear(self) -> None:
        async with self.database.write() as session:
            await session.execute(text("TRUNCATE search.documents"))
            await session.commit()

    # ------------------------------------------------------------------ queries

    async def _known(self, session: AsyncSession, term: str, prefix: bool) -> bool:
        # The word list stands in for FTS5's vocabulary table: a stem is known when a listed
        # word has it (short words are not listed, so they count as known).
        if len(term) < 5:
            return True
        if prefix:
            sql = "SELECT 1 FROM search.words WHERE word >= :t AND word < :hi LIMIT 1"
            params = {"t": term, "hi": term + "\uffff"}
        else:
            sql = "SELECT 1 FROM search.words WHERE stem = :t LIMIT 1"
            params = {"t": term}
        return (await session.execute(text(sql), params)).first() is not None

    def _tsquery(self, alternatives: Alternatives, join: str) -> str:
        groups = []
        for alts in alternatives:
            parts: set[str] = set()
            for word, stem, prefix in alts:
                parts.add(_lexeme(stem, prefix))
                if prefix and word != stem:
                    parts.add(_lexeme(word, True))
            groups.append("(" + " | ".join(sorted(parts)) + ")")
        return f" {'&' if join == 'AND' else '|'} ".join(groups)

    async def _run(
        self, session: AsyncSession, query: Query, alternatives: Alternatives, join: str
    ) -> Result:
        where, params = self._filters(query, json_tags=False)
        # Stems from search.french are given as lexemes ('simple' keeps them as they are):
        # the index holds PostgreSQL's Snowball French stems of the unaccented words, the same
        # algorithm on the same input.
        params.update(q=self._tsquery(alternatives, join), limit=query.limit, offset=query.offset)
        rows = (
            await session.execute(
                text(
                    "WITH q AS (SELECT to_tsquery('simple', :q) AS q), m AS (SELECT DISTINCT ON"
                    " (d.doc) d.doc, d.id, d.type, d.entity_id, d.card_id, d.collective_id,"
                    " d.board_id, d.kind, d.tags, d.title, ts_rank(d.tsv, q.q, 1) AS score"
                    f" FROM search.documents d, q WHERE d.tsv @@ q.q AND {where}"
                    " ORDER BY d.doc, score DESC) "
                    "SELECT * FROM (SELECT 'hit' AS section, id AS key, 0 AS n, score, type,"
                    " entity_id, card_id, collective_id, board_id, title FROM m ORDER BY score"
                    " DESC, card_id DESC, entity_id DESC LIMIT :limit OFFSET :offset) p"
                    " UNION ALL SELECT 'total', NULL, count(*), 0, NULL, NULL, NULL, NULL, NULL,"
                    " NULL FROM m UNION ALL SELECT 'kind', kind, count(*), 0, NULL, NULL, NULL,"
                    " NULL, NULL, NULL FROM m GROUP BY kind UNION ALL SELECT 'board',"
                    " board_id::text, count(*), 0, NULL, NULL, NULL, NULL, NULL, NULL FROM m"
                    " GROUP BY board_id UNION ALL SELECT 'tag', t, count(*), 0, NULL, NULL,"
                    " NULL, NULL, NULL, NULL FROM m, unnest(m.tags) t GROUP BY t"
                ),
                params,
            )
        ).all()
        result = Result(total=0)
        facet_rows(result, [(r.section, r.key, r.n) for r in rows if r.section != "hit"])
        page = [r for r in rows if r.section == "hit"]
        page.sort(key=lambda r: (-r.score, -r.card_id, -r.entity_id))
        headlines: dict[str, str] = {}
        if page:
            found = await session.execute(
                text(
                    f"SELECT id, ts_headline('{CONFIG}', CASE WHEN body = '' THEN title ELSE body"
                    " END, to_tsquery('simple', :q), :options) FROM search.documents"
                    " WHERE id = ANY(:ids)"
                ),
                {"q": params["q"], "options": HEADLINE, "ids": [r.key for r in page]},
            )
            headlines = {i: h for i, h in found.all()}
        result.hits = page_hits(page, lambda r: escape_marks(headlines.get(r.key, ""), START, STOP))
        return result


def _indexed_title(document: Document) -> str:
    if document.type == "comment":
        return ""
    return (
        " ".join([document.title, *document.card.tags])
        if document.type == "card"
        else (document.title)
    )


__all__ = ["PostgresBackend"]
