"""``essaim search …`` commands; ``add_commands`` registers them on the ``essaim`` parser."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any


def add_commands(subparsers: Any) -> None:
    """Add ``search reindex`` to the ``essaim`` command's subparsers."""
    from server.cli import add_data_dir

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
    from server.cli import settings_from
    from server.runtime import Essaim

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
