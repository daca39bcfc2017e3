"""The public showcase of a collective (``/p/<slug>``): the practices and decisions an
animator chose to show, one by one, among those validated for the guide — each shown only
once its author consented, as they chose (their name and company, or « Anonyme »). Nothing
else of the collective's members leaves: no email, no other card, no comment. Taking a
practice out, withdrawing one's consent, hiding, deleting or merging the card, or taking it out
of the guide, removes it at once."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Literal

from sqlalchemy import select

from server.core.errors import Forbidden, InvalidInput, NotFound
from server.core.models import Card, Collective, Membership, Moderation, User, utcnow
from server.core.platform import Essaim
from server.domain import audit
from server.domain.access import Action, card_for, membership
from server.domain.notifications import notify
from server.domain.review import GUIDE_KINDS
from server.domain.views import iso
from server.events.write import Write, write

Consent = Literal["named", "anonymous"]


def slugify(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.lower())
    ascii_name = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:60] or "collectif"


async def _ensure_slug(w: Write, collective: Collective) -> str:
    if collective.slug:
        return collective.slug
    base, n = slugify(collective.name), 1
    candidate = base
    while await w.session.scalar(select(Collective.id).where(Collective.slug == candidate)):
        n += 1
        candidate = f"{base}-{n}"
    collective.slug = candidate
    return candidate


def shown(card: Card) -> bool:
    """Whether the card is on its collective's public page now."""
    return (
        card.public_at is not None
        and card.author_consent is not None
        and card.capitalised_at is not None
        and card.moderation == Moderation.published
        and card.merged_into_id is None
    )


def state_view(card: Card, slug: str | None) -> dict[str, Any]:
    return {
        "card_id": card.id,
        "public": card.public_at is not None,
        "public_at": iso(card.public_at),
        "author_consent": card.author_consent,
        "shown": shown(card),
        "url": f"/p/{slug}/fiches/{card.id}" if slug and shown(card) else None,
    }


async def set_public(essaim: Essaim, user: User, card_id: int, public: bool) -> dict[str, Any]:
    """Put a validated practice or decision in the showcase, or take it out (animators). Its
    author is asked for their consent; until they give it, nothing is shown."""
    async with write(essaim, user) as w:
        card, _ = await card_for(w.session, user, card_id)
        await membership(w.session, user, card.collective_id, Action.manage)
        if public and (card.kind not in GUIDE_KINDS or card.capitalised_at is None):
            raise InvalidInput(
                "only practices and decisions validated for the guide go in the showcase",
                fields={"public": "validate it for the guide first"},
            )
        collective = await w.session.get(Collective, card.collective_id)
        assert collective is not None
        slug = await _ensure_slug(w, collective) if public else collective.slug
        if public != (card.public_at is not None):
            card.public_at = utcnow() if public else None
            action = "card.published" if public else "card.unpublished"
            audit.record(w, card.collective_id, action, "card", card.id, {"title": card.title})
            if public and card.author_consent is None and card.author_id != user.id:
                await notify(
                    w,
                    card.author_id,
                    card.collective_id,
                    "capitalised",
                    f"Montrer « {card.title} » sur la vitrine publique ? Votre accord est requis"[
                        :200
                    ],
                    "L'animation propose de publier cette fiche sur la page publique du collectif. "
                    "Elle n'y paraît qu'avec votre accord, sous votre nom ou anonymement.",
                    {
                        "card_id": card.id,
                        "url": f"/cards/{card.id}#showcase",
                        "title_en": f"Show “{card.title}” in the public showcase? Your consent "
                        "is needed",
                    },
                    thread=f"card:{card.id}",
                )
        view = state_view(card, slug)
    return view


async def set_consent(
    essaim: Essaim, user: User, card_id: int, consent: Consent | None
) -> dict[str, Any]:
    """The author's consent to be shown (``named``: name and company; ``anonymous``), or its
    withdrawal (None): only the card's author gives it."""
    async with write(essaim, user) as w:
        card, _ = await card_for(w.session, user, card_id)
        if card.author_id != user.id:
            raise Forbidden("only the card's author consents to its publication")
        card.author_consent = consent
        card.author_consent_at = utcnow() if consent else None
        collective = await w.session.get(Collective, card.collective_id)
        assert collective is not None
        view = state_view(card, collective.slug)
    return view


async def collective_showcase(essaim: Essaim, user: User, collective_id: int) -> dict[str, Any]:
    """The collective's showcase as its animators manage it: every validated practice and
    decision, public or not, with its author's consent."""
    async with essaim.db.read() as session:
        await membership(session, user, collective_id, Action.manage)
        collective = await session.get(Collective, collective_id)
        assert collective is not None
        cards = await session.scalars(
            select(Card)
            .where(
                Card.collective_id == collective_id,
                Card.capitalised_at.is_not(None),
                Card.moderation == Moderation.published,
            )
            .order_by(Card.title, Card.id)
        )
        return {
            "slug": collective.slug,
            "url": f"/p/{collective.slug}" if collective.slug else None,
            "cards": [{**state_view(c, collective.slug), "title": c.title} for c in cards],
        }


async def public_page(essaim: Essaim, slug: str) -> dict[str, Any]:
    """What anyone may read at ``/p/<slug>`` (no session): the collective's name, territory
    and description, and the practices shown, each with what its author consented to."""
    if not slug or len(slug) > 80:
        raise NotFound("showcase")
    async with essaim.db.read() as session:
        collective = await session.scalar(select(Collective).where(Collective.slug == slug))
        if collective is None:
            raise NotFound("showcase")
        rows = await session.execute(
            select(Card, User, Membership.organisation)
            .join(User, User.id == Card.author_id)
            .outerjoin(
                Membership,
                (Membership.user_id == Card.author_id)
                & (Membership.collective_id == Card.collective_id),
            )
            .where(
                Card.collective_id == collective.id,
                Card.public_at.is_not(None),
                Card.author_consent.is_not(None),
                Card.capitalised_at.is_not(None),
                Card.moderation == Moderation.published,
                Card.merged_into_id.is_(None),
            )
            .order_by(Card.title, Card.id)
        )
        practices = []
        for card, author, organisation in rows:
            named = card.author_consent == "named" and not card.anonymous
            practices.append(
                {
                    "id": card.id,
                    "kind": card.kind,
                    "title": card.title,
                    "body": card.body,
                    "tags": list(card.tags),
                    "practice": dict(card.practice or {}),
                    "author": author.display_name if named else None,  # None: anonymous
                    "organisation": (organisation or "") if named else "",
                    "url": f"/p/{slug}/fiches/{card.id}",
                }
            )
        return {
            "collective": {
                "name": collective.name,
                "territory": collective.territory,
                "description": collective.description,
                "slug": slug,
                "licence": collective.licence,
            },
            "practices": practices,
        }


async def public_slugs(essaim: Essaim) -> list[tuple[str, list[int]]]:
    """Every showcase with something shown, and its practices' ids (the sitemap)."""
    async with essaim.db.read() as session:
        rows = await session.execute(
            select(Collective.slug, Card.id)
            .join(Card, Card.collective_id == Collective.id)
            .where(
                Collective.slug.is_not(None),
                Card.public_at.is_not(None),
                Card.author_consent.is_not(None),
                Card.capitalised_at.is_not(None),
                Card.moderation == Moderation.published,
                Card.merged_into_id.is_(None),
            )
            .order_by(Collective.slug, Card.id)
        )
        found: dict[str, list[int]] = {}
        for slug, card_id in rows:
            found.setdefault(str(slug), []).append(card_id)
        return list(found.items())
