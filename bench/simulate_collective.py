"""A seeded simulation of collectives, the first one replayed through the real write path, then
the real alert rules evaluated each evening against the known ground truth.

    python -m bench.simulate_collective [--members 60] [--days 180] [--seeds 7 11 23 42 99]
                                        [--mixes default quiet] [--no-write-path]

Members follow one of five behaviours (``bench.collective_cast``): steady (a personal rhythm,
a session every 1–7 days, one session in five skipped), fading (steady, then gone: the
change), late-joining (steady from a later join day), lurking (a rare action every 18–40 days)
and burst (a week of near-daily activity, then 15–35 days of silence). For the first seed of
the first mix every action goes through the domain services on a temporary SQLite file,
backdated with ``clock_at``, and the records are read back with ``animation.load``; the other
histories are built in memory from the same decisions (the run checks that both ways give
the same history on that seed). The ``member_silent`` alerts of ``animation.alerts.evaluate``
are then taken each evening at 21:00 and compared with the ground truth (bench/README.md,
"Collective simulation", defines every figure). In the same run: DESIGN.md's silence rule
alone, a naive "silent 14 days" baseline, and an oracle that knows each member's planned
sessions (the best any rule could do on this population).

The thresholds of the rhythm test were chosen on seeds 101–105 of the default mix; the
reported seeds and the "quiet" mix were not used to choose them. The last line gives the
rules' figures pooled over the seeds of the first mix.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from animation.alerts import Thresholds, member_silent_alerts
from animation.load import load_records
from animation.records import Activity, Kind, Member
from bench.collective_cast import (
    BEHAVIOURS,
    BOARDS,
    START,
    Persona,
    Scene,
    personas,
    plan,
    synthesize,
)
from server.core.models import BoardKind, CardKind, ReactionKind, Role, User, clock_at
from server.core.platform import Essaim
from server.core.settings import Settings
from server.domain import boards, cards, collectives, discussion
from server.domain.accounts import identity
from server.domain.schemas import (
    BoardIn,
    CardIn,
    CollectiveIn,
    CommentIn,
    InvitationIn,
    ReactionIn,
    RegisterIn,
)

PASSWORD = "simulation-password"
SEEDS = (7, 11, 23, 42, 99)
ORACLE_MISSES = (3, 4, 5)


@dataclass(frozen=True)
class History:
    mix: str
    seed: int
    cast: list[Persona]
    activities: list[Activity]  # in time order
    members: list[Member]
    persona_of: dict[int, int]  # user id → persona index


# --- The write path -------------------------------------------------------------------------


async def write_history(
    essaim: Essaim, cast: list[Persona], rng: random.Random
) -> tuple[int, dict[int, int]]:
    """Write the whole history through the domain services, in time order: the collective's
    id and each user id's persona index."""
    users: dict[int, User] = {}
    with clock_at(START - timedelta(hours=1)):
        for p in cast:
            login = await identity.create_user(
                essaim,
                RegisterIn(
                    email=f"membre{p.index}@simulation.essaim.fr",
                    password=PASSWORD,
                    display_name=f"Membre {p.index}",
                ),
            )
            users[p.index] = login.user
        boss = users[0]
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
    scene = Scene()
    for step in plan(cast, rng):
        user = users[step.persona.index]
        with clock_at(step.moment):
            if step.order < 0:
                invitation = await collectives.create_invitation(
                    essaim, boss, cid, InvitationIn(role=Role.member), "x"
                )
                token = invitation.url.rsplit("/", 1)[1]
                await collectives.accept_invitation(essaim, user, token)
                continue
            choice = scene.decide(step.persona, step.moment, rng)
            if choice.kind is Kind.post:
                body = CardIn(
                    kind=CardKind(BOARDS[choice.board]),
                    title=f"Carte de {step.persona.index}",
                    body="Retour d'expérience.",
                )
                card = await cards.create_card(essaim, user, board_ids[choice.board], body)
                scene.posted(card["id"], step.moment, step.persona)
            elif choice.kind is Kind.comment:
                comment = CommentIn(body="Merci, j'ai une idée là-dessus.")
                await discussion.add_comment(essaim, user, choice.card, comment)
            else:
                reaction = ReactionIn(kind=ReactionKind(choice.reaction))
                await discussion.add_reaction(essaim, user, choice.card, reaction)
    return cid, {u.id: index for index, u in users.items()}


async def through_write_path(members: int, days: int, seed: int, mix: str) -> tuple[History, float]:
    rng = random.Random(seed)
    cast = personas(members, days, rng, mix)
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
            cid, persona_of = await write_history(essaim, cast, rng)
            records = await load_records(essaim, cid, START + timedelta(days=days))
            took = time.perf_counter() - began
        finally:
            await essaim.stop()
    acts = sorted(records.activities, key=lambda a: a.at)
    return History(mix, seed, cast, acts, records.members, persona_of), took


def in_memory(members: int, days: int, seed: int, mix: str) -> History:
    rng = random.Random(seed)
    cast = personas(members, days, rng, mix)
    acts, people, persona_of = synthesize(cast, rng)
    return History(mix, seed, cast, sorted(acts, key=lambda a: a.at), people, persona_of)


Fingerprint = tuple[list[tuple[object, ...]], list[tuple[int, datetime, str]]]


def fingerprint(h: History) -> Fingerprint:
    """The history with ids replaced by persona indexes and card ranks, to compare two."""
    ranks: dict[int, int] = {}
    for a in h.activities:
        if a.kind is Kind.post:
            ranks[a.card_id] = len(ranks)
    acts = [
        (
            a.at,
            h.persona_of[a.actor_id],
            str(a.kind),
            ranks.get(a.card_id),
            h.persona_of.get(a.card_author_id),
            a.card_kind,
            a.reaction,
        )
        for a in h.activities
    ]
    people = sorted((h.persona_of[m.user_id], m.joined_at, m.role) for m in h.members)
    return sorted(acts, key=lambda row: (row[0], row[1], row[2])), people


# --- Scoring --------------------------------------------------------------------------------

Detector = Callable[[Sequence[Activity], Sequence[Member], datetime], set[int]]


def alert_rule(thresholds: Thresholds) -> Detector:
    """The real ``member_silent`` alerts (``animation.alerts``) with these thresholds."""

    def detect(acts: Sequence[Activity], members: Sequence[Member], at: datetime) -> set[int]:
        return {a.subject.id for a in member_silent_alerts(acts, members, at, thresholds)}

    return detect


def naive_rule(acts: Sequence[Activity], members: Sequence[Member], at: datetime) -> set[int]:
    """Baseline: anyone who did something once and nothing in the last 14 days."""
    last: dict[int, datetime] = {}
    for a in acts:
        if a.at < at:
            last[a.actor_id] = max(a.at, last.get(a.actor_id, a.at))
    ids = {m.user_id for m in members if m.role == "member"}
    return {u for u, t in last.items() if u in ids and at - t >= timedelta(days=14)}


@dataclass(frozen=True)
class Score:
    fading: int
    found: int  # fading members alerted on or after their change
    detections: tuple[int, ...]  # days from the change to the first alert, per found member
    rhythms: tuple[int, ...]  # the period (days between sessions) of each found member
    from_drawn: tuple[int, ...]  # the same, from the day their habit ended
    episodes: int
    false_episodes: int
    others: int  # members who never fade
    others_alerted: int  # …alerted at least once

    @property
    def recall(self) -> float:
        return self.found / self.fading if self.fading else 1.0

    @property
    def false_rate(self) -> float:
        return self.false_episodes / self.episodes if self.episodes else 0.0

    @property
    def false_member_rate(self) -> float:
        return self.others_alerted / self.others if self.others else 0.0

    def median(self, drawn: bool = False) -> float | None:
        values = self.from_drawn if drawn else self.detections
        return statistics.median(values) if values else None

    def by_rhythm(self) -> str:
        """Median detection per rhythm of the fading members found, e.g. ``1d:4 2d:7``."""
        per: dict[int, list[int]] = {}
        for period, days in zip(self.rhythms, self.detections, strict=True):
            per.setdefault(period, []).append(days)
        return " ".join(f"{k}d:{statistics.median(v):g}" for k, v in sorted(per.items()))

    def __add__(self, other: Score) -> Score:
        return Score(
            self.fading + other.fading,
            self.found + other.found,
            self.detections + other.detections,
            self.rhythms + other.rhythms,
            self.from_drawn + other.from_drawn,
            self.episodes + other.episodes,
            self.false_episodes + other.false_episodes,
            self.others + other.others,
            self.others_alerted + other.others_alerted,
        )


def tally(h: History, episodes: list[tuple[int, int]]) -> Score:
    """Score alert episodes (persona index, first evening) against the ground truth."""
    cast = [p for p in h.cast if p.behaviour != "animator"]
    fading = [p for p in cast if p.change is not None]
    detections, rhythms, from_drawn = [], [], []
    for p in fading:
        assert p.change is not None and p.drawn is not None
        hits = [d for who, d in episodes if who == p.index and d >= p.change]
        if hits:
            detections.append(min(hits) - p.change)
            rhythms.append(p.period)
            from_drawn.append(min(hits) - p.drawn)

    def false(who: int, day: int) -> bool:
        change = h.cast[who].change
        return change is None or day < change

    wrong = [(who, d) for who, d in episodes if false(who, d)]
    others = [p for p in cast if p.change is None]
    alerted = {who for who, _ in wrong if h.cast[who].change is None}
    return Score(
        len(fading),
        len(detections),
        tuple(detections),
        tuple(rhythms),
        tuple(from_drawn),
        len(episodes),
        len(wrong),
        len(others),
        len(alerted),
    )


def score(h: History, days: int, detect: Detector) -> Score:
    """Run ``detect`` each evening; an episode is a run of evenings alerting one member."""
    open_now: set[int] = set()
    episodes: list[tuple[int, int]] = []
    times = [a.at for a in h.activities]
    for day in range(days):
        evening = START + timedelta(days=day, hours=21)
        joined = [m for m in h.members if m.joined_at < evening]
        past = h.activities[: bisect.bisect_left(times, evening)]
        now = {h.persona_of[u] for u in detect(past, joined, evening)}
        episodes += [(who, day) for who in sorted(now - open_now)]
        open_now = now
    return tally(h, episodes)


def oracle(h: History, days: int, misses: int) -> Score:
    """Alert on the ``misses``-th planned session in a row a member did not come to: it knows
    each steady-like member's schedule (lurkers and bursts: never alerted), so no rule reading
    the history can beat its detection at the same false alerts."""
    episodes = []
    for p in h.cast[1:]:
        active, run = set(p.days), 0
        for d in (d for d in p.planned if d < days):
            run = 0 if d in active else run + 1
            if run == misses:
                episodes.append((p.index, d))
    return tally(h, episodes)


# --- Report ---------------------------------------------------------------------------------


def row(label: str, s: Score, rhythms: bool = False) -> str:
    def days(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    return (
        f"  {label:<34} recall={s.recall:.2f} ({s.found}/{s.fading})"
        f"  false_alert_rate={s.false_rate:.2f} ({s.false_episodes}/{s.episodes})"
        f"  false_members={s.false_member_rate:.2f} ({s.others_alerted}/{s.others})"
        f"  median_detection={days(s.median())} (from habit end {days(s.median(True))})"
        + (f"  per rhythm {s.by_rhythm()}" if rhythms else "")
    )


SENSITIVE_ALPHA = 0.01  # what a collective trading false alerts for speed could set


def rules() -> dict[str, Detector]:
    chosen = Thresholds()
    return {
        "habit + rhythm (defaults)": alert_rule(chosen),
        f"habit + rhythm, alpha {SENSITIVE_ALPHA:g}": alert_rule(
            replace(chosen, rhythm_alpha=SENSITIVE_ALPHA)
        ),
        "DESIGN silence rule alone": alert_rule(replace(chosen, rhythm_alpha=0)),
        "naive: silent 14 days": naive_rule,
    }


async def main(
    members: int, days: int, seeds: Sequence[int], mixes: Sequence[str], write_path: bool
) -> str:
    began = time.perf_counter()
    histories: list[History] = []
    for mix in mixes:
        for seed in seeds:
            if write_path and not histories:
                written, took = await through_write_path(members, days, seed, mix)
                same = fingerprint(written) == fingerprint(in_memory(members, days, seed, mix))
                print(
                    f"seed {seed} ({mix}) through the write path: {len(written.activities)} "
                    f"activities of {members} members over {days} days in {took:.1f} s; "
                    f"the in-memory history of that seed is {'identical' if same else 'DIFFERENT'}",
                    flush=True,
                )
                if not same:
                    raise SystemExit("the in-memory histories do not match the write path")
                histories.append(written)
            else:
                histories.append(in_memory(members, days, seed, mix))
    print(f"{len(histories)} histories ready in {time.perf_counter() - began:.1f} s", flush=True)
    detectors = rules()
    pooled: dict[tuple[str, str], Score] = {}
    evaluated = time.perf_counter()
    for h in histories:
        counts = {b: sum(1 for p in h.cast if p.behaviour == b) for b in BEHAVIOURS}
        cast = ", ".join(f"{b}={n}" for b, n in counts.items())
        print(f"mix {h.mix} seed {h.seed}: {len(h.activities)} activities; {cast}")
        for name, detect in detectors.items():
            s = score(h, days, detect)
            pooled[h.mix, name] = pooled[h.mix, name] + s if (h.mix, name) in pooled else s
            print(row(name, s))
        for m in ORACLE_MISSES:
            key = (h.mix, f"oracle: {m} planned sessions missed")
            s = oracle(h, days, m)
            pooled[key] = pooled[key] + s if key in pooled else s
    print(
        f"rules evaluated on {days} evenings × {len(histories)} histories "
        f"in {time.perf_counter() - evaluated:.1f} s"
    )
    for mix in mixes:
        print(f"pooled, mix {mix}, seeds {' '.join(map(str, seeds))}:")
        for (kind, name), s in pooled.items():
            if kind == mix:
                print(row(name, s, rhythms=True))
    first = pooled[mixes[0], next(iter(detectors))]
    detection = first.median()
    print(f"total {time.perf_counter() - began:.1f} s")
    return (
        f"simulate members={members} days={days} fading_recall={first.recall:.2f} "
        f"false_alert_rate={first.false_rate:.2f} "
        f"median_detection_days={'none' if detection is None else f'{detection:.1f}'}"
    )


def cli(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--mixes", nargs="+", default=["default", "quiet"])
    parser.add_argument(
        "--no-write-path",
        action="store_true",
        help="build every history in memory (skips the ~40 s replay through the services)",
    )
    args = parser.parse_args(argv)
    line = asyncio.run(
        main(args.members, args.days, args.seeds, args.mixes, not args.no_write_path)
    )
    print(line)


if __name__ == "__main__":
    cli(sys.argv[1:])
