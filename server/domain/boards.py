"""Boards and their ordered columns; a new board gets default columns for its kind."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.errors import Conflict, ErrorCode, InvalidInput, NotFound
from server.core.models import (
    DEFAULT_COLUMNS,
    Board,
    BoardColumn,
    Card,
    Collective,
    Comment,
    Moderation,
    Phase,
    Reaction,
    User,
)
from server.core.platform import Essaim
from server.domain import audit
from server.domain.access import Action, board_for, is_animator, membership, sees_author
from server.domain.schemas import BoardIn, BoardPatch, ColumnIn, ColumnPatch, patch_values
from server.domain.views import board_view, card_view, column_view
from server.domain.workshops.rules import running_workshop
from server.events.kinds import EventKind
from server.events.write import write


async def _check_phase(session: AsyncSession, collective_id: int, phase_id: int | None) -> None:
    if phase_id is None:
        return
    phase = await session.get(Phase, phase_id)
    if phase is None or phase.collective_id != collective_id:
        raise InvalidInput("unknown phase", fields={"phase_id": "no such phase here"})


async def create_board(
    essaim: Essaim, user: User, collective_id: int, body: BoardIn
) -> dict[str, Any]:
    async with write(essaim, user) as w:
        await membership(w.session, user, collective_id, Action.manage)
        await _check_phase(w.session, collective_id, body.phase_id)
        board = Board(
            collective_id=collective_id,
            name=body.name,
            kind=body.kind,
            description=body.description,
            phase_id=body.phase_id,
            created_by=user.id,
        )
        w.session.add(board)
        await w.session.flush()
        names = body.columns or DEFAULT_COLUMNS[body.kind]
        columns = [BoardColumn(board_id=board.id, name=n, position=i) for i, n in enumerate(names)]
        w.session.add_all(columns)
        await w.session.flush()
        view = {**board_view(board), "columns": [column_view(c) for c in columns]}
        await w.emit(collective_id, EventKind.board_created, view, board_id=board.id)
    return view


async def list_boards(essaim: Essaim, user: User, collective_id: int) -> list[dict[str, Any]]:
    async with essaim.db.read() as session:
        await membership(session, user, collective_id)
        boards = await session.scalars(
            select(Board).where(Board.collective_id == collective_id).order_by(Board.id)
        )
        return [board_view(b) for b in boards]


async def get_board(essaim: Essaim, user: User, board_id: int) -> dict[str, Any]:
    """The board with its columns and visible cards, and the collective's current ``seq``."""
    async with essaim.db.read() as session:
        board, member = await board_for(session, user, board_id)
        seq = await session.scalar(
            select(Collective.last_seq).where(Collective.id == board.collective_id)
        )
        columns = list(
            await session.scalars(
                select(BoardColumn)
                .where(BoardColumn.board_id == board_id)
                .order_by(BoardColumn.position)
            )
        )
        visible = [Moderation.published]
        if is_animator(member):
            visible.append(Moderation.hidden)
        cards = (
            await session.execute(
                select(Card, User)
                .join(User, User.id == Card.author_id)
                .where(Card.board_id == board_id, Card.moderation.in_(visible))
                .order_by(Card.column_id, Card.pinned.desc(), Card.position)
            )
        ).all()
        card_ids = [card.id for card, _ in cards]
        reactions = await reaction_counts(session, card_ids)
        comments = await comment_counts(session, card_ids)
        by_column: dict[int, list[dict[str, Any]]] = {c.id: [] for c in columns}
        for card, author in cards:
            by_column[card.column_id].append(
                card_view(
                    card,
                    author if sees_author(card, user, member) else None,
                    reactions.get(card.id),
                    comments.get(card.id, 0),
                )
            )
        return {
            **board_view(board),
            "seq": seq,
            "columns": [{**column_view(c), "cards": by_column[c.id]} for c in columns],
        }


async def reaction_counts(session: AsyncSession, card_ids: list[int]) -> dict[int, dict[str, int]]:
    if not card_ids:
        return {}
    rows = await session.execute(
        select(Reaction.card_id, Reaction.kind, func.count())
        .where(Reaction.card_id.in_(card_ids))
        .group_by(Reaction.card_id, Reaction.kind)
    )
    out: dict[int, dict[str, int]] = {}
    for card_id, kind, count in rows:
        out.setdefault(card_id, {})[kind] = count
    return out


async def comment_counts(session: AsyncSession, card_ids: list[int]) -> dict[int, int]:
    if not card_ids:
        return {}
    rows = await session.execute(
        select(Comment.card_id, func.count())
        .where(Comment.card_id.in_(card_ids), Comment.moderation == Moderation.published)
        .group_by(Comment.card_id)
    )
    return {card_id: count for card_id, count in rows}


async def update_board(
    essaim: Essaim, user: User, board_id: int, body: BoardPatch
) -> dict[str, Any]:
    values = patch_values(body, nullable=frozenset({"phase_id"}))
    async with write(essaim, user) as w:
        board, _ = await board_for(w.session, user, board_id, Action.manage)
        if "phase_id" in values:
            await _check_phase(w.session, board.collective_id, body.phase_id)
        if "locked" in values and values["locked"] != board.locked:
            action = "board.locked" if values["locked"] else "board.unlocked"
            audit.record(w, board.collective_id, action, "board", board.id, {"name": board.name})
        for key, value in values.items():
            setattr(board, key, value)
        await w.session.flush()
        view = board_view(board)
        await w.emit(board.collective_id, EventKind.board_updated, view, board_id=board.id)
    return view


async def _columns(session: AsyncSession, board_id: int) -> list[BoardColumn]:
    return list(
        await session.scalars(
            select(BoardColumn)
            .where(BoardColumn.board_id == board_id)
            .order_by(BoardColumn.position)
        )
    )


def _renumber(columns: list[BoardColumn]) -> None:
    for index, column in enumerate(columns):
        column.position = index


async def create_column(
    essaim: Essaim, user: User, board_id: int, body: ColumnIn
) -> dict[str, Any]:
    async with write(essaim, user) as w:
        board, _ = await board_for(w.session, user, board_id, Action.manage)
        columns = await _columns(w.session, board_id)
        if len(columns) >= 12:
            raise Conflict("a board has at most 12 columns", code=ErrorCode.TOO_MANY_COLUMNS)
        column = BoardColumn(board_id=board_id, name=body.name, position=len(columns))
        w.session.add(column)
        position = len(columns) if body.position is None else min(body.position, len(columns))
        columns.insert(position, column)
        _renumber(columns)
        await w.session.flush()
        view = column_view(column)
        await w.emit(board.collective_id, EventKind.column_created, view, board_id=board_id)
    return view


async def update_column(
    essaim: Essaim, user: User, column_id: int, body: ColumnPatch
) -> dict[str, Any]:
    values = patch_values(body)
    async with write(essaim, user) as w:
        column = await w.session.get(BoardColumn, column_id)
        if column is None:
            raise NotFound("column")
        board, _ = await _board_of_column(w.session, user, column, Action.manage)
        if "name" in values:
            column.name = str(values["name"])
        if body.position is not None:
            columns = [c for c in await _columns(w.session, board.id) if c.id != column.id]
            columns.insert(min(body.position, len(columns)), column)
            _renumber(columns)
        await w.session.flush()
        view = column_view(column)
        await w.emit(board.collective_id, EventKind.column_updated, view, board_id=board.id)
    return view


async def delete_column(essaim: Essaim, user: User, column_id: int) -> None:
    async with write(essaim, user) as w:
        column = await w.session.get(BoardColumn, column_id)
        if column is None:
            raise NotFound("column")
        board, _ = await _board_of_column(w.session, user, column, Action.manage)
        live_cards = await w.session.scalar(
            select(func.count()).where(
                Card.column_id == column_id, Card.moderation != Moderation.deleted
            )
        )
        if live_cards:
            raise Conflict(
                "move or delete the column's cards first", code=ErrorCode.COLUMN_NOT_EMPTY
            )
        workshop = await running_workshop(w.session, board.id)
        if workshop is not None and workshop.inbox_column_id == column_id:
            raise Conflict(
                "this column is the running workshop's inbox: end the workshop first",
                code=ErrorCode.WORKSHOP_RUNNING,
            )
        columns = await _columns(w.session, board.id)
        if len(columns) <= 1:
            raise Conflict("a board keeps at least one column", code=ErrorCode.LAST_COLUMN)
        # Deleted cards keep pointing at a column: park them on the first remaining one.
        remaining = [c for c in columns if c.id != column_id]
        await w.session.execute(
            update(Card).where(Card.column_id == column_id).values(column_id=remaining[0].id)
        )
        await w.session.delete(column)
        _renumber(remaining)
        await w.emit(
            board.collective_id, EventKind.column_deleted, {"id": column_id}, board_id=board.id
        )


async def _board_of_column(
    session: AsyncSession, user: User, column: BoardColumn, action: Action
) -> tuple[Board, Any]:
    try:
        return await board_for(session, user, column.board_id, action)
    except NotFound:
        raise NotFound("column") from None
