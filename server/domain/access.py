"""Who may do what: membership lookups and the role rules, in one place.

    action   animator  member  observer  non-member
    read     yes       yes     yes       404
    write    yes       yes     403       404   (cards, comments, reactions, attachments)
    manage   yes       403     403       404   (collective, members, invitations, boards, phases,
                                                moderation, others' content)

Anything in a collective the user does not belong to answers 404, never 403, so ids do not
reveal what exists. Hidden or deleted content is 404 for everyone but animators (hidden).

Called inside a write, every lookup first locks the collective it is about through the write
path (``server.events.write.lock_collective``), so the role and the rows it checked stay true
until the write commits; in a read it locks nothing.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.errors import Conflict, ErrorCode, Forbidden, NotFound
from server.core.models import Board, Card, Comment, Membership, Moderation, Role, User
from server.domain.workshops.rules import require_not_frozen
from server.events.write import lock_collective


class Action(StrEnum):
    read = "read"
    write = "write"
    manage = "manage"


ALLOWED: dict[Action, frozenset[str]] = {
    Action.read: frozenset({Role.animator, Role.member, Role.observer}),
    Action.write: frozenset({Role.animator, Role.member}),
    Action.manage: frozenset({Role.animator}),
}


async def find_membership(
    session: AsyncSession, collective_id: int, user_id: int
) -> Membership | None:
    return await session.scalar(
        select(Membership).where(
            Membership.collective_id == collective_id, Membership.user_id == user_id
        )
    )


async def membership(
    session: AsyncSession, user: User, collective_id: int, action: Action = Action.read
) -> Membership:
    """The user's membership of the collective, checked against ``action`` (locked first
    inside a write)."""
    await lock_collective(session, collective_id)
    found = await find_membership(session, collective_id, user.id)
    if found is None:
        raise NotFound("collective")
    if found.role not in ALLOWED[action]:
        raise Forbidden(f"your role ({found.role}) does not allow this ({action})")
    return found


def is_animator(member: Membership) -> bool:
    return member.role == Role.animator


async def board_for(
    session: AsyncSession, user: User, board_id: int, action: Action = Action.read
) -> tuple[Board, Membership]:
    board = await session.get(Board, board_id)
    if board is None:
        raise NotFound("board")
    await lock_collective(session, board.collective_id, reread=board)
    try:
        member = await membership(session, user, board.collective_id, action)
    except NotFound:
        raise NotFound("board") from None
    return board, member


async def card_for(
    session: AsyncSession, user: User, card_id: int, action: Action = Action.read
) -> tuple[Card, Membership]:
    card = await session.get(Card, card_id)
    if card is not None:
        await lock_collective(session, card.collective_id, reread=card)
    if card is None or card.moderation == Moderation.deleted:
        raise NotFound("card")
    try:
        member = await membership(session, user, card.collective_id, Action.read)
    except NotFound:
        raise NotFound("card") from None
    if card.moderation == Moderation.hidden and not is_animator(member):
        raise NotFound("card")
    if member.role not in ALLOWED[action]:
        raise Forbidden(f"your role ({member.role}) does not allow this ({action})")
    return card, member


async def comment_for(
    session: AsyncSession, user: User, comment_id: int, action: Action = Action.read
) -> tuple[Comment, Card, Membership]:
    comment = await session.get(Comment, comment_id)
    if comment is not None:
        await lock_collective(session, comment.collective_id, reread=comment)
    if comment is None or comment.moderation == Moderation.deleted:
        raise NotFound("comment")
    try:
        card, member = await card_for(session, user, comment.card_id, Action.read)
    except NotFound:
        raise NotFound("comment") from None
    if comment.moderation == Moderation.hidden and not is_animator(member):
        raise NotFound("comment")
    # The role is checked last, so a refusal never reveals that hidden content exists.
    if member.role not in ALLOWED[action]:
        raise Forbidden(f"your role ({member.role}) does not allow this ({action})")
    return comment, card, member


async def require_open_board(session: AsyncSession, board_id: int, member: Membership) -> None:
    """Only animators add, edit or move cards, comment or attach files on an archived board
    (409 ``board_archived``), a locked one (409 ``board_locked``) or while the animator froze
    a workshop's contributions (409 ``workshop_frozen``)."""
    board = await session.get(Board, board_id)
    if board is None or is_animator(member):
        return
    _require_unarchived(board, member)
    if board.locked:
        raise Conflict("this board is locked by its animators", code=ErrorCode.BOARD_LOCKED)
    await require_not_frozen(session, board_id, member)


def _require_unarchived(board: Board, member: Membership) -> None:
    """An archived board is read-only for all but its animators, who still moderate it and
    unarchive it (409 ``board_archived``). Stricter than a lock, it refuses new reactions too;
    withdrawing what one wrote (deleting one's card or comment, taking a reaction back) and
    flagging stay possible."""
    if board.archived and not is_animator(member):
        raise Conflict("this board is archived: it is read-only", code=ErrorCode.BOARD_ARCHIVED)


async def require_unarchived_board(
    session: AsyncSession, board_id: int, member: Membership
) -> None:
    board = await session.get(Board, board_id)
    if board is not None:
        _require_unarchived(board, member)


def sees_author(card: Card, user: User, member: Membership) -> bool:
    """Whether ``user`` sees who wrote ``card``: always, unless it was posted during an
    anonymous workshop step; then only its author and the animators do."""
    return not card.anonymous or is_animator(member) or card.author_id == user.id


def require_owner_or_animator(owner_id: int, user: User, member: Membership) -> None:
    if owner_id != user.id and not is_animator(member):
        raise Forbidden("only its author or an animator may change this")
