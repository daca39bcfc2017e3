"""The ``essaim`` command: serve, demo, migrate, digest, backup, restore, settings."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from server.core.settings import Settings, setting_docs


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with ``--data-dir`` when the command was given one."""
    overrides: dict[str, Any] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    return Settings.from_env(**overrides)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.app.asgi import create_app

    settings = settings_from(args)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    app = create_app(settings)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(
        f"Essaim sert sur http://{host}:{args.port}/  (données : {settings.data_dir})", flush=True
    )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=settings.log_level,
        proxy_headers=True,
        # Only the proxy's own X-Forwarded-For is believed: from any other peer, the address
        # the login throttle counts is the peer's (a client cannot choose its own).
        forwarded_allow_ips=settings.forwarded_allow_ips,
        ws_per_message_deflate=False,
        # Client messages are small JSON; anything over 1 MiB is closed by the protocol layer
        # (the app itself answers messages over 64 KiB with an error).
        ws_max_size=1_048_576,
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from server.cli.demo import load_demo
    from server.core.platform import Essaim

    async def run() -> int:
        essaim = Essaim(settings_from(args))
        await essaim.start()
        try:
            result = await load_demo(essaim)
        finally:
            await essaim.stop()
        if result.already_loaded:
            print("La collective de démonstration est déjà chargée.")
        else:
            print(f"Collective de démonstration chargée (id {result.collective_id}).")
        print(f"Connectez-vous avec {result.animator_email} / {result.password} (animatrice).")
        return 0

    return asyncio.run(run())


def cmd_migrate(args: argparse.Namespace) -> int:
    from server.core.db import Database

    async def run() -> None:
        database = Database(settings_from(args).resolved_database_url)
        try:
            await database.migrate()
        finally:
            await database.dispose()

    asyncio.run(run())
    print("Migrations applied.")
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    from animation.digest import run_digest
    from server.core.platform import Essaim

    async def run() -> int:
        essaim = Essaim(settings_from(args))
        await essaim.start()
        try:
            result = await run_digest(essaim, dry_run=args.dry_run)
        finally:
            await essaim.stop()
        for digest in result.sent:
            print(
                f"digest to={digest.user.email} collectives={len(digest.news)} "
                f"new_cards={digest.new_cards} answers={digest.answers}"
            )
        print(
            f"digest sent={0 if args.dry_run else len(result.sent)} "
            f"would_send={len(result.sent) if args.dry_run else 0} "
            f"nothing_new={result.skipped}"
        )
        return 0

    return asyncio.run(run())


def cmd_settings(args: argparse.Namespace) -> int:
    from server.cli.search import outbox_summary

    settings = settings_from(args)
    current = settings.describe()
    for name, default, help_text in setting_docs():
        print(f"{name}={current[name]}\n    {help_text} (default: {default or 'empty'})")
    print(outbox_summary(settings))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from server.cli.backup import BackupError, backup, default_archive_name

    target = Path(args.to) if args.to else default_archive_name()
    try:
        summary = backup(settings_from(args), target)
    except BackupError as exc:
        print(f"essaim backup: {exc}", file=sys.stderr)
        return 2
    print(
        f"Sauvegarde écrite : {summary.archive} (base {summary.database_bytes} octets, "
        f"révision {summary.revision}, {summary.attachments} pièces jointes)."
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from server.cli.backup import BackupError, restore

    settings = settings_from(args)
    try:
        summary = restore(settings, Path(args.file), force=args.force)
    except BackupError as exc:
        print(f"essaim restore: {exc}", file=sys.stderr)
        return 2
    print(
        f"Sauvegarde {summary.archive} restaurée dans {settings.data_dir} (révision "
        f"{summary.revision}, {summary.attachments} pièces jointes)."
    )
    return 0


def add_data_dir(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--data-dir",
        help="data directory (SQLite file, attachments); default ESSAIM_DATA_DIR or ./essaim-data",
    )


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="essaim",
        description="Essaim: live boards, French search and animation for actions collectives.",
    )
    commands = root.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        add_data_dir(sub)
        return sub

    serve = add("serve", "Run the web server (migrations are applied first).")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.set_defaults(run=cmd_serve)
    add("demo", "Load the French demo collective (energy-renovation artisans).").set_defaults(
        run=cmd_demo
    )
    add("migrate", "Apply database migrations and exit.").set_defaults(run=cmd_migrate)
    digest = add(
        "digest",
        "Email the weekly digest to members who have not visited lately (SMTP_URL, else the log).",
    )
    digest.add_argument(
        "--dry-run", action="store_true", help="say who would get what; send and store nothing"
    )
    digest.set_defaults(run=cmd_digest)
    backup = add(
        "backup",
        "Back up the embedded database and attachments into one archive, while the server "
        "runs (PostgreSQL: use pg_dump).",
    )
    backup.add_argument(
        "--to", metavar="FILE", help="archive to write (default essaim-backup-<time>.tar.gz)"
    )
    backup.set_defaults(run=cmd_backup)
    restore = add(
        "restore",
        "Restore an essaim backup archive into the data directory (stop the server first).",
    )
    restore.add_argument("file", metavar="FILE", help="archive written by essaim backup")
    restore.add_argument(
        "--force",
        action="store_true",
        help="replace existing data (moved aside to <data dir>/replaced-<time>/)",
    )
    restore.set_defaults(run=cmd_restore)
    add("settings", "Print every setting with its current value and help.").set_defaults(
        run=cmd_settings
    )
    from server.cli.search import add_commands

    add_commands(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
