"""The individual phase's endpoints: diagnostic templates, companies' diagnostics (their radar
and export), action plans with suggested practices, and the collective's needs."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import HTMLResponse, JSONResponse, Response

from search.backend import SearchUnavailable
from search.runtime import SearchRuntime
from search.service import SearchRequest, search
from server.app.routing import Call, Endpoints
from server.core.errors import InvalidInput, NotFound
from server.domain.diagnostics import export, needs, service
from server.domain.diagnostics.schemas import (
    ActionIn,
    ActionPatch,
    DiagnosticIn,
    DiagnosticPatch,
    NeedStepIn,
    TemplateIn,
    TemplatePatch,
)

ROUTES = Endpoints()
PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
EXPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
EXPORT_FORMATS = ("json", "html", "pdf")
SUGGESTED_KINDS = ("practice", "document", "resource", "experiment")
MAX_SUGGESTIONS = 5


def _template_key(call: Call) -> str:
    key = str(call.request.path_params["template_id"])
    if len(key) > 40:
        raise NotFound("diagnostic template")
    return key


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/diagnostic-templates",
    "Diagnostic templates: the shipped ones, then the collective's own",
    tag="diagnostics",
)
async def list_templates(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return {"templates": await service.list_templates(call.essaim, call.user, cid)}


@ROUTES.endpoint(
    "POST",
    "/collectives/{collective_id:int}/diagnostic-templates",
    "Build a diagnostic template: themes of questions (animators)",
    tag="diagnostics",
    body=TemplateIn,
    status=201,
)
async def create_template(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return await service.create_template(call.essaim, call.user, cid, call.body)


@ROUTES.endpoint(
    "GET", "/diagnostic-templates/{template_id}", "A diagnostic template", tag="diagnostics"
)
async def get_template(call: Call) -> dict[str, Any]:
    return await service.get_template(call.essaim, call.user, _template_key(call))


@ROUTES.endpoint(
    "PATCH",
    "/diagnostic-templates/{template_id}",
    "A new version of one's template; diagnostics made keep theirs (animators)",
    tag="diagnostics",
    body=TemplatePatch,
)
async def update_template(call: Call) -> dict[str, Any]:
    key = _template_key(call)
    return await service.update_template(call.essaim, call.user, key, call.body)


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/diagnostics",
    "Diagnostics: all for animators, one's company's for a member (observers: 403)",
    tag="diagnostics",
)
async def list_diagnostics(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return {"diagnostics": await service.list_diagnostics(call.essaim, call.user, cid)}


@ROUTES.endpoint(
    "POST",
    "/collectives/{collective_id:int}/diagnostics",
    "Start a company's diagnostic: template_id, member_id (animators)",
    tag="diagnostics",
    body=DiagnosticIn,
    status=201,
)
async def create_diagnostic(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return await service.create_diagnostic(call.essaim, call.user, cid, call.body)


@ROUTES.endpoint(
    "GET",
    "/diagnostics/{diagnostic_id:int}",
    "A diagnostic: answers, maturity per theme (and the collective's median), plan",
    tag="diagnostics",
)
async def get_diagnostic(call: Call) -> dict[str, Any]:
    return await service.get_diagnostic(call.essaim, call.user, call.id("diagnostic_id"))


@ROUTES.endpoint(
    "PATCH",
    "/diagnostics/{diagnostic_id:int}",
    "Save answers (merged, by question id), finish or reopen; carries version (animators)",
    tag="diagnostics",
    body=DiagnosticPatch,
)
async def update_diagnostic(call: Call) -> dict[str, Any]:
    did = call.id("diagnostic_id")
    return await service.update_diagnostic(call.essaim, call.user, did, call.body)


@ROUTES.endpoint(
    "GET",
    "/diagnostics/{diagnostic_id:int}/radar.svg",
    "The radar chart of maturity per theme (SVG; the collective's median from five companies)",
    tag="diagnostics",
)
async def get_radar(call: Call) -> Response:
    view = await export.export_data(call.essaim, call.user, call.id("diagnostic_id"))
    return Response(
        export.radar_of(view),
        media_type="image/svg+xml",
        headers={**PRIVATE, "Content-Security-Policy": SVG_CSP},
    )


@ROUTES.endpoint(
    "GET",
    "/diagnostics/{diagnostic_id:int}/export",
    "The diagnostic and its plan to take away: format json, html (printable) or pdf",
    tag="diagnostics",
    query=("format:json|html|pdf",),
)
async def export_diagnostic(call: Call) -> Response:
    fmt = call.request.query_params.get("format") or "pdf"
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput("unknown format", fields={"format": "json, html or pdf"})
    did = call.id("diagnostic_id")
    view = await export.export_data(call.essaim, call.user, did)
    name = f"diagnostic-{did}"
    if fmt == "json":
        return JSONResponse(
            view,
            headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{name}.json"'},
        )
    page = export.export_html(view)
    if fmt == "html":
        return HTMLResponse(page, headers={**PRIVATE, "Content-Security-Policy": EXPORT_CSP})
    pdf = await asyncio.to_thread(export.export_pdf, page)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )


@ROUTES.endpoint(
    "GET",
    "/diagnostics/{diagnostic_id:int}/actions",
    "The company's action plan",
    tag="diagnostics",
)
async def list_actions(call: Call) -> dict[str, Any]:
    did = call.id("diagnostic_id")
    return {"actions": await service.list_actions(call.essaim, call.user, did)}


@ROUTES.endpoint(
    "POST",
    "/diagnostics/{diagnostic_id:int}/actions",
    "Add an action to the plan, answered with practices and documents that match it",
    tag="diagnostics",
    body=ActionIn,
    status=201,
)
async def create_action(call: Call) -> dict[str, Any]:
    did = call.id("diagnostic_id")
    action = await service.create_action(call.essaim, call.user, did, call.body)
    return {**action, "suggestions": await _suggestions(call, action)}


@ROUTES.endpoint(
    "PATCH",
    "/actions/{action_id:int}",
    "Change an action: status, owner, due date, notes, linked cards; carries version",
    tag="diagnostics",
    body=ActionPatch,
)
async def update_action(call: Call) -> dict[str, Any]:
    return await service.update_action(call.essaim, call.user, call.id("action_id"), call.body)


@ROUTES.endpoint(
    "GET",
    "/actions/{action_id:int}/suggestions",
    "The collective's practices and documents that match an action (French search)",
    tag="diagnostics",
)
async def action_suggestions(call: Call) -> dict[str, Any]:
    action = await service.get_action(call.essaim, call.user, call.id("action_id"))
    return {"suggestions": await _suggestions(call, action)}


async def _suggestions(call: Call, action: dict[str, Any]) -> list[dict[str, Any]]:
    """Cards of the collective that match the action's title and theme, practices and
    documents first, at most five; the search checks what the caller may see."""
    text = f"{action['title']} {action.get('theme_title') or ''}".strip()
    runtime: SearchRuntime = call.request.app.state.search
    cid = action["collective_id"]
    seen: dict[int, dict[str, Any]] = {}
    try:
        for kind in SUGGESTED_KINDS:
            request = SearchRequest(text=text, collective_id=cid, kind=kind, limit=MAX_SUGGESTIONS)
            found = await search(call.essaim, runtime.backend, call.user, request)
            for hit in found["hits"]:
                card = hit["card_id"]
                if card not in seen and card not in action["card_ids"]:
                    seen[card] = {
                        "card_id": card,
                        "title": hit["title"],
                        "kind": kind,
                        "snippet": hit["snippet"],
                    }
            if len(seen) >= MAX_SUGGESTIONS:
                break
    except SearchUnavailable:  # suggestions are a help: an outage must not refuse the action
        return []
    return list(seen.values())[:MAX_SUGGESTIONS]


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/needs",
    "The collective's needs from its diagnostics: themes, medians, companies (from five)",
    tag="diagnostics",
    query=("template:str",),
)
async def get_needs(call: Call) -> dict[str, Any]:
    template = call.request.query_params.get("template") or None
    if template is not None and len(template) > 40:
        raise InvalidInput("unknown template", fields={"template": "a template id"})
    cid = call.id("collective_id")
    return await needs.collective_needs(call.essaim, call.user, cid, template)


@ROUTES.endpoint(
    "POST",
    "/collectives/{collective_id:int}/needs/{theme_id}/step",
    "Turn a shared need into a meeting or phase and a board with its question (animators)",
    tag="diagnostics",
    body=NeedStepIn,
    status=201,
)
async def create_step(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    theme = str(call.request.path_params["theme_id"])[:60]
    return await needs.create_step(call.essaim, call.user, cid, theme, call.body)
