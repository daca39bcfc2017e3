"""Migrations: up from an empty database on SQLite and PostgreSQL, idempotent, matching the
models exactly (autogenerate finds nothing to do), and reversible down to base."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from server.core.db import Database, alembic_config
from server.core.models import Base
from tests.conftest import PostgresServer, require_postgres


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_database(
    request: pytest.FixtureRequest, tmp_path: Path, postgres: PostgresServer | None
) -> AsyncIterator[Database]:
    """A brand-new, never migrated database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "fresh" / "essaim.db"
        assert not path.exists()
        url = f"sqlite+aiosqlite:///{path}"
    else:
        url = await require_postgres(postgres).create("essaim_migrations")
    database = Database(url)
    yield database
    await database.dispose()


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "compare_server_default": True},
    )
    return list(compare_metadata(context, Base.metadata))


def _downgrade_to_base(connection: Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.downgrade(cfg, "base")


async def run(database: Database, fn: Any) -> Any:
    async with database.engine.connect() as conn:
        result = await conn.run_sync(fn)
        await conn.commit()
        return result


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


MODEL_TABLES = {t.name for t in Base.metadata.sorted_tables}


async def test_migrations_create_every_table_from_an_empty_database(
    empty_database: Database,
) -> None:
    assert await run(empty_database, _tables) == set()
    await empty_database.migrate()
    assert await run(empty_database, _tables) == MODEL_TABLES | {"alembic_version"}
    assert await run(empty_database, _current_revision) == head_revision()


async def test_migrating_twice_is_harmless(empty_database: Database) -> None:
    await empty_database.migrate()
    await empty_database.migrate()
    assert await run(empty_database, _current_revision) == head_revision()
    assert await run(empty_database, _differences) == []


async def test_migrated_schema_matches_the_models(empty_database: Database) -> None:
    await empty_database.migrate()
    assert await run(empty_database, _differences) == []


async def test_downgrade_to_base_then_upgrade_again(empty_database: Database) -> None:
    await empty_database.migrate()
    await run(empty_database, _downgrade_to_base)
    assert await run(empty_database, _tables) <= {"alembic_version"}
    assert await run(empty_database, _current_revision) is None
    await empty_database.migrate()
    assert await run(empty_database, _tables) == MODEL_TABLES | {"alembic_version"}
    assert await run(empty_database, _differences) == []
