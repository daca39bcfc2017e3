"""Notification emails for a busy collective: how many emails its members get, after grouping
per thread and the rate limit, and what computing them costs.

    python -m bench.notifications [--members 200] [--events 2000] [--minutes 60] [--seed 7]

One collective of ``--members`` (one animator), 40 cards by as many authors; ``--events``
spread evenly over ``--minutes`` simulated minutes, through the real write path (the domain
services the API calls): 60 % comments, 10 % comments that mention a member (``@Prénom
Nom``), 30 % reactions; the card is drawn with a Zipf skew (a few threads are hot: the first
card gets about a quarter of the events). Every person keeps the default preferences
(comments, answers and mentions by email at once, reactions in the daily digest) and reads
nothing in the meantime (the worst case for their inbox). The sender (``dispatch``) runs once
per simulated minute, as ``essaim serve`` does.

* baseline, counted in the same run: one email per event and person told (each comment to the
  card's author and earlier commenters, each mention to the person named, each reaction to the
  card's author) — what a sender without grouping would send;
* grouped: the emails ``dispatch`` sent (one per thread and person per
  ``ESSAIM_NOTIFY_EMAIL_MINUTES``, plus the daily digests when due);
* the time ``dispatch`` took per turn (p50, p99, max) and in all.

Last line: ``notifications members=… events=… baseline_emails=… emails=… ratio=…
dispatch_p99_ms=… dispatch_total_ms=…`` (``ratio``: emails ÷ baseline).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from server.core.models import Membership, ReactionKind, Role, User
from server.core.platform import Essaim
from server.core.settings import Settings
from server.domain import boards, cards, collectives, discussion
from server.domain.notify.dispatch import dispatch
from server.domain.schemas import BoardIn, CardIn, CollectiveIn, CommentIn, ReactionIn
from server.events.wire import NOTIFICATIONS_CHANNEL
from server.events.write import write

CARDS = 40
# How often each card is chosen: Zipf (the first card draws about a quarter of the events).
ZIPF = [1 / rank for rank in range(1, CARDS + 1)]
REACTIONS = tuple(ReactionKind)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def people(essaim: Essaim, count: int) -> list[User]:
    """``count`` accounts, written directly (signing up is not what is measured)."""
    async with write(essaim, None) as w:
        users = [
            User(
                email=f"membre{i}@example.fr",
                display_name=f"Membre{i} Artisan",
                password_hash="-",
                language="fr" if i % 4 else "en",
            )
            for i in range(count)
        ]
        w.session.add_all(users)
        await w.session.flush()
        return users


async def run(members: int, events: int, minutes: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    data_dir = Path(tempfile.mkdtemp(prefix="essaim-bench-notify-"))
    settings = Settings.from_env(
        {}, data_dir=data_dir, notify_interval_seconds=0, reply_domain="reply.essaim.example"
    )
    essaim = Essaim(settings)
    await essaim.start()
    try:
        everyone = await people(essaim, members)
        animator = everyone[0]
        collective = await collectives.create_collective(
            essaim, animator, CollectiveIn(name="Artisans du Diois")
        )
        cid = collective["id"]
        async with write(essaim, None) as w:
            w.session.add_all(
                Membership(collective_id=cid, user_id=u.id, role=Role.member) for u in everyone[1:]
            )
        async with essaim.db.read() as session:
            assert len(list(await session.scalars(select(Membership.id)))) == members
        board = await boards.create_board(essaim, animator, cid, BoardIn(name="Idées"))
        authors = rng.sample(everyone[1:], CARDS)
        card_ids = [
            (await cards.create_card(
                essaim, author, board["id"], CardIn(title=f"Idée {i} : achats groupés")
            ))["id"]
            for i, author in enumerate(authors)
        ]  # fmt: skip
        # Told: every recipient of every write, as the live unread counts publish them.
        told = 0
        start = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)  # 10:00 in Paris: digests due
        turns: list[float] = []
        sent = 0
        async with essaim.broker.subscribe(NOTIFICATIONS_CHANNEL) as counts:
            per_minute = events / minutes
            done = 0
            for minute in range(minutes):
                target = round(per_minute * (minute + 1))
                while done < target:
                    done += 1
                    actor = rng.choice(everyone)
                    card = rng.choices(card_ids, weights=ZIPF)[0]
                    roll = rng.random()
                    if roll < 0.6:
                        body = f"Avis n° {done} : je suis partant."
                        await discussion.add_comment(essaim, actor, card, CommentIn(body=body))
                    elif roll < 0.7:
                        named = rng.choice(everyone)
                        body = f"@{named.display_name}, qu'en penses-tu ? ({done})"
                        await discussion.add_comment(essaim, actor, card, CommentIn(body=body))
                    else:
                        kind = rng.choice(REACTIONS)
                        await discussion.add_reaction(essaim, actor, card, ReactionIn(kind=kind))
                    await asyncio.sleep(0)
                while not counts.empty():
                    message = counts.get_nowait()
                    told += len(message.get("unread", {}))
                began = time.perf_counter()
                result = await dispatch(essaim, start + timedelta(minutes=minute))
                turns.append((time.perf_counter() - began) * 1000)
                sent += len(result.sent)
            while not counts.empty():
                told += len(counts.get_nowait().get("unread", {}))
        return {
            "members": members,
            "events": events,
            "baseline_emails": told,
            "emails": sent,
            "ratio": sent / told if told else 0.0,
            "dispatch_p50_ms": percentile(turns, 0.5),
            "dispatch_p99_ms": percentile(turns, 0.99),
            "dispatch_max_ms": max(turns),
            "dispatch_total_ms": sum(turns),
        }
    finally:
        await essaim.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.members < CARDS + 1 or args.events < 1 or args.minutes < 1:
        parser.error(f"--members must be at least {CARDS + 1}; --events and --minutes positive")
    figures = asyncio.run(run(args.members, args.events, args.minutes, args.seed))
    print(
        f"baseline one-email-per-event-and-person: {figures['baseline_emails']:.0f} emails",
        file=sys.stderr,
    )
    print(
        "notifications "
        f"members={figures['members']:.0f} events={figures['events']:.0f} "
        f"baseline_emails={figures['baseline_emails']:.0f} emails={figures['emails']:.0f} "
        f"ratio={figures['ratio']:.3f} "
        f"dispatch_p50_ms={figures['dispatch_p50_ms']:.1f} "
        f"dispatch_p99_ms={figures['dispatch_p99_ms']:.1f} "
        f"dispatch_max_ms={figures['dispatch_max_ms']:.1f} "
        f"dispatch_total_ms={figures['dispatch_total_ms']:.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
