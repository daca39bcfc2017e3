"""Every error code the platform emits, and the domain errors that carry them.

``ErrorCode`` is the one registry: each code declares its HTTP status, its WebSocket close
code when it closes a socket, and a line of documentation (docs/errors.md is checked against
it). An exception's HTTP status is its code's, so the API layer maps an error by reading
``error.status`` and the real-time layer closes a socket with ``ErrorCode.X.close_code``.

    EssaimError                      status  default code (others: see ErrorCode)
    ├── MalformedRequest             400     malformed_request
    ├── InvalidInput                 422     invalid_input (``fields`` says which and why)
    ├── NotAuthenticated             401     not_authenticated
    ├── Forbidden                    403     forbidden
    ├── NotFound                     404     not_found
    ├── Conflict                     409     conflict (version_conflict adds ``current``)
    ├── Gone                         410     gone
    ├── PayloadTooLarge              413     payload_too_large
    ├── UnsupportedMediaType         415     unsupported_media_type
    ├── TooManyRequests              429     too_many_requests (with ``retry_after``)
    ├── SearchDown                   503     search_unavailable
    └── BadMessage                   —       a WebSocket ``error`` message, never an HTTP answer

The JSON body is always ``{"error": {"code", "message", "fields"}}``, plus what ``extra``
adds (``current`` for a version conflict, ``retry_after``, ``collectives``...).
"""

from __future__ import annotations

from enum import StrEnum, unique
from typing import Any, ClassVar


@unique
class ErrorCode(StrEnum):
    """An error code: serialised as its value, with its HTTP status, WebSocket close code
    (None when it never closes a socket) and documentation line."""

    http_status: int | None
    ws_close: int | None
    doc: str

    def __new__(cls, value: str, http_status: int | None, ws_close: int | None, doc: str) -> Any:
        member = str.__new__(cls, value)
        member._value_ = value
        member.http_status = http_status
        member.ws_close = ws_close
        member.doc = doc
        return member

    @property
    def close_code(self) -> int:
        """The WebSocket close code; asking it of a code that closes no socket is a bug."""
        if self.ws_close is None:
            raise ValueError(f"{self.value} does not close a WebSocket")
        return self.ws_close

    # 400
    BAD_REQUEST = (
        "bad_request",
        400,
        None,
        "generic refusal: the base class's code (every error raised today has a precise one)",
    )
    MALFORMED_REQUEST = (
        "malformed_request",
        400,
        None,
        "the request cannot be parsed (e.g. a broken multipart form)",
    )
    MALFORMED_JSON = "malformed_json", 400, None, "the body is not valid JSON"
    # 401
    NOT_AUTHENTICATED = (
        "not_authenticated",
        401,
        4401,
        "no valid session: log in (again); closes a socket whose session is missing or ended",
    )
    # 403
    FORBIDDEN = "forbidden", 403, None, "your role does not allow this"
    ORIGIN_NOT_ALLOWED = (
        "origin_not_allowed",
        403,
        4403,
        "the request or socket comes from an origin not allowed (ESSAIM_ALLOWED_ORIGINS)",
    )
    CSRF_FAILED = "csrf_failed", 403, None, "missing or wrong X-CSRF-Token header"
    INVITATION_OTHER_ADDRESS = (
        "invitation_other_address",
        403,
        None,
        "the invitation was sent to another email address",
    )
    EMAIL_NOT_VERIFIED = (
        "email_not_verified",
        403,
        None,
        "verify your email address first (accepting an invitation)",
    )
    WRONG_PASSWORD = "wrong_password", 403, None, "the password confirming this is wrong"
    # 404
    NOT_FOUND = (
        "not_found",
        404,
        None,
        "no such object, or not yours to see (also a WebSocket `error` on subscribe)",
    )
    # 405
    METHOD_NOT_ALLOWED = "method_not_allowed", 405, None, "this path does not take this method"
    # 409
    CONFLICT = "conflict", 409, None, "the request conflicts with the current state"
    VERSION_CONFLICT = (
        "version_conflict",
        409,
        None,
        "someone saved in between: `current` holds the object as it is now",
    )
    LAST_ANIMATOR = (
        "last_animator",
        409,
        None,
        "a collective keeps at least one animator: appoint another first",
    )
    LAST_ANIMATOR_ACCOUNT = (
        "last_animator_account",
        409,
        None,
        "the account is the last animator of the `collectives` listed",
    )
    EMAIL_TAKEN = "email_taken", 409, None, "an account already uses this email address"
    EMAIL_ALREADY_VERIFIED = (
        "email_already_verified",
        409,
        None,
        "this email address is already verified",
    )
    ALREADY_MEMBER = "already_member", 409, None, "you are already a member of this collective"
    BOARD_LOCKED = "board_locked", 409, None, "the board is locked by its animators"
    BOARD_ARCHIVED = "board_archived", 409, None, "the board is archived: it is read-only"
    ALREADY_FLAGGED = "already_flagged", 409, None, "you already flagged this and it is open"
    FLAG_RESOLVED = "flag_resolved", 409, None, "the flag is already resolved"
    TOO_MANY_COLUMNS = "too_many_columns", 409, None, "a board has at most 12 columns"
    COLUMN_NOT_EMPTY = "column_not_empty", 409, None, "move or delete the column's cards first"
    LAST_COLUMN = "last_column", 409, None, "a board keeps at least one column"
    VOTE_CLOSED = (
        "vote_closed",
        409,
        None,
        "the vote is closed (by an animator or its closing time): no more ballots",
    )
    VOTE_NOT_CLOSED = (
        "vote_not_closed",
        409,
        None,
        "the vote is still open: close it first (moving its winning cards)",
    )
    WORKSHOP_RUNNING = (
        "workshop_running",
        409,
        None,
        "a workshop is already running on this board: end it first",
    )
    WORKSHOP_ENDED = "workshop_ended", 409, None, "this workshop has ended"
    WORKSHOP_FROZEN = (
        "workshop_frozen",
        409,
        None,
        "the animator froze contributions during the workshop: wait until they resume",
    )
    WORKSHOP_STEP = (
        "workshop_step",
        409,
        None,
        "the workshop's current step does not take new cards from participants",
    )
    WORKSHOP_INTAKE = (
        "workshop_intake",
        409,
        None,
        "during this step, the animator places the inbox's cards on the board",
    )
    NOT_ENOUGH_DIAGNOSTICS = (
        "not_enough_diagnostics",
        409,
        None,
        "the collective's needs show once five companies are diagnosed (no company singled out)",
    )
    NUDGED_RECENTLY = (
        "nudged_recently",
        409,
        None,
        "this member was nudged recently (`last_nudge_at`, `next_nudge_at`)",
    )
    # 410
    GONE = "gone", 410, None, "the object existed but is no longer usable"
    CARD_MERGED = (
        "card_merged",
        410,
        None,
        "this card was merged into another, `merged_into_id`: its comments and reactions are there",
    )
    MERGE_TOO_OLD = "merge_too_old", 410, None, "a merge can be undone for 30 days only"
    INVITATION_EXPIRED = "invitation_expired", 410, None, "the invitation has expired"
    INVITATION_USED = "invitation_used", 410, None, "the invitation has already been used"
    INVITATION_REVOKED = "invitation_revoked", 410, None, "an animator withdrew the invitation"
    RESET_LINK_USED = "reset_link_used", 410, None, "the password reset link was already used"
    RESET_LINK_EXPIRED = "reset_link_expired", 410, None, "the password reset link has expired"
    VERIFICATION_LINK_USED = (
        "verification_link_used",
        410,
        None,
        "the address verification link was already used",
    )
    VERIFICATION_LINK_EXPIRED = (
        "verification_link_expired",
        410,
        None,
        "the address verification link has expired",
    )
    # 413, 415, 422, 429
    PAYLOAD_TOO_LARGE = "payload_too_large", 413, None, "the body or the file is too large"
    UNSUPPORTED_MEDIA_TYPE = (
        "unsupported_media_type",
        415,
        None,
        "wrong Content-Type (JSON or multipart/form-data expected)",
    )
    UNSUPPORTED_FILE_TYPE = (
        "unsupported_file_type",
        415,
        None,
        "this type of file is not accepted",
    )
    EMPTY_FILE = "empty_file", 415, None, "the file is empty"
    INVALID_INPUT = "invalid_input", 422, None, "some fields are invalid: `fields` says why"
    BAD_CREDENTIALS = "bad_credentials", 422, None, "wrong email or password"
    MERGE_UNDONE = (
        "merge_undone",
        409,
        None,
        "this merge was undone already, or the card kept is gone",
    )
    REPLY_REFUSED = (
        "reply_refused",
        422,
        None,
        "a reply by email was refused and nothing was posted: `reason` says why (`forged`, "
        "`expired`, `wrong_sender`, `not_member`, `card_closed`, `empty`, `too_long`, "
        "`no_token`, `oversize`)",
    )
    TOO_MANY_REQUESTS = (
        "too_many_requests",
        429,
        None,
        "throttled: try again after `retry_after` seconds (also the Retry-After header)",
    )
    # 5xx
    INTERNAL_ERROR = (
        "internal_error",
        500,
        1011,
        "unexpected server error (a socket closed with it reconnects with `since`)",
    )
    PDF_UNAVAILABLE = (
        "pdf_unavailable",
        503,
        None,
        "this server cannot make PDFs (WeasyPrint needs Pango): ask for format=html and print it",
    )
    SEARCH_UNAVAILABLE = (
        "search_unavailable",
        503,
        None,
        "the search engine does not answer; try again shortly",
    )
    # Any other status the web framework raises (its own status, no fixed one).
    HTTP_ERROR = (
        "http_error",
        None,
        None,
        "another error of the web framework, with the status it raised",
    )
    # WebSocket only: `error` messages (the socket stays open) and close codes.
    MALFORMED = (
        "malformed",
        None,
        None,
        "WebSocket `error`: not JSON, not an object, or nested too deep",
    )
    TOO_LARGE = "too_large", None, None, "WebSocket `error`: a message over 64 KiB"
    UNKNOWN_TYPE = "unknown_type", None, None, "WebSocket `error`: unknown message `type`"
    INVALID = "invalid", None, None, "WebSocket `error`: wrong or missing fields"
    TOO_MANY_SUBSCRIPTIONS = (
        "too_many_subscriptions",
        None,
        None,
        "WebSocket `error`: over 50 subscriptions on one connection",
    )
    TOO_MANY_BAD_MESSAGES = (
        "too_many_bad_messages",
        None,
        4400,
        "WebSocket closed: more than 20 `error`s on one connection",
    )
    CLIENT_SILENT = (
        "client_silent",
        None,
        4408,
        "WebSocket closed: no message from the client for three heartbeats",
    )
    SLOW_CONSUMER = (
        "slow_consumer",
        None,
        4429,
        "WebSocket closed: the send queue overflowed; reconnect with `since`",
    )
    SHUTTING_DOWN = (
        "shutting_down",
        None,
        1001,
        "WebSocket closed: the server is shutting down; reconnect with `since`",
    )


class EssaimError(Exception):
    """A domain error: its code says what happened, and its HTTP status."""

    default_code: ClassVar[ErrorCode] = ErrorCode.BAD_REQUEST

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        fields: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}
        self.extra = extra or {}

    @property
    def status(self) -> int:
        """The HTTP status, from the code (tests/server/core/test_errors.py checks that every
        ``code=`` given to a class has the status of the class's own default code)."""
        if self.code.http_status is None:
            raise TypeError(f"{self.code.value} is not an HTTP error")
        return self.code.http_status

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "fields": self.fields}
        error.update(self.extra)
        return {"error": error}


class MalformedRequest(EssaimError):
    default_code = ErrorCode.MALFORMED_REQUEST


class InvalidInput(EssaimError):
    default_code = ErrorCode.INVALID_INPUT


class NotAuthenticated(EssaimError):
    default_code = ErrorCode.NOT_AUTHENTICATED


class Forbidden(EssaimError):
    default_code = ErrorCode.FORBIDDEN


class NotFound(EssaimError):
    default_code = ErrorCode.NOT_FOUND

    def __init__(self, what: str = "resource") -> None:
        super().__init__(f"{what} not found", extra={})


class Conflict(EssaimError):
    default_code = ErrorCode.CONFLICT


class Gone(EssaimError):
    default_code = ErrorCode.GONE


class PayloadTooLarge(EssaimError):
    default_code = ErrorCode.PAYLOAD_TOO_LARGE


class UnsupportedMediaType(EssaimError):
    default_code = ErrorCode.UNSUPPORTED_MEDIA_TYPE


class TooManyRequests(EssaimError):
    default_code = ErrorCode.TOO_MANY_REQUESTS

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, extra={"retry_after": retry_after})
        self.retry_after = retry_after


class SearchDown(EssaimError):
    """The search engine did not answer a query (the backend raised ``SearchUnavailable``)."""

    default_code = ErrorCode.SEARCH_UNAVAILABLE


class PdfUnavailable(EssaimError):
    """WeasyPrint could not load its system libraries (Pango) on this server."""

    default_code = ErrorCode.PDF_UNAVAILABLE


class BadMessage(EssaimError):
    """A client WebSocket message the server refuses: answered with an ``error`` message on
    the open socket (docs/realtime.md), never with an HTTP status."""

    default_code = ErrorCode.INVALID

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message, code=code)
