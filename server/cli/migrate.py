"""``essaim migrate``: apply the database migrations and exit."""

from __future__ import annotations

import argparse
import asyncio

from server.cli.common import Commands, add_command, settings_from
from server.core.db import Database


def register(commands: Commands) -> None:
    add_command(commands, "migrate", "Apply database migrations and exit.").set_defaults(
        run=cmd_migrate
    )


def cmd_migrate(args: argparse.Namespace) -> int:
    async def run() -> None:
        database = Database(settings_from(args).resolved_database_url)
        try:
            await database.migrate()
        finally:
            await database.dispose()

    asyncio.run(run())
    print("Migrations applied.")
    return 0
