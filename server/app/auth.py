"""Who is calling: the session cookie, and for unsafe methods the origin and CSRF checks.

The cookie's name and the origin rule are shared with the WebSocket (``realtime/ws.py``), so
they live below the HTTP layer (``server.domain.accounts.sessions``, ``server.core.security``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.core.errors import ErrorCode, Forbidden
from server.core.platform import Essaim
from server.core.security import origin_allowed
from server.domain.accounts.identity import Authenticated, authenticate
from server.domain.accounts.sessions import SESSION_COOKIE

CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def authenticate_request(request: Request, essaim: Essaim) -> Authenticated:
    """The caller behind the session cookie; unsafe methods also need an allowed origin and
    the session's CSRF token."""
    auth = await authenticate(essaim, request.cookies.get(SESSION_COOKIE))
    if request.method in SAFE_METHODS:
        return auth
    origin, url = request.headers.get("origin"), request.url
    if not origin_allowed(origin, url.scheme, url.netloc, essaim.settings):
        raise Forbidden(
            "requests from this origin are not allowed (ESSAIM_ALLOWED_ORIGINS)",
            code=ErrorCode.ORIGIN_NOT_ALLOWED,
        )
    if not auth.check_csrf(request.headers.get(CSRF_HEADER)):
        raise Forbidden(
            "missing or wrong X-CSRF-Token header (it is returned by login and GET /me)",
            code=ErrorCode.CSRF_FAILED,
        )
    return auth


def set_session_cookie(response: Response, request: Request, token: str, max_age: int) -> None:
    essaim: Essaim = request.app.state.essaim
    mode = essaim.settings.cookie_secure
    secure = request.url.scheme == "https" if mode == "auto" else mode == "true"
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
