"""Capitalisation endpoints: a card's history (versions, restore), validating cards for the
guide, and the collective's practice guide (PDF, ODT) and open data (JSON, CSV)."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import JSONResponse, Response

from server.app.routing import Call, Endpoints
from server.domain import capitalise, card_versions, cards, showcase
from server.domain.guide import gather, opendata, render
from server.domain.schemas import CapitaliseIn, ConsentIn, ShowcaseIn

ROUTES = Endpoints()
PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
ODT = "application/vnd.oasis.opendocument.text"


@ROUTES.endpoint(
    "GET",
    "/cards/{card_id:int}/versions",
    "A card's versions, newest first: who, when, what changed and the diff from the one before",
    tag="cards",
)
async def list_versions(call: Call) -> dict[str, Any]:
    return await card_versions.list_versions(call.essaim, call.user, call.id("card_id"))


@ROUTES.endpoint(
    "POST",
    "/cards/{card_id:int}/versions/{version:int}/restore",
    "Make an old version the card's content again, as a new version (its author, animators)",
    tag="cards",
)
async def restore_version(call: Call) -> dict[str, Any]:
    return await cards.restore_version(
        call.essaim, call.user, call.id("card_id"), call.id("version")
    )


@ROUTES.endpoint(
    "POST",
    "/cards/{card_id:int}/capitalise",
    "Validate a practice or decision for the collective's guide, or take it out (animators)",
    tag="cards",
    body=CapitaliseIn,
)
async def capitalise_card(call: Call) -> dict[str, Any]:
    return await capitalise.capitalise(
        call.essaim, call.user, call.id("card_id"), call.body.capitalised
    )


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/guide/pending",
    "Practices and decisions waiting to be validated for the guide (animators)",
    tag="cards",
)
async def pending(call: Call) -> dict[str, Any]:
    return {"cards": await capitalise.pending(call.essaim, call.user, call.id("collective_id"))}


def _name(call: Call, ext: str) -> dict[str, str]:
    filename = f"guide-collectif-{call.id('collective_id')}.{ext}"
    return {**PRIVATE, "Content-Disposition": f'attachment; filename="{filename}"'}


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/guide.pdf",
    "The practice guide as PDF: cover, contents, one section per theme, each capitalised "
    "practice or decision with its sheet, who tried it and its images",
    tag="cards",
)
async def guide_pdf(call: Call) -> Response:
    guide = await gather.gather(call.essaim, call.user, call.id("collective_id"))
    pdf = await asyncio.to_thread(render.guide_pdf, guide)
    return Response(pdf, media_type="application/pdf", headers=_name(call, "pdf"))


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/guide.odt",
    "The practice guide as an OpenDocument text (the same content as the PDF)",
    tag="cards",
)
async def guide_odt(call: Call) -> Response:
    guide = await gather.gather(call.essaim, call.user, call.id("collective_id"))
    odt = await asyncio.to_thread(render.guide_odt, guide)
    return Response(odt, media_type=ODT, headers=_name(call, "odt"))


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/guide.json",
    "The guide as open data (JSON), under the collective's licence",
    tag="cards",
)
async def guide_json(call: Call) -> Response:
    guide = await gather.gather(call.essaim, call.user, call.id("collective_id"))
    return JSONResponse(opendata.guide_json(guide), headers=_name(call, "json"))


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/guide.csv",
    "The guide as open data (CSV, one practice per row), under the collective's licence",
    tag="cards",
)
async def guide_csv(call: Call) -> Response:
    guide = await gather.gather(call.essaim, call.user, call.id("collective_id"))
    return Response(
        opendata.guide_csv(guide), media_type="text/csv; charset=utf-8", headers=_name(call, "csv")
    )


@ROUTES.endpoint(
    "PUT",
    "/cards/{card_id:int}/showcase",
    "Put a validated practice or decision in the collective's public showcase, or take it out "
    "(animators); it is shown once its author consents",
    tag="cards",
    body=ShowcaseIn,
)
async def set_public(call: Call) -> dict[str, Any]:
    return await showcase.set_public(call.essaim, call.user, call.id("card_id"), call.body.public)


@ROUTES.endpoint(
    "PUT",
    "/cards/{card_id:int}/showcase-consent",
    "The author's consent to be shown in the showcase: `named`, `anonymous` or null (withdrawn)",
    tag="cards",
    body=ConsentIn,
)
async def set_consent(call: Call) -> dict[str, Any]:
    return await showcase.set_consent(call.essaim, call.user, call.id("card_id"), call.body.consent)


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/showcase",
    "The validated practices and decisions, which are public, with their authors' consent "
    "(animators)",
    tag="cards",
)
async def collective_showcase(call: Call) -> dict[str, Any]:
    return await showcase.collective_showcase(call.essaim, call.user, call.id("collective_id"))


@ROUTES.endpoint(
    "GET",
    "/showcase/{slug:str}",
    "A collective's public showcase, for anyone: its name, territory and the practices shown",
    tag="cards",
    auth=False,
)
async def public_showcase(call: Call) -> dict[str, Any]:
    return await showcase.public_page(call.essaim, str(call.request.path_params["slug"]))
