"""The API's route table: each ``server/app/api`` module declares its endpoints in its own
``ROUTES`` (an ``Endpoints``), ``create_app`` lists the modules it serves, and the same list
feeds the OpenAPI document. Nothing registers by being imported."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.app.auth import authenticate_request
from server.app.body import parse_body
from server.core.errors import InvalidInput, NotFound
from server.core.models import User
from server.core.platform import Essaim
from server.domain.accounts.identity import Authenticated

MAX_ID = 2_147_483_647
API_PREFIX = "/api/v1"


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


class Endpoints:
    """One API module's endpoints, in the order it declares them."""

    def __init__(self) -> None:
        self._endpoints: list[Endpoint] = []

    def __iter__(self) -> Iterator[Endpoint]:
        return iter(self._endpoints)

    def endpoint(
        self,
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
        """Declare an endpoint under ``/api/v1``; the handler itself is left as it is."""

        def declare(handler: Handler) -> Handler:
            self._endpoints.append(
                Endpoint(method, path, handler, summary, tag, body, auth, status, multipart, query)
            )
            return handler

        return declare


def api_routes(endpoints: Iterable[Endpoint]) -> list[Route]:
    """One Starlette route per path (its methods dispatched to their endpoints)."""
    by_path: dict[str, dict[str, Endpoint]] = {}
    for ep in endpoints:
        by_path.setdefault(ep.path, {})[ep.method] = ep
    return [
        Route(API_PREFIX + path, _dispatcher(methods), methods=list(methods))
        for path, methods in by_path.items()
    ]


def _dispatcher(methods: dict[str, Endpoint]) -> Callable[[Request], Awaitable[Response]]:
    async def dispatch(request: Request) -> Response:
        ep = methods[request.method if request.method != "HEAD" else "GET"]
        essaim: Essaim = request.app.state.essaim
        auth = await authenticate_request(request, essaim) if ep.auth else None
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
