"""Errors as HTTP responses: the JSON body ``{"error": {"code", "message", "fields"}}`` for
domain errors, Starlette's own HTTP errors and anything unexpected."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.core.errors import ErrorCode, EssaimError, TooManyRequests

log = logging.getLogger("essaim.http")


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
