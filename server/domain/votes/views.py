"""The JSON form of a vote, and when its results may be shown: loaded from the database, with
the tally computed by the vote's method (``methods.tally``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.models import Ballot, ResultsVisibility, User, Vote, VoteOption, utcnow
from server.domain.views import iso, user_view
from server.domain.votes.methods import Method, Rules, tally


def is_closed(vote: Vote, now: datetime | None = None) -> bool:
    """Closed by hand or by the closer, or past its closing time (before the closer ran)."""
    if vote.closed_at is not None:
        return True
    return vote.closes_at is not None and vote.closes_at <= (now or utcnow())


def results_visible(vote: Vote) -> bool:
    """Live results are everyone's at any time; ``at_close`` ones (every anonymous vote) nobody's,
    animators' neither, until the close."""
    return is_closed(vote) or (vote.results == ResultsVisibility.live and not vote.anonymous)


async def options_of(session: AsyncSession, vote_id: int) -> list[VoteOption]:
    return list(
        await session.scalars(
            select(VoteOption).where(VoteOption.vote_id == vote_id).order_by(VoteOption.position)
        )
    )


def rules_of(vote: Vote, options: list[VoteOption]) -> Rules:
    return Rules(
        method=Method(vote.method),
        option_ids=tuple(o.id for o in options),
        budget=vote.budget,
        max_per_option=vote.max_per_option,
    )


async def turnout(session: AsyncSession, vote_id: int) -> int:
    return await session.scalar(select(func.count()).where(Ballot.vote_id == vote_id)) or 0


async def current_tally(
    session: AsyncSession, vote: Vote, options: list[VoteOption]
) -> dict[str, Any]:
    """The tally of the stored ballots, each voter counted once (one row per voter)."""
    ballots = await session.scalars(select(Ballot.data).where(Ballot.vote_id == vote.id))
    return tally(rules_of(vote, options), list(ballots))


def option_view(option: VoteOption) -> dict[str, Any]:
    return {
        "id": option.id,
        "position": option.position,
        "card_id": option.card_id,
        "label": option.label,
    }


def vote_view(
    vote: Vote, options: list[VoteOption], creator: User | None, voters: int
) -> dict[str, Any]:
    """The vote as everyone who may see it sees it (the ``vote`` payload): never a ballot."""
    return {
        "id": vote.id,
        "collective_id": vote.collective_id,
        "board_id": vote.board_id,
        "title": vote.title,
        "method": vote.method,
        "budget": vote.budget,
        "max_per_option": vote.max_per_option,
        "anonymous": vote.anonymous,
        # The setting (``live`` or ``at_close``); ``results`` is the tally, when visible.
        "results_shown": vote.results,
        "closes_at": iso(vote.closes_at),
        "closed_at": iso(vote.closed_at),
        "status": "closed" if is_closed(vote) else "open",
        "created_by": user_view(creator) if creator else None,
        "created_at": iso(vote.created_at),
        "decision_card_id": vote.decision_card_id,
        "options": [option_view(o) for o in options],
        "turnout": voters,
    }


async def load_vote_view(session: AsyncSession, vote: Vote) -> dict[str, Any]:
    options = await options_of(session, vote.id)
    creator = await session.get(User, vote.created_by) if vote.created_by else None
    return vote_view(vote, options, creator, await turnout(session, vote.id))


async def full_vote_view(session: AsyncSession, vote: Vote) -> dict[str, Any]:
    """The vote with ``results``: the frozen tally once closed, the live one when visible,
    else null."""
    options = await options_of(session, vote.id)
    creator = await session.get(User, vote.created_by) if vote.created_by else None
    view = vote_view(vote, options, creator, await turnout(session, vote.id))
    results: dict[str, Any] | None = None
    if vote.result is not None:
        results = vote.result
    elif results_visible(vote):
        results = await current_tally(session, vote, options)
    return {**view, "results": results}
