"""Errors as HTTP responses, from the handlers called directly: a domain error answers its own
status and body, Starlette's HTTP errors get the codes of the registry, and anything unexpected
is a logged 500 that says nothing of its cause."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server.app.errors import error_response, on_essaim_error, on_http_exception, on_unexpected
from server.core.errors import (
    Conflict,
    ErrorCode,
    EssaimError,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
)


def request(method: str = "POST", path: str = "/api/v1/cards/7") -> Request:
    return Request(
        {
            "type": "http",
            "method": method,
            "path": path,
            "query_string": b"",
            "scheme": "http",
            "server": ("testserver", 80),
            "headers": [],
        }
    )


def body(response: Response) -> Any:
    return json.loads(bytes(response.body))


@pytest.mark.parametrize(
    ("error", "status", "expected"),
    [
        (
            InvalidInput("some fields are invalid", fields={"title": "trop long"}),
            422,
            {
                "code": "invalid_input",
                "message": "some fields are invalid",
                "fields": {"title": "trop long"},
            },
        ),
        (
            Forbidden("only animators", code=ErrorCode.CSRF_FAILED),
            403,
            {"code": "csrf_failed", "message": "only animators", "fields": {}},
        ),
        (NotFound("card"), 404, {"code": "not_found", "message": "card not found", "fields": {}}),
        (
            Conflict(
                "someone saved in between",
                code=ErrorCode.VERSION_CONFLICT,
                extra={"current": {"id": 7, "title": "Chantier"}},
            ),
            409,
            {
                "code": "version_conflict",
                "message": "someone saved in between",
                "fields": {},
                "current": {"id": 7, "title": "Chantier"},
            },
        ),
    ],
    ids=["invalid_input", "csrf_failed", "not_found", "version_conflict"],
)
async def test_a_domain_error_answers_its_status_and_body(
    error: EssaimError, status: int, expected: dict[str, Any]
) -> None:
    response = await on_essaim_error(request(), error)
    assert response.status_code == status
    assert body(response) == {"error": expected}
    assert response.headers["content-type"] == "application/json"
    assert "retry-after" not in response.headers


async def test_too_many_requests_says_when_to_retry() -> None:
    response = error_response(TooManyRequests("too many failed logins", retry_after=900))
    assert response.status_code == 429
    assert response.headers["retry-after"] == "900"
    assert body(response)["error"]["code"] == "too_many_requests"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "malformed_request"),
        (404, "not_found"),
        (405, "method_not_allowed"),
        (413, "payload_too_large"),
        (418, "http_error"),
    ],
)
async def test_starlettes_http_errors_get_the_registrys_codes(status: int, code: str) -> None:
    response = await on_http_exception(request(), HTTPException(status, detail="Pas ici"))
    assert response.status_code == status
    assert body(response) == {"error": {"code": code, "message": "Pas ici", "fields": {}}}


async def test_an_http_errors_own_headers_are_kept() -> None:
    refused = HTTPException(405, headers={"Allow": "GET, HEAD"})
    response = await on_http_exception(request(), refused)
    assert response.headers["allow"] == "GET, HEAD"
    assert body(response)["error"]["message"] == "Method Not Allowed"


async def test_an_unexpected_error_is_a_logged_500_that_hides_its_cause(
    caplog: pytest.LogCaptureFixture,
) -> None:
    boom = RuntimeError("mot de passe de la base : hunter2")
    with caplog.at_level(logging.ERROR, logger="essaim.http"):
        response = await on_unexpected(request("PATCH", "/api/v1/cards/7"), boom)
    assert response.status_code == 500
    assert body(response) == {
        "error": {"code": "internal_error", "message": "unexpected server error", "fields": {}}
    }
    assert "hunter2" not in bytes(response.body).decode()
    [record] = [r for r in caplog.records if r.name == "essaim.http"]
    assert record.getMessage() == "unexpected error on PATCH /api/v1/cards/7"
    assert record.exc_info is not None and record.exc_info[1] is boom
