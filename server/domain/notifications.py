"""In-app notifications: what waits for one user, newest first — nudges and welcomes from an
animator, comments on one's card or on a card one commented, answers to one's question
(``notify_comment``: one unread notification per card and person, grouped as more come), and
action reminders (server/domain/diagnostics/reminders.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from server.core.errors import NotFound
from server.core.models import (
    Card,
    CardKind,
    Comment,
    Membership,
    Moderation,
    Notification,
    Role,
    User,
    utcnow,
)
from server.core.platform import Essaim
from server.domain.views import iso
from server.events.write import Write, write

# The title of a nudge's notification (animation.nudges sends it; account erasure renames the
# sender in it, so both read the one template).
NUDGE_TITLE = "Un message de {sender} ({collective})"


def notification_view(n: Notification) -> dict[str, Any]:
    return {
        "id": n.id,
        "kind": n.kind,
        "collective_id": n.collective_id,
        "title": n.title,
        "body": n.body,
        "data": dict(n.data),
        "created_at": iso(n.created_at),
        "read_at": iso(n.read_at),
    }


async def notify(
    w: Write,
    user_id: int,
    collective_id: int | None,
    kind: str,
    title: str,
    body: str,
    data: dict[str, Any] | None = None,
) -> Notification:
    """Add a notification for ``user_id`` inside the caller's write."""
    notification = Notification(
        user_id=user_id,
        collective_id=collective_id,
        kind=kind,
        title=title[:200],
        body=body,
        data=data or {},
        created_at=utcnow(),
    )
    w.session.add(notification)
    await w.session.flush()
    return notification


async def list_notifications(essaim: Essaim, user: User, limit: int) -> dict[str, Any]:
    async with essaim.db.read() as session:
        rows = await session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
        unread = await session.scalar(
            select(func.count()).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        return {"notifications": [notification_view(n) for n in rows], "unread": unread or 0}


async def mark_read(essaim: Essaim, user: User, notification_id: int) -> None:
    """Mark one of the caller's notifications read (idempotent); others' are 404."""
    async with write(essaim, user) as w:
        found = await w.session.scalar(
            select(Notification.id).where(
                Notification.id == notification_id, Notification.user_id == user.id
            )
        )
        if found is None:
            raise NotFound("notification")
        await w.session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
        )


async def mark_many(essaim: Essaim, user: User, ids: list[int] | None) -> dict[str, int]:
    """Mark the caller's notifications ``ids`` read (all of them when None); ids that are not
    the caller's are ignored, so nothing tells whose they are. Answers the unread count."""
    async with write(essaim, user) as w:
        query = update(Notification).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
        if ids is not None:
            query = query.where(Notification.id.in_(ids))
        await w.session.execute(query.values(read_at=utcnow()))
        unread = await w.session.scalar(
            select(func.count()).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
    return {"unread": unread or 0}


# Kinds written when someone comments (``notify_comment``).
COMMENT_KINDS = ("comment", "answer")


async def notify_comment(w: Write, card: Card, comment: Comment, author: User) -> None:
    """Tell the card's author (an answer when the card is a question) and the others who
    commented on it, except the commenter and whoever left the collective. One unread
    notification per card and person: a new comment updates it (« 3 nouveaux commentaires »)
    instead of adding another."""
    earlier = set(
        await w.session.scalars(
            select(Comment.author_id).where(
                Comment.card_id == card.id,
                Comment.id != comment.id,
                Comment.moderation == Moderation.published,
            )
        )
    )
    wanted = ({card.author_id} | earlier) - {author.id}
    if not wanted:
        return
    members = set(
        await w.session.scalars(
            select(Membership.user_id).where(
                Membership.collective_id == card.collective_id,
                Membership.user_id.in_(wanted),
                Membership.role != Role.observer,
            )
        )
    )
    for user_id in sorted(members):
        own = user_id == card.author_id
        kind = "answer" if own and card.kind == CardKind.question else "comment"
        pending = [
            n
            for n in await w.session.scalars(
                select(Notification).where(
                    Notification.user_id == user_id,
                    Notification.kind.in_(COMMENT_KINDS),
                    Notification.read_at.is_(None),
                )
            )
            if n.data.get("card_id") == card.id
        ]
        count = 1 + (int(pending[0].data.get("count", 1)) if pending else 0)
        title = _comment_title(kind, own, author.display_name, card.title, count)
        data = {
            "card_id": card.id,
            "comment_id": comment.id,
            "count": count,
            "url": f"/cards/{card.id}#comment-{comment.id}",
            # Who wrote it: erasure renames them here (server/domain/accounts/pseudonyms.py).
            "sender": {"id": author.id, "display_name": author.display_name},
        }
        if pending:
            pending[0].kind, pending[0].title, pending[0].data = kind, title[:200], data
            pending[0].body = comment.body[:280]
            pending[0].created_at = utcnow()
        else:
            await notify(w, user_id, card.collective_id, kind, title, comment.body[:280], data)


def _comment_title(kind: str, own: bool, who: str, card: str, count: int) -> str:
    if count > 1:
        return f"{count} nouveaux commentaires sur « {card} »"
    if kind == "answer":
        return f"{who} a répondu à votre question « {card} »"
    if own:
        return f"{who} a commenté votre fiche « {card} »"
    return f"{who} a aussi commenté « {card} »"
