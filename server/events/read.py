"""Reading the event log: a page of events after ``since``, as this user may see them.

What a member may not see is redacted, not skipped, so ``seq`` stays gap-free for every
client: a restricted event, or one about a card or comment that is now hidden or deleted,
carries only ids (``redacted``), never who did it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.models import Card, Collective, Comment, Event, Membership, Moderation, Role
from server.events.wire import event_message

MAX_PAGE = 500


async def events_page(
    session: AsyncSession, member: Membership, since: int, limit: int
) -> dict[str, Any]:
    """The page after ``since`` as ``member`` may see it (the caller found the membership, in
    the same read session: the event log does not decide who belongs)."""
    collective_id = member.collective_id
    seq = await session.scalar(select(Collective.last_seq).where(Collective.id == collective_id))
    events = list(
        await session.scalars(
            select(Event)
            .where(Event.collective_id == collective_id, Event.seq > since)
            .order_by(Event.seq)
            .limit(min(limit, MAX_PAGE))
        )
    )
    messages = await visible_messages(session, member, events)
    return {
        "events": messages,
        "seq": seq,
        "next_since": messages[-1]["seq"] if messages else since,
        "more": bool(messages) and messages[-1]["seq"] < (seq or 0),
    }


async def visible_messages(
    session: AsyncSession, member: Membership, events: list[Event]
) -> list[dict[str, Any]]:
    """Wire messages for ``events``, redacted for what ``member`` may not (or no longer) see."""
    messages = [event_message(e) for e in events]
    # Animators see everything they moderate, restricted events included.
    if member.role == Role.animator or not events:
        return messages
    card_ids = {e.card_id for e in events if e.card_id is not None}
    gone_cards = set(
        await session.scalars(
            select(Card.id).where(Card.id.in_(card_ids), Card.moderation != Moderation.published)
        )
    )
    comment_ids = {m["data"].get("id") for m in messages if m["kind"].startswith("comment.")} - {
        None
    }
    gone_comments = set(
        await session.scalars(
            select(Comment.id).where(
                Comment.id.in_(comment_ids), Comment.moderation != Moderation.published
            )
        )
    )
    for index, (event, message) in enumerate(zip(events, messages, strict=True)):
        if (
            event.restricted
            or message["card"] in gone_cards
            or (
                message["kind"].startswith("comment.")
                and message["data"].get("id") in gone_comments
            )
        ):
            messages[index] = redacted(message)
    return messages


def redacted(message: dict[str, Any]) -> dict[str, Any]:
    """What a member or observer gets of an event they may not see (restricted, or about
    hidden or deleted content): its place in the log and the ids that keep a client in sync,
    nothing about who did it (no ``actor``) or what (no payload). The one redaction, for the
    event log and the live feed alike."""
    return {**message, "actor": None, "data": _redacted_data(message)}


def _redacted_data(message: dict[str, Any]) -> dict[str, Any]:
    if message["kind"].startswith("card."):
        return {"id": message["card"], "redacted": True}
    if message["kind"].startswith("comment."):
        return {"id": message["data"].get("id"), "card_id": message["card"], "redacted": True}
    return {"card_id": message["card"], "redacted": True}
