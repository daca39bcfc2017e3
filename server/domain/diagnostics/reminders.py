"""Reminders before an action's due date: one notification per action and due date, to the
action's owner (or to the diagnosed member when it has none), while they are still in the
collective; run by the app every hour (``DueActionReminder``)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.models import ActionStatus, Diagnostic, Membership, PlanAction, utcnow
from server.core.periodic import Periodic
from server.core.platform import Essaim
from server.core.timezone import PARIS
from server.domain.diagnostics.service import may_see
from server.domain.notifications import notify
from server.events.write import write

log = logging.getLogger(__name__)
REMIND_INTERVAL = 3600.0  # seconds between two sweeps
KIND = "action_due"


async def remind_due_actions(essaim: Essaim, now: datetime | None = None) -> int:
    """Notify about the open actions due within ``ESSAIM_ACTION_REMINDER_DAYS`` that were not
    reminded for that date yet; how many reminders were written."""
    days = essaim.settings.action_reminder_days
    if days <= 0:
        return 0
    today = (now or utcnow()).astimezone(PARIS).date()
    sent = 0
    async with write(essaim, None) as w:
        due = await w.session.execute(
            select(PlanAction, Diagnostic)
            .join(Diagnostic, Diagnostic.id == PlanAction.diagnostic_id)
            .where(
                PlanAction.status.in_([ActionStatus.todo, ActionStatus.doing]),
                PlanAction.due_on.is_not(None),
                PlanAction.due_on >= today,
                PlanAction.due_on <= today + timedelta(days=days),
                or_(PlanAction.reminded_on.is_(None), PlanAction.reminded_on != PlanAction.due_on),
            )
            .order_by(PlanAction.id)
            # Two processes sweeping at once (PostgreSQL): each action to one of them only.
            .with_for_update(skip_locked=True, of=PlanAction)
        )
        for action, diagnostic in due:
            action.reminded_on = action.due_on
            who = await _recipient(w.session, action, diagnostic)
            if who is None:
                continue
            assert action.due_on is not None
            left = (action.due_on - today).days
            when = "aujourd'hui" if left == 0 else ("demain" if left == 1 else f"dans {left} jours")
            await notify(
                w,
                who,
                action.collective_id,
                KIND,
                f"Action à échéance {when} : {action.title}",
                f"Échéance le {action.due_on:%d/%m/%Y}. Mettez à jour son état dans votre plan.",
                {
                    "action_id": action.id,
                    "diagnostic_id": diagnostic.id,
                    "due_on": action.due_on.isoformat(),
                    "url": f"/d/{diagnostic.id}",
                },
            )
            sent += 1
    return sent


async def _recipient(
    session: AsyncSession, action: PlanAction, diagnostic: Diagnostic
) -> int | None:
    """Who may see the plan among the owner, then the diagnosed member: an animator of the
    collective or someone of the company, still a member (else nobody is reminded)."""
    for who in (action.owner_id, diagnostic.member_id):
        if who is None:
            continue
        member = await session.scalar(
            select(Membership).where(
                Membership.collective_id == action.collective_id, Membership.user_id == who
            )
        )
        if member is not None and may_see(diagnostic, member.user_id, member):
            return who
    return None


class DueActionReminder(Periodic):
    """The app's background task running ``remind_due_actions`` every ``interval`` seconds."""

    def __init__(self, essaim: Essaim, interval: float = REMIND_INTERVAL) -> None:
        super().__init__("action-reminder", lambda: remind_due_actions(essaim), interval)
