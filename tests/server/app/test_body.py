"""Request bodies on Starlette requests built from an ASGI scope (no server): a JSON body is
parsed against its model or refused with the right error, and no body gets past its limit."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from pydantic import BaseModel
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from server.app.body import BodyLimit, parse_body, read_limited
from server.core.errors import (
    ErrorCode,
    InvalidInput,
    MalformedRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
)

LIMIT = 64


class Etape(BaseModel):
    duree: int


class Fiche(BaseModel):
    titre: str
    etapes: list[Etape] = []


def receiving(chunks: Sequence[bytes]) -> Receive:
    """An ASGI ``receive`` sending ``chunks`` as the body, then a disconnect."""
    messages: list[Message] = [
        {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1}
        for n, chunk in enumerate(chunks)
    ]

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    return receive


def http_scope(headers: dict[str, str]) -> Scope:
    return {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/cards",
        "query_string": b"",
        "scheme": "http",
        "server": ("testserver", 80),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }


def request(
    body: bytes | Sequence[bytes],
    content_type: str = "application/json",
    length: bool = True,
) -> Request:
    chunks = [body] if isinstance(body, bytes) else list(body)
    headers = {"content-type": content_type}
    if length:
        headers["content-length"] = str(sum(len(c) for c in chunks))
    return Request(http_scope(headers), receiving(chunks))


async def test_a_valid_body_becomes_its_model() -> None:
    raw = b'{"titre": "Isolation en laine de bois", "etapes": [{"duree": 3}]}'
    fiche = await parse_body(request(raw), Fiche, LIMIT * 4)
    assert fiche == Fiche(titre="Isolation en laine de bois", etapes=[Etape(duree=3)])


async def test_the_content_type_may_carry_a_charset_and_any_case() -> None:
    raw = '{"titre": "Réunion"}'.encode()
    fiche = await parse_body(request(raw, "Application/JSON; charset=utf-8"), Fiche, LIMIT)
    assert fiche.titre == "Réunion"


async def test_a_body_that_is_not_json_is_415() -> None:
    with pytest.raises(UnsupportedMediaType) as refused:
        await parse_body(
            request(b"titre=Isolation", "application/x-www-form-urlencoded"), Fiche, LIMIT
        )
    assert refused.value.status == 415


async def test_malformed_json_is_400_malformed_json() -> None:
    with pytest.raises(MalformedRequest) as refused:
        await parse_body(request(b'{"titre": "Isolation"'), Fiche, LIMIT)
    assert refused.value.code == ErrorCode.MALFORMED_JSON
    assert refused.value.status == 400


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"Isolation"', b"42", b"null"])
async def test_json_that_is_not_an_object_is_422_on_the_whole_body(raw: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        await parse_body(request(raw), Fiche, LIMIT)
    assert refused.value.status == 422
    assert refused.value.fields == {"": "not an object"}


async def test_invalid_fields_are_named_by_their_dotted_path() -> None:
    raw = b'{"titre": 12, "etapes": [{"duree": 1}, {"duree": "longtemps"}]}'
    with pytest.raises(InvalidInput) as refused:
        await parse_body(request(raw), Fiche, LIMIT)
    assert set(refused.value.fields) == {"titre", "etapes.1.duree"}
    assert "integer" in refused.value.fields["etapes.1.duree"]


async def test_an_empty_body_is_an_empty_object() -> None:
    with pytest.raises(InvalidInput) as refused:
        await parse_body(request(b""), Fiche, LIMIT)
    assert refused.value.fields == {"titre": "Field required"}


async def test_a_declared_length_over_the_limit_is_413_before_reading() -> None:
    async def never() -> Message:
        raise AssertionError("the body was read")

    scope = http_scope({"content-type": "application/json", "content-length": str(LIMIT + 1)})
    with pytest.raises(PayloadTooLarge) as refused:
        await read_limited(Request(scope, never), LIMIT)
    assert refused.value.status == 413


async def test_a_streamed_body_over_the_limit_is_413_whatever_it_declared() -> None:
    chunks = [b"a" * 40, b"b" * 40]
    with pytest.raises(PayloadTooLarge):
        await read_limited(request(chunks, length=False), LIMIT)
    # A lying Content-Length does not get the body past the limit either.
    lying = Request(
        http_scope({"content-type": "application/json", "content-length": "3"}),
        receiving(chunks),
    )
    with pytest.raises(PayloadTooLarge):
        await read_limited(lying, LIMIT)


async def test_a_body_of_exactly_the_limit_is_read_whole() -> None:
    chunks = [b"a" * 32, b"b" * 32]
    assert await read_limited(request(chunks, length=False), LIMIT) == b"".join(chunks)


async def app_reading_everything(scope: Scope, receive: Receive, send: Send) -> None:
    while (await receive()).get("more_body"):
        pass


async def ignore(message: Message) -> None:
    pass


async def test_body_limit_refuses_a_request_over_the_limit_while_it_is_read() -> None:
    limits = iter([LIMIT, LIMIT * 2])
    guarded = BodyLimit(app_reading_everything, lambda: next(limits))
    big = [b"x" * 50, b"y" * 50]
    with pytest.raises(PayloadTooLarge) as refused:
        await guarded(http_scope({}), receiving(big), ignore)
    assert refused.value.status == 413
    # The limit is asked for on each request: the second one allows twice as much.
    await guarded(http_scope({}), receiving(big), ignore)


async def test_body_limit_lets_other_scopes_through_untouched() -> None:
    seen: list[Receive] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(receive)

    original = receiving([b"z" * 1000])
    await BodyLimit(app, lambda: 1)({"type": "websocket"}, original, ignore)
    assert seen == [original]
