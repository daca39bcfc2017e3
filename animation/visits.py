"""Visits: a member opening a collective, a board or a card, recorded cheaply for the
engagement metrics — no event, no publish, at most one row per target and debounce interval."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.errors import InvalidInput, NotFound
from server.core.models import Board, Card, Membership, Moderation, Role, User, Visit, utcnow
from server.core.platform import Essaim
from server.events.write import write


async def _check_target(
    session: AsyncSession,
    member: Membership,
    board_id: int | None,
    card_id: int | None,
) -> None:
    """The board and card must be of this collective and visible to the member."""
    cid = member.collective_id
    if board_id is not None:
        board = await session.get(Board, board_id)
        if board is None or board.collective_id != cid:
            raise InvalidInput("unknown board", fields={"board_id": "no such board here"})
    if card_id is not None:
        card = await session.get(Card, card_id)
        visible = {Moderation.published}
        if member.role == Role.animator:
            visible.add(Moderation.hidden)
        if card is None or card.collective_id != cid or card.moderation not in visible:
            raise InvalidInput("unknown card", fields={"card_id": "no such card here"})
        if board_id is not None and card.board_id != board_id:
            raise InvalidInput("the card is not on this board", fields={"card_id": "not on board"})


async def record_visit(
    essaim: Essaim, user: User, collective_id: int, board_id: int | None, card_id: int | None
) -> bool:
    """Record that ``user`` opened this target now, unless they did within the debounce
    interval; answers whether a row was written."""
    async with write(essaim, user) as w:
        # Locking the visitor's own membership row serialises their concurrent visits (so
        # the debounce holds) without touching the collective row every writer locks.
        member = await w.session.scalar(
            select(Membership)
            .where(Membership.collective_id == collective_id, Membership.user_id == user.id)
            .with_for_update()
        )
        if member is None:
            raise NotFound("collective")
        await _check_target(w.session, member, board_id, card_id)
        now = utcnow()
        recent = await w.session.scalar(
            select(Visit.id)
            .where(
                Visit.collective_id == collective_id,
                Visit.user_id == user.id,
                Visit.board_id.is_(None) if board_id is None else Visit.board_id == board_id,
                Visit.card_id.is_(None) if card_id is None else Visit.card_id == card_id,
                Visit.at > now - timedelta(seconds=essaim.settings.visit_debounce),
            )
            .limit(1)
        )
        if recent is not None:
            return False
        w.session.add(
            Visit(
                collective_id=collective_id,
                user_id=user.id,
                board_id=board_id,
                card_id=card_id,
                at=now,
            )
        )
    return True


async def last_visit(
    essaim: Essaim, user: User, collective_id: int, board_id: int | None, card_id: int | None
) -> datetime | None:
    """When ``user`` last opened this target (before the page being shown records its own
    visit): what came after is « nouveau depuis votre dernière visite »."""
    async with essaim.db.read() as session:
        found: datetime | None = await session.scalar(
            select(func.max(Visit.at)).where(
                Visit.collective_id == collective_id,
                Visit.user_id == user.id,
                Visit.board_id.is_(None) if board_id is None else Visit.board_id == board_id,
                Visit.card_id.is_(None) if card_id is None else Visit.card_id == card_id,
            )
        )
    return found
