"""What a running workshop changes on its board, for participants (animators are never
refused): frozen contributions, steps that take no new cards, the inbox of controlled intake,
and anonymous steps. The card, comment, reaction, attachment and ballot writes ask here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.errors import Conflict, ErrorCode
from server.core.models import Card, Membership, Role, Workshop, WorkshopStatus


async def running_workshop(session: AsyncSession, board_id: int) -> Workshop | None:
    """The workshop running on ``board_id``, if any (at most one: start refuses a second)."""
    return await session.scalar(
        select(Workshop).where(
            Workshop.board_id == board_id, Workshop.status == WorkshopStatus.running
        )
    )


def _participant(member: Membership) -> bool:
    return member.role != Role.animator


async def require_not_frozen(session: AsyncSession, board_id: int, member: Membership) -> None:
    """409 ``workshop_frozen`` for a participant's contribution while the animator froze them."""
    if not _participant(member):
        return
    frozen = await session.scalar(
        select(Workshop.id).where(
            Workshop.board_id == board_id,
            Workshop.status == WorkshopStatus.running,
            Workshop.frozen.is_(True),
        )
    )
    if frozen is not None:
        raise Conflict(
            "the animator froze contributions for a moment", code=ErrorCode.WORKSHOP_FROZEN
        )


@dataclass(frozen=True)
class NewCard:
    """Where and how a new card is posted on a board with a running workshop."""

    workshop_id: int | None = None
    column_id: int | None = None  # the inbox, instead of the column asked for
    anonymous: bool = False


def _step(workshop: Workshop) -> dict[str, Any]:
    return dict(workshop.steps[workshop.step_index])


async def new_card(session: AsyncSession, board_id: int, member: Membership) -> NewCard:
    """How a new card is posted now: refused (409 ``workshop_step``) when the step takes no
    cards from participants; sent to the inbox during an intake step; anonymous during an
    anonymous step (the animator's own cards too, so that named cards tell nothing)."""
    workshop = await running_workshop(session, board_id)
    if workshop is None:
        return NewCard()
    step = _step(workshop)
    participant = _participant(member)
    if participant and not step.get("cards", True):
        raise Conflict(
            f"the step « {step.get('title', '')} » takes no new cards",
            code=ErrorCode.WORKSHOP_STEP,
        )
    inbox = workshop.inbox_column_id if participant and step.get("intake") else None
    return NewCard(workshop.id, inbox, bool(step.get("anonymous")))


async def require_placeable(
    session: AsyncSession, card: Card, target_column_id: int, member: Membership
) -> None:
    """Only animators move a card out of (or into) the inbox of a running workshop."""
    if not _participant(member):
        return
    workshop = await running_workshop(session, card.board_id)
    if workshop is None or workshop.inbox_column_id is None:
        return
    if workshop.inbox_column_id in (card.column_id, target_column_id) and (
        card.column_id != target_column_id
    ):
        raise Conflict(
            "the animator places the inbox's cards on the board", code=ErrorCode.WORKSHOP_INTAKE
        )
