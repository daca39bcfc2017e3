"""``essaim search reindex``: rebuild the search index from the database."""

from __future__ import annotations

import argparse

from search.registry import backend_from_url
from search.reindex import reindex
from server.cli.common import Commands, add_data_dir, settings_from, with_platform
from server.core.platform import Essaim


def register(commands: Commands) -> None:
    """``essaim search reindex``."""
    search = commands.add_parser(
        "search", help="Search index commands.", description="Search index commands."
    )
    commands = search.add_subparsers(dest="search_command", metavar="COMMAND", required=True)
    text = "Rebuild the search index from the database (with a progress bar)."
    reindex = commands.add_parser("reindex", help=text, description=text)
    add_data_dir(reindex)
    reindex.set_defaults(run=cmd_reindex)


def cmd_reindex(args: argparse.Namespace) -> int:
    async def run(essaim: Essaim) -> int:
        backend = backend_from_url(essaim.settings, essaim.db)
        try:
            count = await reindex(essaim, backend)
        finally:
            await backend.close()
        print(f"Index rebuilt with {backend.name}: {count} cards, comments and attachments.")
        return 0

    return with_platform(settings_from(args), run)
