"""What every ``essaim`` command shares: its settings, its ``--data-dir``, a started platform."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from server.core.platform import Essaim
from server.core.settings import Settings

T = TypeVar("T")

# ``argparse``'s type for ``add_subparsers()`` is private; commands only call ``add_parser``.
Commands = Any


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with ``--data-dir`` when the command was given one."""
    overrides: dict[str, Any] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    return Settings.from_env(**overrides)


def add_data_dir(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--data-dir",
        help="data directory (SQLite file, attachments); default ESSAIM_DATA_DIR or ./essaim-data",
    )


def add_command(commands: Commands, name: str, help_text: str) -> argparse.ArgumentParser:
    """A subcommand with its help and ``--data-dir``."""
    sub: argparse.ArgumentParser = commands.add_parser(name, help=help_text, description=help_text)
    add_data_dir(sub)
    return sub


def with_platform(settings: Settings, work: Callable[[Essaim], Awaitable[T]]) -> T:
    """Run ``work`` on a started platform (migrated, connected) and stop it, even on errors."""

    async def run() -> T:
        essaim = Essaim(settings)
        await essaim.start()
        try:
            return await work(essaim)
        finally:
            await essaim.stop()

    return asyncio.run(run())
