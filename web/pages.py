"""The browser workspace: HTML pages rendered by Jinja2, made live by the scripts in ``static``.

Each page handler reads what the page shows through the same domain services as the JSON API
(so permissions are the same: another collective's board answers the 404 page) and embeds it
as JSON for the page's script, which then keeps it current over the WebSocket. Pages need a
session, except login, sign-up and the invitation preview.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from animation import visits
from search import french
from server.app.routing import MAX_ID
from server.core.errors import EssaimError, Forbidden, Gone, NotAuthenticated, NotFound
from server.core.links import link_base
from server.core.markdown import render_markdown
from server.core.models import Collective, User
from server.core.platform import Essaim
from server.domain import boards, cards, collectives, meetings, merges, phases, showcase
from server.domain.access import card_for, is_animator
from server.domain.accounts import links
from server.domain.accounts.identity import Authenticated, authenticate
from server.domain.accounts.sessions import SESSION_COOKIE
from server.domain.diagnostics import needs as diagnostic_needs
from server.domain.diagnostics import service as diagnostics
from server.domain.views import iso, me_view
from server.domain.votes import service as votes
from server.domain.workshops import service as workshops
from web.i18n import WEB_DIR
from web.render import render

Handler = Callable[[Request, Authenticated | None], Awaitable[Response]]


def _path_id(request: Request, name: str) -> int:
    """An id of the page's path; one no row can have is the "not found" page, not a 500."""
    value = int(request.path_params[name])
    if not 0 < value <= MAX_ID:
        raise NotFound(name.removesuffix("_id"))
    return value


def _essaim(request: Request) -> Essaim:
    essaim: Essaim = request.app.state.essaim
    return essaim


async def _auth(request: Request) -> Authenticated | None:
    try:
        return await authenticate(_essaim(request), request.cookies.get(SESSION_COOKIE))
    except NotAuthenticated:
        return None


def _login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


def page(*, login: bool = True) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wrap a page handler: session lookup, login redirect, and domain errors as HTML pages."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            auth = await _auth(request)
            if login and auth is None:
                return _login_redirect(request)
            try:
                return await handler(request, auth)
            except NotAuthenticated:
                return _login_redirect(request)
            except EssaimError as error:
                return error_page(request, auth, error)

        return endpoint

    return wrap


def error_page(request: Request, auth: Authenticated | None, error: EssaimError) -> Response:
    kind = "not_found" if isinstance(error, NotFound) else error.code
    return render(
        request,
        auth,
        "error.html",
        {"kind": kind, "status": error.status, "message": error.message},
        status=error.status,
    )


async def not_found_page(request: Request, exc: Exception) -> Response:
    return error_page(request, await _auth(request), NotFound("page"))


@page()
async def home(request: Request, auth: Authenticated | None) -> Response:
    assert auth is not None
    mine = await collectives.list_collectives(_essaim(request), auth.user)
    return render(request, auth, "home.html", {"collectives": mine}, data={"collectives": mine})


@page(login=False)
async def login(request: Request, auth: Authenticated | None) -> Response:
    target = safe_next(request.query_params.get("next"))
    if auth is not None:
        return RedirectResponse(target, status_code=303)
    return render(request, None, "login.html", {"next": target}, data={"next": target})


@page(login=False)
async def signup(request: Request, auth: Authenticated | None) -> Response:
    target = safe_next(request.query_params.get("next"))
    if auth is not None:
        return RedirectResponse(target, status_code=303)
    return render(request, None, "signup.html", {"next": target}, data={"next": target})


# Browsers drop tabs and newlines anywhere in a URL and read "\\" as "/", so "/\t/evil" or
# "/\\evil" are protocol-relative URLs to another site once the browser has cleaned them.
_BROWSER_DROPS = re.compile(r"[\t\n\r]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))  # stripped at both ends too


def safe_next(target: str | None) -> str:
    """A path on this site to go to after login, or "/": the target is normalised as a browser
    would (and once more percent-decoded), then refused if it could leave the site."""
    if not target:
        return "/"
    cleaned = _BROWSER_DROPS.sub("", target.strip(_C0_AND_SPACE)).replace("\\", "/")
    if _CONTROL.search(cleaned):
        return "/"
    for form in (cleaned, _BROWSER_DROPS.sub("", unquote(cleaned)).replace("\\", "/")):
        if not form.startswith("/") or form.startswith("//"):
            return "/"
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return "/"
    return cleaned


@page(login=False)
async def forgot_password(request: Request, auth: Authenticated | None) -> Response:
    minutes = _essaim(request).settings.password_reset_ttl_minutes
    return render(request, auth, "forgot.html", {"ttl_minutes": minutes})


@page(login=False)
async def reset_password(request: Request, auth: Authenticated | None) -> Response:
    """The form to choose a new password, or why the emailed link no longer works."""
    token = request.path_params["token"]
    try:
        await links.check_reset_link(_essaim(request), token)
    except (Gone, NotFound) as error:
        return render(request, auth, "reset.html", {"problem": error.code}, status=error.status)
    return render(request, auth, "reset.html", {"problem": None}, data={"token": token})


@page(login=False)
async def verify_email(request: Request, auth: Authenticated | None) -> Response:
    """Its script confirms the address (a POST: opening a page changes nothing by itself)."""
    token = request.path_params["token"]
    return render(request, auth, "verify.html", {}, data={"verify_token": token})


@page(login=False)
async def invitation(request: Request, auth: Authenticated | None) -> Response:
    token = request.path_params["token"]
    try:
        user = auth.user if auth else None
        preview = await collectives.preview_invitation(_essaim(request), token, user)
    except (Gone, NotFound) as error:
        return render(
            request, auth, "invitation.html", {"problem": error.code}, status=error.status
        )
    context = {"invitation": preview, "token": token, "problem": None}
    return render(request, auth, "invitation.html", context, data={"token": token, **preview})


@page()
async def profile(request: Request, auth: Authenticated | None) -> Response:
    assert auth is not None
    essaim = _essaim(request)
    mine = await collectives.list_collectives(essaim, auth.user)
    memberships = []
    for collective in mine:
        members = await collectives.list_members(essaim, auth.user, collective["id"])
        own = next(m for m in members if m["user"]["id"] == auth.user.id)
        memberships.append({"collective": collective, **own})
    data = {"me": me_view(auth.user), "memberships": memberships}
    return render(request, auth, "profile.html", {"memberships": memberships}, data=data)


@page()
async def collective_home(request: Request, auth: Authenticated | None) -> Response:
    assert auth is not None
    essaim = _essaim(request)
    cid = _path_id(request, "collective_id")
    collective = await collectives.get_collective(essaim, auth.user, cid)
    data = {
        "collective": collective,
        "boards": await boards.list_boards(essaim, auth.user, cid),
        "phases": await phases.list_phases(essaim, auth.user, cid),
        "members": await collectives.list_members(essaim, auth.user, cid),
        "votes": await votes.list_votes(essaim, auth.user, cid),
    }
    # A member is shown the way to their company's diagnostics only when there is one.
    has_diagnostic = collective["role"] == "member" and bool(
        await diagnostics.list_diagnostics(essaim, auth.user, cid)
    )
    return render(
        request, auth, "collective.html", {**data, "has_diagnostic": has_diagnostic}, data=data
    )


@page()
async def animation(request: Request, auth: Authenticated | None) -> Response:
    """The animator's view; observers see its aggregates (health, meetings, the report)."""
    assert auth is not None
    essaim = _essaim(request)
    cid = _path_id(request, "collective_id")
    collective = await collectives.get_collective(essaim, auth.user, cid)
    if collective["role"] == "member":
        raise Forbidden("the animation view is for animators and observers")
    data = {
        "collective": collective,
        "boards": await boards.list_boards(essaim, auth.user, cid),
        "members": await collectives.list_members(essaim, auth.user, cid),
    }
    return render(request, auth, "animation.html", data, data=data)


def _summary(diagnostic: dict[str, Any]) -> dict[str, Any]:
    """What the list of diagnostics shows of one: never its answers."""
    keys = ("id", "company", "member", "template", "status", "version", "updated_at")
    return {k: diagnostic[k] for k in keys} | {"actions": len(diagnostic["actions"])}


@page()
async def collective_diagnostics(request: Request, auth: Authenticated | None) -> Response:
    """The collective's diagnostics: all for animators, their company's for a member
    (observers read the needs instead, as the API says: 403)."""
    assert auth is not None
    essaim = _essaim(request)
    cid = int(request.path_params["collective_id"])
    collective = await collectives.get_collective(essaim, auth.user, cid)
    if collective["role"] == "observer":
        raise Forbidden("observers see the collective's needs, not diagnostics")
    shown = await diagnostics.list_diagnostics(essaim, auth.user, cid)
    data: dict[str, Any] = {
        "collective": collective,
        "diagnostics": [_summary(d) for d in shown],
    }
    if collective["role"] == "animator":
        data["templates"] = await diagnostics.list_templates(essaim, auth.user, cid)
        data["members"] = [
            m
            for m in await collectives.list_members(essaim, auth.user, cid)
            if m["role"] != "observer"
        ]
    return render(request, auth, "diagnostics.html", data, data=data)


@page()
async def diagnostic(request: Request, auth: Authenticated | None) -> Response:
    """A company's diagnostic and its plan: animators answer it, the company reads it; 404 for
    anyone else, as the API."""
    assert auth is not None
    essaim = _essaim(request)
    shown = await diagnostics.get_diagnostic(
        essaim, auth.user, int(request.path_params["diagnostic_id"])
    )
    cid = shown["collective_id"]
    collective = await collectives.get_collective(essaim, auth.user, cid)
    members = await collectives.list_members(essaim, auth.user, cid)
    data: dict[str, Any] = {
        "diagnostic": shown,
        "collective": collective,
        # Who may own an action: the company's people, or an animator.
        "animators": [m["user"] for m in members if m["role"] == "animator"],
    }
    return render(request, auth, "diagnostic.html", data, data=data)


@page()
async def collective_needs(request: Request, auth: Authenticated | None) -> Response:
    """The needs the diagnostics share, for animators and observers (aggregates over five
    companies or more); a member's place is their own diagnostic."""
    assert auth is not None
    essaim = _essaim(request)
    cid = int(request.path_params["collective_id"])
    collective = await collectives.get_collective(essaim, auth.user, cid)
    if collective["role"] == "member":
        raise Forbidden("the collective's needs are for animators and observers")
    template = request.query_params.get("template") or None
    if template is not None and len(template) > 40:
        template = None
    found = await diagnostic_needs.collective_needs(essaim, auth.user, cid, template)
    data = {"collective": collective, "needs": found}
    return render(request, auth, "needs.html", data, data=data)


@page()
async def board(request: Request, auth: Authenticated | None) -> Response:
    assert auth is not None
    essaim = _essaim(request)
    shown = await boards.get_board(essaim, auth.user, _path_id(request, "board_id"))
    collective = await collectives.get_collective(essaim, auth.user, shown["collective_id"])
    members = await collectives.list_members(essaim, auth.user, shown["collective_id"])
    data: dict[str, Any] = {"board": shown, "collective": collective, "members": members}
    seen = await visits.last_visit(essaim, auth.user, shown["collective_id"], shown["id"], None)
    data["last_visit_at"] = iso(seen)
    # ?meeting=ID (a board made from a need): the workshop the animator starts here is held as
    # that meeting, instead of a new one of the day.
    wanted = request.query_params.get("meeting", "")
    if collective["role"] == "animator" and wanted.isdigit() and len(wanted) < 12:
        held = await meetings.list_meetings(essaim, auth.user, shown["collective_id"])
        meeting = next((m for m in held if m["id"] == int(wanted)), None)
        if meeting is not None:
            data["meeting"] = {k: meeting[k] for k in ("id", "title", "held_on")}
    return render(request, auth, "board.html", data, data=data)


@page()
async def card(request: Request, auth: Authenticated | None) -> Response:
    assert auth is not None
    essaim = _essaim(request)
    card_id = _path_id(request, "card_id")
    into = await merges.merged_into(essaim, auth.user, card_id)
    if into is not None:  # a duplicate merged into another card: its page is that card's
        return RedirectResponse(f"/cards/{into}", status_code=302)
    # The board's seq is read before the card, so that the live feed replays anything newer.
    board_id = await cards.board_of_card(essaim, auth.user, card_id)
    board_shown = await boards.get_board(essaim, auth.user, board_id)
    shown = await cards.get_card(essaim, auth.user, card_id)
    collective = await collectives.get_collective(essaim, auth.user, shown["collective_id"])
    data: dict[str, Any] = {
        "card": shown,
        "board": {k: v for k, v in board_shown.items() if k != "columns"},
        "columns": [{"id": c["id"], "name": c["name"]} for c in board_shown["columns"]],
        "collective": collective,
    }
    seen = await visits.last_visit(essaim, auth.user, shown["collective_id"], board_id, card_id)
    data["last_visit_at"] = iso(seen)
    data["showcase"] = await _showcase_state(essaim, auth.user, card_id)
    return render(request, auth, "card.html", data, data=data)


async def _showcase_state(essaim: Essaim, user: User, card_id: int) -> dict[str, Any] | None:
    """The card's place in the public showcase (public, the author's consent, its address), for
    its author — who decides whether it is shown — and the animators; None for anyone else.
    The card's view does not carry it (it is nobody else's business)."""
    async with essaim.db.read() as session:
        card, member = await card_for(session, user, card_id)
        if card.author_id != user.id and not is_animator(member):
            return None
        collective = await session.get(Collective, card.collective_id)
        return showcase.state_view(card, collective.slug if collective else None)


# A practice sheet's parts, in the order a sheet shows them (the template names them).
SHEET_PARTS = ("context", "steps", "results", "costs", "vigilance", "contacts")


def _matches(practice: dict[str, Any], wanted: set[str]) -> bool:
    sheet = practice["practice"]
    parts = [practice["title"], practice["body"], " ".join(practice["tags"])]
    parts += [" ".join(v) if isinstance(v, list) else str(v) for v in sheet.values()]
    return wanted <= set(french.terms(" ".join(parts)))


def _excerpt(body: str, length: int = 240) -> str:
    flat = " ".join(line.strip("#*>- ") for line in body.splitlines()).strip()
    return flat if len(flat) <= length else flat[: length - 1].rsplit(" ", 1)[0] + "…"


@page(login=False)
async def showcase_page(request: Request, auth: Authenticated | None) -> Response:
    """``/p/{slug}``: a collective's public showcase, for anyone (search engines included)."""
    essaim = _essaim(request)
    shown = await showcase.public_page(essaim, str(request.path_params["slug"]))
    q = request.query_params.get("q", "")[:200]
    wanted = set(french.terms(q))
    practices = [
        {**p, "excerpt": _excerpt(p["body"])}
        for p in shown["practices"]
        if not wanted or _matches(p, wanted)
    ]
    collective = shown["collective"]
    base = link_base(essaim.settings, str(request.base_url))
    context = {
        "collective": collective,
        "practices": practices,
        "q": q,
        "description": _excerpt(collective["description"] or collective["name"], 160),
        "canonical": f"{base}/p/{collective['slug']}",
    }
    return render(request, auth, "showcase.html", context, data={})


@page(login=False)
async def showcase_practice(request: Request, auth: Authenticated | None) -> Response:
    """``/p/{slug}/fiches/{id}``: one practice of a showcase."""
    essaim = _essaim(request)
    slug = str(request.path_params["slug"])
    shown = await showcase.public_page(essaim, slug)
    card_id = _path_id(request, "card_id")
    practice = next((p for p in shown["practices"] if p["id"] == card_id), None)
    if practice is None:
        raise NotFound("practice")
    sheet = practice["practice"]
    parts = [(key, sheet[key], key == "steps") for key in SHEET_PARTS if sheet.get(key)]
    collective = shown["collective"]
    base = link_base(essaim.settings, str(request.base_url))
    context = {
        "collective": collective,
        "practice": practice,
        "body_html": render_markdown(practice["body"]),
        "parts": parts,
        "description": _excerpt(practice["body"] or practice["title"], 160),
        "canonical": f"{base}{practice['url']}",
    }
    return render(request, auth, "showcase_practice.html", context, data={})


async def sitemap(request: Request) -> Response:
    """``/sitemap.xml``: every public showcase and its practices (nothing else is public)."""
    essaim = _essaim(request)
    base = link_base(essaim.settings, str(request.base_url))
    urls = []
    for slug, ids in await showcase.public_slugs(essaim):
        urls.append(f"{base}/p/{slug}")
        urls += [f"{base}/p/{slug}/fiches/{card_id}" for card_id in ids]
    body = "".join(f"<url><loc>{xml_escape(u)}</loc></url>" for u in urls)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'
    )
    return Response(xml, media_type="application/xml")


async def robots(request: Request) -> Response:
    """``/robots.txt``: search engines may read the showcases, nothing else."""
    base = link_base(_essaim(request).settings, str(request.base_url))
    text = f"User-agent: *\nAllow: /p/\nDisallow: /\nSitemap: {base}/sitemap.xml\n"
    return Response(text, media_type="text/plain")


@page()
async def vote(request: Request, auth: Authenticated | None) -> Response:
    """A vote: its ballot form for members and animators, its results when visible."""
    assert auth is not None
    essaim = _essaim(request)
    shown = await votes.get_vote(essaim, auth.user, _path_id(request, "vote_id"))
    collective = await collectives.get_collective(essaim, auth.user, shown["collective_id"])
    board_shown = None
    if shown["board_id"] is not None:
        full = await boards.get_board(essaim, auth.user, shown["board_id"])
        board_shown = {"id": full["id"], "name": full["name"]}
    data = {"vote": shown, "collective": collective, "board": board_shown}
    return render(request, auth, "vote.html", data, data=data)


@page()
async def workshop(request: Request, auth: Authenticated | None) -> Response:
    """A workshop: its steps and summary, its minutes; who was present, for animators."""
    assert auth is not None
    essaim = _essaim(request)
    wid = _path_id(request, "workshop_id")
    # The collective (its seq) is read before the workshop: the live feed replays anything newer.
    cid = (await workshops.get_workshop(essaim, auth.user, wid))["collective_id"]
    collective = await collectives.get_collective(essaim, auth.user, cid)
    shown = await workshops.get_workshop(essaim, auth.user, wid)
    full = await boards.get_board(essaim, auth.user, shown["board_id"])
    data: dict[str, Any] = {
        "workshop": shown,
        "collective": collective,
        "board": {"id": full["id"], "name": full["name"]},
    }
    if collective["role"] == "animator":
        data["members"] = await collectives.list_members(essaim, auth.user, cid)
        held = await meetings.list_meetings(essaim, auth.user, cid)
        meeting = next((m for m in held if m["id"] == shown["meeting_id"]), None)
        data["attendees"] = meeting["attendees"] if meeting else []
    return render(request, auth, "workshop.html", data, data=data)


@page()
async def search_page(request: Request, auth: Authenticated | None) -> Response:
    assert auth is not None
    mine = await collectives.list_collectives(_essaim(request), auth.user)
    query = request.query_params.get("q", "")[:200]
    names = {}
    for collective in mine:
        for shown in await boards.list_boards(_essaim(request), auth.user, collective["id"]):
            names[str(shown["id"])] = shown["name"]
    data = {"q": query, "collectives": mine, "boards": names}
    return render(request, auth, "search.html", data, data=data)


def web_routes() -> list[BaseRoute]:
    return [
        Route("/", home),
        Route("/login", login),
        Route("/signup", signup),
        Route("/forgot-password", forgot_password),
        Route("/reset/{token}", reset_password),
        Route("/verify/{token}", verify_email),
        Route("/invitations/{token}", invitation),
        Route("/profile", profile),
        Route("/c/{collective_id:int}", collective_home),
        Route("/c/{collective_id:int}/animation", animation),
        Route("/c/{collective_id:int}/diagnostics", collective_diagnostics),
        Route("/c/{collective_id:int}/needs", collective_needs),
        Route("/d/{diagnostic_id:int}", diagnostic),
        Route("/b/{board_id:int}", board),
        Route("/cards/{card_id:int}", card),
        Route("/v/{vote_id:int}", vote),
        Route("/w/{workshop_id:int}", workshop),
        Route("/search", search_page),
        Route("/p/{slug:str}", showcase_page),
        Route("/p/{slug:str}/fiches/{card_id:int}", showcase_practice),
        Route("/sitemap.xml", sitemap),
        Route("/robots.txt", robots),
        Mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static"),
    ]
