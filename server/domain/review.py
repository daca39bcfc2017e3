"""Putting a card up for the guide: a practice or decision that reached a « Capitalisée »
(or « Validée ») column waits for an animator's validation (server/domain/capitalise.py), and
the animators are told. Called by the card service whenever a card moves."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select

from server.core.models import BoardColumn, Card, CardKind, Membership, Moderation, Role, utcnow
from server.domain.notifications import notify
from server.events.write import Write

# The columns whose cards are put up for the guide (folded names).
CAPITALISED_COLUMNS = frozenset({"capitalisee", "capitalisees", "validee", "validees"})
# What the guide holds.
GUIDE_KINDS = frozenset({CardKind.practice, CardKind.decision})


def _folded(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


async def on_moved(w: Write, card: Card) -> None:
    """Called when ``card`` moved: into a « Capitalisée » column, a practice or decision not
    validated yet is put up for review, and the animators are told."""
    if card.kind not in GUIDE_KINDS or card.capitalised_at is not None:
        return
    if card.review_requested_at is not None or card.moderation != Moderation.published:
        return
    name = await w.session.scalar(select(BoardColumn.name).where(BoardColumn.id == card.column_id))
    if name is None or _folded(name) not in CAPITALISED_COLUMNS:
        return
    card.review_requested_at = utcnow()
    animators = await w.session.scalars(
        select(Membership.user_id).where(
            Membership.collective_id == card.collective_id, Membership.role == Role.animator
        )
    )
    for user_id in animators:
        await notify(
            w,
            user_id,
            card.collective_id,
            "review",
            f"À valider pour le guide : « {card.title} »"[:200],
            "Elle a rejoint la colonne « Capitalisée ». Validez-la pour qu'elle entre dans le "
            "guide des pratiques du collectif.",
            {
                "card_id": card.id,
                "url": f"/cards/{card.id}",
                "title_en": f"To validate for the guide: “{card.title}”",
            },
            thread=f"card:{card.id}",
        )
