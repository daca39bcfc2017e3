"""Cards: create, read, edit with optimistic concurrency, move between columns, delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.errors import Conflict, ErrorCode, Forbidden, InvalidInput, NotFound
from server.core.models import (
    Attachment,
    BoardColumn,
    Card,
    CardKind,
    CardVersion,
    Comment,
    Membership,
    Moderation,
    Reaction,
    User,
    utcnow,
)
from server.core.platform import Essaim
from server.domain import audit, review
from server.domain.access import (
    Action,
    board_for,
    card_for,
    is_animator,
    require_open_board,
    require_owner_or_animator,
    sees_author,
)
from server.domain.boards import comment_counts, reaction_counts
from server.domain.card_versions import keep_history, practice_of, record_version
from server.domain.notify.cards import notify_mentions
from server.domain.schemas import CardIn, CardPatch, PracticeIn, patch_values
from server.domain.views import attachment_view, card_view, comment_view
from server.domain.workshops import rules as workshop_rules
from server.events.kinds import EventKind
from server.events.write import Write, write

CONTENT_FIELDS = frozenset({"kind", "title", "body", "tags", "practice"})


async def _column_of_board(session: AsyncSession, board_id: int, column_id: int | None) -> int:
    query = select(BoardColumn.id).where(BoardColumn.board_id == board_id)
    if column_id is None:
        first = await session.scalar(query.order_by(BoardColumn.position).limit(1))
        assert first is not None  # a board always keeps one column
        return first
    found = await session.scalar(query.where(BoardColumn.id == column_id))
    if found is None:
        raise InvalidInput("unknown column", fields={"column_id": "no such column on this board"})
    return found


async def place_card(
    session: AsyncSession, card: Card, column_id: int, position: int | None
) -> None:
    """Insert ``card`` in ``column_id`` at ``position`` (end when None), shifting the others."""
    count = await session.scalar(
        select(func.count()).where(
            Card.column_id == column_id, Card.moderation != Moderation.deleted, Card.id != card.id
        )
    )
    total = count or 0
    index = total if position is None else min(position, total)
    await session.execute(
        update(Card)
        .where(
            Card.column_id == column_id,
            Card.position >= index,
            Card.moderation != Moderation.deleted,
            Card.id != card.id,
        )
        .values(position=Card.position + 1)
        .execution_options(synchronize_session=False)
    )
    card.column_id = column_id
    card.position = index


async def unplace_card(session: AsyncSession, card: Card) -> None:
    """Close the gap ``card`` leaves in its column."""
    await session.execute(
        update(Card)
        .where(
            Card.column_id == card.column_id,
            Card.position > card.position,
            Card.moderation != Moderation.deleted,
            Card.id != card.id,
        )
        .values(position=Card.position - 1)
        .execution_options(synchronize_session=False)
    )


async def full_card_view(
    session: AsyncSession, card: Card, viewer: tuple[User, Membership] | None = None
) -> dict[str, Any]:
    """The card with its counts, as ``viewer`` may see it (its author hidden from others than
    the author and animators when it is anonymous); without a viewer, as events carry it:
    an anonymous card names nobody."""
    author = await session.get(User, card.author_id)
    assert author is not None
    shown = not card.anonymous if viewer is None else sees_author(card, *viewer)
    reactions = await reaction_counts(session, [card.id])
    comments = await comment_counts(session, [card.id])
    return card_view(
        card, author if shown else None, reactions.get(card.id), comments.get(card.id, 0)
    )


async def create_card(essaim: Essaim, user: User, board_id: int, body: CardIn) -> dict[str, Any]:
    async with write(essaim, user) as w:
        board, member = await board_for(w.session, user, board_id, Action.write)
        if board.archived:
            raise Conflict("this board is archived", code=ErrorCode.BOARD_ARCHIVED)
        await require_open_board(w.session, board_id, member)
        placement = await workshop_rules.new_card(w.session, board_id, member)
        column_id = placement.column_id or await _column_of_board(
            w.session, board_id, body.column_id
        )
        now = utcnow()
        card = Card(
            collective_id=board.collective_id,
            board_id=board_id,
            column_id=column_id,
            position=0,
            kind=body.kind,
            title=body.title,
            body=body.body,
            tags=_unique(body.tags),
            author_id=user.id,
            anonymous=placement.anonymous,
            workshop_id=placement.workshop_id,
            practice=_practice(body.kind, body.practice),
            created_at=now,
            updated_at=now,
        )
        position = None if placement.column_id else body.position
        view = await insert_card(w, card, user, position)
        await notify_mentions(w, card, user, f"{card.title}\n{card.body}")
    return view


async def insert_card(w: Write, card: Card, author: User, position: int | None) -> dict[str, Any]:
    """Place the new ``card`` in its column within ``w`` (the caller checked the actor may),
    emit ``card.created`` and index it."""
    await place_card(w.session, card, card.column_id, position)
    w.session.add(card)
    await w.session.flush()
    await record_version(w, card, author.id)
    view = card_view(card, author)
    await _emit(w, card, EventKind.card_created, view)
    return view  # the author's own view: they see themself


async def move_card(w: Write, card: Card, column_id: int) -> dict[str, Any]:
    """Move ``card`` to the end of ``column_id`` of its board within ``w`` (the caller checked
    the actor may), as ``update_card`` moves it: ``card.moved`` with where it was."""
    moved_from = card.column_id
    target = await _column_of_board(w.session, card.board_id, column_id)
    await unplace_card(w.session, card)
    await place_card(w.session, card, target, None)
    await review.on_moved(w, card)
    card.version += 1
    card.updated_at = utcnow()
    await w.session.flush()
    view = await full_card_view(w.session, card)
    await _emit(w, card, EventKind.card_moved, {**view, "from_column_id": moved_from})
    return view


async def get_card(essaim: Essaim, user: User, card_id: int) -> dict[str, Any]:
    """The card with its visible comments, attachments and the caller's own reactions."""
    async with essaim.db.read() as session:
        card, member = await card_for(session, user, card_id)
        view = await full_card_view(session, card, (user, member))
        visible = [Moderation.published]
        if is_animator(member):
            visible.append(Moderation.hidden)
        comments = await session.execute(
            select(Comment, User)
            .join(User, User.id == Comment.author_id)
            .where(Comment.card_id == card_id, Comment.moderation.in_(visible))
            .order_by(Comment.created_at, Comment.id)
        )
        attachments = await session.scalars(
            select(Attachment).where(Attachment.card_id == card_id).order_by(Attachment.id)
        )
        mine = await session.scalars(
            select(Reaction.kind).where(Reaction.card_id == card_id, Reaction.user_id == user.id)
        )
        return {
            **view,
            "comments": [comment_view(c, a) for c, a in comments],
            "attachments": [
                attachment_view(
                    a,
                    uploader_shown=a.uploader_id != card.author_id
                    or sees_author(card, user, member),
                )
                for a in attachments
            ],
            "my_reactions": sorted(mine),
        }


async def update_card(essaim: Essaim, user: User, card_id: int, body: CardPatch) -> dict[str, Any]:
    """Edit, move, pin or moderate a card; a stale ``version`` gets 409 with the current card.

    Members move any card of their collective (boards are shared) but edit only their own,
    and neither on a locked board; animators edit, pin and moderate everything.
    """
    values = patch_values(body, nullable=frozenset())
    values.pop("version")
    async with write(essaim, user) as w:
        card, member = await card_for(w.session, user, card_id, Action.write)
        if card.version != body.version:
            raise Conflict(
                "the card changed since you loaded it",
                code=ErrorCode.VERSION_CONFLICT,
                extra={"current": await full_card_view(w.session, card, (user, member))},
            )
        if CONTENT_FIELDS & values.keys():
            require_owner_or_animator(card.author_id, user, member)
        if "moderation" in values and not is_animator(member):
            raise Forbidden("only animators moderate content")
        if "pinned" in values and not is_animator(member):
            raise Forbidden("only animators pin cards")
        if (CONTENT_FIELDS | {"column_id", "position"}) & values.keys():
            await require_open_board(w.session, card.board_id, member)
        kinds: list[EventKind] = []
        moved_from = card.column_id
        if "column_id" in values or "position" in values:
            target = await _column_of_board(
                w.session, card.board_id, body.column_id or card.column_id
            )
            await workshop_rules.require_placeable(w.session, card, target, member)
            await unplace_card(w.session, card)
            await place_card(w.session, card, target, body.position)
            kinds.append(EventKind.card_moved)
        before = f"{card.title}\n{card.body}"
        if CONTENT_FIELDS & values.keys():
            await keep_history(w, card)
        for key in (CONTENT_FIELDS - {"practice"}) & values.keys():
            setattr(card, key, _unique(body.tags or []) if key == "tags" else values[key])
        if "practice" in values:
            card.practice = _practice(card.kind, body.practice)
        elif "kind" in values and card.kind != CardKind.practice:
            card.practice = {}  # no longer a practice: no sheet
        if CONTENT_FIELDS & values.keys():
            kinds.append(EventKind.card_updated)
            text = f"{card.title}\n{card.body}"
            await notify_mentions(w, card, user, text, before=before)
        if "moderation" in values and values["moderation"] != card.moderation:
            card.moderation = str(values["moderation"])
            kinds.append(
                EventKind.card_hidden
                if card.moderation == Moderation.hidden
                else EventKind.card_restored
            )
            audit.record(w, card.collective_id, kinds[-1], "card", card.id, {"title": card.title})
        if "pinned" in values and values["pinned"] != card.pinned:
            card.pinned = bool(values["pinned"])
            kinds.append(EventKind.card_pinned if card.pinned else EventKind.card_unpinned)
            audit.record(w, card.collective_id, kinds[-1], "card", card.id, {"title": card.title})
        if not kinds:
            return await full_card_view(w.session, card, (user, member))
        if EventKind.card_moved in kinds:
            await review.on_moved(w, card)
        card.version += 1
        card.updated_at = utcnow()
        if EventKind.card_updated in kinds:
            await record_version(w, card, user.id)
        await w.session.flush()
        view = await full_card_view(w.session, card)
        for kind in kinds:
            data = {**view, "from_column_id": moved_from} if kind == EventKind.card_moved else view
            await _emit(w, card, kind, data)
        mine = await full_card_view(w.session, card, (user, member))
    return mine


async def delete_card(essaim: Essaim, user: User, card_id: int) -> None:
    """Soft delete: the row stays for the event log, the card is gone for everyone."""
    async with write(essaim, user) as w:
        card, member = await card_for(w.session, user, card_id, Action.write)
        require_owner_or_animator(card.author_id, user, member)
        await remove_card(w, card)


async def emit_card_updated(w: Write, card: Card) -> None:
    """Emit ``card.updated`` for a change made outside ``update_card`` (a workshop revealing
    its authors), with the card as events carry it."""
    await _emit(w, card, EventKind.card_updated, await full_card_view(w.session, card))


async def remove_card(w: Write, card: Card) -> None:
    """Soft-delete ``card`` within ``w`` (the caller checked the actor may): its column
    closes the gap, ``card.deleted`` is emitted and the search index drops it."""
    await unplace_card(w.session, card)
    card.moderation = Moderation.deleted
    card.version += 1
    card.updated_at = utcnow()
    await _emit(w, card, EventKind.card_deleted, {"id": card.id, "column_id": card.column_id})
    w.index("card", card.id, card.collective_id, op="delete")


async def hide_card(w: Write, card: Card, detail: dict[str, Any]) -> None:
    """Hide ``card`` within ``w`` (the caller checked the actor is its animator)."""
    card.moderation = Moderation.hidden
    card.version += 1
    card.updated_at = utcnow()
    await w.session.flush()
    await _emit(w, card, EventKind.card_hidden, await full_card_view(w.session, card))
    audit.record(
        w, card.collective_id, "card.hidden", "card", card.id, {"title": card.title, **detail}
    )


async def _emit(w: Write, card: Card, kind: EventKind, data: dict[str, Any]) -> None:
    # Everything about a hidden card is for animators only, card.hidden included: it carries
    # the card (animators keep showing it, as a fresh fetch does), and members get its ids
    # (redacted), which is all they need to drop it.
    restricted = card.moderation == Moderation.hidden
    if card.anonymous and data.get("author") is not None:
        data = {**data, "author": None}
    # An anonymous card's events name no actor either: its author's edits would tell.
    await w.emit_on_card(card, kind, data, restricted=restricted, anonymous=card.anonymous)
    if kind != EventKind.card_deleted:
        w.index("card", card.id, card.collective_id)


def _practice(kind: str, practice: PracticeIn | None) -> dict[str, Any]:
    """A practice sheet's structure, for a practice only (422 on another kind)."""
    if practice is None:
        return {}
    if kind != CardKind.practice:
        raise InvalidInput(
            "only a practice has a practice sheet",
            fields={"practice": "the card's kind is not practice"},
        )
    return practice_of(kind, practice.model_dump())


def _unique(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


async def board_of_card(essaim: Essaim, user: User, card_id: int) -> int:
    """The board of a card the user may read (404 otherwise)."""
    async with essaim.db.read() as session:
        card, _ = await card_for(session, user, card_id)
        return card.board_id


async def restore_version(essaim: Essaim, user: User, card_id: int, version: int) -> dict[str, Any]:
    """Make an old version the card's content again, as a new version (its author or an
    animator, the board open). Answers the card."""
    async with write(essaim, user) as w:
        card, member = await card_for(w.session, user, card_id, Action.write)
        require_owner_or_animator(card.author_id, user, member)
        await require_open_board(w.session, card.board_id, member)
        old = await w.session.scalar(
            select(CardVersion).where(
                CardVersion.card_id == card.id, CardVersion.version == version
            )
        )
        if old is None:
            raise NotFound("version")
        await keep_history(w, card)
        card.kind, card.title, card.body = old.kind, old.title, old.body
        card.tags = list(old.tags)
        card.practice = practice_of(old.kind, old.practice)
        card.version += 1
        card.updated_at = utcnow()
        await record_version(w, card, user.id)
        await emit_card_updated(w, card)
        view = await full_card_view(w.session, card, (user, member))
    return view
