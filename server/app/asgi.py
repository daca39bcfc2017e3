"""The ASGI application: ``create_app(settings)`` wires the platform, routes and error mapping."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from realtime.hub import Hub
from realtime.ws import websocket_endpoint
from search import outbox
from search.runtime import SearchRuntime
from search.similar.service import SimilarCards
from server.app.api import (
    accounts,
    animation,
    boards,
    collectives,
    diagnostics,
    guide,
    meetings,
    moderation,
    notifications,
    presence,
    privacy,
    reports,
    votes,
    workshops,
)
from server.app.api import search as search_api
from server.app.body import BodyLimit
from server.app.errors import on_essaim_error, on_http_exception, on_unexpected
from server.app.openapi import openapi_document
from server.app.routing import Endpoint, api_routes
from server.core.errors import EssaimError, NotFound
from server.core.links import link_base
from server.core.platform import Essaim
from server.core.settings import Settings
from server.domain import calendar
from server.domain.diagnostics.reminders import DueActionReminder
from server.domain.inbound.smtp import InboundSmtp
from server.domain.notify.dispatch import NotificationMailer
from server.domain.votes.closing import DueVoteCloser
from web.pages import not_found_page, web_routes

log = logging.getLogger("essaim")

# The API this app serves, module by module (each module's endpoints in its own order): the
# routes and the OpenAPI document are both built from it.
API_ENDPOINTS: tuple[Endpoint, ...] = (
    *accounts.ROUTES,
    *boards.ROUTES,
    *collectives.ROUTES,
    *meetings.ROUTES,
    *moderation.ROUTES,
    *presence.ROUTES,
    *animation.ROUTES,
    *notifications.ROUTES,
    *privacy.ROUTES,
    *reports.ROUTES,
    *search_api.ROUTES,
    *votes.ROUTES,
    *workshops.ROUTES,
    *diagnostics.ROUTES,
    *guide.ROUTES,
)

# Multipart framing around an upload: boundaries, part headers, the few small fields.
MULTIPART_OVERHEAD = 64 * 1024


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document(API_ENDPOINTS))


async def calendar_feed(request: Request) -> Response:
    """One's iCalendar feed at its secret URL, for calendar clients (no session): 404 for a
    secret that is unknown, revoked or erased."""
    essaim: Essaim = request.app.state.essaim
    base = link_base(essaim.settings, str(request.base_url))
    try:
        body = await calendar.feed(essaim, request.path_params["token"], base)
    except NotFound:
        return Response("Calendrier inconnu.\n", status_code=404, media_type="text/plain")
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


async def health(request: Request) -> Response:
    essaim: Essaim = request.app.state.essaim
    async with essaim.db.read() as session:
        await session.execute(text("SELECT 1"))
    # The search outbox: changes waiting to be indexed, and those the indexer gave up on.
    return JSONResponse({"status": "ok", "search": await outbox.counts(essaim.db)})


async def on_http_error(request: Request, exc: Exception) -> Response:
    """JSON errors for the API, the HTML "not found" page for a person's browser."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404 and not request.url.path.startswith(("/api/", "/static/")):
        return await not_found_page(request, exc)
    return await on_http_exception(request, exc)


def create_app(settings: Settings | None = None, *, migrate: bool = True) -> Starlette:
    settings = settings or Settings.from_env()
    essaim = Essaim(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Whatever started is stopped, in reverse order, even when a later start or an
        # earlier stop fails: a database left undisposed leaks its pooled connections.
        async with AsyncExitStack() as started:
            await essaim.start(migrate=migrate)
            started.push_async_callback(essaim.stop)
            # Each stop is registered before its start: a start that fails or is cancelled
            # halfway has tasks running already, and they must end before the database does.
            hub = app.state.hub = Hub(essaim)
            started.push_async_callback(hub.stop)
            await hub.start()
            search = app.state.search = SearchRuntime(essaim)
            started.push_async_callback(search.stop)
            await search.start()
            similar = app.state.similar = SimilarCards(essaim)
            started.push_async_callback(similar.stop)
            closer = app.state.vote_closer = DueVoteCloser(essaim)
            started.push_async_callback(closer.stop)
            await closer.start()
            reminder = app.state.action_reminder = DueActionReminder(essaim)
            started.push_async_callback(reminder.stop)
            await reminder.start()
            mailer = app.state.notification_mailer = NotificationMailer(essaim)
            started.push_async_callback(mailer.stop)
            await mailer.start()
            if essaim.settings.inbound_smtp:
                receiver = app.state.inbound_smtp = InboundSmtp(essaim, settings.inbound_smtp)
                started.push_async_callback(receiver.stop)
                await receiver.start()
            log.info("Essaim started with %s", essaim.settings.describe())
            yield

    routes = [
        Route("/api/openapi.json", openapi),
        Route("/api/v1/health", health),
        WebSocketRoute("/ws", websocket_endpoint),
        Route("/digest/unsubscribe", animation.digest_unsubscribe, methods=["GET", "POST"]),
        Route(
            "/notifications/unsubscribe",
            notifications.unsubscribe_page,
            methods=["GET", "POST"],
        ),
        Route("/calendar/{token}.ics", calendar_feed),
        *api_routes(API_ENDPOINTS),
        *web_routes(),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(
                BodyLimit,
                limit=lambda: (
                    max(settings.max_body_bytes, settings.max_upload_bytes) + MULTIPART_OVERHEAD
                ),
            )
        ],
        exception_handlers={
            EssaimError: on_essaim_error,
            HTTPException: on_http_error,
            Exception: on_unexpected,
        },
    )
    app.state.essaim = essaim
    return app
