"""Discussion on a card: comments (edit, delete, moderate) and reactions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from server.core.errors import Conflict, ErrorCode, Forbidden
from server.core.models import Card, Comment, Moderation, Reaction, User, utcnow
from server.core.platform import Essaim
from server.domain import audit
from server.domain.access import (
    Action,
    card_for,
    comment_for,
    is_animator,
    require_open_board,
    require_owner_or_animator,
    require_unarchived_board,
)
from server.domain.boards import reaction_counts
from server.domain.notify.cards import notify_comment, notify_mentions, notify_reaction
from server.domain.schemas import CommentIn, CommentPatch, ReactionIn, patch_values
from server.domain.views import comment_view
from server.domain.workshops.rules import require_not_frozen
from server.events.kinds import EventKind
from server.events.write import Write, write


async def add_comment(essaim: Essaim, user: User, card_id: int, body: CommentIn) -> dict[str, Any]:
    async with write(essaim, user) as w:
        card, member = await card_for(w.session, user, card_id, Action.write)
        await require_open_board(w.session, card.board_id, member)
        now = utcnow()
        comment = Comment(
            card_id=card.id,
            collective_id=card.collective_id,
            author_id=user.id,
            body=body.body,
            created_at=now,
            updated_at=now,
        )
        w.session.add(comment)
        await w.session.flush()
        view = comment_view(comment, user)
        restricted = card.moderation != Moderation.published
        await w.emit_on_card(card, EventKind.comment_created, view, restricted=restricted)
        w.index("comment", comment.id, card.collective_id)
        if not restricted:  # a hidden card's comments tell nobody but animators
            await notify_comment(w, card, comment, user)
    return view


async def update_comment(
    essaim: Essaim, user: User, comment_id: int, body: CommentPatch
) -> dict[str, Any]:
    """Edit or moderate a comment; a stale ``updated_at`` gets 409 with the current comment.

    ``updated_at`` is the comment's version: an editor sends back the one it started from, so
    an edit made meanwhile by someone else is never overwritten without a word.
    """
    values = patch_values(body)
    values.pop("updated_at", None)
    async with write(essaim, user) as w:
        comment, card, member = await comment_for(w.session, user, comment_id, Action.write)
        if body.updated_at is not None and body.updated_at != comment.updated_at:
            author = await w.session.get(User, comment.author_id)
            assert author is not None
            raise Conflict(
                "the comment changed since you loaded it",
                code=ErrorCode.VERSION_CONFLICT,
                extra={"current": comment_view(comment, author)},
            )
        kinds = []
        if "body" in values:
            require_owner_or_animator(comment.author_id, user, member)
            await require_open_board(w.session, card.board_id, member)
            before, comment.body = comment.body, str(values["body"])
            kinds.append(EventKind.comment_updated)
            if comment.moderation == Moderation.published and comment.author_id == user.id:
                # Those the edit newly mentions are told (not those the first version named).
                await notify_mentions(w, card, user, comment.body, comment=comment, before=before)
        if "moderation" in values:
            if not is_animator(member):
                raise Forbidden("only animators moderate content")
            if values["moderation"] != comment.moderation:
                comment.moderation = str(values["moderation"])
                hidden = comment.moderation == Moderation.hidden
                kinds.append(EventKind.comment_hidden if hidden else EventKind.comment_restored)
                detail = {"card_id": card.id, "excerpt": excerpt(comment.body)}
                audit.record(w, card.collective_id, kinds[-1], "comment", comment.id, detail)
        if not kinds:
            author = await w.session.get(User, comment.author_id)
            assert author is not None
            return comment_view(comment, author)
        _touch(comment)
        await w.session.flush()
        author = await w.session.get(User, comment.author_id)
        assert author is not None
        view = comment_view(comment, author)
        for kind in kinds:
            await w.emit_on_card(card, kind, view, restricted=_restricted(comment, card))
        w.index("comment", comment.id, card.collective_id)
    return view


def _touch(comment: Comment) -> None:
    """Advance ``updated_at``, strictly: it is the version an editor compares against."""
    now = utcnow()
    comment.updated_at = max(now, comment.updated_at + timedelta(microseconds=1))


def _restricted(comment: Comment, card: Card) -> bool:
    # Everything about hidden content is for animators only, comment.hidden included: it
    # carries the comment (animators keep showing it), members get its ids (redacted).
    return comment.moderation != Moderation.published or card.moderation != Moderation.published


async def hide_comment(w: Write, comment: Comment, card: Card, detail: dict[str, Any]) -> None:
    """Hide ``comment`` within ``w`` (the caller checked the actor is its animator)."""
    comment.moderation = Moderation.hidden
    _touch(comment)
    await w.session.flush()
    author = await w.session.get(User, comment.author_id)
    assert author is not None
    view = comment_view(comment, author)
    await w.emit_on_card(card, EventKind.comment_hidden, view, restricted=True)
    w.index("comment", comment.id, card.collective_id)
    detail = {"card_id": card.id, "excerpt": excerpt(comment.body), **detail}
    audit.record(w, card.collective_id, "comment.hidden", "comment", comment.id, detail)


def excerpt(text: str, length: int = 140) -> str:
    """The start of ``text`` on one line, cut at a word with an ellipsis when longer."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    return flat[:length].rsplit(" ", 1)[0] + " …"


async def delete_comment(essaim: Essaim, user: User, comment_id: int) -> None:
    async with write(essaim, user) as w:
        comment, card, member = await comment_for(w.session, user, comment_id, Action.write)
        require_owner_or_animator(comment.author_id, user, member)
        await remove_comment(w, comment, card)


async def remove_comment(w: Write, comment: Comment, card: Card) -> None:
    """Soft-delete ``comment`` within ``w`` (the caller checked the actor may)."""
    comment.moderation = Moderation.deleted
    _touch(comment)
    await w.emit_on_card(card, EventKind.comment_deleted, {"id": comment.id, "card_id": card.id})
    w.index("comment", comment.id, card.collective_id, op="delete")


async def add_reaction(
    essaim: Essaim, user: User, card_id: int, body: ReactionIn
) -> dict[str, Any]:
    """Add the caller's reaction (idempotent: reacting twice changes nothing)."""
    return await _react(essaim, user, card_id, body.kind, add=True)


async def remove_reaction(essaim: Essaim, user: User, card_id: int, kind: str) -> dict[str, Any]:
    return await _react(essaim, user, card_id, kind, add=False)


async def _react(
    essaim: Essaim, user: User, card_id: int, kind: str, *, add: bool
) -> dict[str, Any]:
    async with write(essaim, user) as w:
        card, member = await card_for(w.session, user, card_id, Action.write)
        if add:  # taking one's reaction back stays possible, like deleting one's comment
            await require_unarchived_board(w.session, card.board_id, member)
            await require_not_frozen(w.session, card.board_id, member)
        existing = await w.session.scalar(
            select(Reaction.id).where(
                Reaction.card_id == card_id, Reaction.user_id == user.id, Reaction.kind == kind
            )
        )
        changed = False
        if add and existing is None:
            w.session.add(Reaction(card_id=card_id, user_id=user.id, kind=kind))
            changed = True
        elif not add and existing is not None:
            await w.session.execute(delete(Reaction).where(Reaction.id == existing))
            changed = True
        try:
            await w.session.flush()
        except IntegrityError:  # a concurrent identical reaction won the race: same outcome
            changed = False
            await w.session.rollback()
            return {"card_id": card_id, "kind": kind, "reactions": {}}
        counts = (await reaction_counts(w.session, [card_id])).get(card_id, {})
        view = {"card_id": card_id, "kind": kind, "user_id": user.id, "reactions": counts}
        if changed:
            change = EventKind.reaction_added if add else EventKind.reaction_removed
            restricted = card.moderation != Moderation.published
            await w.emit_on_card(card, change, view, restricted=restricted)
            if add:
                await notify_reaction(w, card, user, kind)
    return view
