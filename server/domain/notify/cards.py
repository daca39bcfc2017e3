"""What people are told about a card: comments on their card or on a card they commented,
answers to their question, mentions (``@Prénom Nom``) and reactions to their card. Each is
one unread notification per card and person, updated as more come (« 3 nouveaux
commentaires », « 3 personnes ont trouvé votre fiche utile »), in the card's email thread."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

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
from server.domain.notifications import changed_count, notify
from server.domain.notify.mentions import mentioned
from server.events.write import Write

# Kinds written when someone comments (``notify_comment``).
COMMENT_KINDS = ("comment", "answer")
# Kinds whose notifications are about one card (its email thread takes replies).
CARD_KINDS = ("comment", "answer", "mention", "reaction")


def card_thread(card_id: int) -> str:
    return f"card:{card_id}"


async def _pending(
    w: Write, user_id: int, kinds: tuple[str, ...], card_id: int
) -> Notification | None:
    """The recipient's unread notification of ``kinds`` about the card, if any."""
    found = await w.session.scalars(
        select(Notification).where(
            Notification.user_id == user_id,
            Notification.kind.in_(kinds),
            Notification.thread == card_thread(card_id),
            Notification.read_at.is_(None),
        )
    )
    return next(iter(found), None)


async def _members(w: Write, collective_id: int, user_ids: set[int]) -> set[int]:
    """Those of ``user_ids`` still in the collective, observers excepted (they see no cards)."""
    if not user_ids:
        return set()
    return set(
        await w.session.scalars(
            select(Membership.user_id).where(
                Membership.collective_id == collective_id,
                Membership.user_id.in_(user_ids),
                Membership.role != Role.observer,
            )
        )
    )


def _refresh(
    notification: Notification, kind: str, title: str, body: str, data: dict[str, Any], w: Write
) -> None:
    notification.kind, notification.title, notification.data = kind, title[:200], data
    notification.body = body
    notification.created_at = utcnow()
    # Not yet told by email of what was just added: the next email of the thread carries it.
    notification.emailed_at = None
    changed_count(w, notification.user_id)


async def notify_comment(w: Write, card: Card, comment: Comment, author: User) -> None:
    """Tell the people ``comment`` mentions, the card's author (an answer when the card is a
    question) and the others who commented on it — except the commenter and whoever left the
    collective. A person mentioned is told of the mention only."""
    told = await notify_mentions(w, card, author, comment.body, comment=comment)
    earlier = set(
        await w.session.scalars(
            select(Comment.author_id).where(
                Comment.card_id == card.id,
                Comment.id != comment.id,
                Comment.moderation == Moderation.published,
            )
        )
    )
    wanted = ({card.author_id} | earlier) - {author.id} - told
    for user_id in sorted(await _members(w, card.collective_id, wanted)):
        own = user_id == card.author_id
        kind = "answer" if own and card.kind == CardKind.question else "comment"
        pending = await _pending(w, user_id, COMMENT_KINDS, card.id)
        count = 1 + (int(pending.data.get("count", 1)) if pending else 0)
        title = _comment_title(kind, own, author.display_name, card.title, count)
        title_en = _comment_title_en(kind, own, author.display_name, card.title, count)
        data = {
            "card_id": card.id,
            "comment_id": comment.id,
            "count": count,
            "url": f"/cards/{card.id}#comment-{comment.id}",
            "title_en": title_en,
            # Who wrote it: erasure renames them here (server/domain/accounts/pseudonyms.py).
            "sender": {"id": author.id, "display_name": author.display_name},
        }
        if pending:
            _refresh(pending, kind, title, comment.body[:280], data, w)
        else:
            await notify(
                w,
                user_id,
                card.collective_id,
                kind,
                title,
                comment.body[:280],
                data,
                thread=card_thread(card.id),
            )


def _comment_title(kind: str, own: bool, who: str, card: str, count: int) -> str:
    if count > 1:
        return f"{count} nouveaux commentaires sur « {card} »"
    if kind == "answer":
        return f"{who} a répondu à votre question « {card} »"
    if own:
        return f"{who} a commenté votre fiche « {card} »"
    return f"{who} a aussi commenté « {card} »"


def _comment_title_en(kind: str, own: bool, who: str, card: str, count: int) -> str:
    if count > 1:
        return f"{count} new comments on “{card}”"
    if kind == "answer":
        return f"{who} answered your question “{card}”"
    if own:
        return f"{who} commented on your card “{card}”"
    return f"{who} also commented on “{card}”"


async def notify_mentions(
    w: Write,
    card: Card,
    author: User,
    text: str,
    *,
    comment: Comment | None = None,
    before: str = "",
) -> set[int]:
    """Tell the members ``text`` mentions (and ``before``, the earlier version, did not) that
    ``author`` mentioned them on ``card``; answers who was told. Nobody is told of a hidden
    card, nor of their own mention."""
    if card.moderation != Moderation.published:
        return set()
    names = await mentioned(w.session, card.collective_id, text)
    if before and names:
        already = await mentioned(w.session, card.collective_id, before)
        names = {uid: name for uid, name in names.items() if uid not in already}
    told: set[int] = set()
    where = "un commentaire sur " if comment is not None else ""
    where_en = "a comment on " if comment is not None else ""
    anchor = f"#comment-{comment.id}" if comment is not None else ""
    who = "Quelqu'un" if card.anonymous and comment is None else author.display_name
    who_en = "Someone" if card.anonymous and comment is None else author.display_name
    for user_id in sorted(set(names) - {author.id}):
        data: dict[str, Any] = {
            "card_id": card.id,
            "url": f"/cards/{card.id}{anchor}",
            "title_en": f"{who_en} mentioned you in {where_en}“{card.title}”",
        }
        if comment is not None:
            data["comment_id"] = comment.id
        if who == author.display_name:
            data["sender"] = {"id": author.id, "display_name": author.display_name}
        await notify(
            w,
            user_id,
            card.collective_id,
            "mention",
            f"{who} vous a mentionné·e dans {where}« {card.title} »",
            text[:280],
            data,
            thread=card_thread(card.id),
        )
        told.add(user_id)
    return told


REACTED = {
    "useful": ("a trouvé votre fiche « {card} » utile", "ont trouvé votre fiche « {card} » utile"),
    "plus_one": (
        "a dit « +1 » à votre fiche « {card} »",
        "ont dit « +1 » à votre fiche « {card} »",
    ),
    "tried_it": ("a essayé votre fiche « {card} »", "ont essayé votre fiche « {card} »"),
}
REACTED_EN = {
    "useful": "found your card “{card}” useful",
    "plus_one": "gave your card “{card}” a +1",
    "tried_it": "tried your card “{card}”",
}


async def notify_reaction(w: Write, card: Card, reactor: User, kind: str) -> None:
    """Tell the card's author that someone reacted, grouped while unread: « 3 personnes ont
    trouvé votre fiche utile ». Reactors are counted, not named."""
    if reactor.id == card.author_id or card.moderation != Moderation.published:
        return
    if not await _members(w, card.collective_id, {card.author_id}):
        return
    pending = await _pending(w, card.author_id, ("reaction",), card.id)
    seen: dict[str, list[int]] = dict(pending.data.get("people", {})) if pending else {}
    people = set(seen.get(kind, []))
    if reactor.id in people:
        return
    seen[kind] = sorted(people | {reactor.id})
    everyone = {uid for ids in seen.values() for uid in ids}
    count = len(everyone)
    if len(seen) == 1:
        one, many = REACTED.get(kind, REACTED["useful"])
        english = REACTED_EN.get(kind, REACTED_EN["useful"]).format(card=card.title)
        phrase = (one if count == 1 else many).format(card=card.title)
    else:
        phrase = f"ont réagi à votre fiche « {card.title} »"
        english = f"reacted to your card “{card.title}”"
    subject = "Une personne" if count == 1 else f"{count} personnes"
    if count == 1 and len(seen) > 1:
        phrase = f"a réagi à votre fiche « {card.title} »"
    data = {
        "card_id": card.id,
        "count": count,
        "people": seen,
        "url": f"/cards/{card.id}",
        "title_en": f"{'Someone' if count == 1 else f'{count} people'} {english}",
    }
    title = f"{subject} {phrase}"
    if pending:
        _refresh(pending, "reaction", title, "", data, w)
    else:
        await notify(
            w,
            card.author_id,
            card.collective_id,
            "reaction",
            title,
            "",
            data,
            thread=card_thread(card.id),
        )
