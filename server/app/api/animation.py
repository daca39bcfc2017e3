"""Animation endpoints: visits, engagement figures, alerts and their thresholds, the
animator's actions (nudge, prompt, welcome), and the caller's notifications."""

from __future__ import annotations

import html
import urllib.parse
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from animation import alert_feed, digest, engagement, nudges, thresholds, visits
from server.app.routing import Call, Endpoints
from server.core.links import link_base
from server.core.platform import Essaim
from server.domain import notifications
from server.domain.schemas import (
    NotificationsRead,
    NudgeIn,
    NudgeTemplateIn,
    PromptIn,
    ThresholdsIn,
    VisitIn,
    WelcomeIn,
)

ROUTES = Endpoints()

COLLECTIVE = "/collectives/{collective_id:int}"


@ROUTES.endpoint(
    "POST",
    COLLECTIVE + "/visits",
    "Record that the caller opened the collective, a board or a card (debounced)",
    tag="animation",
    body=VisitIn,
    status=204,
)
async def record_visit(call: Call) -> None:
    body: VisitIn = call.body
    cid = call.id("collective_id")
    await visits.record_visit(call.essaim, call.user, cid, body.board_id, body.card_id)


@ROUTES.endpoint(
    "GET",
    COLLECTIVE + "/engagement",
    "Health panel and metrics (animators, observers) or one's own figures (members)",
    tag="animation",
    query=("from:date", "to:date"),
)
async def get_engagement(call: Call) -> dict[str, Any]:
    query = call.request.query_params
    cid = call.id("collective_id")
    return await engagement.engagement(
        call.essaim, call.user, cid, query.get("from"), query.get("to")
    )


@ROUTES.endpoint(
    "GET",
    COLLECTIVE + "/engagement/members",
    "Per-member figures (animators; a member gets their own row)",
    tag="animation",
)
async def get_engagement_members(call: Call) -> dict[str, Any]:
    return await engagement.engagement_members(call.essaim, call.user, call.id("collective_id"))


@ROUTES.endpoint(
    "GET", COLLECTIVE + "/alerts", "Current alerts with their actions (animators)", tag="animation"
)
async def get_alerts(call: Call) -> dict[str, Any]:
    return await alert_feed.list_alerts(call.essaim, call.user, call.id("collective_id"))


@ROUTES.endpoint(
    "GET",
    COLLECTIVE + "/alert-thresholds",
    "The collective's alert thresholds (animators)",
    tag="animation",
)
async def get_thresholds(call: Call) -> dict[str, Any]:
    return await thresholds.get_thresholds(call.essaim, call.user, call.id("collective_id"))


@ROUTES.endpoint(
    "PUT",
    COLLECTIVE + "/alert-thresholds",
    "Set the alert thresholds; fields left out take their default (animators)",
    tag="animation",
    body=ThresholdsIn,
)
async def put_thresholds(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return await thresholds.put_thresholds(call.essaim, call.user, cid, call.body)


@ROUTES.endpoint(
    "GET", COLLECTIVE + "/nudge-template", "The French nudge template (animators)", tag="animation"
)
async def get_nudge_template(call: Call) -> dict[str, Any]:
    return await thresholds.get_template(call.essaim, call.user, call.id("collective_id"))


@ROUTES.endpoint(
    "PUT",
    COLLECTIVE + "/nudge-template",
    "Edit the nudge template; null puts the default back (animators)",
    tag="animation",
    body=NudgeTemplateIn,
)
async def put_nudge_template(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return await thresholds.put_template(call.essaim, call.user, cid, call.body)


@ROUTES.endpoint(
    "POST",
    COLLECTIVE + "/nudges",
    "Nudge a member: in-app notification and email (animators)",
    tag="animation",
    body=NudgeIn,
    status=201,
)
async def send_nudge(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    base_url = link_base(call.essaim.settings, str(call.request.base_url))
    return await nudges.send_nudge(call.essaim, call.user, cid, call.body, base_url)


@ROUTES.endpoint(
    "POST",
    COLLECTIVE + "/prompts",
    "Post a « question de la semaine » card on a board (animators)",
    tag="animation",
    body=PromptIn,
    status=201,
)
async def post_prompt(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return await nudges.post_prompt(call.essaim, call.user, cid, call.body)


@ROUTES.endpoint(
    "POST",
    COLLECTIVE + "/welcomes",
    "Welcome a newcomer: a comment on their first card, else a notification (animators)",
    tag="animation",
    body=WelcomeIn,
    status=201,
)
async def send_welcome(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return await nudges.send_welcome(call.essaim, call.user, cid, call.body)


@ROUTES.endpoint(
    "GET",
    "/me/notifications",
    "The caller's notifications, newest first, with the unread count",
    tag="animation",
    query=("limit",),
)
async def list_notifications(call: Call) -> dict[str, Any]:
    limit = call.query_int("limit", 50, low=1, high=200)
    return await notifications.list_notifications(call.essaim, call.user, limit)


@ROUTES.endpoint(
    "GET",
    "/notifications",
    "The caller's notifications, newest first, with the unread count (as /me/notifications)",
    tag="animation",
    query=("limit",),
)
async def notifications_list(call: Call) -> dict[str, Any]:
    limit = call.query_int("limit", 50, low=1, high=200)
    return await notifications.list_notifications(call.essaim, call.user, limit)


@ROUTES.endpoint(
    "POST",
    "/notifications/read",
    "Mark one's notifications read: `ids`, or `all: true`; answers the unread count",
    tag="animation",
    body=NotificationsRead,
)
async def read_notifications(call: Call) -> dict[str, Any]:
    ids = None if call.body.all else list(call.body.ids or [])
    return await notifications.mark_many(call.essaim, call.user, ids)


@ROUTES.endpoint(
    "POST",
    "/notifications/{notification_id:int}/read",
    "Mark one of one's notifications read",
    tag="animation",
    status=204,
)
async def read_notification(call: Call) -> None:
    await notifications.mark_read(call.essaim, call.user, call.id("notification_id"))


PAGE = (
    "<!doctype html><html lang='fr'><meta charset='utf-8'>"
    "<meta name='viewport' content='width=device-width, initial-scale=1'>"
    "<title>{title} — Essaim</title>"
    "<body style='font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; "
    "padding: 0 1rem; line-height: 1.5'><h1>{title}</h1><p>{text}</p>{extra}</body></html>"
)
BUTTON = (
    "<form method='post' action='/digest/unsubscribe?token={token}'>"
    "<button type='submit' style='font: inherit; padding: .6rem 1.2rem; border-radius: .4rem; "
    "border: 0; background: #14532d; color: #fff; cursor: pointer'>Me désinscrire</button></form>"
)


def _page(title: str, text: str, extra: str = "", status: int = 200) -> HTMLResponse:
    page = PAGE.format(title=title, text=text, extra=extra)
    headers = {
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
        "form-action 'self'; frame-ancestors 'none'",
    }
    return HTMLResponse(page, status_code=status, headers=headers)


async def digest_unsubscribe(request: Request) -> Response:
    """``/digest/unsubscribe?token=…``, the link in each digest. GET asks for confirmation and
    changes nothing (mail scanners open links); POST — the page's button, or a mail client's
    one-click unsubscribe (RFC 8058) — stops the weekly digest. A bad token: 400."""
    essaim: Essaim = request.app.state.essaim
    token = request.query_params.get("token", "")
    if request.method == "POST":
        done = await digest.unsubscribe(essaim, token)
    else:
        done = await digest.token_known(essaim, token)
    if not done:
        text = (
            "Ce lien de désinscription n'est pas valable : il est incomplet ou a été mal copié. "
            "Ouvrez à nouveau le lien en bas du dernier résumé reçu."
        )
        return _page("Lien non valable", text, status=400)
    if request.method == "POST":
        text = (
            "Vous ne recevrez plus le résumé hebdomadaire d'Essaim. Vos collectifs et vos "
            "notifications dans l'application ne changent pas."
        )
        return _page("Désinscription confirmée", text)
    text = (
        "Vous ne recevrez plus le résumé hebdomadaire des nouveautés de vos collectifs. Vos "
        "collectifs et vos notifications dans l'application ne changent pas."
    )
    button = BUTTON.format(token=html.escape(urllib.parse.quote(token, safe=""), quote=True))
    return _page("Ne plus recevoir le résumé ?", text, button)
