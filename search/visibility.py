"""The last word on what a search may show: the hits of a page re-checked against the database.

The index lags the database by the outbox (a few hundred milliseconds, up to a minute in a
backlog, longer while the engine is down): a card hidden or deleted a moment ago is still in
it as visible. Every engine's page is therefore re-checked here, at the cost of three small
queries by primary key, before it is returned: the card (and the comment) must still exist,
not be deleted, be in one of the caller's collectives, and be published unless the caller
animates that collective (the rule ``Query`` gives every backend).

Counts stay honest: a dropped hit is taken off ``total`` and off the facet buckets it counted
in (its card's kind, tags and board), and ``total_exact`` is false whenever changes in these
collectives still wait for the indexer, since hits on other pages may then be stale too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from search.outbox import behind
from search.query import Hit, Query, Result
from server.core.models import Attachment, Card, Comment, Moderation


@dataclass(frozen=True)
class _CardNow:
    collective_id: int
    board_id: int
    kind: str
    tags: tuple[str, ...]
    moderation: str


async def recheck(session: AsyncSession, query: Query, result: Result) -> Result:
    """``result`` without the hits ``query``'s caller may no longer see, counts adjusted."""
    if result.hits:
        cards = await _cards(session, {h.card_id for h in result.hits})
        comments = await _comments(session, [h.id for h in result.hits if h.type == "comment"])
        files = await _attachments(session, [h.id for h in result.hits if h.type == "attachment"])
        kept: list[Hit] = []
        for hit in result.hits:
            if _visible(query, hit, cards.get(hit.card_id), comments, files):
                kept.append(hit)
            else:
                _uncount(result, hit, cards.get(hit.card_id))
        result.hits = kept
    if result.total_exact and await behind(session, query.collective_ids):
        result.total_exact = False
    return result


def _visible(
    query: Query,
    hit: Hit,
    card: _CardNow | None,
    comments: dict[int, tuple[int, str]],
    files: dict[int, int],
) -> bool:
    if card is None or card.moderation == Moderation.deleted:
        return False
    if card.collective_id not in query.collective_ids:
        return False
    animator = card.collective_id in query.animated_ids
    if card.moderation == Moderation.hidden and not animator:
        return False
    if hit.type == "comment":
        comment = comments.get(hit.id)
        if comment is None or comment[0] != hit.card_id or comment[1] == Moderation.deleted:
            return False
        return comment[1] != Moderation.hidden or animator
    if hit.type == "attachment":
        return files.get(hit.id) == hit.card_id
    return True


def _uncount(result: Result, hit: Hit, card: _CardNow | None) -> None:
    """Take a dropped hit off the total and the facet buckets (as the index counted it, which
    is the card's current kind, tags and board unless they changed since)."""
    result.total = max(0, result.total - 1)
    buckets: list[tuple[str, str]] = [("board", str(hit.board_id))]
    if card is not None:
        buckets += [("kind", card.kind)] + [("tag", t) for t in card.tags]
    for section, key in buckets:
        counted = result.facets.get(section, {})
        if key in counted:
            counted[key] -= 1
            if counted[key] <= 0:
                del counted[key]


async def _cards(session: AsyncSession, ids: set[int]) -> dict[int, _CardNow]:
    rows = await session.execute(
        select(
            Card.id, Card.collective_id, Card.board_id, Card.kind, Card.tags, Card.moderation
        ).where(Card.id.in_(sorted(ids)))
    )
    return {
        r.id: _CardNow(r.collective_id, r.board_id, r.kind, tuple(r.tags or ()), r.moderation)
        for r in rows.all()
    }


async def _comments(session: AsyncSession, ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    if not ids:
        return {}
    rows = await session.execute(
        select(Comment.id, Comment.card_id, Comment.moderation).where(Comment.id.in_(ids))
    )
    return {r.id: (r.card_id, r.moderation) for r in rows.all()}


async def _attachments(session: AsyncSession, ids: Sequence[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = await session.execute(
        select(Attachment.id, Attachment.card_id).where(Attachment.id.in_(ids))
    )
    return {r.id: r.card_id for r in rows.all()}
