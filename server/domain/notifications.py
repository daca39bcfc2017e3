"""Notifications: what waits for one user, newest first, written inside the write that causes
it (``notify``, as the person's preferences say: server/domain/notify/), listed and marked
read; each change of a person's unread count is published for their open sockets.

The writers: server/domain/notify/cards.py (comments, answers, mentions, reactions),
server/domain/notify/collective.py (meetings, votes, invitations, flags), animation/nudges.py
(nudges, welcomes), server/domain/diagnostics/reminders.py (actions due). Emails:
server/domain/notify/dispatch.py."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.errors import NotFound
from server.core.models import (
    Membership,
    Notification,
    User,
    utcnow,
)
from server.core.platform import Essaim
from server.domain.notify.kinds import Delivery, delivery_of
from server.domain.views import iso
from server.events.wire import NOTIFICATIONS_CHANNEL
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
    *,
    thread: str = "",
    prefs: dict[str, str] | None = None,
) -> Notification | None:
    """Add a notification for ``user_id`` inside the caller's write, delivered as their
    preferences for ``kind`` in that collective say (None when they want none of it). Its
    emails are grouped by ``thread`` (default: its own). The recipient's unread count is
    published after commit (the bell updates live)."""
    if prefs is None and collective_id is not None:
        prefs = await w.session.scalar(
            select(Membership.notification_prefs).where(
                Membership.collective_id == collective_id, Membership.user_id == user_id
            )
        )
    delivery = delivery_of(prefs or {}, kind)
    if delivery == Delivery.never:
        return None
    notification = Notification(
        user_id=user_id,
        collective_id=collective_id,
        kind=kind,
        title=title[:200],
        body=body,
        data=data or {},
        created_at=utcnow(),
        thread=thread,
        delivery=delivery.value,
    )
    w.session.add(notification)
    await w.session.flush()
    if not thread:
        notification.thread = f"{kind}:{notification.id}"[:40]
    changed_count(w, user_id)
    return notification


def changed_count(w: Write, user_id: int) -> None:
    """Publish ``user_id``'s unread count once ``w`` committed (once per write for all)."""
    users: set[int] | None = w.session.info.get(_NOTIFIED)
    if users is None:
        users = w.session.info[_NOTIFIED] = set()
        essaim = w.essaim
        w.after_commit(lambda: publish_unread(essaim, users))
    users.add(user_id)


_NOTIFIED = "essaim.notified"


async def unread_counts(session: AsyncSession, user_ids: set[int]) -> dict[int, int]:
    rows = await session.execute(
        select(Notification.user_id, func.count())
        .where(Notification.user_id.in_(user_ids), Notification.read_at.is_(None))
        .group_by(Notification.user_id)
    )
    counts = {uid: 0 for uid in user_ids}
    counts.update({uid: n for uid, n in rows})
    return counts


async def publish_unread(essaim: Essaim, user_ids: set[int]) -> None:
    """Tell every process the unread counts of ``user_ids`` (their sockets get them)."""
    if not user_ids:
        return
    async with essaim.db.read() as session:
        counts = await unread_counts(session, user_ids)
    message = {"unread": {str(uid): n for uid, n in counts.items()}}
    await essaim.broker.publish(NOTIFICATIONS_CHANNEL, message)


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
        changed_count(w, user.id)


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
        changed_count(w, user.id)
        unread = await w.session.scalar(
            select(func.count()).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
    return {"unread": unread or 0}
