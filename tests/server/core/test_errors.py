"""The error registry: docs/errors.md matches ``ErrorCode``, the hierarchy answers the right
statuses and bodies, and every call site gives a class a code of its own status."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from server.core import errors
from server.core.errors import (
    BadMessage,
    Conflict,
    ErrorCode,
    EssaimError,
    Forbidden,
    Gone,
    InvalidInput,
    MalformedRequest,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
    SearchDown,
    TooManyRequests,
    UnsupportedMediaType,
)

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "errors.md"
APPLICATION = ["server", "realtime", "search", "animation", "web"]


def documented_row(code: ErrorCode) -> str:
    """The docs/errors.md row of a code, as the registry says it."""
    http = "—" if code.http_status is None else str(code.http_status)
    ws = "—" if code.ws_close is None else f"`{code.ws_close}`"
    return f"| `{code.value}` | {http} | {ws} | {code.doc} |"


def doc_rows() -> dict[str, str]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    return {line.split("`")[1]: line for line in lines if line.startswith("| `")}


def test_every_error_code_is_documented_as_declared() -> None:
    rows = doc_rows()
    for code in ErrorCode:
        assert code.value in rows, f"{code.value} is missing from docs/errors.md"
        assert rows[code.value] == documented_row(code), f"docs/errors.md: {code.value}"


def test_every_documented_code_is_declared() -> None:
    unknown = set(doc_rows()) - {code.value for code in ErrorCode}
    assert not unknown, f"docs/errors.md documents unknown codes {sorted(unknown)}"


def test_a_close_code_has_one_meaning() -> None:
    closing = [code.ws_close for code in ErrorCode if code.ws_close is not None]
    assert len(closing) == len(set(closing))
    assert ErrorCode.SLOW_CONSUMER.close_code == 4429
    assert ErrorCode.TOO_MANY_REQUESTS.ws_close is None  # throttling never closes a socket


def test_a_code_that_closes_no_socket_has_no_close_code() -> None:
    with pytest.raises(ValueError, match="forbidden does not close a WebSocket"):
        _ = ErrorCode.FORBIDDEN.close_code


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (MalformedRequest("m"), 400, "malformed_request"),
        (InvalidInput("m"), 422, "invalid_input"),
        (NotAuthenticated("m"), 401, "not_authenticated"),
        (Forbidden("m"), 403, "forbidden"),
        (NotFound("card"), 404, "not_found"),
        (Conflict("m"), 409, "conflict"),
        (Gone("m"), 410, "gone"),
        (PayloadTooLarge("m"), 413, "payload_too_large"),
        (UnsupportedMediaType("m"), 415, "unsupported_media_type"),
        (TooManyRequests("m", retry_after=30), 429, "too_many_requests"),
        (SearchDown("m"), 503, "search_unavailable"),
        (Forbidden("m", code=ErrorCode.CSRF_FAILED), 403, "csrf_failed"),
        (Gone("m", code=ErrorCode.INVITATION_USED), 410, "invitation_used"),
    ],
)
def test_each_error_answers_its_status_and_code(error: EssaimError, status: int, code: str) -> None:
    assert error.status == status
    assert error.body()["error"]["code"] == code


def test_the_body_serialises_the_code_as_its_string() -> None:
    error = InvalidInput("some fields are invalid", fields={"title": "missing"})
    assert json.dumps(error.body()) == (
        '{"error": {"code": "invalid_input", "message": "some fields are invalid", '
        '"fields": {"title": "missing"}}}'
    )
    assert json.dumps(NotFound("board").body()) == (
        '{"error": {"code": "not_found", "message": "board not found", "fields": {}}}'
    )


def test_too_many_requests_says_when_to_retry() -> None:
    error = TooManyRequests("slow down", retry_after=90)
    assert error.retry_after == 90
    assert error.body() == {
        "error": {
            "code": "too_many_requests",
            "message": "slow down",
            "fields": {},
            "retry_after": 90,
        }
    }


def test_a_version_conflict_carries_the_current_object() -> None:
    current = {"id": 7, "version": 3, "title": "saved in between"}
    error = Conflict("stale", code=ErrorCode.VERSION_CONFLICT, extra={"current": current})
    assert error.status == 409
    assert error.body()["error"] == {
        "code": "version_conflict",
        "message": "stale",
        "fields": {},
        "current": current,
    }


def test_a_bad_websocket_message_is_an_essaim_error_without_http_status() -> None:
    bad = BadMessage(ErrorCode.MALFORMED, "not JSON")
    assert isinstance(bad, EssaimError)
    assert (bad.code, bad.message) == (ErrorCode.MALFORMED, "not JSON")
    with pytest.raises(TypeError, match="malformed is not an HTTP error"):
        _ = bad.status


def _error_classes() -> dict[str, type[EssaimError]]:
    return {
        name: value
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, EssaimError)
    }


def _raised_codes() -> list[tuple[str, str, ErrorCode]]:
    """(where, class name, code) of every error built with a literal ``ErrorCode.X``."""
    classes = _error_classes()
    found = []
    for package in APPLICATION:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                    continue
                if node.func.id not in classes:
                    continue
                given = [k.value for k in node.keywords if k.arg == "code"] + node.args[:1]
                for arg in given:
                    if isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name):
                        if arg.value.id == "ErrorCode":
                            where = f"{path.relative_to(ROOT)}:{node.lineno}"
                            found.append((where, node.func.id, ErrorCode[arg.attr]))
    return found


def test_every_code_given_to_a_class_has_the_class_status() -> None:
    raised = _raised_codes()
    assert len(raised) >= 40  # the scan sees the call sites
    classes = _error_classes()
    for where, name, code in raised:
        if name == "BadMessage":
            assert code.ws_close is None, f"{where}: an error message does not close the socket"
        else:
            expected = classes[name].default_code.http_status
            assert code.http_status == expected, f"{where}: {name} given {code.value}"


def test_no_error_code_is_written_as_a_bare_string() -> None:
    for package in APPLICATION:
        for path in (ROOT / package).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            assert 'code="' not in source, f"{path}: use ErrorCode"
            assert '"code": "' not in source, f"{path}: use ErrorCode"
