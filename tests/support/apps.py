"""Apps built inside a test, for tests that need settings the ``app`` fixture does not have
(a low throttle, an SMTP server, a public URL), and the clients that call them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from server.app.asgi import create_app
from tests.conftest import ApiClient, MakeClient, fast_settings


@asynccontextmanager
async def custom_app(
    tmp_path: Path, database_url: str, **overrides: Any
) -> AsyncIterator[Starlette]:
    """An app on the test database with some settings changed."""
    app = create_app(fast_settings(tmp_path / "d", database_url, **overrides), migrate=False)
    async with app.router.lifespan_context(app):
        yield app


@asynccontextmanager
async def clients(app: Starlette) -> AsyncIterator[MakeClient]:
    """``async with clients(app) as new: alice = await new("alice", "10.0.0.1")``."""
    made: list[ApiClient] = []

    async def new(name: str | None = None, address: str = "127.0.0.1") -> ApiClient:
        client = ApiClient(app, address)
        made.append(client)
        return await client.register(name) if name else client

    try:
        yield new
    finally:
        for client in made:
            await client.aclose()
