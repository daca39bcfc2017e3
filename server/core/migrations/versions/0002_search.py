"""search: PostgreSQL full-text index (French configuration with unaccent, GIN)

The PostgreSQL index lives in its own ``search`` schema: it is derived data (rebuilt by
``essaim search reindex``) and stays out of the application schema the models describe.
On SQLite this revision does nothing: the FTS5 tables are created by the SQLite search backend
when it starts (``search.sqlite``), for the same reason — FTS5 adds five shadow tables to the
main schema, which the models could not describe.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UPGRADE = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE SCHEMA IF NOT EXISTS search",
    "CREATE TEXT SEARCH CONFIGURATION search.french_unaccent (COPY = pg_catalog.french)",
    # Accents folded before stemming, as in search.french: « économie » = « economie ».
    """ALTER TEXT SEARCH CONFIGURATION search.french_unaccent
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem""",
    """CREATE TABLE search.documents (
        id text PRIMARY KEY,
        doc text NOT NULL,
        type text NOT NULL,
        entity_id integer NOT NULL,
        card_id integer NOT NULL,
        collective_id integer NOT NULL,
        board_id integer NOT NULL,
        kind text NOT NULL,
        tags text[] NOT NULL,
        author_id integer NOT NULL,
        hidden boolean NOT NULL,
        card_hidden boolean NOT NULL,
        title text NOT NULL,
        body text NOT NULL,
        tsv tsvector NOT NULL)""",
    "CREATE INDEX ix_search_documents_tsv ON search.documents USING gin (tsv)",
    "CREATE INDEX ix_search_documents_doc ON search.documents (doc)",
    "CREATE INDEX ix_search_documents_card ON search.documents (card_id)",
    "CREATE INDEX ix_search_documents_collective ON search.documents (collective_id)",
    # The word list behind typo tolerance; byte order so that prefix ranges use the index.
    """CREATE TABLE search.words (
        word text COLLATE "C" PRIMARY KEY,
        stem text NOT NULL)""",
    "CREATE INDEX ix_search_words_stem ON search.words (stem)",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # The unaccent extension stays: other schemas may use it, and it holds no data.
    op.execute("DROP SCHEMA IF EXISTS search CASCADE")
