"""Merging a duplicate card into the one kept (animators): its comments, reactions (one per
person and kind: a reaction the person already gave the kept card is dropped), attachments and
vote options move to the kept card; the duplicate leaves its board and becomes a pointer
(``merged_into_id``: its page redirects, the API answers 410 ``card_merged``); both authors
are told; ``card.merged`` is emitted. Undone within ``UNDO_DAYS`` days, everything goes back
where it was (``card.unmerged``), the dropped reactions included."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from server.core.errors import Conflict, ErrorCode, Gone, InvalidInput, NotFound
from server.core.models import (
    Attachment,
    Card,
    CardMerge,
    Comment,
    Moderation,
    Reaction,
    User,
    VoteOption,
    utcnow,
)
from server.core.platform import Essaim
from server.domain import audit
from server.domain.access import Action, card_for, membership
from server.domain.cards import emit_card_updated, full_card_view, place_card, unplace_card
from server.domain.notifications import notify
from server.domain.views import iso
from server.events.kinds import EventKind
from server.events.write import Write, write

UNDO_DAYS = 30


def merge_view(merge: CardMerge) -> dict[str, Any]:
    moved = merge.moved or {}
    return {
        "id": merge.id,
        "collective_id": merge.collective_id,
        "merged_id": merge.merged_id,
        "kept_id": merge.kept_id,
        "by": merge.by_id,
        "at": iso(merge.at),
        "undone_at": iso(merge.undone_at),
        "undo_until": iso(merge.at + timedelta(days=UNDO_DAYS)),
        "moved": {
            "comments": len(moved.get("comments", [])),
            "reactions": len(moved.get("reactions", [])),
            "reactions_dropped": len(moved.get("dropped_reactions", [])),
            "attachments": len(moved.get("attachments", [])),
            "vote_options": len(moved.get("options", [])),
        },
    }


async def merge_card(essaim: Essaim, user: User, kept_id: int, merged_id: int) -> dict[str, Any]:
    """Merge card ``merged_id`` into ``kept_id`` (both of one collective, neither deleted nor
    merged already). 404 for cards the caller may not see, 403 for a non-animator."""
    if kept_id == merged_id:
        raise InvalidInput("a card cannot be merged into itself", fields={"card_id": "same card"})
    async with write(essaim, user) as w:
        kept, member = await card_for(w.session, user, kept_id, Action.read)
        await membership(w.session, user, kept.collective_id, Action.manage)
        duplicate = await w.session.get(Card, merged_id)
        if (
            duplicate is None
            or duplicate.collective_id != kept.collective_id
            or duplicate.moderation == Moderation.deleted
        ):
            raise NotFound("card")
        del member
        moved: dict[str, Any] = {
            "moderation": duplicate.moderation,
            "column_id": duplicate.column_id,
            "position": duplicate.position,
        }
        comments = list(
            await w.session.scalars(select(Comment.id).where(Comment.card_id == duplicate.id))
        )
        await w.session.execute(
            update(Comment).where(Comment.id.in_(comments)).values(card_id=kept.id)
        )
        moved["comments"] = comments
        already = {
            (r.user_id, r.kind)
            for r in await w.session.scalars(select(Reaction).where(Reaction.card_id == kept.id))
        }
        moved["reactions"], moved["dropped_reactions"] = [], []
        for reaction in list(
            await w.session.scalars(select(Reaction).where(Reaction.card_id == duplicate.id))
        ):
            if (reaction.user_id, reaction.kind) in already:
                moved["dropped_reactions"].append(
                    {
                        "user_id": reaction.user_id,
                        "kind": reaction.kind,
                        "created_at": iso(reaction.created_at),
                    }
                )
                await w.session.delete(reaction)
            else:
                reaction.card_id = kept.id
                moved["reactions"].append(reaction.id)
        attachments = list(
            await w.session.scalars(select(Attachment.id).where(Attachment.card_id == duplicate.id))
        )
        await w.session.execute(
            update(Attachment).where(Attachment.id.in_(attachments)).values(card_id=kept.id)
        )
        moved["attachments"] = attachments
        options = list(
            await w.session.scalars(select(VoteOption.id).where(VoteOption.card_id == duplicate.id))
        )
        await w.session.execute(
            update(VoteOption).where(VoteOption.id.in_(options)).values(card_id=kept.id)
        )
        moved["options"] = options
        await unplace_card(w.session, duplicate)
        duplicate.moderation = Moderation.deleted
        duplicate.merged_into_id = kept.id
        duplicate.version += 1
        duplicate.updated_at = kept.updated_at = utcnow()
        kept.version += 1
        merge = CardMerge(
            collective_id=kept.collective_id,
            merged_id=duplicate.id,
            kept_id=kept.id,
            by_id=user.id,
            at=utcnow(),
            moved=moved,
        )
        w.session.add(merge)
        await w.session.flush()
        await _reindex(w, kept, duplicate, comments, attachments, merged=True)
        await w.emit_on_card(
            duplicate,
            EventKind.card_merged,
            {
                "id": duplicate.id,
                "column_id": duplicate.column_id,
                "merged_into_id": kept.id,
                "merge_id": merge.id,
            },
        )
        await emit_card_updated(w, kept)
        detail = {"title": duplicate.title, "into": kept.id, "into_title": kept.title}
        audit.record(w, kept.collective_id, "card.merged", "card", duplicate.id, detail)
        await _tell_authors(w, user, duplicate, kept)
        view = merge_view(merge)
    return view


async def _reindex(
    w: Write,
    kept: Card,
    duplicate: Card,
    comments: list[int],
    attachments: list[int],
    *,
    merged: bool,
) -> None:
    """The search index follows: the duplicate leaves it (or comes back), and the comments and
    files that moved are indexed under their new card."""
    cid = kept.collective_id
    w.index("card", duplicate.id, cid, op="delete" if merged else "upsert")
    w.index("card", kept.id, cid)
    for comment_id in comments:
        w.index("comment", comment_id, cid)
    for attachment_id in attachments:
        w.index("attachment", attachment_id, cid)


async def _tell_authors(w: Write, actor: User, duplicate: Card, kept: Card) -> None:
    for author_id in {duplicate.author_id, kept.author_id} - {actor.id}:
        own = "votre fiche" if author_id == duplicate.author_id else "une fiche"
        await notify(
            w,
            author_id,
            kept.collective_id,
            "merged",
            f"« {duplicate.title} » a été fusionnée avec « {kept.title} »"[:200],
            f"Les commentaires, réactions et pièces jointes de {own} sont maintenant sur "
            f"« {kept.title} ».",
            {
                "card_id": kept.id,
                "url": f"/cards/{kept.id}",
                "title_en": f"“{duplicate.title}” was merged into “{kept.title}”",
            },
            thread=f"card:{kept.id}",
        )


async def undo_merge(essaim: Essaim, user: User, merge_id: int) -> dict[str, Any]:
    """Put a merge back (animators, within ``UNDO_DAYS`` days, once)."""
    async with write(essaim, user) as w:
        merge = await w.session.get(CardMerge, merge_id)
        if merge is None:
            raise NotFound("merge")
        try:
            await membership(w.session, user, merge.collective_id, Action.manage)
        except NotFound:
            raise NotFound("merge") from None
        if merge.undone_at is not None:
            raise Conflict("this merge was undone already", code=ErrorCode.MERGE_UNDONE)
        if utcnow() - merge.at > timedelta(days=UNDO_DAYS):
            raise Gone(f"a merge can be undone for {UNDO_DAYS} days", code=ErrorCode.MERGE_TOO_OLD)
        duplicate = await w.session.get(Card, merge.merged_id)
        kept = await w.session.get(Card, merge.kept_id)
        if duplicate is None or kept is None or kept.moderation == Moderation.deleted:
            raise Conflict(
                "the card kept was deleted since: nothing to take back",
                code=ErrorCode.MERGE_UNDONE,
            )
        moved = merge.moved or {}
        comments = [int(i) for i in moved.get("comments", [])]
        await w.session.execute(
            update(Comment)
            .where(Comment.id.in_(comments), Comment.card_id == kept.id)
            .values(card_id=duplicate.id)
        )
        reactions = [int(i) for i in moved.get("reactions", [])]
        await w.session.execute(
            update(Reaction)
            .where(Reaction.id.in_(reactions), Reaction.card_id == kept.id)
            .values(card_id=duplicate.id)
        )
        for dropped in moved.get("dropped_reactions", []):
            exists = await w.session.scalar(
                select(Reaction.id).where(
                    Reaction.card_id == duplicate.id,
                    Reaction.user_id == dropped["user_id"],
                    Reaction.kind == dropped["kind"],
                )
            )
            if exists is None and await w.session.get(User, dropped["user_id"]) is not None:
                w.session.add(
                    Reaction(card_id=duplicate.id, user_id=dropped["user_id"], kind=dropped["kind"])
                )
        attachments = [int(i) for i in moved.get("attachments", [])]
        await w.session.execute(
            update(Attachment)
            .where(Attachment.id.in_(attachments), Attachment.card_id == kept.id)
            .values(card_id=duplicate.id)
        )
        options = [int(i) for i in moved.get("options", [])]
        await w.session.execute(
            update(VoteOption)
            .where(VoteOption.id.in_(options), VoteOption.card_id == kept.id)
            .values(card_id=duplicate.id)
        )
        duplicate.moderation = str(moved.get("moderation", Moderation.published))
        duplicate.merged_into_id = None
        await place_card(
            w.session, duplicate, int(moved.get("column_id", duplicate.column_id)),
            moved.get("position"),
        )  # fmt: skip
        duplicate.version += 1
        kept.version += 1
        duplicate.updated_at = kept.updated_at = utcnow()
        merge.undone_at = utcnow()
        await w.session.flush()
        await _reindex(w, kept, duplicate, comments, attachments, merged=False)
        restricted = duplicate.moderation == Moderation.hidden
        await w.emit_on_card(
            duplicate,
            EventKind.card_unmerged,
            await full_card_view(w.session, duplicate),
            restricted=restricted,
        )
        await emit_card_updated(w, kept)
        detail = {"title": duplicate.title, "from": kept.id}
        audit.record(w, kept.collective_id, "card.unmerged", "card", duplicate.id, detail)
        view = merge_view(merge)
    return view


async def list_merges(essaim: Essaim, user: User, collective_id: int) -> list[dict[str, Any]]:
    """The collective's merges, newest first (animators)."""
    async with essaim.db.read() as session:
        await membership(session, user, collective_id, Action.manage)
        merges = await session.scalars(
            select(CardMerge)
            .where(CardMerge.collective_id == collective_id)
            .order_by(CardMerge.at.desc(), CardMerge.id.desc())
            .limit(200)
        )
        return [merge_view(m) for m in merges]


async def merged_into(essaim: Essaim, user: User, card_id: int) -> int | None:
    """Where a merged card now lives, for a member of its collective (else None)."""
    async with essaim.db.read() as session:
        card = await session.get(Card, card_id)
        if card is None or card.merged_into_id is None:
            return None
        try:
            await membership(session, user, card.collective_id)
        except NotFound:
            return None
        return card.merged_into_id
