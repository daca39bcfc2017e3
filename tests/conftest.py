"""Shared fixtures: a real database per test (SQLite file and PostgreSQL), the app, and
logged-in API clients.

PostgreSQL tests need a server (``ESSAIM_TEST_POSTGRES_URL``, default the local one with trust
auth). Without it they skip with the reason, unless ``ESSAIM_REQUIRE_SERVICES=1`` (set by CI),
which turns the skip into a failure.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette

from server.app.asgi import create_app
from server.cli.demo import DemoResult, load_demo
from server.core.db import Database
from server.core.mail import Email
from server.core.models import Base
from server.core.platform import Essaim
from server.core.settings import Settings

REQUIRE_SERVICES = os.environ.get("ESSAIM_REQUIRE_SERVICES") == "1"
POSTGRES_ADMIN_URL = os.environ.get(
    "ESSAIM_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
PASSWORD = "correct horse battery"


def unavailable(reason: str) -> None:
    """Skip (laptop) or fail (CI, ESSAIM_REQUIRE_SERVICES=1) a test whose service is missing."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (ESSAIM_REQUIRE_SERVICES=1 forbids skipping)")
    pytest.skip(reason)


async def sent_mail(app: Starlette) -> list[Email]:
    """The emails sent so far, once the background sender handed every queued one over."""
    essaim = app.state.essaim
    await essaim.mail_queue.drain()
    return essaim.mailer.sent  # type: ignore[no-any-return]


def fast_settings(data_dir: Path, database_url: str, **overrides: Any) -> Settings:
    """Test settings: explicit, independent of the caller's environment, cheap hashing."""
    values: dict[str, Any] = dict(
        data_dir=data_dir,
        database_url=database_url,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        # Tests sign many people up from one address; the sign-up throttle has its own tests.
        register_max_per_address=100_000,
        account_email_max_per_address=100_000,
        # Test clients call the server http://testserver: emailed links may name it
        # (``server.core.links``).
        allowed_origins=("http://testserver",),
        # Tests send the notification emails due by calling ``dispatch`` (no background turn).
        notify_interval_seconds=0,
    )
    values.update(overrides)
    return Settings.from_env({}, **values)


# ---------------------------------------------------------------- databases


class PostgresServer:
    """Creates throw-away databases on the test PostgreSQL server."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.created: list[str] = []

    def url_for(self, name: str) -> str:
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    async def create(self, prefix: str = "essaim_test") -> str:
        name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        engine = create_async_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            await engine.dispose()
        self.created.append(name)
        return self.url_for(name)

    async def drop_all(self) -> None:
        engine = create_async_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                for name in self.created:
                    await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            await engine.dispose()


async def _postgres_reachable(url: str) -> str | None:
    engine = create_async_engine(url)
    try:
        async with asyncio.timeout(5), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # any failure means "not here"
        return f"PostgreSQL not reachable at {make_url(url).render_as_string()}: {exc!r}"
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
async def postgres() -> AsyncIterator[PostgresServer | None]:
    """The PostgreSQL server, or None (with the reason stored) when it is not reachable."""
    problem = await _postgres_reachable(POSTGRES_ADMIN_URL)
    if problem:
        _POSTGRES_PROBLEM.append(problem)
        yield None
        return
    server = PostgresServer(POSTGRES_ADMIN_URL)
    yield server
    await server.drop_all()


_POSTGRES_PROBLEM: list[str] = []


def require_postgres(server: PostgresServer | None) -> PostgresServer:
    if server is None:
        unavailable(_POSTGRES_PROBLEM[0] if _POSTGRES_PROBLEM else "PostgreSQL not reachable")
    assert server is not None
    return server


@dataclass
class Template:
    """A migrated database that tests start from (copied or truncated, not re-migrated)."""

    kind: str
    url: str
    path: Path | None = None


@pytest.fixture(scope="session")
async def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    path = tmp_path_factory.mktemp("template") / "essaim.db"
    database = Database(f"sqlite+aiosqlite:///{path}")
    await database.migrate()
    await database.dispose()
    return Template("sqlite", "", path)


@pytest.fixture(scope="session")
async def postgres_template(postgres: PostgresServer | None) -> Template | None:
    if postgres is None:
        return None
    url = await postgres.create()
    database = Database(url)
    await database.migrate()
    await database.dispose()
    return Template("postgresql", url)


async def own_database(
    kind: str,
    directory: Path,
    sqlite_template: Template,
    postgres: PostgresServer | None,
    name: str = "essaim_test",
) -> str:
    """The URL of a migrated, empty database of ``kind`` that no other test truncates (a copied
    SQLite file in ``directory``, or a new PostgreSQL database): for fixtures shared by a
    module or the session, which ``empty_database``'s per-test truncation would wipe."""
    if kind == "sqlite":
        assert sqlite_template.path is not None
        shutil.copyfile(sqlite_template.path, directory / "essaim.db")
        return f"sqlite+aiosqlite:///{directory / 'essaim.db'}"
    url = await require_postgres(postgres).create(name)
    database = Database(url)
    await database.migrate()
    await database.dispose()
    return url


TABLES = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)


async def empty_database(
    kind: str, tmp_path: Path, sqlite_template: Template, postgres_template: Template | None
) -> str:
    """The URL of a migrated, empty database: a copied SQLite file, or the truncated
    PostgreSQL one (its search tables too, schema "search", migration 0002)."""
    if kind == "sqlite":
        assert sqlite_template.path is not None
        target = tmp_path / "essaim.db"
        shutil.copyfile(sqlite_template.path, target)
        return f"sqlite+aiosqlite:///{target}"
    if postgres_template is None:
        unavailable(_POSTGRES_PROBLEM[0] if _POSTGRES_PROBLEM else "PostgreSQL not reachable")
    assert postgres_template is not None
    engine = create_async_engine(postgres_template.url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(f"TRUNCATE {TABLES}, search.documents, search.words RESTART IDENTITY CASCADE")
            )
    finally:
        await engine.dispose()
    return postgres_template.url


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Template,
    postgres_template: Template | None,
) -> str:
    """A migrated, empty database of each kind; every test using it runs on both."""
    return await empty_database(request.param, tmp_path, sqlite_template, postgres_template)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return fast_settings(tmp_path / "data", database_url)


@pytest.fixture
async def essaim(settings: Settings) -> AsyncIterator[Essaim]:
    """The platform without HTTP, for domain-service tests."""
    platform = Essaim(settings)
    await platform.start(migrate=False)
    yield platform
    await platform.stop()


@dataclass(frozen=True)
class Demo:
    """The demo collective, loaded at ``now`` into a database of its own on ``essaim``."""

    essaim: Essaim
    result: DemoResult
    now: datetime


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def demo(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Template,
    postgres: PostgresServer | None,
) -> AsyncIterator[Demo]:
    """The demo loaded once per session and database (it takes seconds), for tests that only
    read it: they share the database, so a test that writes needs its own ``essaim``."""
    data_dir = tmp_path_factory.mktemp("demo")
    url = await own_database(request.param, data_dir, sqlite_template, postgres, "essaim_demo")
    platform = Essaim(fast_settings(data_dir / "data", url))
    await platform.start(migrate=False)
    now = datetime.now(UTC)
    try:
        yield Demo(platform, await load_demo(platform, now=now), now)
    finally:
        await platform.stop()


# ---------------------------------------------------------------- HTTP clients


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings, migrate=False)
    async with application.router.lifespan_context(application):
        yield application


class ApiClient:
    """An httpx client with its own cookie jar that sends the CSRF header on unsafe calls."""

    def __init__(self, app: Starlette, address: str = "127.0.0.1") -> None:
        transport = httpx.ASGITransport(app=app, client=(address, 50000))
        self.http = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        self.csrf: str | None = None
        self.user: dict[str, Any] = {}

    @property
    def id(self) -> int:
        return int(self.user["id"])

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.csrf and method not in {"GET", "HEAD"}:
            headers.setdefault("X-CSRF-Token", self.csrf)
        response = await self.http.request(method, url, headers=headers, **kwargs)
        return response

    async def get(self, url: str, **kw: Any) -> httpx.Response:
        return await self.request("GET", url, **kw)

    async def post(self, url: str, **kw: Any) -> httpx.Response:
        return await self.request("POST", url, **kw)

    async def patch(self, url: str, **kw: Any) -> httpx.Response:
        return await self.request("PATCH", url, **kw)

    async def delete(self, url: str, **kw: Any) -> httpx.Response:
        return await self.request("DELETE", url, **kw)

    async def register(self, name: str) -> ApiClient:
        response = await self.post(
            "/api/v1/auth/register",
            json={"email": f"{name}@example.fr", "password": PASSWORD, "display_name": name},
        )
        assert response.status_code == 201, response.text
        self.csrf = response.json()["csrf_token"]
        self.user = response.json()["user"]
        return self

    async def aclose(self) -> None:
        await self.http.aclose()


MakeClient = Callable[..., Awaitable[ApiClient]]


@pytest.fixture
async def make_client(app: Starlette) -> AsyncIterator[MakeClient]:
    """``await make_client("alice")``: a registered, logged-in client; no name: anonymous."""
    clients: list[ApiClient] = []

    async def make(name: str | None = None, address: str = "127.0.0.1") -> ApiClient:
        client = ApiClient(app, address)
        clients.append(client)
        return await client.register(name) if name else client

    yield make
    for client in clients:
        await client.aclose()


@dataclass
class World:
    """A collective with one user per role, one outsider, a board and a card."""

    animator: ApiClient
    member: ApiClient
    observer: ApiClient
    outsider: ApiClient
    collective_id: int
    board_id: int
    columns: list[int]
    card: dict[str, Any]


async def join(animator: ApiClient, client: ApiClient, collective_id: int, role: str) -> None:
    response = await animator.post(
        f"/api/v1/collectives/{collective_id}/invitations", json={"role": role}
    )
    assert response.status_code == 201, response.text
    token = response.json()["url"].rsplit("/", 1)[1]
    accepted = await client.post(f"/api/v1/invitations/{token}/accept")
    assert accepted.status_code == 200, accepted.text


@pytest.fixture
async def world(app: Starlette, make_client: MakeClient) -> World:
    animator = await make_client("anna")
    member = await make_client("marc")
    observer = await make_client("olga")
    outsider = await make_client("oscar")
    created = await animator.post("/api/v1/collectives", json={"name": "Rénovation Drôme"})
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    await join(animator, member, cid, "member")
    await join(animator, observer, cid, "observer")
    # The outsider animates another collective, so they are a real user with real data.
    other = await outsider.post("/api/v1/collectives", json={"name": "Autre collective"})
    assert other.status_code == 201
    board = await animator.post(
        f"/api/v1/collectives/{cid}/boards", json={"name": "Idées", "kind": "ideas"}
    )
    assert board.status_code == 201, board.text
    board_id = board.json()["id"]
    columns = [c["id"] for c in board.json()["columns"]]
    card = await member.post(
        f"/api/v1/boards/{board_id}/cards",
        json={"title": "Mutualiser les achats d'isolant", "body": "Un groupement ?"},
    )
    assert card.status_code == 201, card.text
    # The sign-ups' verification emails are setup: tests look at the emails they cause.
    app.state.essaim.mailer.sent.clear()
    return World(animator, member, observer, outsider, cid, board_id, columns, card.json())


@pytest.fixture
def repo_root() -> Iterator[Path]:
    yield Path(__file__).resolve().parent.parent
