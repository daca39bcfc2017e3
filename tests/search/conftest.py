"""Search fixtures: the app on each available backend, with its search runtime started.

Backends: SQLite FTS5 and PostgreSQL (real databases), Meilisearch through the fake server of
``fake_meilisearch`` (the real one cannot be installed here), and a real Meilisearch when
``MEILI_URL`` is set (``MEILI_MASTER_KEY`` for its key).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from search.runtime import SearchRuntime
from server.app.asgi import create_app
from server.core.settings import Settings
from tests.conftest import ApiClient, Template, empty_database, fast_settings, join
from tests.search.fake_meilisearch import FakeMeilisearch

MEILI_URL = os.environ.get("MEILI_URL", "")
BACKENDS = ["sqlite", "postgresql", "meilisearch"] + (["meilisearch-real"] if MEILI_URL else [])


@pytest.fixture(scope="session")
def fake_meilisearch() -> Iterator[FakeMeilisearch]:
    with FakeMeilisearch() as fake:
        yield fake


@pytest.fixture(params=BACKENDS)
async def search_settings(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Template,
    postgres_template: Template | None,
    fake_meilisearch: FakeMeilisearch,
) -> Settings:
    kind: str = request.param
    database = "postgresql" if kind == "postgresql" else "sqlite"
    url = await empty_database(database, tmp_path, sqlite_template, postgres_template)
    search_url = ""
    if kind == "meilisearch":
        index = f"essaim_{uuid.uuid4().hex[:8]}"
        search_url = fake_meilisearch.url.replace("http://", "meilisearch://") + f"/{index}"
    elif kind == "meilisearch-real":
        index = f"essaim_test_{uuid.uuid4().hex[:8]}"
        search_url = (
            MEILI_URL.replace("https://", "meilisearchs://")
            .replace("http://", "meilisearch://")
            .rstrip("/")
            + f"/{index}"
        )
    return fast_settings(
        tmp_path / "data",
        url,
        search_url=search_url,
        search_api_key=os.environ.get("MEILI_MASTER_KEY", ""),
    )


@pytest.fixture
async def search_app(search_settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(search_settings, migrate=False)
    async with application.router.lifespan_context(application):
        # Replace the app's own indexer (polling in the background) by one the tests drive.
        await application.state.search.stop()
        runtime = SearchRuntime(application.state.essaim, poll=3600)
        application.state.search = runtime
        await runtime.start()
        await runtime.backend.prepare()
        try:
            yield application
        finally:
            await runtime.stop()


@dataclass
class Stack:
    """The app, its search runtime, and a collective with one user per role plus an outsider."""

    app: Starlette
    animator: ApiClient
    member: ApiClient
    observer: ApiClient
    outsider: ApiClient
    collective_id: int
    board_id: int
    other_board_id: int

    @property
    def search(self) -> SearchRuntime:
        runtime: SearchRuntime = self.app.state.search
        return runtime

    async def index(self) -> None:
        """Drain the outbox now (the background indexer would, within its poll interval)."""
        await self.search.indexer.drain()

    async def card(self, author: ApiClient, title: str, body: str = "", **extra: object) -> int:
        board = extra.pop("board", self.board_id)
        response = await author.post(
            f"/api/v1/boards/{board}/cards", json={"title": title, "body": body, **extra}
        )
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    async def find(self, client: ApiClient, q: str, **params: object) -> dict[str, Any]:
        response = await client.get("/api/v1/search", params={"q": q, **params})
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture
async def stack(search_app: Starlette) -> AsyncIterator[Stack]:
    clients = [ApiClient(search_app) for _ in range(4)]
    animator, member, observer, outsider = [
        await c.register(name)
        for c, name in zip(clients, ["anna", "marc", "olga", "oscar"], strict=True)
    ]
    created = await animator.post("/api/v1/collectives", json={"name": "Rénovation Drôme"})
    cid = created.json()["id"]
    await join(animator, member, cid, "member")
    await join(animator, observer, cid, "observer")
    await outsider.post("/api/v1/collectives", json={"name": "Autre collective"})
    boards = []
    for name, kind in [("Pratiques", "practices"), ("Documents", "documents")]:
        board = await animator.post(
            f"/api/v1/collectives/{cid}/boards", json={"name": name, "kind": kind}
        )
        assert board.status_code == 201, board.text
        boards.append(board.json()["id"])
    yield Stack(search_app, animator, member, observer, outsider, cid, boards[0], boards[1])
    for client in clients:
        await client.aclose()
