"""Moderation endpoints: members flag content, animators work the review queue and read the
audit log. Pinning cards and locking boards go through ``PATCH /cards`` and ``PATCH /boards``."""

from __future__ import annotations

from typing import Any

from server.app.routing import MAX_ID, Call, Endpoints
from server.core.errors import InvalidInput
from server.core.models import FlagStatus
from server.domain import audit, moderation
from server.domain.schemas import FlagIn, FlagResolveIn

ROUTES = Endpoints()


@ROUTES.endpoint(
    "POST",
    "/cards/{card_id:int}/flags",
    "Flag a card for the animators (one open flag per person and card)",
    tag="moderation",
    body=FlagIn,
    status=201,
)
async def flag_card(call: Call) -> dict[str, Any]:
    return await moderation.flag_card(call.essaim, call.user, call.id("card_id"), call.body)


@ROUTES.endpoint(
    "POST",
    "/comments/{comment_id:int}/flags",
    "Flag a comment for the animators (one open flag per person and comment)",
    tag="moderation",
    body=FlagIn,
    status=201,
)
async def flag_comment(call: Call) -> dict[str, Any]:
    cid = call.id("comment_id")
    return await moderation.flag_comment(call.essaim, call.user, cid, call.body)


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/flags",
    "The review queue: open or resolved flags with their target (animators)",
    tag="moderation",
    query=("status:open|resolved",),
)
async def list_flags(call: Call) -> dict[str, Any]:
    status = call.request.query_params.get("status") or FlagStatus.open
    if status not in set(FlagStatus):
        raise InvalidInput("unknown status", fields={"status": "open or resolved"})
    cid = call.id("collective_id")
    return {"flags": await moderation.list_flags(call.essaim, call.user, cid, status)}


@ROUTES.endpoint(
    "POST",
    "/flags/{flag_id:int}/resolve",
    "Resolve a flag, and every open flag on its target: hide the target or dismiss (animators)",
    tag="moderation",
    body=FlagResolveIn,
)
async def resolve_flag(call: Call) -> dict[str, Any]:
    return await moderation.resolve_flag(call.essaim, call.user, call.id("flag_id"), call.body)


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/audit",
    "The moderation audit log, newest first, page by page (animators)",
    tag="moderation",
    query=("before", "limit"),
)
async def audit_log(call: Call) -> dict[str, Any]:
    before = call.query_int("before", 0, low=1, high=MAX_ID) or None
    limit = call.query_int("limit", 50, low=1, high=audit.MAX_PAGE)
    cid = call.id("collective_id")
    return await audit.audit_page(call.essaim, call.user, cid, before, limit)
