"""The guide's content, read from the database: the collective's capitalised practices and
decisions (published only: nothing hidden, deleted, merged or waiting for validation), one
section per first keyword, each with its sheet, who tried it (a « je l'ai essayé » reaction,
with their latest published comment on it) and its images."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from sqlalchemy import select

from server.core.models import (
    Attachment,
    Card,
    Collective,
    Comment,
    Moderation,
    Reaction,
    ReactionKind,
    User,
    utcnow,
)
from server.core.platform import Essaim
from server.core.timezone import PARIS
from server.domain.access import membership
from server.domain.guide.model import Guide, Image, Practice, Section, Trial
from server.domain.review import GUIDE_KINDS

ANONYMOUS = "Anonyme"
OTHERS = "Autres pratiques"
LICENCES = {
    "CC-BY-SA-4.0": "CC BY-SA 4.0",
    "CC-BY-4.0": "CC BY 4.0",
    "all-rights-reserved": "Tous droits réservés",
}
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
MAX_IMAGES = 4  # per practice
MAX_IMAGE_BYTES = 4 * 1024 * 1024


async def gather(essaim: Essaim, user: User, collective_id: int) -> Guide:
    """The guide of a collective the caller belongs to (any role: funders read it too)."""
    async with essaim.db.read() as session:
        await membership(session, user, collective_id)
        collective = await session.get(Collective, collective_id)
        assert collective is not None
        cards = list(
            await session.scalars(
                select(Card)
                .where(
                    Card.collective_id == collective_id,
                    Card.moderation == Moderation.published,
                    Card.capitalised_at.is_not(None),
                    Card.merged_into_id.is_(None),
                    Card.kind.in_(list(GUIDE_KINDS)),
                )
                .order_by(Card.title, Card.id)
            )
        )
        ids = [c.id for c in cards]
        people = {
            u.id: u
            for u in await session.scalars(
                select(User).where(User.id.in_({c.author_id for c in cards}))
            )
        }
        tried: dict[int, list[int]] = defaultdict(list)
        for card_id, user_id in await session.execute(
            select(Reaction.card_id, Reaction.user_id)
            .where(Reaction.card_id.in_(ids), Reaction.kind == ReactionKind.tried_it)
            .order_by(Reaction.id)
        ):
            tried[card_id].append(user_id)
        triers = {
            u.id: u
            for u in await session.scalars(
                select(User).where(User.id.in_({u for users in tried.values() for u in users}))
            )
        }
        said: dict[tuple[int, int], str] = {}
        for comment in await session.scalars(
            select(Comment)
            .where(Comment.card_id.in_(ids), Comment.moderation == Moderation.published)
            .order_by(Comment.id)
        ):
            said[(comment.card_id, comment.author_id)] = comment.body
        files: dict[int, list[Attachment]] = defaultdict(list)
        for attachment in await session.scalars(
            select(Attachment)
            .where(Attachment.card_id.in_(ids), Attachment.content_type.in_(list(IMAGE_TYPES)))
            .order_by(Attachment.id)
        ):
            if len(files[attachment.card_id]) < MAX_IMAGES and attachment.size <= MAX_IMAGE_BYTES:
                files[attachment.card_id].append(attachment)
    images: dict[int, tuple[Image, ...]] = {}
    for card_id, found in files.items():
        read = [asyncio.to_thread(essaim.files.path_of(a.sha256).read_bytes) for a in found]
        datas = await asyncio.gather(*read)
        images[card_id] = tuple(
            Image(a.filename, a.content_type, data) for a, data in zip(found, datas, strict=True)
        )
    by_theme: dict[str, list[Practice]] = defaultdict(list)
    for card in cards:
        author = people.get(card.author_id)
        sheet = card.practice or {}
        practice = Practice(
            id=card.id,
            title=card.title,
            kind=card.kind,
            summary=card.body,
            tags=tuple(card.tags),
            author=ANONYMOUS if card.anonymous or author is None else author.display_name,
            context=str(sheet.get("context", "")),
            steps=tuple(str(s) for s in sheet.get("steps", [])),
            results=str(sheet.get("results", "")),
            costs=str(sheet.get("costs", "")),
            vigilance=str(sheet.get("vigilance", "")),
            contacts=str(sheet.get("contacts", "")),
            tried_by=tuple(
                Trial(
                    triers[uid].display_name if uid in triers else ANONYMOUS,
                    said.get((card.id, uid), ""),
                )
                for uid in tried.get(card.id, [])
            ),
            images=images.get(card.id, ()),
            capitalised_on=card.capitalised_at.astimezone(PARIS).date()
            if card.capitalised_at
            else None,
        )
        theme = card.tags[0].capitalize() if card.tags else OTHERS
        by_theme[theme].append(practice)
    sections = tuple(
        Section(theme, tuple(by_theme[theme]))
        for theme in sorted(by_theme, key=lambda t: (t == OTHERS, t.lower()))
    )
    return Guide(
        collective=collective.name,
        description=collective.description,
        territory=collective.territory,
        funders=tuple(collective.funders),
        starts_on=collective.starts_on,
        ends_on=collective.ends_on,
        made_on=utcnow().astimezone(PARIS).date(),
        licence=LICENCES.get(collective.licence, LICENCES["CC-BY-SA-4.0"]),
        sections=sections,
    )
