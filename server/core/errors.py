"""Domain errors, and the one place that maps them to HTTP statuses.

    EssaimError                      status  code
    ├── MalformedRequest             400     malformed_json, malformed_request
    ├── InvalidInput                 422     invalid_input (``fields`` says which and why)
    ├── NotAuthenticated             401     not_authenticated
    ├── Forbidden                    403     forbidden, csrf_failed, invitation_other_address,
    │                                        wrong_password, email_not_verified
    ├── NotFound                     404     not_found
    ├── Conflict                     409     conflict, version_conflict (with ``current``),
    │                                        last_animator_account (with ``collectives``),
    │                                        email_taken, email_already_verified
    ├── Gone                         410     invitation_expired, invitation_used,
    │                                        invitation_revoked, reset_link_used,
    │                                        reset_link_expired, verification_link_used,
    │                                        verification_link_expired
    ├── PayloadTooLarge              413     payload_too_large
    ├── UnsupportedMediaType         415     unsupported_media_type, unsupported_file_type
    └── TooManyRequests              429     too_many_requests (with ``retry_after``)

The JSON body is always ``{"error": {"code", "message", "fields"}}``; a version conflict adds
``"current"`` (the current state of the object). WebSocket close codes for the same errors
are in ``WS_CLOSE_CODES``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class EssaimError(Exception):
    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "fields": self.fields}
        error.update(self.extra)
        return {"error": error}


class MalformedRequest(EssaimError):
    status = 400
    default_code = "malformed_request"


class InvalidInput(EssaimError):
    status = 422
    default_code = "invalid_input"


class NotAuthenticated(EssaimError):
    status = 401
    default_code = "not_authenticated"


class Forbidden(EssaimError):
    status = 403
    default_code = "forbidden"


class NotFound(EssaimError):
    status = 404
    default_code = "not_found"

    def __init__(self, what: str = "resource") -> None:
        super().__init__(f"{what} not found", extra={})


class Conflict(EssaimError):
    status = 409
    default_code = "conflict"


class Gone(EssaimError):
    status = 410
    default_code = "gone"


class PayloadTooLarge(EssaimError):
    status = 413
    default_code = "payload_too_large"


class UnsupportedMediaType(EssaimError):
    status = 415
    default_code = "unsupported_media_type"


class TooManyRequests(EssaimError):
    status = 429
    default_code = "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, extra={"retry_after": retry_after})
        self.retry_after = retry_after


# WebSocket close codes (4000–4999 are for applications), used by the real-time layer.
WS_CLOSE_CODES: dict[type[EssaimError], int] = {
    NotAuthenticated: 4401,
    Forbidden: 4403,
    NotFound: 4404,
    TooManyRequests: 4429,
}


def http_status(error: EssaimError) -> int:
    """The HTTP status of a domain error (the single mapping, used by the API layer)."""
    return error.status
