"""Meetings and workshops (rencontres, ateliers) of a collective, and who attended.

Animators record them; members and observers read them. Attendance is member-level data:
members and animators see the attendees' names, observers only their number. Events carry
the number only (clients that show names fetch the list again).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.errors import InvalidInput, NotFound
from server.core.models import Attendance, Meeting, Membership, Role, User, utcnow
from server.core.platform import Essaim
from server.core.timezone import PARIS
from server.domain.access import Action, membership
from server.domain.notify.collective import notify_meeting
from server.domain.schemas import AttendanceIn, MeetingIn, MeetingPatch, patch_values
from server.domain.views import iso, user_view
from server.events.kinds import EventKind
from server.events.write import Write, write


def _check_times(held_on: date, starts: datetime | None, ends: datetime | None) -> None:
    """A start on the meeting's day (in Paris) and an end after it, or neither."""
    if ends is not None and starts is None:
        raise InvalidInput("an end needs a start", fields={"starts_at": "missing"})
    if starts is not None and starts.astimezone(PARIS).date() != held_on:
        raise InvalidInput(
            "the start is not on the meeting's day", fields={"starts_at": "not on held_on"}
        )
    if starts is not None and ends is not None and ends <= starts:
        raise InvalidInput("the meeting ends before it starts", fields={"ends_at": "before start"})


def meeting_view(meeting: Meeting, attendees: Sequence[User] | None, count: int) -> dict[str, Any]:
    """``attendees`` None: the caller may not see who came (observers), only how many."""
    return {
        "id": meeting.id,
        "collective_id": meeting.collective_id,
        "title": meeting.title,
        "kind": meeting.kind,
        "held_on": iso(meeting.held_on),
        "starts_at": iso(meeting.starts_at),
        "ends_at": iso(meeting.ends_at),
        "location": meeting.location,
        "notes": meeting.notes,
        "attendee_count": count,
        "attendees": [user_view(u) for u in attendees] if attendees is not None else None,
        "created_at": iso(meeting.created_at),
        "updated_at": iso(meeting.updated_at),
    }


async def _attendees(session: AsyncSession, meeting_ids: list[int]) -> dict[int, list[User]]:
    out: dict[int, list[User]] = {i: [] for i in meeting_ids}
    if not meeting_ids:
        return out
    rows = await session.execute(
        select(Attendance.meeting_id, User)
        .join(User, User.id == Attendance.user_id)
        .where(Attendance.meeting_id.in_(meeting_ids))
        .order_by(User.display_name, User.id)
    )
    for meeting_id, user in rows:
        out[meeting_id].append(user)
    return out


async def list_meetings(essaim: Essaim, user: User, collective_id: int) -> list[dict[str, Any]]:
    """The collective's meetings, most recent first."""
    async with essaim.db.read() as session:
        member = await membership(session, user, collective_id)
        meetings = list(
            await session.scalars(
                select(Meeting)
                .where(Meeting.collective_id == collective_id)
                .order_by(Meeting.held_on.desc(), Meeting.id.desc())
            )
        )
        attendees = await _attendees(session, [m.id for m in meetings])
        named = member.role != Role.observer
        return [
            meeting_view(m, attendees[m.id] if named else None, len(attendees[m.id]))
            for m in meetings
        ]


async def create_meeting(
    essaim: Essaim, user: User, collective_id: int, body: MeetingIn
) -> dict[str, Any]:
    async with write(essaim, user) as w:
        await membership(w.session, user, collective_id, Action.manage)
        now = utcnow()
        _check_times(body.held_on, body.starts_at, body.ends_at)
        meeting = Meeting(
            collective_id=collective_id,
            title=body.title,
            kind=body.kind,
            held_on=body.held_on,
            starts_at=body.starts_at,
            ends_at=body.ends_at,
            location=body.location,
            notes=body.notes,
            created_by=user.id,
            created_at=now,
            updated_at=now,
        )
        w.session.add(meeting)
        await w.session.flush()
        await _emit(w, meeting, EventKind.meeting_created, 0)
        await notify_meeting(w, meeting, user, moved=False)
    return meeting_view(meeting, [], 0)


async def _meeting_for(w: Write, user: User, meeting_id: int) -> Meeting:
    meeting = await w.session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("meeting")
    try:
        await membership(w.session, user, meeting.collective_id, Action.manage)
    except NotFound:
        raise NotFound("meeting") from None
    await w.session.refresh(meeting)  # read again under the collective's lock
    return meeting


async def update_meeting(
    essaim: Essaim, user: User, meeting_id: int, body: MeetingPatch
) -> dict[str, Any]:
    values = patch_values(body, nullable=frozenset({"notes", "starts_at", "ends_at"}))
    async with write(essaim, user) as w:
        meeting = await _meeting_for(w, user, meeting_id)
        when = (meeting.held_on, meeting.starts_at, meeting.ends_at, meeting.location)
        for key, value in values.items():
            setattr(meeting, key, value)
        if "held_on" in values and "starts_at" not in values and meeting.starts_at is not None:
            # A new day without new times: the old times would fall on the old day.
            meeting.starts_at = meeting.ends_at = None
        _check_times(meeting.held_on, meeting.starts_at, meeting.ends_at)
        meeting.updated_at = utcnow()
        await w.session.flush()
        attendees = (await _attendees(w.session, [meeting.id]))[meeting.id]
        await _emit(w, meeting, EventKind.meeting_updated, len(attendees))
        if (meeting.held_on, meeting.starts_at, meeting.ends_at, meeting.location) != when:
            await notify_meeting(w, meeting, user, moved=True)
    return meeting_view(meeting, attendees, len(attendees))


async def delete_meeting(essaim: Essaim, user: User, meeting_id: int) -> None:
    async with write(essaim, user) as w:
        meeting = await _meeting_for(w, user, meeting_id)
        await w.session.execute(delete(Attendance).where(Attendance.meeting_id == meeting.id))
        await w.session.delete(meeting)
        await w.emit(meeting.collective_id, EventKind.meeting_deleted, {"id": meeting.id})


async def set_attendance(
    essaim: Essaim, user: User, meeting_id: int, body: AttendanceIn
) -> dict[str, Any]:
    """Replace the meeting's attendance; every id must be a member of its collective."""
    wanted = list(dict.fromkeys(body.user_ids))
    async with write(essaim, user) as w:
        meeting = await _meeting_for(w, user, meeting_id)
        known = set(
            await w.session.scalars(
                select(Membership.user_id).where(
                    Membership.collective_id == meeting.collective_id,
                    Membership.user_id.in_(wanted),
                )
            )
        )
        unknown = {
            f"user_ids.{i}": "not a member of this collective"
            for i, uid in enumerate(body.user_ids)
            if uid not in known
        }
        if unknown:
            raise InvalidInput("only members of the collective can attend", fields=unknown)
        await w.session.execute(delete(Attendance).where(Attendance.meeting_id == meeting.id))
        w.session.add_all(Attendance(meeting_id=meeting.id, user_id=uid) for uid in wanted)
        meeting.updated_at = utcnow()
        await w.session.flush()
        attendees = (await _attendees(w.session, [meeting.id]))[meeting.id]
        await _emit(w, meeting, EventKind.meeting_attendance_updated, len(attendees))
    return meeting_view(meeting, attendees, len(attendees))


async def _emit(w: Write, meeting: Meeting, kind: EventKind, count: int) -> None:
    await w.emit(meeting.collective_id, kind, meeting_view(meeting, None, count))
