"""A seeded simulation of a collective, replayed through the real write path, then the real
alert rules evaluated day by day against the known ground truth.

    python -m bench.simulate_collective [--members 60] [--days 180] [--seed 7]

Members follow one of five behaviours: steady (a personal rhythm, every 1–7 days, sessions
sometimes skipped), fading (steady, then gone from a known day: the change), late-joining
(steady from a later join day), lurking (a rare action every few weeks) and burst (a week
of daily activity, then weeks of silence). Every action (cards, comments, reactions) goes
through the domain services on a temporary SQLite file, backdated with ``clock_at``; the
records are then read back with ``animation.load`` and the member-silence rule is evaluated
each evening. A naive "silent for 14 days" rule is measured on the same records as baseline.

Figures, per rule: fading_recall (fading members alerted after their change), false alerts
(alert episodes on a member who had not faded, ÷ all episodes), median detection (days from
the change to the first evening with the alert). The change is the first day of absence;
the rule needs ``silence_min_days`` (14 by default) of silence after the last activity, so
detection cannot come much sooner than that: the run also shows a 7-day floor.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from animation.alerts import Rule, Thresholds, evaluate
from animation.load import Records, load_records
from animation.records import Activity, Member
from server.models import BoardKind, CardKind, ReactionKind, Role, User, clock_at
from server.runtime import Essaim
from server.schemas import (
    BoardIn,
    CardIn,
    CollectiveIn,
    CommentIn,
    InvitationIn,
    ReactionIn,
    RegisterIn,
)
from server.services import accounts, boards, cards, collectives, discussion
from server.settings import Settings

START = datetime(2026, 1, 5, tzinfo=UTC)
PASSWORD = "simulation-password"
BEHAVIOURS = ("steady", "fading", "late", "lurking", "burst")
# Shares of the members (the animator aside), so any --members keeps the same mix.
MIX = {"fading": 0.2, "late": 0.15, "lurking": 0.17, "burst": 0.13}
SENSITIVITY_FLOOR = 7.0


@dataclass
class Persona:
    index: int
    behaviour: str
    joins: int  # day of joining
    days: list[int]  # days with a session
    change: int | None = None  # fading: first day of absence (ground truth)
    user: User | None = None
    reacted: set[int] = field(default_factory=set)


def personas(members: int, days: int, rng: random.Random) -> list[Persona]:
    """The cast, with their active days decided up front (the ground truth)."""
    others = members - 1
    counts = {b: round(share * others) for b, share in MIX.items()}
    counts["steady"] = others - sum(counts.values())
    kinds = [b for b in BEHAVIOURS for _ in range(counts[b])]
    rng.shuffle(kinds)
    cast = [Persona(0, "animator", 0, _rhythm(rng, 0, days, 1, 0.9))]
    for i, kind in enumerate(kinds, start=1):
        period = rng.choice((1, 2, 3, 4, 7))
        if kind == "steady":
            cast.append(Persona(i, kind, 0, _rhythm(rng, 0, days, period, 0.8)))
        elif kind == "fading":
            change = rng.randint(days // 5, days - 30)  # leave time to see it
            active = [d for d in _rhythm(rng, 0, days, period, 0.8) if d < change]
            cast.append(Persona(i, kind, 0, active, change))
        elif kind == "late":
            joins = rng.randint(days // 6, days * 2 // 3)
            cast.append(Persona(i, kind, joins, _rhythm(rng, joins, days, period, 0.8)))
        elif kind == "lurking":
            active, d = [], rng.randint(0, 30)
            while d < days:
                active.append(d)
                d += rng.randint(18, 40)
            cast.append(Persona(i, kind, 0, active))
        else:
            active, d = [], rng.randint(0, 20)
            while d < days:
                burst = rng.randint(5, 9)
                active += [x for x in range(d, min(d + burst, days)) if rng.random() < 0.8]
                d += burst + rng.randint(15, 35)
            cast.append(Persona(i, kind, 0, active))
    return cast


def _rhythm(rng: random.Random, first: int, days: int, period: int, keep: float) -> list[int]:
    """Sessions every ``period`` days (± a day), each kept with probability ``keep``."""
    out, d = [], first + rng.randint(0, period)
    while d < days:
        if rng.random() < keep:
            out.append(d)
        jitter = rng.choice((-1, 0, 0, 1)) if period > 2 else 0  # habits are not clockwork
        d += period + jitter
    return out


@dataclass
class World:
    essaim: Essaim
    animator: User
    collective_id: int
    board_ids: list[int]
    card_ids: list[tuple[int, datetime, int]] = field(default_factory=list)  # id, at, author


async def replay(essaim: Essaim, cast: list[Persona], days: int, rng: random.Random) -> World:
    """Write the whole history through the domain services, in time order."""
    with clock_at(START - timedelta(hours=1)):
        for p in cast:
            login = await accounts.create_user(
                essaim,
                RegisterIn(
                    email=f"membre{p.index}@simulation.essaim.fr",
                    password=PASSWORD,
                    display_name=f"Membre {p.index}",
                ),
            )
            p.user = login.user
        boss = cast[0].user
        assert boss is not None
        created = await collectives.create_collective(
            essaim, boss, CollectiveIn(name="Collectif simulé")
        )
        cid = created["id"]
        board_ids = []
        for name, kind in (
            ("Idées", BoardKind.ideas),
            ("Pratiques", BoardKind.practices),
            ("Questions", BoardKind.questions),
        ):
            board = await boards.create_board(essaim, boss, cid, BoardIn(name=name, kind=kind))
            board_ids.append(board["id"])
    world = World(essaim, boss, cid, board_ids)
    plan: list[tuple[datetime, int, Persona]] = []
    for p in cast[1:]:
        plan.append((START + timedelta(days=p.joins, hours=6), -1, p))
    for p in cast:
        for d in p.days:
            moment = START + timedelta(days=d, hours=rng.randint(7, 19), minutes=rng.randint(0, 59))
            for n in range(rng.randint(1, 3)):
                plan.append((moment + timedelta(minutes=7 * n), n, p))
    plan.sort(key=lambda item: (item[0], item[2].index, item[1]))
    for moment, step, p in plan:
        with clock_at(moment):
            if step < 0:
                await _join(world, p)
            else:
                await _act(world, p, moment, rng)
    return world


async def _join(world: World, p: Persona) -> None:
    assert p.user is not None
    invitation = await collectives.create_invitation(
        world.essaim, world.animator, world.collective_id, InvitationIn(role=Role.member), "x"
    )
    await collectives.accept_invitation(world.essaim, p.user, invitation.url.rsplit("/", 1)[1])


async def _act(world: World, p: Persona, moment: datetime, rng: random.Random) -> None:
    assert p.user is not None
    recent = [c for c in world.card_ids if moment - c[1] < timedelta(days=21) and c[2] != p.index]
    roll = rng.random()
    if not recent or roll < 0.3:
        b = rng.randrange(len(world.board_ids))
        kind = (CardKind.idea, CardKind.practice, CardKind.question)[b]
        card = await cards.create_card(
            world.essaim,
            p.user,
            world.board_ids[b],
            CardIn(kind=kind, title=f"Carte de {p.index}", body="Retour d'expérience."),
        )
        world.card_ids.append((card["id"], moment, p.index))
        return
    card_id = rng.choice(recent)[0]
    if roll < 0.75 or card_id in p.reacted:
        body = CommentIn(body="Merci, j'ai une idée là-dessus.")
        await discussion.add_comment(world.essaim, p.user, card_id, body)
    else:
        p.reacted.add(card_id)  # reacting twice writes nothing: not an activity
        reaction = ReactionIn(kind=rng.choice(list(ReactionKind)))
        await discussion.add_reaction(world.essaim, p.user, card_id, reaction)


Detector = Callable[[Sequence[Activity], Sequence[Member], datetime], set[int]]


def habit_rule(thresholds: Thresholds) -> Detector:
    """The real alert rules; only the member-silence alerts are scored here."""

    def detect(acts: Sequence[Activity], members: Sequence[Member], at: datetime) -> set[int]:
        alerts = evaluate(acts, members, [], at, thresholds)
        return {a.subject.id for a in alerts if a.rule is Rule.member_silent}

    return detect


def naive_rule(acts: Sequence[Activity], members: Sequence[Member], at: datetime) -> set[int]:
    """Baseline: anyone who did something once and nothing in the last 14 days."""
    last: dict[int, datetime] = {}
    for a in acts:
        if a.at < at:
            last[a.actor_id] = max(a.at, last.get(a.actor_id, a.at))
    ids = {m.user_id for m in members if m.role != "observer"}
    return {u for u, t in last.items() if u in ids and at - t >= timedelta(days=14)}


@dataclass(frozen=True)
class Score:
    recall: float
    false_rate: float
    median_detection: float | None
    episodes: int
    false_episodes: int


def score(records: Records, cast: list[Persona], days: int, detect: Detector) -> Score:
    """Run ``detect`` each evening and compare its episodes with the ground truth."""
    by_user = {p.user.id: p for p in cast if p.user is not None}
    members = [m for m in records.members if m.user_id in by_user]
    ordered = sorted(records.activities, key=lambda a: a.at)
    open_since: dict[int, int] = {}
    episodes: list[tuple[int, int]] = []  # user id, first day
    for day in range(days):
        evening = START + timedelta(days=day, hours=21)
        joined = [m for m in members if m.joined_at < evening]
        now = detect(ordered, joined, evening)
        for user in now - open_since.keys():
            open_since[user] = day
            episodes.append((user, day))
        for user in set(open_since) - now:
            del open_since[user]
    fading = [p for p in cast if p.change is not None]
    detections = []
    for p in fading:
        assert p.user is not None
        hits = [d for u, d in episodes if u == p.user.id and d >= (p.change or 0)]
        if hits:
            detections.append(min(hits) - (p.change or 0))

    def is_true(user: int, day: int) -> bool:
        change = by_user[user].change
        return change is not None and day >= change

    false = sum(1 for u, d in episodes if not is_true(u, d))
    return Score(
        len(detections) / len(fading) if fading else 1.0,
        false / len(episodes) if episodes else 0.0,
        statistics.median(detections) if detections else None,
        len(episodes),
        false,
    )


def _line(name: str, s: Score) -> str:
    detection = "none" if s.median_detection is None else f"{s.median_detection:.1f}"
    return (
        f"{name}: fading_recall={s.recall:.2f} false_alert_rate={s.false_rate:.2f} "
        f"({s.false_episodes}/{s.episodes} episodes) median_detection_days={detection}"
    )


async def main(members: int, days: int, seed: int, min_days: float) -> str:
    rng = random.Random(seed)
    cast = personas(members, days, rng)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env(
            {},
            data_dir=Path(tmp),
            database_url=f"sqlite+aiosqlite:///{tmp}/essaim.db",
            argon2_time_cost=1,
            argon2_memory_kib=1024,
        )
        essaim = Essaim(settings)
        await essaim.start()
        try:
            began = time.perf_counter()
            world = await replay(essaim, cast, days, rng)
            records = await load_records(essaim, world.collective_id, START + timedelta(days=days))
            wrote = time.perf_counter() - began
        finally:
            await essaim.stop()
    print(
        f"replayed {len(records.activities)} activities of {members} members over {days} days "
        f"through the write path in {wrote:.1f} s",
        flush=True,
    )
    counts = {b: sum(1 for p in cast if p.behaviour == b) for b in ("animator", *BEHAVIOURS)}
    print("cast: " + ", ".join(f"{b}={n}" for b, n in counts.items()))
    began = time.perf_counter()
    chosen = replace(Thresholds(), silence_min_days=min_days)
    habit = score(records, cast, days, habit_rule(chosen))
    print(f"evaluated the alert rules on {days} evenings in {time.perf_counter() - began:.1f} s")
    baseline = score(records, cast, days, naive_rule)
    print(_line("baseline (silent 14 days, no habit)", baseline))
    # The floor bounds detection from below (an alert needs that many silent days), so the
    # same run shows what a collective trading false alerts for speed would get.
    other = SENSITIVITY_FLOOR if min_days != SENSITIVITY_FLOOR else Thresholds().silence_min_days
    alternative = score(records, cast, days, habit_rule(replace(chosen, silence_min_days=other)))
    print(_line(f"habit rule, floor {other:g} days (sensitivity)", alternative))
    print(_line(f"habit rule, floor {min_days:g} days", habit))
    detection = "none" if habit.median_detection is None else f"{habit.median_detection:.1f}"
    return (
        f"simulate members={members} days={days} fading_recall={habit.recall:.2f} "
        f"false_alert_rate={habit.false_rate:.2f} median_detection_days={detection}"
    )


def cli(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--min-silence-days",
        type=float,
        default=Thresholds().silence_min_days,
        help="the collective's silence floor (threshold silence_min_days)",
    )
    args = parser.parse_args(argv)
    print(asyncio.run(main(args.members, args.days, args.seed, args.min_silence_days)))


if __name__ == "__main__":
    cli(sys.argv[1:])
