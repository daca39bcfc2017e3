"""The demo collective: loaded through the domain services, with a lived-in, time-ordered,
gap-free event log; loading it again changes nothing."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select

from server.cli.demo import load_demo
from server.cli.demo_content import COLLECTIVE, DEMO_PASSWORD
from server.core.models import (
    Base,
    Board,
    BoardColumn,
    Card,
    Collective,
    Comment,
    Event,
    Membership,
    Phase,
    Reaction,
    User,
)
from server.core.platform import Essaim
from tests.conftest import Demo


async def row_counts(essaim: Essaim) -> dict[str, int]:
    async with essaim.db.read() as session:
        return {
            table.name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


async def test_demo_loads_people_phases_and_boards_exactly_once(demo: Demo) -> None:
    essaim, result = demo.essaim, demo.result
    counts = await row_counts(essaim)
    again = await load_demo(essaim)
    assert again.already_loaded and again.collective_id is None
    assert again.animator_email == result.animator_email
    assert await row_counts(essaim) == counts, "loading twice must duplicate nothing"
    assert counts["collectives"] == 1 and counts["events"] > 100
    assert not result.already_loaded
    assert result.collective_id is not None
    assert result.password == DEMO_PASSWORD
    cid = result.collective_id
    async with essaim.db.read() as session:
        collective = await session.get(Collective, cid)
        assert collective is not None and collective.name == COLLECTIVE.name
        roles = Counter(
            await session.scalars(select(Membership.role).where(Membership.collective_id == cid))
        )
        assert roles == {"animator": 1, "member": 12, "observer": 1}
        animator = await session.scalar(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.collective_id == cid, Membership.role == "animator")
        )
        assert animator is not None and animator.email == result.animator_email
        assert await session.scalar(select(func.count()).select_from(User)) == 14
        skilled = await session.scalar(
            select(func.count()).where(Membership.collective_id == cid, Membership.trade != "")
        )
        assert skilled == 14

        phases = Counter(
            await session.scalars(select(Phase.kind).where(Phase.collective_id == cid))
        )
        assert phases == {"collective": 1, "individual": 1}

        boards = list(
            await session.scalars(
                select(Board).where(Board.collective_id == cid).order_by(Board.id)
            )
        )
        assert [b.name for b in boards] == [b.name for b in COLLECTIVE.boards]
        for board, content in zip(boards, COLLECTIVE.boards, strict=True):
            columns = list(
                await session.scalars(
                    select(BoardColumn.id)
                    .where(BoardColumn.board_id == board.id)
                    .order_by(BoardColumn.position)
                )
            )
            cards = {
                card.title: card
                for card in await session.scalars(select(Card).where(Card.board_id == board.id))
            }
            assert sorted(cards) == sorted(c.title for c in content.cards)
            for demo_card in content.cards:
                card = cards[demo_card.title]
                assert card.column_id == columns[demo_card.column], demo_card.title
                assert card.moderation == "published"
            card_ids = [c.id for c in cards.values()]
            comments = await session.scalar(
                select(func.count()).where(Comment.card_id.in_(card_ids))
            )
            assert comments == sum(len(c.comments) for c in content.cards) > 0
            reactions = await session.scalar(
                select(func.count()).where(Reaction.card_id.in_(card_ids))
            )
            expected = sum(len(set(c.reactions)) for c in content.cards)
            assert reactions == expected > 0


async def test_demo_event_log_is_gap_free_and_in_time_order(demo: Demo) -> None:
    essaim, result = demo.essaim, demo.result
    async with essaim.db.read() as session:
        events = list(
            await session.scalars(
                select(Event).where(Event.collective_id == result.collective_id).order_by(Event.seq)
            )
        )
        last_seq = await session.scalar(
            select(Collective.last_seq).where(Collective.id == result.collective_id)
        )
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert last_seq == len(events)
    kinds = Counter(e.kind for e in events)
    assert kinds["card.created"] == sum(len(b.cards) for b in COLLECTIVE.boards)
    assert kinds["member.joined"] == 14
    assert kinds["comment.created"] > 0 and kinds["reaction.added"] > 0
    out_of_order: list[tuple[Any, ...]] = [
        (
            before.seq,
            before.kind,
            before.at.isoformat(),
            after.seq,
            after.kind,
            after.at.isoformat(),
        )
        for before, after in zip(events, events[1:], strict=False)
        if after.at < before.at
    ]
    assert not out_of_order, out_of_order[:5]
