"""What the animator's view costs the server for a large collective, and whether it holds up
the live boards meanwhile.

    python -m bench.animation_view [--members 200] [--days 365] [--repeat 3]

The histories are the simulation's (``bench.collective_cast``, seeded): a collective of
``--members`` over ``--days``, and, as the baseline measured in the same run, the simulation's
own 60 members over 180 days. For each, the pure computations behind the animator's requests,
with the very functions the endpoints call (``animation.engagement`` and
``animation.alerts``), best of ``--repeat``:

* ``panel_ms``: ``GET …/engagement`` (health panel with its weekly series, and every metric);
* ``members_ms``: ``GET …/engagement/members`` (every member's row);
* ``alerts_ms``: ``GET …/alerts`` (every rule).

Reading the history from the database is not included (one indexed query).

Then the event loop: a ticker wakes every 5 ms while the three computations run, once on the
loop itself (how they ran before) and once in a worker thread (``asyncio.to_thread``, how the
endpoints run them); ``loop_stall_ms`` is the ticker's worst delay, i.e. how long every
WebSocket of the process waited.

Last line: ``animation_view members=… days=… activities=… panel_ms=… members_ms=… alerts_ms=…
loop_stall_ms=… inline_stall_ms=… ratio_vs_60=…`` (``ratio_vs_60``: the three computations'
time ÷ the same for 60 members over 180 days).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from animation.alerts import Thresholds, evaluate
from animation.engagement import Scene, _collective_figures, member_rows
from animation.health import Inputs
from animation.load import Records
from animation.records import BoardInfo, Period
from bench.collective_cast import START
from bench.simulate_collective import History, in_memory
from server.core.models import Membership, Role, User

SEED = 7
TICK = 0.005


def scene_of(h: History, at: datetime) -> Scene:
    """The scene the endpoints build from the database, built from a simulated history."""
    boards = [BoardInfo(b, START - timedelta(hours=1), kind) for b, kind in
              ((1, "ideas"), (2, "practices"), (3, "questions"))]  # fmt: skip
    records = Records(h.activities, h.members, boards, [])
    memberships: dict[int, tuple[Membership, User]] = {}
    for m in h.members:
        membership = Membership(
            user_id=m.user_id, role=Role(m.role), joined_at=m.joined_at, organisation=None
        )
        user = User(id=m.user_id, display_name=f"Membre {m.user_id}")
        memberships[m.user_id] = (membership, user)
    inputs = Inputs(h.activities, h.members, boards, [], [], frozenset(), Thresholds())
    return Scene(records, memberships, [], inputs, at)


def views(scene: Scene) -> dict[str, Callable[[], object]]:
    period = Period(scene.at - timedelta(days=90), scene.at)
    i = scene.inputs
    return {
        "panel": lambda: _collective_figures(scene, period),
        "members": lambda: member_rows(scene),
        "alerts": lambda: evaluate(i.activities, i.members, i.boards, scene.at, i.thresholds),
    }


def best_ms(work: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - began)
    return best * 1000


async def worst_loop_delay(work: Callable[[], object], threaded: bool) -> float:
    """The ticker's worst lateness (ms) while ``work`` runs on the loop or in a thread."""
    worst = 0.0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal worst
        while not done.is_set():
            due = time.perf_counter() + TICK
            await asyncio.sleep(TICK)
            worst = max(worst, time.perf_counter() - due)

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(TICK * 4)
    if threaded:
        await asyncio.to_thread(work)
    else:
        work()
    await asyncio.sleep(TICK * 4)
    done.set()
    await ticking
    return worst * 1000


def measure(members: int, days: int, repeat: int) -> tuple[int, dict[str, float], Scene]:
    h = in_memory(members, days, SEED, "default")
    scene = scene_of(h, START + timedelta(days=days))
    figures = {name: best_ms(work, repeat) for name, work in views(scene).items()}
    return len(h.activities), figures, scene


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.animation_view", description=__doc__)
    parser.add_argument("--members", type=int, default=200, help="members (200)")
    parser.add_argument("--days", type=int, default=365, help="days of history (365)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each view, best kept (3)")
    args = parser.parse_args(argv)
    # The simulated cast needs two months to fit its fading and late-joining members.
    if args.members < 2 or args.days < 60 or args.repeat < 1:
        parser.error("need --members ≥ 2, --days ≥ 60, --repeat ≥ 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    began = datetime.now(UTC)
    base_count, base, _ = measure(60, 180, args.repeat)
    count, figures, scene = measure(args.members, args.days, args.repeat)
    every = views(scene)

    def all_three() -> None:
        for work in every.values():
            work()

    inline = asyncio.run(worst_loop_delay(all_three, threaded=False))
    threaded = asyncio.run(worst_loop_delay(all_three, threaded=True))
    print(
        f"{'collective':<22} {'activities':>10} {'panel ms':>9} {'members ms':>10} {'alerts ms':>9}"
    )
    for label, n, f in (("60 members, 180 days", base_count, base),
                        (f"{args.members} members, {args.days} days", count, figures)):  # fmt: skip
        print(f"{label:<22} {n:>10} {f['panel']:>9.0f} {f['members']:>10.0f} {f['alerts']:>9.0f}")
    print(f"event loop's worst delay during the three: {inline:.0f} ms computed on the loop, "
          f"{threaded:.0f} ms in a worker thread")  # fmt: skip
    print(f"(took {(datetime.now(UTC) - began).total_seconds():.0f} s)")
    ratio = sum(figures.values()) / sum(base.values())
    print(
        f"animation_view members={args.members} days={args.days} activities={count} "
        f"panel_ms={figures['panel']:.0f} members_ms={figures['members']:.0f} "
        f"alerts_ms={figures['alerts']:.0f} loop_stall_ms={threaded:.0f} "
        f"inline_stall_ms={inline:.0f} ratio_vs_60={ratio:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
