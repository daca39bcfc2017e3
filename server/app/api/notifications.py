"""Notification endpoints beyond the list: one's preferences, the one-click unsubscribe link of
notification emails, and replies by email handed over by an MTA or a provider's webhook."""

from __future__ import annotations

import hmac
import html
import urllib.parse
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.app.api.animation import _page
from server.app.routing import Call, Endpoints
from server.core.errors import ErrorCode, InvalidInput, NotAuthenticated, NotFound
from server.core.platform import Essaim
from server.domain.inbound.receive import receive
from server.domain.notify import prefs
from server.domain.notify.compose import KIND_NAMES
from server.domain.notify.unsubscribe import unsubscribe, unsubscribe_known
from server.domain.schemas import NotificationPreferencesIn

ROUTES = Endpoints()


@ROUTES.endpoint(
    "GET",
    "/me/notification-preferences",
    "How each kind of notification reaches the caller, per collective, and their quiet hours",
    tag="notifications",
)
async def get_preferences(call: Call) -> dict[str, Any]:
    return await prefs.preferences_view(call.essaim, call.user)


@ROUTES.endpoint(
    "PUT",
    "/me/notification-preferences",
    "Change some preferences: `all` (every collective), `collectives` (one each), "
    "`quiet_hours` (null: none); kinds not named keep their setting",
    tag="notifications",
    body=NotificationPreferencesIn,
)
async def put_preferences(call: Call) -> dict[str, Any]:
    return await prefs.update_preferences(call.essaim, call.user, call.body)


@ROUTES.endpoint(
    "POST",
    "/inbound/email",
    "A reply to a notification email, as a raw RFC 5322 message (`Authorization: Bearer "
    "<ESSAIM_INBOUND_SECRET>`; `?rcpt=` the envelope recipient when headers do not carry it)",
    tag="notifications",
    auth=False,
    status=201,
    query=("rcpt:str",),
)
async def inbound_email(call: Call) -> Response:
    settings = call.essaim.settings
    if not settings.inbound_secret:
        raise NotFound("route")
    given = call.request.headers.get("authorization", "")
    scheme, _, secret = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        secret.strip().encode(), settings.inbound_secret.encode()
    ):
        raise NotAuthenticated("a valid inbound secret is required")
    raw = await call.request.body()
    if not raw.strip():
        raise InvalidInput("the body must be the raw email", fields={"body": "empty"})
    rcpt = call.request.query_params.get("rcpt")
    outcome = await receive(call.essaim, raw, [rcpt] if rcpt else [])
    if outcome.posted:
        body = {"status": "posted", "comment_id": outcome.comment_id, "card_id": outcome.card_id}
        return JSONResponse(body, status_code=201)
    if not outcome.bounced:  # auto-replies and repeated deliveries: accepted, nothing posted
        return JSONResponse({"status": "ignored", "reason": outcome.reason}, status_code=200)
    error = {
        "code": ErrorCode.REPLY_REFUSED.value,
        "message": outcome.detail,
        "fields": {},
        "reason": outcome.reason,
    }
    return JSONResponse({"error": error}, status_code=ErrorCode.REPLY_REFUSED.http_status or 422)


BUTTON = (
    "<form method='post' action='/notifications/unsubscribe?token={token}'>"
    "<button type='submit' style='font: inherit; padding: .6rem 1.2rem; border-radius: .4rem; "
    "border: 0; background: #14532d; color: #fff; cursor: pointer'>Ne plus les recevoir</button>"
    "</form>"
)


async def unsubscribe_page(request: Request) -> Response:
    """``/notifications/unsubscribe?token=…``, the link of each notification email. GET asks
    for confirmation and changes nothing (mail scanners open links); POST — the button, or a
    mail client's one-click unsubscribe (RFC 8058) — stops the emails of that kind in that
    collective (they stay in the application). A bad token: 400."""
    essaim: Essaim = request.app.state.essaim
    token = request.query_params.get("token", "")
    if request.method == "POST":
        kind = await unsubscribe(essaim, token)
    else:
        kind = await unsubscribe_known(essaim, token)
    if kind is None:
        text = (
            "Ce lien de désinscription n'est pas valable : il est incomplet ou a été mal copié. "
            "Vos préférences se règlent aussi dans votre profil, sur Essaim."
        )
        return _page("Lien non valable", text, status=400)
    name = html.escape(KIND_NAMES["fr"].get(kind, kind))
    if request.method == "POST":
        text = (
            f"Vous ne recevrez plus d'emails pour les {name} de ce collectif. Elles restent "
            "visibles dans l'application ; votre profil permet de changer d'avis."
        )
        return _page("Désinscription confirmée", text)
    text = (
        f"Vous ne recevrez plus d'emails pour les {name} de ce collectif ; elles resteront "
        "visibles dans l'application."
    )
    button = BUTTON.format(token=html.escape(urllib.parse.quote(token, safe=""), quote=True))
    return _page("Ne plus recevoir ces emails ?", text, button)
