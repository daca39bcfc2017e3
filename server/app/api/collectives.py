"""Collective endpoints: collectives, members, invitations, phases, the event log."""

from __future__ import annotations

import dataclasses
from typing import Any

from server.app.routing import Call, Endpoints
from server.core.links import link_base
from server.domain import collectives, phases
from server.domain.schemas import (
    CollectiveIn,
    CollectivePatch,
    InvitationIn,
    MemberPatch,
    PhaseIn,
    PhasePatch,
)
from server.events import read

ROUTES = Endpoints()


@ROUTES.endpoint(
    "GET", "/collectives", "The caller's collectives, with their role", tag="collectives"
)
async def list_collectives(call: Call) -> dict[str, Any]:
    return {"collectives": await collectives.list_collectives(call.essaim, call.user)}


@ROUTES.endpoint(
    "POST",
    "/collectives",
    "Create a collective (its creator becomes its animator)",
    tag="collectives",
    body=CollectiveIn,
    status=201,
)
async def create_collective(call: Call) -> dict[str, Any]:
    return await collectives.create_collective(call.essaim, call.user, call.body)


@ROUTES.endpoint("GET", "/collectives/{collective_id:int}", "One collective", tag="collectives")
async def get_collective(call: Call) -> dict[str, Any]:
    return await collectives.get_collective(call.essaim, call.user, call.id("collective_id"))


@ROUTES.endpoint(
    "PATCH",
    "/collectives/{collective_id:int}",
    "Edit a collective (animators)",
    tag="collectives",
    body=CollectivePatch,
)
async def update_collective(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return await collectives.update_collective(call.essaim, call.user, cid, call.body)


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/members",
    "Members with roles and profiles",
    tag="members",
)
async def list_members(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return {"members": await collectives.list_members(call.essaim, call.user, cid)}


@ROUTES.endpoint(
    "PATCH",
    "/collectives/{collective_id:int}/members/{user_id:int}",
    "Change a member's role (animators) or one's own profile in the collective",
    tag="members",
    body=MemberPatch,
)
async def update_member(call: Call) -> dict[str, Any]:
    return await collectives.update_member(
        call.essaim, call.user, call.id("collective_id"), call.id("user_id"), call.body
    )


@ROUTES.endpoint(
    "DELETE",
    "/collectives/{collective_id:int}/members/{user_id:int}",
    "Remove a member (animators) or leave the collective",
    tag="members",
    status=204,
)
async def remove_member(call: Call) -> None:
    await collectives.remove_member(
        call.essaim, call.user, call.id("collective_id"), call.id("user_id")
    )


@ROUTES.endpoint(
    "POST",
    "/collectives/{collective_id:int}/invitations",
    "Invite someone: answers the single-use link (also emailed when an email is given)",
    tag="members",
    body=InvitationIn,
    status=201,
)
async def create_invitation(call: Call) -> dict[str, Any]:
    invitation = await collectives.create_invitation(
        call.essaim,
        call.user,
        call.id("collective_id"),
        call.body,
        link_base(call.essaim.settings, str(call.request.base_url)),
    )
    return dataclasses.asdict(invitation)


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/invitations",
    "Pending invitations: not accepted, revoked nor expired (animators; never the link)",
    tag="members",
)
async def list_invitations(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return {"invitations": await collectives.list_invitations(call.essaim, call.user, cid)}


@ROUTES.endpoint(
    "DELETE",
    "/invitations/{invitation_id:int}",
    "Revoke a pending invitation: its link stops working (animators)",
    tag="members",
    status=204,
)
async def revoke_invitation(call: Call) -> None:
    await collectives.revoke_invitation(call.essaim, call.user, call.id("invitation_id"))


@ROUTES.endpoint(
    "GET",
    "/invitations/{token}",
    "What an invitation leads to (no login needed)",
    tag="members",
    auth=False,
)
async def preview_invitation(call: Call) -> dict[str, Any]:
    return await collectives.preview_invitation(call.essaim, call.request.path_params["token"])


@ROUTES.endpoint(
    "POST", "/invitations/{token}/accept", "Join the collective of an invitation", tag="members"
)
async def accept_invitation(call: Call) -> dict[str, Any]:
    token = call.request.path_params["token"]
    return await collectives.accept_invitation(call.essaim, call.user, token)


@ROUTES.endpoint(
    "GET", "/collectives/{collective_id:int}/phases", "Phases of a collective", tag="phases"
)
async def list_phases(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return {"phases": await phases.list_phases(call.essaim, call.user, cid)}


@ROUTES.endpoint(
    "POST",
    "/collectives/{collective_id:int}/phases",
    "Add a phase (animators)",
    tag="phases",
    body=PhaseIn,
    status=201,
)
async def create_phase(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return await phases.create_phase(call.essaim, call.user, cid, call.body)


@ROUTES.endpoint(
    "PATCH", "/phases/{phase_id:int}", "Edit a phase (animators)", tag="phases", body=PhasePatch
)
async def update_phase(call: Call) -> dict[str, Any]:
    return await phases.update_phase(call.essaim, call.user, call.id("phase_id"), call.body)


@ROUTES.endpoint(
    "DELETE", "/phases/{phase_id:int}", "Delete a phase (animators)", tag="phases", status=204
)
async def delete_phase(call: Call) -> None:
    await phases.delete_phase(call.essaim, call.user, call.id("phase_id"))


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/events",
    "A page of the event log after `since` (replay and sync)",
    tag="events",
    query=("since", "limit"),
)
async def list_events(call: Call) -> dict[str, Any]:
    since = call.query_int("since", 0, low=0, high=2**31 - 1)
    limit = call.query_int("limit", 100, low=1, high=read.MAX_PAGE)
    collective_id = call.id("collective_id")
    return await collectives.event_log(call.essaim, call.user, collective_id, since, limit)
