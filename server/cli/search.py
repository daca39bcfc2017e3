"""``essaim search …`` commands; ``add_commands`` registers them on the ``essaim`` parser."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from server.core.settings import Settings


def add_commands(subparsers: Any) -> None:
    """Add ``search reindex`` to the ``essaim`` command's subparsers."""
    from server.cli.main import add_data_dir

    search = subparsers.add_parser(
        "search", help="Search index commands.", description="Search index commands."
    )
    commands = search.add_subparsers(dest="search_command", metavar="COMMAND", required=True)
    text = "Rebuild the search index from the database (with a progress bar)."
    reindex = commands.add_parser("reindex", help=text, description=text)
    add_data_dir(reindex)
    reindex.set_defaults(run=cmd_reindex)


def cmd_reindex(args: argparse.Namespace) -> int:
    from search.backend import backend_from_url
    from search.reindex import reindex
    from server.cli.main import settings_from
    from server.core.platform import Essaim

    settings = settings_from(args)

    async def run() -> int:
        essaim = Essaim(settings)
        await essaim.start()
        backend = backend_from_url(settings, essaim.db)
        try:
            count = await reindex(essaim, backend)
        finally:
            await backend.close()
            await essaim.stop()
        print(f"Index rebuilt with {backend.name}: {count} cards, comments and attachments.")
        return 0

    return asyncio.run(run())


def outbox_summary(settings: Settings) -> str:
    """The line ``essaim settings`` prints about the search outbox (pending, failed)."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from search.outbox import counts
    from server.core.db import Database

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
