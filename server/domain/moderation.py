"""The review queue: members flag cards and comments, animators resolve the flags.

A flag's reporter is known to animators only: flag events are restricted (members get them
redacted) and carry no board or card, so nobody else learns what was flagged. Resolving a
flag resolves every open flag on the same target, with the same outcome; "hidden" hides the
target through the usual moderation path (``cards.hide_card``, ``discussion.hide_comment``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.errors import Conflict, ErrorCode, NotFound
from server.core.models import (
    Board,
    Card,
    Comment,
    Flag,
    FlagOutcome,
    FlagStatus,
    Moderation,
    User,
    utcnow,
)
from server.core.platform import Essaim
from server.domain import audit
from server.domain.access import Action, card_for, comment_for, membership
from server.domain.cards import hide_card
from server.domain.discussion import excerpt, hide_comment
from server.domain.notify.collective import notify_flag
from server.domain.schemas import FlagIn, FlagResolveIn
from server.domain.views import iso, user_view
from server.events.kinds import EventKind
from server.events.write import Write, write

MAX_LIST = 500


async def flag_card(essaim: Essaim, user: User, card_id: int, body: FlagIn) -> dict[str, Any]:
    async with write(essaim, user) as w:
        card, _ = await card_for(w.session, user, card_id, Action.write)
        return await _flag(w, user, card, "card", card.id, body)


async def flag_comment(essaim: Essaim, user: User, comment_id: int, body: FlagIn) -> dict[str, Any]:
    async with write(essaim, user) as w:
        comment, card, _ = await comment_for(w.session, user, comment_id, Action.write)
        return await _flag(w, user, card, "comment", comment.id, body)


async def _flag(
    w: Write, user: User, card: Card, target_type: str, target_id: int, body: FlagIn
) -> dict[str, Any]:
    already = await w.session.scalar(
        select(Flag.id).where(
            Flag.reporter_id == user.id,
            Flag.target_type == target_type,
            Flag.target_id == target_id,
            Flag.status == FlagStatus.open,
        )
    )
    if already is not None:
        raise Conflict(
            "you already flagged this; an animator will look at it", code=ErrorCode.ALREADY_FLAGGED
        )
    flag = Flag(
        collective_id=card.collective_id,
        target_type=target_type,
        target_id=target_id,
        card_id=card.id,
        reporter_id=user.id,
        reason=body.reason,
        note=body.note or None,
        created_at=utcnow(),
    )
    w.session.add(flag)
    await w.session.flush()
    full = (await flag_views(w.session, [flag]))[0]
    await w.emit(card.collective_id, EventKind.flag_created, full, restricted=True)
    await notify_flag(w, flag, card)
    return own_view(flag)


def own_view(flag: Flag) -> dict[str, Any]:
    """What the reporter sees of their own flag (nothing about others' flags)."""
    return {
        "id": flag.id,
        "target_type": flag.target_type,
        "target_id": flag.target_id,
        "card_id": flag.card_id,
        "reason": flag.reason,
        "note": flag.note,
        "status": flag.status,
        "created_at": iso(flag.created_at),
    }


async def list_flags(
    essaim: Essaim, user: User, collective_id: int, status: str
) -> list[dict[str, Any]]:
    """The collective's flags with ``status``, newest first (animators)."""
    async with essaim.db.read() as session:
        await membership(session, user, collective_id, Action.manage)
        flags = list(
            await session.scalars(
                select(Flag)
                .where(Flag.collective_id == collective_id, Flag.status == status)
                .order_by(Flag.id.desc())
                .limit(MAX_LIST)
            )
        )
        return await flag_views(session, flags)


async def resolve_flag(
    essaim: Essaim, user: User, flag_id: int, body: FlagResolveIn
) -> dict[str, Any]:
    async with write(essaim, user) as w:
        flag = await w.session.get(Flag, flag_id)
        if flag is None:
            raise NotFound("flag")
        try:
            await membership(w.session, user, flag.collective_id, Action.manage)
        except NotFound:
            raise NotFound("flag") from None
        await w.session.refresh(flag)  # read again under the collective's lock
        if flag.status != FlagStatus.open:
            raise Conflict("this flag is already resolved", code=ErrorCode.FLAG_RESOLVED)
        together = list(
            await w.session.scalars(
                select(Flag).where(
                    Flag.target_type == flag.target_type,
                    Flag.target_id == flag.target_id,
                    Flag.status == FlagStatus.open,
                )
            )
        )
        now = utcnow()
        for each in together:
            each.status = FlagStatus.resolved
            each.outcome = body.outcome
            each.resolved_by = user.id
            each.resolved_at = now
        hidden = body.outcome == FlagOutcome.hidden and await _hide_target(w, flag)
        await w.session.flush()
        views = await flag_views(w.session, [flag])
        detail = {
            "flag_id": flag.id,
            "outcome": body.outcome,
            "reason": flag.reason,
            "flags": len(together),
            "hidden": hidden,
        }
        audit.record(
            w, flag.collective_id, "flag.resolved", flag.target_type, flag.target_id, detail
        )
        data = {**views[0], "resolved_flag_ids": sorted(f.id for f in together)}
        await w.emit(flag.collective_id, EventKind.flag_resolved, data, restricted=True)
    return data


async def _hide_target(w: Write, flag: Flag) -> bool:
    """Hide the flagged card or comment if it is still published; whether it was."""
    detail = {"flag_id": flag.id}
    card = await w.session.get(Card, flag.card_id)
    assert card is not None  # flags go with their card (ON DELETE CASCADE)
    if flag.target_type == "card":
        if card.moderation != Moderation.published:
            return False
        await hide_card(w, card, detail)
        return True
    comment = await w.session.get(Comment, flag.target_id)
    if comment is None or comment.moderation != Moderation.published:
        return False
    await hide_comment(w, comment, card, detail)
    return True


async def flag_views(session: AsyncSession, flags: list[Flag]) -> list[dict[str, Any]]:
    """Animators' view of flags: target, card and board, comment excerpt, reporter, counts."""
    if not flags:
        return []
    card_ids = {f.card_id for f in flags}
    cards = {
        card.id: (card, board_name)
        for card, board_name in await session.execute(
            select(Card, Board.name)
            .join(Board, Board.id == Card.board_id)
            .where(Card.id.in_(card_ids))
        )
    }
    comment_ids = {f.target_id for f in flags if f.target_type == "comment"}
    comments = {
        c.id: c for c in await session.scalars(select(Comment).where(Comment.id.in_(comment_ids)))
    }
    user_ids = {f.reporter_id for f in flags} | {f.resolved_by for f in flags if f.resolved_by}
    users = {u.id: u for u in await session.scalars(select(User).where(User.id.in_(user_ids)))}
    targets = {(f.target_type, f.target_id) for f in flags}
    counts: dict[tuple[str, int], tuple[int, int]] = {}
    for target_type, target_id in targets:
        row = (
            await session.execute(
                select(
                    func.count(),
                    func.count().filter(Flag.status == FlagStatus.open),
                ).where(Flag.target_type == target_type, Flag.target_id == target_id)
            )
        ).one()
        counts[(target_type, target_id)] = (int(row[0]), int(row[1]))
    out = []
    for flag in flags:
        card, board_name = cards[flag.card_id]
        comment = comments.get(flag.target_id) if flag.target_type == "comment" else None
        total, still_open = counts[(flag.target_type, flag.target_id)]
        resolver = users.get(flag.resolved_by) if flag.resolved_by else None
        out.append(
            {
                **own_view(flag),
                "collective_id": flag.collective_id,
                "card": {
                    "id": card.id,
                    "title": card.title,
                    "board_id": card.board_id,
                    "board_name": board_name,
                    "moderation": card.moderation,
                },
                "comment": {
                    "id": comment.id,
                    "excerpt": excerpt(comment.body),
                    "moderation": comment.moderation,
                }
                if comment is not None
                else None,
                "reporter": user_view(users[flag.reporter_id]),
                "outcome": flag.outcome,
                "resolved_by": user_view(resolver) if resolver else None,
                "resolved_at": iso(flag.resolved_at),
                "flag_count": total,
                "open_flag_count": still_open,
            }
        )
    return out
