"""Closing a vote: its tally is frozen and written as a decision card; then, in one click, its
winning cards move one column to the right. ``close_due_votes`` closes the votes whose closing
time passed (the app runs it every ``CLOSE_INTERVAL`` seconds, ``DueVoteCloser``)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from server.core.errors import Conflict, ErrorCode
from server.core.models import (
    Board,
    BoardColumn,
    BoardKind,
    Card,
    CardKind,
    Membership,
    Moderation,
    Role,
    User,
    Vote,
    utcnow,
)
from server.core.periodic import Periodic
from server.core.platform import Essaim
from server.domain.access import Action
from server.domain.cards import insert_card, move_card
from server.domain.notify.collective import notify_vote
from server.domain.views import board_view, column_view
from server.domain.votes.decision import DECISIONS_BOARD, decision_markdown
from server.domain.votes.service import vote_for
from server.domain.votes.views import current_tally, load_vote_view, options_of
from server.events.kinds import EventKind
from server.events.write import Write, lock_collective, write

log = logging.getLogger("essaim.votes")

CLOSE_INTERVAL = 30.0  # seconds between two runs of ``close_due_votes``
DECISIONS_COLUMNS = ("Décidé", "Mis en œuvre")


async def close_vote(essaim: Essaim, user: User, vote_id: int) -> dict[str, Any]:
    """An animator closes the vote (also one past its closing time the closer has not seen);
    a second close gets 409 ``vote_closed``."""
    async with write(essaim, user) as w:
        vote, _ = await vote_for(w.session, user, vote_id, Action.manage)
        if vote.closed_at is not None:
            raise Conflict("this vote is closed already", code=ErrorCode.VOTE_CLOSED)
        answer = await _close(w, vote, user)
    return answer


async def close_due_votes(essaim: Essaim) -> int:
    """Close every open vote whose ``closes_at`` passed, each in its own write (with no actor);
    the number closed."""
    async with essaim.db.read() as session:
        due = list(
            await session.scalars(
                select(Vote.id)
                .where(Vote.closed_at.is_(None), Vote.closes_at <= utcnow())
                .order_by(Vote.closes_at)
            )
        )
    closed = 0
    for vote_id in due:
        try:
            async with write(essaim, None) as w:
                vote = await w.session.get(Vote, vote_id)
                if vote is None:
                    continue
                await lock_collective(w.session, vote.collective_id, reread=vote)
                if vote.closed_at is not None:  # closed by hand meanwhile
                    continue
                await _close(w, vote, await _author(w, vote))
                closed += 1
        except Exception:  # one vote failing must not keep the others open
            log.exception("closing vote %s failed", vote_id)
    return closed


async def _author(w: Write, vote: Vote) -> User:
    """Who signs a decision closed by its time: the opener, else the collective's first
    animator (a card always has an author)."""
    if vote.created_by is not None:
        opener = await w.session.get(User, vote.created_by)
        if opener is not None:
            return opener
    animator = await w.session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.collective_id == vote.collective_id, Membership.role == Role.animator)
        .order_by(Membership.joined_at, Membership.id)
        .limit(1)
    )
    assert animator is not None  # a collective keeps at least one animator
    return animator


async def _close(w: Write, vote: Vote, author: User) -> dict[str, Any]:
    options = await options_of(w.session, vote.id)
    results = await current_tally(w.session, vote, options)
    vote.result = results
    vote.closed_at = utcnow()
    column = await _decision_column(w, vote, author)
    now = utcnow()
    card = Card(
        collective_id=vote.collective_id,
        board_id=column.board_id,
        column_id=column.id,
        position=0,
        kind=CardKind.decision,
        title=f"Décision : {vote.title}"[:200],
        body=decision_markdown(vote, options, results),
        tags=["décision"],
        author_id=author.id,
        created_at=now,
        updated_at=now,
    )
    await insert_card(w, card, author, None)
    vote.decision_card_id = card.id
    await w.session.flush()
    view = await load_vote_view(w.session, vote)
    await w.emit(
        vote.collective_id, EventKind.vote_closed, {**view, "results": results},
        board_id=vote.board_id,
    )  # fmt: skip
    await w.emit(
        vote.collective_id,
        EventKind.decision_created,
        {"vote_id": vote.id, "card_id": card.id, "board_id": card.board_id, "title": card.title},
        board_id=card.board_id,
        card_id=card.id,
    )
    await notify_vote(w, vote, author, closed=True)
    return {"vote": {**view, "results": results}, "results": results,
            "decision": {"card_id": card.id}}  # fmt: skip


async def _decision_column(w: Write, vote: Vote, author: User) -> BoardColumn:
    """The first column of the vote's board, else of the collective's « Décisions » board
    (created, with its ``board.created``, when it does not exist yet)."""
    board: Board | None = None
    if vote.board_id is not None:
        board = await w.session.get(Board, vote.board_id)
    if board is None:
        board = await w.session.scalar(
            select(Board)
            .where(Board.collective_id == vote.collective_id, Board.name == DECISIONS_BOARD)
            .order_by(Board.archived, Board.id)
            .limit(1)
        )
    if board is None:
        board = Board(
            collective_id=vote.collective_id,
            name=DECISIONS_BOARD,
            kind=BoardKind.documents,
            description="Les décisions prises par les votes du collectif.",
            created_by=author.id,
        )
        w.session.add(board)
        await w.session.flush()
        columns = [
            BoardColumn(board_id=board.id, name=n, position=i)
            for i, n in enumerate(DECISIONS_COLUMNS)
        ]
        w.session.add_all(columns)
        await w.session.flush()
        created = {**board_view(board), "columns": [column_view(c) for c in columns]}
        await w.emit(vote.collective_id, EventKind.board_created, created, board_id=board.id)
        return columns[0]
    first = await w.session.scalar(
        select(BoardColumn)
        .where(BoardColumn.board_id == board.id)
        .order_by(BoardColumn.position)
        .limit(1)
    )
    assert first is not None  # a board always keeps one column
    return first


async def advance_vote(essaim: Essaim, user: User, vote_id: int) -> dict[str, Any]:
    """Move each winning card of a closed vote one column to the right on its board (the
    last column keeps it), as a card move does; 409 ``vote_not_closed`` before the close."""
    async with write(essaim, user) as w:
        vote, _ = await vote_for(w.session, user, vote_id, Action.manage)
        if vote.closed_at is None or vote.result is None:
            raise Conflict("close the vote first", code=ErrorCode.VOTE_NOT_CLOSED)
        winners = set(vote.result.get("winner", []))
        moved: list[dict[str, Any]] = []
        for option in await options_of(w.session, vote.id):
            if option.id not in winners or option.card_id is None:
                continue
            card = await w.session.get(Card, option.card_id)
            if card is None or card.moderation == Moderation.deleted:
                continue
            columns = list(
                await w.session.scalars(
                    select(BoardColumn.id)
                    .where(BoardColumn.board_id == card.board_id)
                    .order_by(BoardColumn.position)
                )
            )
            index = columns.index(card.column_id)
            if index + 1 < len(columns):
                moved.append(await move_card(w, card, columns[index + 1]))
    return {"vote_id": vote_id, "moved": moved}


class DueVoteCloser(Periodic):
    """The app's background task running ``close_due_votes`` every ``interval`` seconds."""

    def __init__(self, essaim: Essaim, interval: float = CLOSE_INTERVAL) -> None:
        super().__init__("vote-closer", lambda: close_due_votes(essaim), interval)
