"""Account endpoints: register, login, logout, the current user, password reset and
verification of the address."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from server.app.auth import set_session_cookie
from server.app.routing import Call, Endpoints
from server.core.links import link_base
from server.domain import calendar
from server.domain.accounts import identity, links
from server.domain.accounts.sessions import SESSION_COOKIE
from server.domain.schemas import (
    LoginIn,
    PasswordResetIn,
    PasswordResetRequestIn,
    ProfilePatch,
    RegisterIn,
)
from server.domain.views import me_view

ROUTES = Endpoints()


def client_address(call: Call) -> str:
    """The client's address (the proxy's X-Forwarded-For only from FORWARDED_ALLOW_IPS)."""
    return call.request.client.host if call.request.client else "unknown"


def _base_url(call: Call) -> str:
    # Only a candidate: server.core.links decides whether links may name it.
    return str(call.request.base_url)


def _logged_in(call: Call, login: identity.Login, status: int) -> Response:
    body = {"user": me_view(login.user), "csrf_token": login.csrf_token}
    response = JSONResponse(body, status_code=status)
    set_session_cookie(response, call.request, login.token, login.max_age)
    return response


@ROUTES.endpoint(
    "POST",
    "/auth/register",
    "Create an account and log in; emails a link to verify the address (throttled per address)",
    tag="auth",
    body=RegisterIn,
    auth=False,
    status=201,
)
async def register(call: Call) -> Response:
    ua = call.request.headers.get("user-agent", "")
    login = await identity.register(
        call.essaim, call.body, client_address(call), ua, _base_url(call)
    )
    return _logged_in(call, login, 201)


@ROUTES.endpoint(
    "POST",
    "/auth/login",
    "Log in (throttled per account and per address)",
    tag="auth",
    body=LoginIn,
    auth=False,
)
async def login(call: Call) -> Response:
    ua = call.request.headers.get("user-agent", "")
    return _logged_in(
        call, await identity.login(call.essaim, call.body, client_address(call), ua), 200
    )


@ROUTES.endpoint("POST", "/auth/logout", "Revoke the current session", tag="auth", status=204)
async def logout(call: Call) -> Response:
    assert call.auth is not None
    await identity.logout(call.essaim, call.auth)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _calendar_url(call: Call) -> str | None:
    token = call.user.calendar_token
    if token is None:
        return None
    return link_base(call.essaim.settings, _base_url(call)) + calendar.feed_path(token)


@ROUTES.endpoint(
    "GET",
    "/me",
    "The current user, the session's CSRF token and one's calendar feed URL (null when off)",
    tag="auth",
)
async def me(call: Call) -> dict[str, Any]:
    assert call.auth is not None
    return {
        "user": me_view(call.user),
        "csrf_token": call.auth.csrf_token,
        "calendar_url": _calendar_url(call),
    }


@ROUTES.endpoint(
    "POST",
    "/me/calendar",
    "Turn on one's calendar feed, or give it a new secret URL (the previous one stops)",
    tag="auth",
)
async def turn_calendar_on(call: Call) -> dict[str, Any]:
    await calendar.turn_on(call.essaim, call.user)
    return {"calendar_url": _calendar_url(call)}


@ROUTES.endpoint(
    "DELETE",
    "/me/calendar",
    "Turn one's calendar feed off: its URL stops answering",
    tag="auth",
    status=204,
)
async def turn_calendar_off(call: Call) -> None:
    await calendar.turn_off(call.essaim, call.user)


@ROUTES.endpoint(
    "PATCH", "/me", "Update one's own profile (name, language)", tag="auth", body=ProfilePatch
)
async def update_me(call: Call) -> dict[str, Any]:
    return {"user": me_view(await identity.update_profile(call.essaim, call.user, call.body))}


# The same answer whether or not an account uses the address: it must tell nothing.
RESET_REQUESTED = {"message": "if an account uses this address, a reset link was sent to it"}


@ROUTES.endpoint(
    "POST",
    "/auth/password-reset",
    "Email a single-use password-reset link (same answer for unknown addresses; throttled)",
    tag="auth",
    body=PasswordResetRequestIn,
    auth=False,
    status=202,
)
async def request_password_reset(call: Call) -> dict[str, Any]:
    await links.request_password_reset(
        call.essaim, call.body.email, client_address(call), _base_url(call)
    )
    return RESET_REQUESTED


@ROUTES.endpoint(
    "POST",
    "/auth/password-reset/{token}",
    "Choose a new password through a reset link; every session of the account is revoked",
    tag="auth",
    body=PasswordResetIn,
    auth=False,
    status=204,
)
async def reset_password(call: Call) -> None:
    await links.reset_password(call.essaim, call.request.path_params["token"], call.body.password)


@ROUTES.endpoint(
    "POST",
    "/auth/verify-email/{token}",
    "Verify one's email address through the emailed link",
    tag="auth",
    auth=False,
    status=204,
)
async def verify_email(call: Call) -> None:
    await links.verify_email(call.essaim, call.request.path_params["token"])


@ROUTES.endpoint(
    "POST",
    "/auth/verify-email",
    "Send the verification link again (throttled)",
    tag="auth",
    status=202,
)
async def resend_verification(call: Call) -> dict[str, Any]:
    await links.resend_verification(call.essaim, call.user, client_address(call), _base_url(call))
    return {"message": "a verification link was sent"}
