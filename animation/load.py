"""Reading a collective's records (activities, members, boards, visits) from the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from animation.individual import ActionRecord, DiagnosticRecord
from animation.records import Activity, BoardInfo, Kind, Member, Visit
from server.core.models import (
    Board,
    BoardColumn,
    Card,
    Diagnostic,
    DiagnosticStatus,
    Event,
    Membership,
    PlanAction,
)
from server.core.models import Visit as VisitRow
from server.core.platform import Essaim
from server.domain.diagnostics.needs import company_key

# Event kinds that are something a member did, and what they become.
KINDS = {
    "card.created": Kind.post,
    "comment.created": Kind.comment,
    "reaction.added": Kind.reaction,
    "card.moved": Kind.move,
}


@dataclass(frozen=True)
class Records:
    activities: list[Activity]
    members: list[Member]
    boards: list[BoardInfo]
    visits: list[Visit] = field(default_factory=list)


async def load_records(
    essaim: Essaim, collective_id: int, until: datetime, since: datetime | None = None
) -> Records:
    """The collective's activities and visits in ``[since, until)`` (all history when ``since``
    is None, which habits and newcomers' first posts need), its current members and boards.

    Hidden and deleted content still counts: it happened, and moderation is not a metric.
    """
    async with essaim.db.read() as session:
        query = (
            select(Event, Card.kind, Card.author_id)
            .join(Card, Card.id == Event.card_id)
            .where(
                Event.collective_id == collective_id,
                Event.kind.in_(KINDS),
                Event.actor_id.is_not(None),
                Event.at < until,
            )
            .order_by(Event.seq)
        )
        if since is not None:
            query = query.where(Event.at >= since)
        rows = (await session.execute(query)).all()
        column_ids = {int(e.payload["column_id"]) for e, _, _ in rows if e.kind == "card.moved"}
        columns = await session.execute(
            select(BoardColumn.id, BoardColumn.position).where(BoardColumn.id.in_(column_ids))
        )
        positions: dict[int, int] = {row[0]: row[1] for row in columns}
        members = [
            Member(m.user_id, m.joined_at, m.role)
            for m in await session.scalars(
                select(Membership)
                .where(Membership.collective_id == collective_id)
                .order_by(Membership.user_id)
            )
        ]
        boards = [
            BoardInfo(b.id, b.created_at, b.kind, b.archived)
            for b in await session.scalars(
                select(Board).where(Board.collective_id == collective_id).order_by(Board.id)
            )
        ]
        visit_query = select(VisitRow.at, VisitRow.user_id).where(
            VisitRow.collective_id == collective_id, VisitRow.at < until
        )
        if since is not None:
            visit_query = visit_query.where(VisitRow.at >= since)
        visits = [
            Visit(at, user_id)
            for at, user_id in await session.execute(visit_query.order_by(VisitRow.at))
        ]
    activities = []
    for event, card_kind, author_id in rows:
        kind = KINDS[event.kind]
        assert event.actor_id is not None and event.card_id is not None
        activities.append(
            Activity(
                at=event.at,
                actor_id=event.actor_id,
                kind=kind,
                card_id=event.card_id,
                board_id=event.board_id or 0,
                card_kind=card_kind,
                card_author_id=author_id,
                reaction=str(event.payload.get("kind", "")) if kind is Kind.reaction else "",
                column=positions.get(int(event.payload.get("column_id", -1)), -1)
                if kind is Kind.move
                else -1,
            )
        )
    return Records(activities, members, boards, visits)


async def load_individual(  # the individual phase's records (animation.individual)
    session: AsyncSession, collective_id: int, at: datetime
) -> tuple[list[DiagnosticRecord], list[ActionRecord]]:
    diagnostics = [
        DiagnosticRecord(
            company_key(d),
            d.created_at,
            d.completed_at if d.status == DiagnosticStatus.done else None,
        )
        for d in await session.scalars(
            select(Diagnostic).where(
                Diagnostic.collective_id == collective_id, Diagnostic.created_at < at
            )
        )
    ]
    actions = list(
        await session.scalars(
            select(PlanAction).where(
                PlanAction.collective_id == collective_id, PlanAction.created_at < at
            )
        )
    )
    linked = {c for a in actions for c in a.card_ids}
    practices = (
        set(
            await session.scalars(
                select(Card.id).where(Card.id.in_(linked), Card.kind == "practice")
            )
        )
        if linked
        else set()
    )
    records = [
        ActionRecord(
            a.created_at,
            a.status,
            a.status_changed_at,
            a.due_on,
            a.theme_id,
            sum(1 for c in a.card_ids if c in practices),
        )
        for a in actions
    ]
    return diagnostics, records
