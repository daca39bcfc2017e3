"""Live workshop endpoints: methods (templates), start one on a board, its timer, steps,
freeze and focus, joining, its end, the attendance of its meeting, and its minutes."""

from __future__ import annotations

from typing import Any

from starlette.responses import HTMLResponse, Response

from server.app.routing import Call, Endpoints
from server.core.errors import InvalidInput
from server.domain.workshops import minutes, service
from server.domain.workshops.schemas import (
    AttendanceIn,
    FocusIn,
    FreezeIn,
    StepChoice,
    TemplateIn,
    TimerIn,
    WorkshopIn,
)

ROUTES = Endpoints()

# The printable minutes are self-contained: inline style, never a script or a fetch.
MINUTES_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
MINUTES_FORMATS = ("html", "markdown")


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/workshop-templates",
    "Workshop methods: the shipped ones, then the collective's own",
    tag="workshops",
)
async def list_templates(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return {"templates": await service.list_templates(call.essaim, call.user, cid)}


@ROUTES.endpoint(
    "POST",
    "/collectives/{collective_id:int}/workshop-templates",
    "Save a workshop method for the collective (animators)",
    tag="workshops",
    body=TemplateIn,
    status=201,
)
async def save_template(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return await service.save_template(call.essaim, call.user, cid, call.body)


@ROUTES.endpoint(
    "DELETE",
    "/workshop-templates/{template_id:int}",
    "Delete a saved workshop method (animators)",
    tag="workshops",
    status=204,
)
async def delete_template(call: Call) -> None:
    await service.delete_template(call.essaim, call.user, call.id("template_id"))


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/workshops",
    "Workshops of a collective, newest first",
    tag="workshops",
)
async def list_workshops(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return {"workshops": await service.list_workshops(call.essaim, call.user, cid)}


@ROUTES.endpoint(
    "POST",
    "/boards/{board_id:int}/workshops",
    "Start a live workshop on the board from a method (animators; one at a time per board)",
    tag="workshops",
    body=WorkshopIn,
    status=201,
)
async def start_workshop(call: Call) -> dict[str, Any]:
    return await service.start_workshop(call.essaim, call.user, call.id("board_id"), call.body)


@ROUTES.endpoint(
    "GET",
    "/boards/{board_id:int}/workshop",
    "The workshop running on the board (null when none)",
    tag="workshops",
)
async def board_workshop(call: Call) -> dict[str, Any]:
    bid = call.id("board_id")
    return {"workshop": await service.board_workshop(call.essaim, call.user, bid)}


@ROUTES.endpoint("GET", "/workshops/{workshop_id:int}", "A workshop", tag="workshops")
async def get_workshop(call: Call) -> dict[str, Any]:
    return await service.get_workshop(call.essaim, call.user, call.id("workshop_id"))


@ROUTES.endpoint(
    "POST",
    "/workshops/{workshop_id:int}/timer",
    "Start, pause, add a minute to or reset the step's timer (animators)",
    tag="workshops",
    body=TimerIn,
)
async def control_timer(call: Call) -> dict[str, Any]:
    wid = call.id("workshop_id")
    return await service.control_timer(call.essaim, call.user, wid, call.body)


@ROUTES.endpoint(
    "POST",
    "/workshops/{workshop_id:int}/step",
    "Go to a step: its timer set to its duration and started (animators)",
    tag="workshops",
    body=StepChoice,
)
async def go_to_step(call: Call) -> dict[str, Any]:
    wid = call.id("workshop_id")
    return await service.go_to_step(call.essaim, call.user, wid, call.body)


@ROUTES.endpoint(
    "POST",
    "/workshops/{workshop_id:int}/freeze",
    "Freeze or thaw every participant's contributions on the board (animators)",
    tag="workshops",
    body=FreezeIn,
)
async def freeze(call: Call) -> dict[str, Any]:
    return await service.freeze(call.essaim, call.user, call.id("workshop_id"), call.body)


@ROUTES.endpoint(
    "POST",
    "/workshops/{workshop_id:int}/focus",
    "Bring everyone to one card of the board, or let them go (animators)",
    tag="workshops",
    body=FocusIn,
)
async def focus(call: Call) -> dict[str, Any]:
    return await service.focus(call.essaim, call.user, call.id("workshop_id"), call.body)


@ROUTES.endpoint(
    "POST",
    "/workshops/{workshop_id:int}/join",
    "Join the workshop's session: counted among its participants (members and animators)",
    tag="workshops",
)
async def join(call: Call) -> dict[str, Any]:
    return await service.join(call.essaim, call.user, call.id("workshop_id"))


@ROUTES.endpoint(
    "POST",
    "/workshops/{workshop_id:int}/end",
    "End the workshop: authors revealed if chosen, its summary kept (animators)",
    tag="workshops",
)
async def end_workshop(call: Call) -> dict[str, Any]:
    return await service.end_workshop(call.essaim, call.user, call.id("workshop_id"))


@ROUTES.endpoint(
    "PUT",
    "/workshops/{workshop_id:int}/attendance",
    "Confirm who attended the workshop's meeting (animators)",
    tag="workshops",
    body=AttendanceIn,
)
async def confirm_attendance(call: Call) -> dict[str, Any]:
    wid = call.id("workshop_id")
    return await service.confirm_attendance(call.essaim, call.user, wid, call.body)


@ROUTES.endpoint(
    "GET",
    "/workshops/{workshop_id:int}/minutes",
    "The workshop's minutes: format html (printable) or markdown (observers: no names)",
    tag="workshops",
    query=("format:html|markdown",),
)
async def get_minutes(call: Call) -> Response:
    fmt = call.request.query_params.get("format") or "html"
    if fmt not in MINUTES_FORMATS:
        raise InvalidInput("unknown format", fields={"format": "html or markdown"})
    data = await minutes.minutes_data(call.essaim, call.user, call.id("workshop_id"))
    headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    if fmt == "markdown":
        name = f"compte-rendu-atelier-{call.id('workshop_id')}.md"
        return Response(
            minutes.minutes_markdown(data),
            media_type="text/markdown; charset=utf-8",
            headers={**headers, "Content-Disposition": f'attachment; filename="{name}"'},
        )
    base = str(call.request.base_url).rstrip("/")
    return HTMLResponse(
        minutes.minutes_html(data, base),
        headers={**headers, "Content-Security-Policy": MINUTES_CSP},
    )
