"""Who is calling, on Starlette requests built from a scope against a real session (no
server): safe methods need only the session cookie; unsafe ones also an allowed origin, then
the session's CSRF token; the session cookie is Secure as ``ESSAIM_COOKIE_SECURE`` says."""

from __future__ import annotations

import dataclasses

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from server.app.auth import CSRF_HEADER, authenticate_request, set_session_cookie
from server.core.errors import ErrorCode, Forbidden, NotAuthenticated
from server.core.platform import Essaim
from server.domain.accounts.identity import Login, create_user
from server.domain.accounts.sessions import SESSION_COOKIE
from server.domain.schemas import RegisterIn

# The database only holds the session here: one kind of it is enough.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

HOST = "essaim.example.fr"


@pytest.fixture
async def login(essaim: Essaim) -> Login:
    body = RegisterIn(
        email="lea@example.fr", password="une longue phrase", display_name="Léa Martin"
    )
    return await create_user(essaim, body, open_session_for="pytest")


def request(
    method: str,
    token: str | None,
    headers: dict[str, str] | None = None,
    scheme: str = "https",
    app: Starlette | None = None,
) -> Request:
    sent = dict(headers or {})
    if token is not None:
        sent["cookie"] = f"{SESSION_COOKIE}={token}"
    scope: Scope = {
        "type": "http",
        "method": method,
        "path": "/api/v1/cards/1",
        "query_string": b"",
        "scheme": scheme,
        "server": (HOST, 443 if scheme == "https" else 80),
        "headers": [(b"host", HOST.encode())] + [(k.encode(), v.encode()) for k, v in sent.items()],
    }
    if app is not None:
        scope["app"] = app
    return Request(scope)


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
async def test_safe_methods_need_only_the_cookie(essaim: Essaim, login: Login, method: str) -> None:
    foreign = {"origin": "https://ailleurs.example.com"}
    auth = await authenticate_request(request(method, login.token, foreign), essaim)
    assert auth.user.id == login.user.id
    assert auth.csrf_token == login.csrf_token


async def test_no_cookie_or_an_unknown_one_is_not_authenticated(essaim: Essaim) -> None:
    for token in (None, "pas-un-jeton"):
        with pytest.raises(NotAuthenticated):
            await authenticate_request(request("GET", token), essaim)


@pytest.mark.parametrize(
    "origin", [None, f"https://{HOST}", "http://testserver"], ids=["none", "own", "allowed"]
)
async def test_an_unsafe_method_from_an_allowed_origin_with_the_token_passes(
    essaim: Essaim, login: Login, origin: str | None
) -> None:
    headers = {CSRF_HEADER: login.csrf_token}
    if origin is not None:
        headers["origin"] = origin
    auth = await authenticate_request(request("POST", login.token, headers), essaim)
    assert auth.user.email == "lea@example.fr"


@pytest.mark.parametrize(
    "origin", ["https://ailleurs.example.com", f"http://{HOST}", f"https://{HOST}:8443"]
)
async def test_another_origin_is_refused_even_with_the_token(
    essaim: Essaim, login: Login, origin: str
) -> None:
    headers = {"origin": origin, CSRF_HEADER: login.csrf_token}
    with pytest.raises(Forbidden) as refused:
        await authenticate_request(request("PATCH", login.token, headers), essaim)
    assert refused.value.code == ErrorCode.ORIGIN_NOT_ALLOWED


async def test_the_origin_is_checked_before_the_token(essaim: Essaim, login: Login) -> None:
    headers = {"origin": "https://ailleurs.example.com"}
    with pytest.raises(Forbidden) as refused:
        await authenticate_request(request("DELETE", login.token, headers), essaim)
    assert refused.value.code == ErrorCode.ORIGIN_NOT_ALLOWED


@pytest.mark.parametrize("sent", [None, "", "mauvais-jeton"], ids=["missing", "empty", "wrong"])
async def test_an_unsafe_method_without_the_sessions_token_is_refused(
    essaim: Essaim, login: Login, sent: str | None
) -> None:
    headers = {"origin": f"https://{HOST}"}
    if sent is not None:
        headers[CSRF_HEADER] = sent
    with pytest.raises(Forbidden) as refused:
        await authenticate_request(request("POST", login.token, headers), essaim)
    assert refused.value.code == ErrorCode.CSRF_FAILED


async def test_another_sessions_token_is_refused(essaim: Essaim, login: Login) -> None:
    other = await create_user(
        essaim,
        RegisterIn(email="paul@example.fr", password="une autre phrase", display_name="Paul"),
        open_session_for="pytest",
    )
    headers = {CSRF_HEADER: other.csrf_token}
    with pytest.raises(Forbidden) as refused:
        await authenticate_request(request("POST", login.token, headers), essaim)
    assert refused.value.code == ErrorCode.CSRF_FAILED


@pytest.mark.parametrize(
    ("mode", "scheme", "secure"),
    [
        ("auto", "https", True),
        ("auto", "http", False),
        ("true", "http", True),
        ("false", "https", False),
    ],
)
async def test_the_session_cookie_is_secure_as_configured(
    essaim: Essaim, monkeypatch: pytest.MonkeyPatch, mode: str, scheme: str, secure: bool
) -> None:
    monkeypatch.setattr(
        essaim, "settings", dataclasses.replace(essaim.settings, cookie_secure=mode)
    )
    app = Starlette()
    app.state.essaim = essaim
    response = Response()
    set_session_cookie(response, request("POST", None, scheme=scheme, app=app), "jeton", 3600)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=jeton;")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=3600" in cookie
    assert ("Secure" in cookie) is secure
