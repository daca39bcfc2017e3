"""Request bodies: JSON parsed against a pydantic model, and every body capped in size."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.core.errors import (
    ErrorCode,
    InvalidInput,
    MalformedRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
)

B = TypeVar("B", bound=BaseModel)


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
