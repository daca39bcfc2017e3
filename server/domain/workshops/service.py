"""Live workshops: start one on a board from a method, run its steps and timer, freeze and
focus, record who joined, end it (revealing anonymous authors if chosen) and confirm the
attendance of its meeting.

    action                         animator  member  observer  non-member
    read, list, templates          yes       yes     yes       404
    join                           yes       yes     403       404
    start, timer, step, freeze,
    focus, end, attendance,
    save or delete a template      yes       403     403       404

Who joined is member-level data, like a meeting's attendance: members and animators read the
names, observers and events only their number. The timer is the server's: a running timer is
its end time, a paused one the seconds left, so every screen shows the same time after a
reload or a reconnect.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.errors import Conflict, ErrorCode, InvalidInput, NotFound
from server.core.models import (
    Attachment,
    Board,
    BoardColumn,
    Card,
    Meeting,
    MeetingKind,
    Membership,
    Moderation,
    Role,
    TimerState,
    User,
    Vote,
    Workshop,
    WorkshopParticipant,
    WorkshopStatus,
    WorkshopTemplate,
    utcnow,
)
from server.core.platform import Essaim
from server.core.timezone import PARIS
from server.domain import cards as card_writes
from server.domain import meetings
from server.domain.access import Action, board_for, membership
from server.domain.schemas import AttendanceIn, custom_id
from server.domain.views import column_view
from server.domain.workshops.rules import running_workshop
from server.domain.workshops.schemas import (
    FocusIn,
    FreezeIn,
    StepChoice,
    TemplateIn,
    TimerIn,
    WorkshopIn,
)
from server.domain.workshops.templates import BY_KEY, CUSTOM_PREFIX, INBOX_TITLE, SHIPPED
from server.domain.workshops.views import seconds_left, workshop_view
from server.events.kinds import EventKind
from server.events.write import Write, lock_collective, write

MAX_COLUMNS = 12  # as a board allows (boards.py)


# --- templates -------------------------------------------------------------------------------


def template_view(template: WorkshopTemplate) -> dict[str, Any]:
    return {
        "key": f"{CUSTOM_PREFIX}{template.id}",
        "id": template.id,
        "name": template.name,
        "description": template.description,
        "columns": list(template.columns),
        "steps": list(template.steps),
        "shipped": False,
    }


async def list_templates(essaim: Essaim, user: User, collective_id: int) -> list[dict[str, Any]]:
    """The shipped methods first, then the collective's own, oldest first."""
    async with essaim.db.read() as session:
        await membership(session, user, collective_id)
        own = await session.scalars(
            select(WorkshopTemplate)
            .where(WorkshopTemplate.collective_id == collective_id)
            .order_by(WorkshopTemplate.created_at, WorkshopTemplate.id)
        )
        return [t.as_dict() for t in SHIPPED] + [template_view(t) for t in own]


async def save_template(
    essaim: Essaim, user: User, collective_id: int, body: TemplateIn
) -> dict[str, Any]:
    async with write(essaim, user) as w:
        await membership(w.session, user, collective_id, Action.manage)
        template = WorkshopTemplate(
            collective_id=collective_id,
            name=body.name,
            description=body.description,
            columns=list(dict.fromkeys(body.columns)),
            steps=[s.model_dump() for s in body.steps],
            created_by=user.id,
            created_at=utcnow(),
        )
        w.session.add(template)
        await w.session.flush()
        return template_view(template)


async def delete_template(essaim: Essaim, user: User, template_id: int) -> None:
    async with write(essaim, user) as w:
        template = await w.session.get(WorkshopTemplate, template_id)
        if template is None:
            raise NotFound("workshop template")
        try:
            await membership(w.session, user, template.collective_id, Action.manage)
        except NotFound:
            raise NotFound("workshop template") from None
        await w.session.delete(template)


async def _method(
    session: AsyncSession, collective_id: int, key: str
) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and steps of the method ``key`` (shipped, or saved in this collective)."""
    if key in BY_KEY:
        shipped = BY_KEY[key]
        return list(shipped.columns), [s.as_dict() for s in shipped.steps]
    found = custom_id(key)
    saved = await session.get(WorkshopTemplate, found) if found else None
    if saved is None or saved.collective_id != collective_id:
        names = ", ".join(BY_KEY)
        raise InvalidInput(
            "unknown workshop template", fields={"template": f"{names} or custom-<id>"}
        )
    return list(saved.columns), list(saved.steps)


# --- reading ---------------------------------------------------------------------------------


async def participants_of(session: AsyncSession, workshop_id: int) -> list[User]:
    return list(
        await session.scalars(
            select(User)
            .join(WorkshopParticipant, WorkshopParticipant.user_id == User.id)
            .where(WorkshopParticipant.workshop_id == workshop_id)
            .order_by(User.display_name, User.id)
        )
    )


async def _count(session: AsyncSession, workshop_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(WorkshopParticipant.workshop_id == workshop_id)
        )
        or 0
    )


async def view_for(session: AsyncSession, workshop: Workshop, member: Membership) -> dict[str, Any]:
    """The workshop as ``member`` sees it: names of those who joined unless an observer."""
    people = await participants_of(session, workshop.id)
    named = member.role != Role.observer
    return workshop_view(workshop, people if named else None, len(people))


async def workshop_for(
    session: AsyncSession, user: User, workshop_id: int, action: Action = Action.read
) -> tuple[Workshop, Membership]:
    """The workshop and the user's membership of its collective (locked first in a write, the
    workshop read again once locked); 404 for non-members."""
    workshop = await session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound("workshop")
    await lock_collective(session, workshop.collective_id, reread=workshop)
    try:
        member = await membership(session, user, workshop.collective_id, action)
    except NotFound:
        raise NotFound("workshop") from None
    return workshop, member


async def get_workshop(essaim: Essaim, user: User, workshop_id: int) -> dict[str, Any]:
    async with essaim.db.read() as session:
        workshop, member = await workshop_for(session, user, workshop_id)
        return await view_for(session, workshop, member)


async def board_workshop(essaim: Essaim, user: User, board_id: int) -> dict[str, Any] | None:
    """The workshop running on the board, or None."""
    async with essaim.db.read() as session:
        _, member = await board_for(session, user, board_id)
        workshop = await running_workshop(session, board_id)
        return await view_for(session, workshop, member) if workshop else None


async def list_workshops(essaim: Essaim, user: User, collective_id: int) -> list[dict[str, Any]]:
    async with essaim.db.read() as session:
        member = await membership(session, user, collective_id)
        workshops = await session.scalars(
            select(Workshop)
            .where(Workshop.collective_id == collective_id)
            .order_by(Workshop.started_at.desc(), Workshop.id.desc())
        )
        return [await view_for(session, ws, member) for ws in workshops]


# --- running one -----------------------------------------------------------------------------


async def start_workshop(
    essaim: Essaim, user: User, board_id: int, body: WorkshopIn
) -> dict[str, Any]:
    """Start the method on the board: its missing columns added, an inbox first if a step
    takes cards through it, a meeting of the day (kind workshop) unless one is given, and the
    first step's timer set, not running."""
    async with write(essaim, user) as w:
        board, member = await board_for(w.session, user, board_id, Action.manage)
        if board.archived:
            raise Conflict("this board is archived", code=ErrorCode.BOARD_ARCHIVED)
        if await running_workshop(w.session, board_id) is not None:
            raise Conflict(
                "a workshop is already running on this board", code=ErrorCode.WORKSHOP_RUNNING
            )
        columns, steps = await _method(w.session, board.collective_id, body.template)
        meeting = await _meeting(w, user, board, body)
        inbox = await _prepare_columns(w, board, columns, any(s.get("intake") for s in steps))
        now = utcnow()
        first = int(steps[0]["minutes"]) * 60
        workshop = Workshop(
            collective_id=board.collective_id,
            board_id=board.id,
            meeting_id=meeting.id,
            title=body.title or meeting.title,
            template=body.template,
            steps=steps,
            step_index=0,
            status=WorkshopStatus.running,
            timer_state=TimerState.idle,
            timer_duration_s=first,
            timer_left_s=first,
            inbox_column_id=inbox,
            reveal_authors=body.reveal_authors,
            started_by=user.id,
            started_at=now,
        )
        w.session.add(workshop)
        await w.session.flush()
        await _emit(w, workshop, EventKind.workshop_started)
        return await view_for(w.session, workshop, member)


async def _meeting(w: Write, user: User, board: Board, body: WorkshopIn) -> Meeting:
    if body.meeting_id is not None:
        meeting = await w.session.get(Meeting, body.meeting_id)
        if meeting is None or meeting.collective_id != board.collective_id:
            raise InvalidInput("unknown meeting", fields={"meeting_id": "no such meeting here"})
        return meeting
    now = utcnow()
    title = body.title or f"Atelier — {board.name}"
    meeting = Meeting(
        collective_id=board.collective_id,
        title=title[:160],
        kind=MeetingKind.workshop,
        held_on=now.astimezone(PARIS).date(),
        created_by=user.id,
        created_at=now,
        updated_at=now,
    )
    w.session.add(meeting)
    await w.session.flush()
    await w.emit(
        board.collective_id, EventKind.meeting_created, meetings.meeting_view(meeting, None, 0)
    )
    return meeting


async def _prepare_columns(w: Write, board: Board, wanted: list[str], intake: bool) -> int | None:
    """Add the method's columns the board lacks (by name, ignoring case) at its end, and the
    inbox first when a step takes cards through it; the inbox's id."""
    columns = list(
        await w.session.scalars(
            select(BoardColumn)
            .where(BoardColumn.board_id == board.id)
            .order_by(BoardColumn.position)
        )
    )
    names = {c.name.casefold(): c for c in columns}
    inbox = names.get(INBOX_TITLE.casefold()) if intake else None
    added = [BoardColumn(board_id=board.id, name=n, position=0) for n in wanted]
    added = [c for c in added if c.name.casefold() not in names]
    if intake and inbox is None:
        inbox = BoardColumn(board_id=board.id, name=INBOX_TITLE, position=0)
        columns.insert(0, inbox)
        added.insert(0, inbox)
    columns += [c for c in added if c is not inbox]
    if len(columns) > MAX_COLUMNS:
        raise Conflict(
            f"a board has at most {MAX_COLUMNS} columns: this method needs {len(added)} more",
            code=ErrorCode.TOO_MANY_COLUMNS,
        )
    w.session.add_all(added)
    for position, column in enumerate(columns):
        column.position = position
    await w.session.flush()
    for column in added:
        await w.emit(
            board.collective_id, EventKind.column_created, column_view(column), board_id=board.id
        )
    return inbox.id if inbox is not None else None


async def _running(
    w: Write, user: User, workshop_id: int, action: Action = Action.manage
) -> tuple[Workshop, Membership]:
    workshop, member = await workshop_for(w.session, user, workshop_id, action)
    if workshop.status != WorkshopStatus.running:
        raise Conflict("this workshop has ended", code=ErrorCode.WORKSHOP_ENDED)
    return workshop, member


def _start_timer(workshop: Workshop, now: datetime) -> None:
    workshop.timer_ends_at = now + timedelta(seconds=workshop.timer_left_s)
    workshop.timer_state = TimerState.running


def _stop_timer(workshop: Workshop, now: datetime, state: TimerState) -> None:
    workshop.timer_left_s = seconds_left(workshop, now)
    workshop.timer_ends_at = None
    workshop.timer_state = state


async def control_timer(
    essaim: Essaim, user: User, workshop_id: int, body: TimerIn
) -> dict[str, Any]:
    """Start, pause, add a minute to or reset the current step's timer."""
    async with write(essaim, user) as w:
        workshop, member = await _running(w, user, workshop_id)
        now = utcnow()
        state = workshop.timer_state
        if body.action == "start" and state != TimerState.running:
            _start_timer(workshop, now)
        elif body.action == "pause" and state == TimerState.running:
            _stop_timer(workshop, now, TimerState.paused)
        elif body.action == "add_minute":
            workshop.timer_duration_s += 60
            if state == TimerState.running and workshop.timer_ends_at is not None:
                # A timer that already ran out gets a minute from now, not from its end.
                workshop.timer_ends_at = max(workshop.timer_ends_at, now) + timedelta(seconds=60)
            else:
                workshop.timer_left_s += 60
        elif body.action == "reset":
            minutes = int(workshop.steps[workshop.step_index]["minutes"])
            workshop.timer_duration_s = workshop.timer_left_s = minutes * 60
            _stop_timer(workshop, now, TimerState.idle)
            workshop.timer_left_s = workshop.timer_duration_s
        else:
            return await view_for(w.session, workshop, member)  # nothing changed
        await _emit(w, workshop, EventKind.workshop_updated)
        return await view_for(w.session, workshop, member)


async def go_to_step(
    essaim: Essaim, user: User, workshop_id: int, body: StepChoice
) -> dict[str, Any]:
    """Go to step ``index``: its timer set to its duration and started."""
    async with write(essaim, user) as w:
        workshop, member = await _running(w, user, workshop_id)
        if body.index >= len(workshop.steps):
            raise InvalidInput("no such step", fields={"index": f"0 to {len(workshop.steps) - 1}"})
        now = utcnow()
        workshop.step_index = body.index
        workshop.timer_duration_s = workshop.timer_left_s = (
            int(workshop.steps[body.index]["minutes"]) * 60
        )
        _start_timer(workshop, now)
        await _emit(w, workshop, EventKind.workshop_updated)
        return await view_for(w.session, workshop, member)


async def freeze(essaim: Essaim, user: User, workshop_id: int, body: FreezeIn) -> dict[str, Any]:
    """Pause (or resume) every participant's contributions on the board in one click."""
    async with write(essaim, user) as w:
        workshop, member = await _running(w, user, workshop_id)
        if workshop.frozen != body.frozen:
            workshop.frozen = body.frozen
            await _emit(w, workshop, EventKind.workshop_updated)
        return await view_for(w.session, workshop, member)


async def focus(essaim: Essaim, user: User, workshop_id: int, body: FocusIn) -> dict[str, Any]:
    """Bring everyone to one card of the board (``card_id`` null: let them go)."""
    async with write(essaim, user) as w:
        workshop, member = await _running(w, user, workshop_id)
        if body.card_id is not None:
            card = await w.session.get(Card, body.card_id)
            if (
                card is None
                or card.board_id != workshop.board_id
                or card.moderation != Moderation.published
            ):
                raise InvalidInput("unknown card", fields={"card_id": "no such card on the board"})
        if workshop.focus_card_id != body.card_id:
            workshop.focus_card_id = body.card_id
            await _emit(w, workshop, EventKind.workshop_updated)
        return await view_for(w.session, workshop, member)


async def join(essaim: Essaim, user: User, workshop_id: int) -> dict[str, Any]:
    """Count the caller among the participants (members and animators; once)."""
    async with write(essaim, user) as w:
        workshop, member = await _running(w, user, workshop_id, Action.write)
        known = await w.session.get(WorkshopParticipant, (workshop.id, user.id))
        if known is None:
            w.session.add(
                WorkshopParticipant(workshop_id=workshop.id, user_id=user.id, joined_at=utcnow())
            )
            await w.session.flush()
            await _emit(w, workshop, EventKind.workshop_updated)
        return await view_for(w.session, workshop, member)


async def end_workshop(essaim: Essaim, user: User, workshop_id: int) -> dict[str, Any]:
    """End it: the timer stopped, contributions thawed, anonymous authors revealed if the
    animator chose so when starting, and its summary frozen for the minutes."""
    async with write(essaim, user) as w:
        workshop, member = await _running(w, user, workshop_id)
        now = utcnow()
        _stop_timer(workshop, now, TimerState.idle)
        workshop.status = WorkshopStatus.ended
        workshop.ended_at = now
        workshop.frozen = False
        workshop.focus_card_id = None
        if workshop.reveal_authors:
            await _reveal(w, workshop)
        workshop.summary = await summarise(w.session, workshop)
        await _emit(w, workshop, EventKind.workshop_ended)
        return await view_for(w.session, workshop, member)


async def _reveal(w: Write, workshop: Workshop) -> None:
    cards = await w.session.scalars(
        select(Card).where(Card.workshop_id == workshop.id, Card.anonymous.is_(True))
    )
    for card in cards:
        card.anonymous = False
        if card.moderation == Moderation.deleted:
            continue
        card.version += 1
        card.updated_at = utcnow()
        await w.session.flush()
        await card_writes.emit_card_updated(w, card)
        for attachment_id in await w.session.scalars(
            select(Attachment.id).where(Attachment.card_id == card.id)
        ):
            w.index("attachment", attachment_id, card.collective_id)  # indexed under nobody


async def summarise(session: AsyncSession, workshop: Workshop) -> dict[str, Any]:
    cards = await session.scalar(
        select(func.count()).where(
            Card.workshop_id == workshop.id, Card.moderation == Moderation.published
        )
    )
    votes = list(await session.scalars(votes_of(workshop)))
    decisions = []
    for vote in votes:
        if vote.decision_card_id is None:
            continue
        card = await session.get(Card, vote.decision_card_id)
        if card is not None and card.moderation == Moderation.published:
            decisions.append({"card_id": card.id, "title": card.title, "vote_id": vote.id})
    return {
        "cards": int(cards or 0),
        "votes": len(votes),
        "decisions": decisions,
        "participants": await _count(session, workshop.id),
    }


def votes_of(workshop: Workshop) -> Any:
    """The votes opened on the workshop's board while it ran."""
    query = select(Vote).where(
        Vote.board_id == workshop.board_id, Vote.created_at >= workshop.started_at
    )
    if workshop.ended_at is not None:
        query = query.where(Vote.created_at <= workshop.ended_at)
    return query.order_by(Vote.created_at, Vote.id)


async def confirm_attendance(
    essaim: Essaim, user: User, workshop_id: int, body: AttendanceIn
) -> dict[str, Any]:
    """Set the workshop's meeting attendance (the animator confirms who was there)."""
    async with essaim.db.read() as session:
        workshop, _ = await workshop_for(session, user, workshop_id, Action.manage)
        meeting_id = workshop.meeting_id
    if meeting_id is None:
        raise Conflict("this workshop's meeting was deleted", code=ErrorCode.CONFLICT)
    return await meetings.set_attendance(essaim, user, meeting_id, body)


async def _emit(w: Write, workshop: Workshop, kind: EventKind) -> None:
    count = await _count(w.session, workshop.id)
    await w.emit(
        workshop.collective_id,
        kind,
        workshop_view(workshop, None, count),
        board_id=workshop.board_id,
    )
