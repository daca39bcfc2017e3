"""Vote endpoints: open a vote, read it and its results, cast one's ballot, close, advance."""

from __future__ import annotations

from typing import Any

from server.app.routing import Call, Endpoints
from server.domain.votes import closing, service
from server.domain.votes.schemas import BallotIn, VoteIn

ROUTES = Endpoints()


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/votes",
    "Votes of a collective, newest first (results when visible)",
    tag="votes",
)
async def list_votes(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return {"votes": await service.list_votes(call.essaim, call.user, cid)}


@ROUTES.endpoint(
    "POST",
    "/collectives/{collective_id:int}/votes",
    "Open a vote on cards or labels (animators; members if the collective allows)",
    tag="votes",
    body=VoteIn,
    status=201,
)
async def open_vote(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return await service.open_vote(call.essaim, call.user, cid, call.body)


@ROUTES.endpoint(
    "GET",
    "/votes/{vote_id:int}",
    "A vote: its options, turnout, and results when visible (never a ballot)",
    tag="votes",
)
async def get_vote(call: Call) -> dict[str, Any]:
    return await service.get_vote(call.essaim, call.user, call.id("vote_id"))


@ROUTES.endpoint(
    "PUT",
    "/votes/{vote_id:int}/ballot",
    "Cast or replace one's whole ballot (members and animators, until the close)",
    tag="votes",
    body=BallotIn,
)
async def put_ballot(call: Call) -> dict[str, Any]:
    return await service.put_ballot(call.essaim, call.user, call.id("vote_id"), call.body)


@ROUTES.endpoint(
    "GET", "/votes/{vote_id:int}/ballot", "One's own ballot (null before voting)", tag="votes"
)
async def get_ballot(call: Call) -> dict[str, Any]:
    return await service.get_my_ballot(call.essaim, call.user, call.id("vote_id"))


@ROUTES.endpoint(
    "POST",
    "/votes/{vote_id:int}/close",
    "Close a vote: its results and the decision card written (animators)",
    tag="votes",
)
async def close_vote(call: Call) -> dict[str, Any]:
    return await closing.close_vote(call.essaim, call.user, call.id("vote_id"))


@ROUTES.endpoint(
    "POST",
    "/votes/{vote_id:int}/advance",
    "Move a closed vote's winning cards one column to the right (animators)",
    tag="votes",
)
async def advance_vote(call: Call) -> dict[str, Any]:
    return await closing.advance_vote(call.essaim, call.user, call.id("vote_id"))
