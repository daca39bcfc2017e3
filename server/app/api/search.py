"""Search endpoint: ``GET /search`` over the cards, comments and files the caller may see."""

from __future__ import annotations

from typing import Any

from search.backend import SearchUnavailable
from search.runtime import SearchRuntime
from search.service import SearchRequest, search
from search.similar.service import SimilarCards
from server.app.routing import MAX_ID, Call, Endpoints
from server.core.errors import InvalidInput, SearchDown
from server.core.models import CardKind

ROUTES = Endpoints()

MAX_QUERY_CHARS = 200
MAX_OFFSET = 1000


def _text(call: Call, name: str, *, limit: int, required: bool = False) -> str | None:
    raw = call.request.query_params.get(name)
    if raw is None or not raw.strip():
        if required:
            raise InvalidInput(f"{name} is required", fields={name: "missing"})
        return None
    if len(raw) > limit:
        raise InvalidInput(f"{name} is too long", fields={name: f"at most {limit} characters"})
    return raw


def _id(call: Call, name: str) -> int | None:
    if not call.request.query_params.get(name):
        return None
    return call.query_int(name, 0, low=1, high=MAX_ID)


@ROUTES.endpoint(
    "GET",
    "/search",
    "Search cards, comments and attached files of one's collectives (French analysis)",
    tag="search",
    query=("q:str", "collective", "kind:" + "|".join(CardKind), "tag:str", "board", "author")
    + ("limit", "offset"),
)
async def search_endpoint(call: Call) -> dict[str, Any]:
    text = _text(call, "q", limit=MAX_QUERY_CHARS, required=True)
    assert text is not None
    kind = _text(call, "kind", limit=16)
    if kind is not None and kind not in set(CardKind):
        raise InvalidInput("unknown card kind", fields={"kind": f"one of {', '.join(CardKind)}"})
    tag = _text(call, "tag", limit=40)
    request = SearchRequest(
        text=text,
        collective_id=_id(call, "collective"),
        kind=kind,
        tag=tag.strip().lower() if tag else None,
        board_id=_id(call, "board"),
        author_id=_id(call, "author"),
        limit=call.query_int("limit", 20, low=1, high=50),
        offset=call.query_int("offset", 0, low=0, high=MAX_OFFSET),
    )
    runtime: SearchRuntime = call.request.app.state.search
    try:
        return await search(call.essaim, runtime.backend, call.user, request)
    except SearchUnavailable:
        raise SearchDown("search is unavailable right now; try again shortly") from None


MAX_SIMILAR_CHARS = 10_000


def _similar(call: Call) -> SimilarCards:
    runtime: SimilarCards = call.request.app.state.similar
    return runtime


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/similar",
    "Up to 5 published cards of the collective close to `text` (a new card's title and body "
    "as typed), best first; `exclude`: a card not to propose (the one being edited)",
    tag="search",
    query=("text:str", "exclude"),
)
async def similar_to_text(call: Call) -> dict[str, Any]:
    text = _text(call, "text", limit=MAX_SIMILAR_CHARS) or ""
    exclude = _id(call, "exclude")
    return await _similar(call).for_text(call.user, call.id("collective_id"), text, exclude)


@ROUTES.endpoint(
    "GET",
    "/cards/{card_id:int}/similar",
    "Up to 5 published cards of the same collective close to this one (« Fiches proches »)",
    tag="search",
)
async def similar_to_card(call: Call) -> dict[str, Any]:
    return await _similar(call).for_card(call.user, call.id("card_id"))
