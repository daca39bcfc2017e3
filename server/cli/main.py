"""The ``essaim`` command: each subcommand lives in its own module and registers itself here."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from server.cli import backup, demo, digest, migrate, search, serve, settings

# The order of ``essaim --help``.
COMMANDS = (serve, demo, migrate, digest, backup, settings, search)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="essaim",
        description="Essaim: live boards, French search and animation for actions collectives.",
    )
    commands = root.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
