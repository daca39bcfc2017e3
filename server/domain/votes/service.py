"""Votes: open one, read it (results when visible), cast or replace one's ballot, read one's own.

    action           animator  member                observer  non-member
    open             yes       if the collective     403       404
                               allows (setting)
    read, list       yes       yes                   yes       404
    ballot (PUT)     yes       yes                   403       404
    own ballot (GET) yes       yes                   yes       404
    close, advance   yes       403                   403       404   (closing.py)

Nobody reads another person's ballot, through any endpoint or event: ``ballot.cast`` never
carries one, and for an anonymous vote it is written with no actor at all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.errors import Conflict, ErrorCode, Forbidden, InvalidInput, NotFound
from server.core.models import (
    Ballot,
    Board,
    Card,
    Collective,
    Membership,
    Moderation,
    ResultsVisibility,
    User,
    Vote,
    VoteOption,
    utcnow,
)
from server.core.platform import Essaim
from server.domain.access import Action, is_animator, membership
from server.domain.notify.collective import notify_vote
from server.domain.votes.methods import Method, normalise_ballot
from server.domain.votes.schemas import MAX_OPTIONS, BallotIn, VoteIn
from server.domain.votes.views import (
    current_tally,
    full_vote_view,
    is_closed,
    options_of,
    results_visible,
    rules_of,
    turnout,
    vote_view,
)
from server.domain.workshops.rules import require_not_frozen
from server.events.kinds import EventKind
from server.events.write import lock_collective, write


async def vote_for(
    session: AsyncSession, user: User, vote_id: int, action: Action = Action.read
) -> tuple[Vote, Membership]:
    """The vote and the user's membership of its collective, checked against ``action``
    (locked first inside a write, the vote read again once locked); 404 for non-members."""
    vote = await session.get(Vote, vote_id)
    if vote is None:
        raise NotFound("vote")
    await lock_collective(session, vote.collective_id, reread=vote)
    try:
        member = await membership(session, user, vote.collective_id, action)
    except NotFound:
        raise NotFound("vote") from None
    return vote, member


def require_open(vote: Vote) -> None:
    if is_closed(vote):
        raise Conflict("this vote is closed", code=ErrorCode.VOTE_CLOSED)


async def open_vote(essaim: Essaim, user: User, collective_id: int, body: VoteIn) -> dict[str, Any]:
    async with write(essaim, user) as w:
        member = await membership(w.session, user, collective_id, Action.write)
        collective = await w.session.get(Collective, collective_id)
        assert collective is not None
        if not is_animator(member) and not collective.members_open_votes:
            raise Forbidden("only animators open votes in this collective")
        _check_rules(body)
        await _check_board(w.session, collective_id, body.board_id)
        choices = await _choices(w.session, collective_id, body)
        vote = Vote(
            collective_id=collective_id,
            board_id=body.board_id,
            title=body.title,
            method=body.method,
            budget=body.budget,
            max_per_option=body.max_per_option,
            anonymous=body.anonymous,
            # An anonymous vote's live counts would tell who voted what, ballot by ballot.
            results=ResultsVisibility.at_close if body.anonymous else body.results,
            closes_at=body.closes_at,
            created_by=user.id,
            created_at=utcnow(),
        )
        w.session.add(vote)
        await w.session.flush()
        options = [
            VoteOption(vote_id=vote.id, position=i, card_id=card_id, label=label)
            for i, (card_id, label) in enumerate(choices)
        ]
        w.session.add_all(options)
        await w.session.flush()
        view = vote_view(vote, options, user, 0)
        await w.emit(collective_id, EventKind.vote_opened, view, board_id=vote.board_id)
        await notify_vote(w, vote, user, closed=False)
        results = await current_tally(w.session, vote, options) if results_visible(vote) else None
    return {**view, "results": results}


def _check_rules(body: VoteIn) -> None:
    if body.closes_at is not None and body.closes_at <= utcnow():
        raise InvalidInput("the vote would be closed already", fields={"closes_at": "in the past"})
    if body.method != Method.dot and body.max_per_option is not None:
        raise InvalidInput(
            "max_per_option is for dot voting", fields={"max_per_option": "only for dot voting"}
        )
    if body.max_per_option is not None and body.max_per_option > body.budget:
        raise InvalidInput(
            "max_per_option exceeds the budget", fields={"max_per_option": "more than budget"}
        )


async def _check_board(session: AsyncSession, collective_id: int, board_id: int | None) -> None:
    if board_id is None:
        return
    board = await session.get(Board, board_id)
    if board is None or board.collective_id != collective_id:
        raise InvalidInput("unknown board", fields={"board_id": "no such board here"})


async def _choices(
    session: AsyncSession, collective_id: int, body: VoteIn
) -> list[tuple[int | None, str]]:
    """The options to create, as (card id, label): cards of this collective, or labels."""
    if (body.card_ids is None) == (body.options is None):
        raise InvalidInput(
            "give either card_ids or options", fields={"options": "card_ids or options, one"}
        )
    field = "card_ids" if body.card_ids is not None else "options"
    count = len(body.card_ids or body.options or [])
    if body.method == Method.consent and count != 1:
        raise InvalidInput("consent is about one proposal", fields={field: "exactly one"})
    if body.method != Method.consent and not 2 <= count <= MAX_OPTIONS:
        raise InvalidInput(
            "a vote needs at least two options", fields={field: f"2 to {MAX_OPTIONS}"}
        )
    if body.options is not None:
        return [(None, label) for label in body.options]
    ids = body.card_ids or []
    if len(set(ids)) != len(ids):
        raise InvalidInput("a card is given twice", fields={"card_ids": "duplicates"})
    cards = {
        card.id: card
        for card in await session.scalars(
            select(Card).where(
                Card.id.in_(ids),
                Card.collective_id == collective_id,
                Card.moderation == Moderation.published,
            )
        )
    }
    unknown = [i for i in ids if i not in cards]
    if unknown:
        names = ", ".join(str(i) for i in unknown)
        raise InvalidInput(
            f"unknown card {names}", fields={"card_ids": f"no card {names} in this collective"}
        )
    return [(i, cards[i].title) for i in ids]


async def get_vote(essaim: Essaim, user: User, vote_id: int) -> dict[str, Any]:
    async with essaim.db.read() as session:
        vote, _ = await vote_for(session, user, vote_id)
        return await full_vote_view(session, vote)


async def list_votes(essaim: Essaim, user: User, collective_id: int) -> list[dict[str, Any]]:
    """The collective's votes, newest first, each with its results when visible."""
    async with essaim.db.read() as session:
        await membership(session, user, collective_id)
        votes = await session.scalars(
            select(Vote)
            .where(Vote.collective_id == collective_id)
            .order_by(Vote.created_at.desc(), Vote.id.desc())
        )
        return [await full_vote_view(session, vote) for vote in votes]


async def put_ballot(essaim: Essaim, user: User, vote_id: int, body: BallotIn) -> dict[str, Any]:
    """Replace the caller's whole ballot. The write locks the collective before it reads the
    vote and the caller's previous ballot, so concurrent ballots of one voter are applied one
    after the other: one row per voter, each checked against the budget on its own."""
    raw = body.model_dump(exclude_none=True)
    async with write(essaim, user) as w:
        vote, member = await vote_for(w.session, user, vote_id, Action.write)
        require_open(vote)
        if vote.board_id is not None:
            await require_not_frozen(w.session, vote.board_id, member)
        options = await options_of(w.session, vote.id)
        data = normalise_ballot(rules_of(vote, options), raw)
        ballot = await w.session.scalar(
            select(Ballot).where(Ballot.vote_id == vote.id, Ballot.voter_id == user.id)
        )
        now = utcnow()
        if ballot is None:
            ballot = Ballot(vote_id=vote.id, voter_id=user.id, data=data, updated_at=now)
            w.session.add(ballot)
        else:
            ballot.data = data
            ballot.updated_at = now
        await w.session.flush()
        voters = await turnout(w.session, vote.id)
        results = await current_tally(w.session, vote, options) if results_visible(vote) else None
        await w.emit(
            vote.collective_id,
            EventKind.ballot_cast,
            {"vote_id": vote.id, "turnout": voters, "results": results},
            board_id=vote.board_id,
            anonymous=vote.anonymous,
        )
    return {"vote_id": vote_id, "ballot": data, "updated_at": now.isoformat()}


async def get_my_ballot(essaim: Essaim, user: User, vote_id: int) -> dict[str, Any]:
    """The caller's own ballot (``null`` before they voted): the only ballot anyone reads."""
    async with essaim.db.read() as session:
        vote, _ = await vote_for(session, user, vote_id)
        ballot = await session.scalar(
            select(Ballot).where(Ballot.vote_id == vote.id, Ballot.voter_id == user.id)
        )
        return {
            "vote_id": vote.id,
            "ballot": ballot.data if ballot else None,
            "updated_at": ballot.updated_at.isoformat() if ballot else None,
        }
