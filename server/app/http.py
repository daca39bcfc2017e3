"""HTTP plumbing shared by every endpoint: the route table (which also feeds OpenAPI), body
parsing with limits, cookie sessions with CSRF, and the error → JSON response mapping."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.core.errors import (
    ErrorCode,
    EssaimError,
    Forbidden,
    InvalidInput,
    MalformedRequest,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    UnsupportedMediaType,
)
from server.core.models import User
from server.core.platform import Essaim
from server.core.settings import Settings
from server.domain.accounts.identity import Authenticated, authenticate

log = logging.getLogger("essaim.http")

SESSION_COOKIE = "essaim_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_ID = 2_147_483_647

B = TypeVar("B", bound=BaseModel)


@dataclass
class Call:
    """What a handler receives: the request, the platform, the caller and parsed input."""

    request: Request
    essaim: Essaim
    auth: Authenticated | None
    body: Any = None

    @property
    def user(self) -> User:
        assert self.auth is not None, "endpoint declared without auth"
        return self.auth.user

    def id(self, name: str) -> int:
        value = int(self.request.path_params[name])
        if not 0 < value <= MAX_ID:
            raise NotFound(name.removesuffix("_id"))
        return value

    def query_int(self, name: str, default: int, *, low: int, high: int) -> int:
        raw = self.request.query_params.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise InvalidInput(
                f"{name} must be an integer", fields={name: "not an integer"}
            ) from None
        if not low <= value <= high:
            raise InvalidInput(
                f"{name} must be between {low} and {high}", fields={name: "out of range"}
            )
        return value


Handler = Callable[[Call], Awaitable[Any]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    auth: bool = True
    status: int = 200
    multipart: bool = False
    # Query parameters, ``name`` for an integer, else ``name:str``, ``name:date`` or
    # ``name:a|b`` (see the OpenAPI document).
    query: tuple[str, ...] = field(default_factory=tuple)


ENDPOINTS: list[Endpoint] = []
API_PREFIX = "/api/v1"


def endpoint(
    method: str,
    path: str,
    summary: str,
    *,
    tag: str,
    body: type[BaseModel] | None = None,
    auth: bool = True,
    status: int = 200,
    multipart: bool = False,
    query: tuple[str, ...] = (),
) -> Callable[[Handler], Handler]:
    """Declare an API endpoint under ``/api/v1`` (also listed in the OpenAPI document)."""

    def register(handler: Handler) -> Handler:
        ENDPOINTS.append(
            Endpoint(method, path, handler, summary, tag, body, auth, status, multipart, query)
        )
        return handler

    return register


def build_routes() -> list[Route]:
    by_path: dict[str, dict[str, Endpoint]] = {}
    for ep in ENDPOINTS:
        by_path.setdefault(ep.path, {})[ep.method] = ep
    return [
        Route(API_PREFIX + path, _dispatcher(methods), methods=list(methods))
        for path, methods in by_path.items()
    ]


def _dispatcher(methods: dict[str, Endpoint]) -> Callable[[Request], Awaitable[Response]]:
    async def dispatch(request: Request) -> Response:
        ep = methods[request.method if request.method != "HEAD" else "GET"]
        essaim: Essaim = request.app.state.essaim
        auth = await _authenticate(request, essaim) if ep.auth else None
        call = Call(request=request, essaim=essaim, auth=auth)
        if ep.body is not None:
            call.body = await parse_body(request, ep.body, essaim.settings.max_body_bytes)
        result = await ep.handler(call)
        if isinstance(result, Response):
            return result
        if result is None:
            return Response(status_code=204)
        return JSONResponse(result, status_code=ep.status)

    return dispatch


def origin_allowed(request: HTTPConnection, settings: Settings) -> bool:
    """Whether the request's ``Origin`` (when sent) is this server or an allowed origin."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    scheme = {"ws": "http", "wss": "https"}.get(request.url.scheme, request.url.scheme)
    own = {f"{scheme}://{request.url.netloc}"}
    if settings.public_url:
        public = urlsplit(settings.public_url)
        own.add(f"{public.scheme}://{public.netloc}")
    return origin in own or origin in settings.allowed_origins


async def _authenticate(request: Request, essaim: Essaim) -> Authenticated:
    auth = await authenticate(essaim, request.cookies.get(SESSION_COOKIE))
    if request.method in SAFE_METHODS:
        return auth
    if not origin_allowed(request, essaim.settings):
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


async def parse_body(request: Request, model: type[B], limit: int) -> B:
    """Read and validate a JSON body: 415 if not JSON, 413 if too big, 400 if malformed,
    422 with per-field messages if it does not match ``model``."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise UnsupportedMediaType("send a JSON body with Content-Type: application/json")
    raw = await read_limited(request, limit)
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if any(e["type"] == "json_invalid" for e in errors):
            raise MalformedRequest(
                "the body is not valid JSON", code=ErrorCode.MALFORMED_JSON
            ) from None
        if any(e["type"] == "model_type" and not e["loc"] for e in errors):
            raise InvalidInput(
                "the body must be a JSON object", fields={"": "not an object"}
            ) from None
        fields = {".".join(str(p) for p in e["loc"]) or "": e["msg"] for e in errors}
        raise InvalidInput("some fields are invalid", fields=fields) from None


async def read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body is larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


class BodyLimit:
    """Caps every request body (multipart included) before any parser buffers it."""

    def __init__(self, app: ASGIApp, limit: Callable[[], int]) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, seen = self.limit(), 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise PayloadTooLarge(f"the request is larger than {limit} bytes")
            return message

        await self.app(scope, limited, send)


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


def error_response(error: EssaimError) -> JSONResponse:
    headers = {}
    if isinstance(error, TooManyRequests):
        headers["Retry-After"] = str(error.retry_after)
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


async def on_essaim_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, EssaimError)
    return error_response(exc)


_HTTP_CODES = {
    400: ErrorCode.MALFORMED_REQUEST,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
}


async def on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, ErrorCode.HTTP_ERROR)
    body = {"error": {"code": code, "message": str(exc.detail), "fields": {}}}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    body = {
        "error": {
            "code": ErrorCode.INTERNAL_ERROR,
            "message": "unexpected server error",
            "fields": {},
        }
    }
    return JSONResponse(body, status_code=500)
