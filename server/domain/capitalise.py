"""Capitalisation: a practice or decision that reached a « Capitalisée » column is put up for
review, and an animator validates it for the collective's guide (or takes it out). The
author is told; ``card.updated`` carries ``capitalised_at``; the audit log keeps it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.core.errors import InvalidInput
from server.core.models import (
    Card,
    Moderation,
    User,
    utcnow,
)
from server.core.platform import Essaim
from server.domain import audit
from server.domain.access import Action, card_for, membership
from server.domain.cards import emit_card_updated, full_card_view
from server.domain.notifications import notify
from server.domain.review import GUIDE_KINDS
from server.domain.views import card_view
from server.events.write import write


async def capitalise(essaim: Essaim, user: User, card_id: int, capitalised: bool) -> dict[str, Any]:
    """Validate a practice or decision for the guide (or take it out): animators only."""
    async with write(essaim, user) as w:
        card, member = await card_for(w.session, user, card_id, Action.read)
        await membership(w.session, user, card.collective_id, Action.manage)
        if card.kind not in GUIDE_KINDS:
            raise InvalidInput(
                "only practices and decisions enter the guide",
                fields={"capitalised": f"the card is a {card.kind}"},
            )
        if card.moderation != Moderation.published:
            raise InvalidInput(
                "a hidden card does not enter the guide", fields={"capitalised": "hidden"}
            )
        if capitalised == (card.capitalised_at is not None):
            return await full_card_view(w.session, card, (user, member))
        card.capitalised_at = utcnow() if capitalised else None
        card.capitalised_by = user.id if capitalised else None
        card.review_requested_at = None
        card.version += 1
        card.updated_at = utcnow()
        await emit_card_updated(w, card)
        action = "card.capitalised" if capitalised else "card.uncapitalised"
        audit.record(w, card.collective_id, action, "card", card.id, {"title": card.title})
        if capitalised and card.author_id != user.id and not card.anonymous:
            await notify(
                w,
                card.author_id,
                card.collective_id,
                "capitalised",
                f"Votre fiche « {card.title} » entre dans le guide du collectif"[:200],
                "",
                {
                    "card_id": card.id,
                    "url": f"/cards/{card.id}",
                    "title_en": f"Your card “{card.title}” enters the collective's guide",
                },
                thread=f"card:{card.id}",
            )
        view = await full_card_view(w.session, card, (user, member))
    return view


async def pending(essaim: Essaim, user: User, collective_id: int) -> list[dict[str, Any]]:
    """The practices and decisions waiting for an animator's validation, oldest first."""
    async with essaim.db.read() as session:
        await membership(session, user, collective_id, Action.manage)
        rows = await session.execute(
            select(Card, User)
            .join(User, User.id == Card.author_id)
            .where(
                Card.collective_id == collective_id,
                Card.review_requested_at.is_not(None),
                Card.capitalised_at.is_(None),
                Card.moderation == Moderation.published,
            )
            .order_by(Card.review_requested_at, Card.id)
        )
        return [card_view(card, author) for card, author in rows]
