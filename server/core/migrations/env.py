"""Alembic environment: runs on the connection handed over by ``server.core.db.Database.migrate``,
or, from the ``alembic`` command line, on ``DATABASE_URL`` / the default SQLite file."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

from server.core.models import Base
from server.core.settings import Settings

target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=Settings.from_env().resolved_database_url,
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine() -> None:
    from server.core.db import Database

    database = Database(Settings.from_env().resolved_database_url)
    try:
        async with database.engine.connect() as conn:
            await conn.run_sync(run_on)
            await conn.commit()
    finally:
        await database.dispose()


if context.is_offline_mode():
    run_offline()
elif (connection := context.config.attributes.get("connection")) is not None:
    run_on(connection)
else:
    asyncio.run(_run_with_own_engine())
