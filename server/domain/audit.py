"""The audit log of what animators did: every moderation action (hiding, restoring, pinning,
locking, resolving flags) and every change to a membership (role changed, member removed)
adds one entry to the transaction of the action itself, so the entry commits with it or not at
all; animators read the log newest first, page by page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.core.models import AuditEntry, User, utcnow
from server.core.platform import Essaim
from server.domain.access import Action, membership
from server.domain.views import iso, user_view
from server.events.write import Write

MAX_PAGE = 200

# Every action the log records (documented in the README, "Moderation").
ACTIONS = frozenset(
    {
        "card.hidden",
        "card.restored",
        "card.pinned",
        "card.unpinned",
        "card.merged",
        "card.capitalised",
        "card.uncapitalised",
        "card.published",
        "card.unpublished",
        "card.unmerged",
        "comment.hidden",
        "comment.restored",
        "board.locked",
        "board.unlocked",
        "flag.resolved",
        "member.role_changed",
        "member.removed",
    }
)


def record(
    w: Write,
    collective_id: int,
    action: str,
    target_type: str,
    target_id: int | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit entry to the transaction of ``w`` (so it commits with the action)."""
    assert action in ACTIONS, action
    w.session.add(
        AuditEntry(
            collective_id=collective_id,
            actor_id=w.actor.id if w.actor else None,
            action=action,
            target_type=target_type,
            target_id=target_id,
            detail=detail or {},
            at=utcnow(),
        )
    )


async def audit_page(
    essaim: Essaim, user: User, collective_id: int, before: int | None, limit: int
) -> dict[str, Any]:
    """Entries older than ``before`` (newest first); ``next`` is the ``before`` of the next page."""
    async with essaim.db.read() as session:
        await membership(session, user, collective_id, Action.manage)
        query = (
            select(AuditEntry, User)
            .outerjoin(User, User.id == AuditEntry.actor_id)
            .where(AuditEntry.collective_id == collective_id)
            .order_by(AuditEntry.id.desc())
            .limit(min(limit, MAX_PAGE) + 1)
        )
        if before is not None:
            query = query.where(AuditEntry.id < before)
        rows = (await session.execute(query)).all()
    more = len(rows) > limit
    entries = [_view(entry, actor) for entry, actor in rows[:limit]]
    return {"entries": entries, "next": entries[-1]["id"] if more and entries else None}


def _view(entry: AuditEntry, actor: User | None) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": iso(entry.at),
        "actor": user_view(actor) if actor is not None else None,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "detail": entry.detail,
    }
