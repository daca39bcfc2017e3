"""The simulated collective without a database: its cast (with the ground truth) and what each
member does at each session, decided by one seeded generator.

``bench.simulate_collective`` writes these decisions through the real write path, or, for the
extra seeds, turns them straight into ``animation.records`` (``synthesize``); both consume the
generator in the same order, so one seed gives the same history either way (the simulation
checks it on its first seed).
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from animation.records import Activity, Kind, Member

START = datetime(2026, 1, 5, tzinfo=UTC)
BEHAVIOURS = ("steady", "fading", "late", "lurking", "burst")
BOARDS = ("idea", "practice", "question")  # the kind of card posted on each board
REACTIONS = ("useful", "plus_one", "tried_it")  # server.core.models.ReactionKind, in order

# Population mixes: shares of the members (the animator aside), so any --members keeps the
# same mix, and the rhythms steady-like members draw from (a session every N days).
# "default" is the collective. "quiet" is a harder one, not used to choose any
# threshold: more lurkers and bursts, slower rhythms, and more of the fading members weekly.
MIXES: dict[str, tuple[dict[str, float], tuple[int, ...]]] = {
    "default": ({"fading": 0.2, "late": 0.15, "lurking": 0.17, "burst": 0.13}, (1, 2, 3, 4, 7)),
    "quiet": ({"fading": 0.2, "late": 0.1, "lurking": 0.25, "burst": 0.2}, (2, 3, 4, 7, 7)),
}


@dataclass
class Persona:
    index: int
    behaviour: str
    joins: int  # day of joining
    days: list[int]  # days with a session
    # Fading members: ``drawn`` is the day their habit ended (sessions from then on never
    # happen); ``change`` is the first session they would have had on or after it, the first
    # day on which their absence is observable — detection is counted from there.
    change: int | None = None
    drawn: int | None = None
    period: int = 0  # the rhythm of steady-like members, in days
    # Steady-like members: every session of their habit, kept or skipped (for fading members,
    # the habit as it would have gone on): only the oracle of the simulation reads it.
    planned: list[int] = field(default_factory=list)


def personas(members: int, days: int, rng: random.Random, mix: str = "default") -> list[Persona]:
    """The cast, with their active days decided up front (the ground truth)."""
    shares, periods = MIXES[mix]
    others = members - 1
    counts = {b: round(share * others) for b, share in shares.items()}
    counts["steady"] = others - sum(counts.values())
    kinds = [b for b in BEHAVIOURS for _ in range(counts[b])]
    rng.shuffle(kinds)
    kept, planned = rhythm(rng, 0, days, 1, 0.9)
    cast = [Persona(0, "animator", 0, kept, period=1, planned=planned)]
    for i, kind in enumerate(kinds, start=1):
        period = rng.choice(periods)
        if kind == "steady":
            kept, planned = rhythm(rng, 0, days, period, 0.8)
            cast.append(Persona(i, kind, 0, kept, period=period, planned=planned))
        elif kind == "fading":
            drawn = rng.randint(days // 5, days - 30)  # leave time to see it
            kept, planned = rhythm(rng, 0, days, period, 0.8)
            change = min((d for d in planned if d >= drawn), default=drawn)
            active = [d for d in kept if d < drawn]
            cast.append(Persona(i, kind, 0, active, change, drawn, period, planned))
        elif kind == "late":
            joins = rng.randint(days // 6, days * 2 // 3)
            active, planned = rhythm(rng, joins, days, period, 0.8)
            cast.append(Persona(i, kind, joins, active, period=period, planned=planned))
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


def rhythm(
    rng: random.Random, first: int, days: int, period: int, keep: float
) -> tuple[list[int], list[int]]:
    """Sessions every ``period`` days (± a day), each kept with probability ``keep``: the
    kept days, and every planned one (kept or skipped)."""
    kept, planned, d = [], [], first + rng.randint(0, period)
    while d < days:
        planned.append(d)
        if rng.random() < keep:
            kept.append(d)
        jitter = rng.choice((-1, 0, 0, 1)) if period > 2 else 0  # habits are not clockwork
        d += period + jitter
    return kept, planned


@dataclass(frozen=True)
class Step:
    """One thing to do: join, post on a board, comment on a card, or react to it."""

    moment: datetime
    persona: Persona
    order: int  # -1: join; else the rank of the action within the session


def plan(cast: list[Persona], rng: random.Random) -> list[Step]:
    """Every join and action of the history, in time order."""
    steps = [Step(START + timedelta(days=p.joins, hours=6), p, -1) for p in cast[1:]]
    for p in cast:
        for d in p.days:
            moment = START + timedelta(days=d, hours=rng.randint(7, 19), minutes=rng.randint(0, 59))
            for n in range(rng.randint(1, 3)):
                steps.append(Step(moment + timedelta(minutes=7 * n), p, n))
    steps.sort(key=lambda s: (s.moment, s.persona.index, s.order))
    return steps


@dataclass(frozen=True)
class Choice:
    kind: Kind  # post, comment or reaction
    board: int = 0  # post: index in BOARDS
    card: int = 0  # comment, reaction: the card's id
    reaction: str = ""


@dataclass
class Scene:
    """What a member can see when deciding: the cards posted so far, in time order."""

    cards: list[tuple[int, datetime, int]] = field(default_factory=list)  # id, at, author index
    times: list[datetime] = field(default_factory=list)
    reacted: set[tuple[int, int]] = field(default_factory=set)  # persona index, card id

    def posted(self, card: int, moment: datetime, p: Persona) -> None:
        self.cards.append((card, moment, p.index))
        self.times.append(moment)

    def decide(self, p: Persona, moment: datetime, rng: random.Random) -> Choice:
        # Cards of the last three weeks by someone else (``times`` is sorted: the first
        # recent card is found by bisection instead of scanning the whole history).
        first = bisect.bisect_right(self.times, moment - timedelta(days=21))
        recent = [c for c in self.cards[first:] if c[2] != p.index]
        roll = rng.random()
        if not recent or roll < 0.3:
            return Choice(Kind.post, board=rng.randrange(len(BOARDS)))
        card = rng.choice(recent)[0]
        if roll < 0.75 or (p.index, card) in self.reacted:
            return Choice(Kind.comment, card=card)
        self.reacted.add((p.index, card))  # reacting twice writes nothing: not an activity
        return Choice(Kind.reaction, card=card, reaction=rng.choice(REACTIONS))


def synthesize(
    cast: list[Persona], rng: random.Random
) -> tuple[list[Activity], list[Member], dict[int, int]]:
    """The history as records, without the write path: activities, members, and each user id's
    persona index (user id = persona index + 1, card ids from 1)."""
    scene = Scene()
    members = [Member(1, START - timedelta(hours=1), "animator")]
    authors: dict[int, tuple[int, int]] = {}  # card id → author user id, board index
    activities = []
    for step in plan(cast, rng):
        user = step.persona.index + 1
        if step.order < 0:
            members.append(Member(user, step.moment, "member"))
            continue
        choice = scene.decide(step.persona, step.moment, rng)
        if choice.kind is Kind.post:
            card = len(scene.cards) + 1
            scene.posted(card, step.moment, step.persona)
            authors[card] = (user, choice.board)
        else:
            card = choice.card
        author, board = authors[card]
        activities.append(
            Activity(
                at=step.moment,
                actor_id=user,
                kind=choice.kind,
                card_id=card,
                board_id=board + 1,
                card_kind=BOARDS[board],
                card_author_id=author,
                reaction=choice.reaction,
            )
        )
    members.sort(key=lambda m: m.user_id)
    return activities, members, {p.index + 1: p.index for p in cast}
