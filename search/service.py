"""The query service: a user's search, restricted to their collectives and to what they may
see (hidden content only in the collectives they animate), answered as the API shape. The
engine filters; ``search.visibility`` re-checks its page against the database."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from search.backend import SearchBackend
from search.query import Query, parse_words
from search.visibility import recheck
from server.core.errors import NotFound
from server.core.models import Membership, Role, User
from server.core.platform import Essaim


@dataclass(frozen=True)
class SearchRequest:
    """What a caller asks for; values are already validated (see ``server.app.api.search``)."""

    text: str
    collective_id: int | None = None
    kind: str | None = None
    tag: str | None = None
    board_id: int | None = None
    author_id: int | None = None
    limit: int = 20
    offset: int = 0


async def visible_query(essaim: Essaim, user: User, request: SearchRequest) -> Query:
    """The backend query for ``user``: their collectives only; 404 for a collective not theirs."""
    async with essaim.db.read() as session:
        rows = (
            await session.execute(
                select(Membership.collective_id, Membership.role).where(
                    Membership.user_id == user.id
                )
            )
        ).all()
    roles = {cid: role for cid, role in rows}
    if request.collective_id is not None:
        if request.collective_id not in roles:
            raise NotFound("collective")
        roles = {request.collective_id: roles[request.collective_id]}
    return Query(
        text=request.text,
        words=parse_words(request.text),
        collective_ids=tuple(sorted(roles)),
        animated_ids=tuple(sorted(c for c, r in roles.items() if r == Role.animator)),
        kind=request.kind,
        tag=request.tag,
        board_id=request.board_id,
        author_id=request.author_id,
        limit=request.limit,
        offset=request.offset,
    )


async def search(
    essaim: Essaim, backend: SearchBackend, user: User, request: SearchRequest
) -> dict[str, Any]:
    """``{"total", "total_exact", "hits", "facets"}`` for ``user``'s search."""
    query = await visible_query(essaim, user, request)
    result = await backend.search(query)
    # The index may lag the database: what was hidden or deleted since must not show.
    async with essaim.db.read() as session:
        result = await recheck(session, query, result)
    return {
        "total": result.total,
        "total_exact": result.total_exact,
        "hits": [asdict(hit) for hit in result.hits],
        "facets": result.facets,
    }
