"""The search backend a URL selects: the database's own search by default, or Meilisearch."""

from __future__ import annotations

from urllib.parse import urlsplit

from search.backend import SearchBackend
from server.core.db import Database
from server.core.settings import Settings


def backend_from_url(settings: Settings, database: Database) -> SearchBackend:
    """The backend ``settings.search_url`` selects (empty: the database's own search)."""
    url = settings.search_url.strip()
    if not url:
        if database.dialect == "sqlite":
            from search.sqlite import SQLiteBackend

            return SQLiteBackend(database)
        if database.dialect == "postgresql":
            from search.postgres import PostgresBackend

            return PostgresBackend(database)
        raise ValueError(f"no built-in search for the {database.dialect} database")
    scheme = urlsplit(url).scheme
    if scheme in {"meilisearch", "meilisearchs"}:
        from search.meili import MeilisearchBackend

        return MeilisearchBackend.from_url(url, settings.search_api_key)
    raise ValueError(f"SEARCH_URL scheme {scheme!r} is not supported (meilisearch://, empty)")
