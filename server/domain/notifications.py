"""In-app notifications: what waits for one user (nudges, welcomes), newest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from server.core.errors import NotFound
from server.core.models import Notification, User, utcnow
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
