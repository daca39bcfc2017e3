"""``essaim digest``: the weekly email digest (run it from cron or a systemd timer)."""

from __future__ import annotations

import argparse

from animation.digest import DigestRun, run_digest
from server.cli.common import Commands, add_command, settings_from, with_platform


def register(commands: Commands) -> None:
    digest = add_command(
        commands,
        "digest",
        "Email the weekly digest to members who have not visited lately (SMTP_URL, else the log).",
    )
    digest.add_argument(
        "--dry-run", action="store_true", help="say who would get what; send and store nothing"
    )
    digest.set_defaults(run=cmd_digest)


def cmd_digest(args: argparse.Namespace) -> int:
    result: DigestRun = with_platform(
        settings_from(args), lambda essaim: run_digest(essaim, dry_run=args.dry_run)
    )
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
