"""Records read back from a real database filled through the domain services (SQLite and
PostgreSQL), including the replayed demo collective."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from animation.alerts import evaluate
from animation.load import load_records
from animation.members import member_profiles
from animation.records import Activity, BoardInfo, Kind, Member, Period
from animation.responses import time_to_first_response
from server.cli.demo_content import COLLECTIVE
from server.core.models import BoardKind, CardKind, ReactionKind, Role, User, clock_at
from server.core.platform import Essaim
from server.domain import boards, cards, collectives, discussion
from server.domain.accounts import identity
from server.domain.schemas import (
    BoardIn,
    CardIn,
    CardPatch,
    CollectiveIn,
    CommentIn,
    InvitationIn,
    ReactionIn,
    RegisterIn,
)
from tests.conftest import Demo

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


async def user(essaim: Essaim, name: str) -> User:
    body = RegisterIn(
        email=f"{name}@example.fr", password="correct horse battery", display_name=name
    )
    return (await identity.create_user(essaim, body)).user


async def test_loads_what_members_did(essaim: Essaim) -> None:
    with clock_at(T0):
        anna, marc, lea = [await user(essaim, n) for n in ("anna", "marc", "lea")]
        cid = (await collectives.create_collective(essaim, anna, CollectiveIn(name="Drôme")))["id"]
        for who in (marc, lea):
            invitation = await collectives.create_invitation(
                essaim, anna, cid, InvitationIn(role=Role.member), "http://test"
            )
            await collectives.accept_invitation(essaim, who, invitation.url.rsplit("/", 1)[1])
        board = await boards.create_board(
            essaim, anna, cid, BoardIn(name="Essais", kind=BoardKind.experiments)
        )
        # Another collective's activity must not leak in.
        other = await collectives.create_collective(essaim, lea, CollectiveIn(name="Autre"))
        other_board = await boards.create_board(
            essaim, lea, other["id"], BoardIn(name="Idées", kind=BoardKind.ideas)
        )
        await cards.create_card(essaim, lea, other_board["id"], CardIn(title="Ailleurs"))
    bid, columns = board["id"], [c["id"] for c in board["columns"]]
    with clock_at(T0 + timedelta(hours=1)):
        card = await cards.create_card(
            essaim, marc, bid, CardIn(kind=CardKind.experiment, title="Chaux-chanvre")
        )
    with clock_at(T0 + timedelta(hours=2)):
        await discussion.add_comment(essaim, lea, card["id"], CommentIn(body="Je suis partante"))
    with clock_at(T0 + timedelta(hours=3)):
        await discussion.add_reaction(
            essaim, anna, card["id"], ReactionIn(kind=ReactionKind.tried_it)
        )
    with clock_at(T0 + timedelta(hours=4)):
        patch = CardPatch(version=card["version"], column_id=columns[2])
        await cards.update_card(essaim, marc, card["id"], patch)

    records = await load_records(essaim, cid, T0 + timedelta(days=1))

    def did(hours: int, who: User, kind: Kind, **extra: object) -> Activity:
        return Activity(
            T0 + timedelta(hours=hours),
            who.id,
            kind,
            card["id"],
            bid,
            "experiment",
            marc.id,
            **extra,  # type: ignore[arg-type]
        )

    assert records.activities == [
        did(1, marc, Kind.post),
        did(2, lea, Kind.comment),
        did(3, anna, Kind.reaction, reaction="tried_it"),
        did(4, marc, Kind.move, column=2),
    ]
    assert records.members == [
        Member(anna.id, T0, "animator"),
        Member(marc.id, T0, "member"),
        Member(lea.id, T0, "member"),
    ]
    assert records.boards == [BoardInfo(bid, T0, "experiments", False)]
    # ``until`` and ``since`` bound the activities read.
    early = await load_records(essaim, cid, T0 + timedelta(hours=2, minutes=30))
    assert [a.kind for a in early.activities] == [Kind.post, Kind.comment]
    late = await load_records(essaim, cid, T0 + timedelta(days=1), since=T0 + timedelta(hours=3))
    assert [a.kind for a in late.activities] == [Kind.reaction, Kind.move]


async def test_demo_collective_feeds_the_metrics(demo: Demo) -> None:
    now, collective_id = demo.now, demo.result.collective_id
    assert collective_id is not None
    records = await load_records(demo.essaim, collective_id, now + timedelta(minutes=1))
    cards_ = [c for b in COLLECTIVE.boards for c in b.cards]
    kinds = [a.kind for a in records.activities]
    assert kinds.count(Kind.post) == len(cards_)
    assert kinds.count(Kind.comment) == sum(len(c.comments) for c in cards_)
    assert kinds.count(Kind.reaction) == sum(len(c.reactions) for c in cards_)
    # Replayed in time order, and every actor is a member.
    assert [a.at for a in records.activities] == sorted(a.at for a in records.activities)
    assert {a.actor_id for a in records.activities} <= {m.user_id for m in records.members}
    everything = Period(now - timedelta(days=400), now + timedelta(minutes=1))
    assert time_to_first_response(records.activities, everything).posts == len(cards_)
    profiles = member_profiles(records.activities, records.members, now)
    assert len(profiles) == len([p for p in COLLECTIVE.people if p.role != "observer"])
    evaluate(records.activities, records.members, records.boards, now)  # runs on real data
