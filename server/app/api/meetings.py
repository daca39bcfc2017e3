"""Meeting endpoints: meetings and workshops of a collective, and their attendance."""

from __future__ import annotations

from typing import Any

from server.app.routing import Call, Endpoints
from server.domain import meetings
from server.domain.schemas import AttendanceIn, MeetingIn, MeetingPatch

ROUTES = Endpoints()


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/meetings",
    "Meetings and workshops, most recent first (observers see attendee counts, not names)",
    tag="meetings",
)
async def list_meetings(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return {"meetings": await meetings.list_meetings(call.essaim, call.user, cid)}


@ROUTES.endpoint(
    "POST",
    "/collectives/{collective_id:int}/meetings",
    "Record a meeting or workshop (animators)",
    tag="meetings",
    body=MeetingIn,
    status=201,
)
async def create_meeting(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return await meetings.create_meeting(call.essaim, call.user, cid, call.body)


@ROUTES.endpoint(
    "PATCH",
    "/meetings/{meeting_id:int}",
    "Edit a meeting (animators)",
    tag="meetings",
    body=MeetingPatch,
)
async def update_meeting(call: Call) -> dict[str, Any]:
    mid = call.id("meeting_id")
    return await meetings.update_meeting(call.essaim, call.user, mid, call.body)


@ROUTES.endpoint(
    "DELETE",
    "/meetings/{meeting_id:int}",
    "Delete a meeting and its attendance (animators)",
    tag="meetings",
    status=204,
)
async def delete_meeting(call: Call) -> None:
    await meetings.delete_meeting(call.essaim, call.user, call.id("meeting_id"))


@ROUTES.endpoint(
    "PUT",
    "/meetings/{meeting_id:int}/attendance",
    "Replace who attended a meeting: members of the collective only (animators)",
    tag="meetings",
    body=AttendanceIn,
)
async def set_attendance(call: Call) -> dict[str, Any]:
    mid = call.id("meeting_id")
    return await meetings.set_attendance(call.essaim, call.user, mid, call.body)
