"""``essaim settings``: every setting with its current value and help, and the search outbox."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from sqlalchemy.engine import make_url

from search.outbox import counts
from server.cli.common import Commands, add_command, settings_from
from server.core.db import Database
from server.core.settings import Settings, setting_docs


def register(commands: Commands) -> None:
    add_command(
        commands, "settings", "Print every setting with its current value and help."
    ).set_defaults(run=cmd_settings)


def cmd_settings(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    current = settings.describe()
    for name, default, help_text in setting_docs():
        print(f"{name}={current[name]}\n    {help_text} (default: {default or 'empty'})")
    print(outbox_summary(settings))
    return 0


def outbox_summary(settings: Settings) -> str:
    """The line ``essaim settings`` prints about the search outbox (pending, failed)."""
    url = settings.resolved_database_url
    target = make_url(url)
    if target.get_backend_name() == "sqlite" and not Path(target.database or "").exists():
        return "search outbox: no database yet"

    async def run() -> dict[str, int]:
        database = Database(url)
        try:
            async with asyncio.timeout(10):
                return await counts(database)
        finally:
            await database.dispose()

    try:
        found = asyncio.run(run())
    except Exception as exc:  # said on the output: settings must print without a database
        return f"search outbox: unavailable ({type(exc).__name__}: {exc})"
    return (
        f"search outbox: {found['pending']} pending, {found['failed']} failed"
        " (essaim search reindex indexes everything again)"
    )
