"""Account endpoints: register, login, logout, the current user."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from server.api.http import SESSION_COOKIE, Call, endpoint, set_session_cookie
from server.schemas import LoginIn, ProfilePatch, RegisterIn
from server.services import accounts
from server.services.views import me_view


def _logged_in(call: Call, login: accounts.Login, status: int) -> Response:
    body = {"user": me_view(login.user), "csrf_token": login.csrf_token}
    response = JSONResponse(body, status_code=status)
    set_session_cookie(response, call.request, login.token, login.max_age)
    return response


@endpoint(
    "POST",
    "/auth/register",
    "Create an account and log in",
    tag="auth",
    body=RegisterIn,
    auth=False,
    status=201,
)
async def register(call: Call) -> Response:
    ua = call.request.headers.get("user-agent", "")
    return _logged_in(call, await accounts.register(call.essaim, call.body, ua), 201)


@endpoint(
    "POST",
    "/auth/login",
    "Log in (throttled per account and per address)",
    tag="auth",
    body=LoginIn,
    auth=False,
)
async def login(call: Call) -> Response:
    address = call.request.client.host if call.request.client else "unknown"
    ua = call.request.headers.get("user-agent", "")
    return _logged_in(call, await accounts.login(call.essaim, call.body, address, ua), 200)


@endpoint("POST", "/auth/logout", "Revoke the current session", tag="auth", status=204)
async def logout(call: Call) -> Response:
    assert call.auth is not None
    await accounts.logout(call.essaim, call.auth)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@endpoint("GET", "/me", "The current user and the session's CSRF token", tag="auth")
async def me(call: Call) -> dict[str, Any]:
    assert call.auth is not None
    return {"user": me_view(call.user), "csrf_token": call.auth.csrf_token}


@endpoint(
    "PATCH", "/me", "Update one's own profile (name, language)", tag="auth", body=ProfilePatch
)
async def update_me(call: Call) -> dict[str, Any]:
    return {"user": me_view(await accounts.update_profile(call.essaim, call.user, call.body))}
