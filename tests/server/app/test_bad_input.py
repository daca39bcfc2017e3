"""Bad input of any kind gets a 4xx JSON error ``{"error": {"code", "message", "fields"}}``:
never a 500, never a partial write.

The cases share one scene per database (built once per module, on SQLite and PostgreSQL):
each case snapshots what it could touch, sends its bad request, checks the error, and checks
that the snapshot (the collectives' ``seq`` included) did not change.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from server.app.asgi import create_app
from server.core.models import Base
from server.core.platform import Essaim
from tests.conftest import (
    PASSWORD,
    ApiClient,
    PostgresServer,
    Template,
    fast_settings,
    join,
    own_database,
)

API = "/api/v1"
HUGE = 99999999999999999999
UNKNOWN = 999_999


# ---------------------------------------------------------------- the shared scene


@dataclass
class Scene:
    """Two collectives with boards, columns, cards, phases and a comment; one client per role."""

    app: Starlette
    clients: dict[str, ApiClient]
    ids: dict[str, int]
    # The state seen after the last case (what the next one starts from), when known.
    last_state: dict[str, Any] | None = None

    def url(self, template: str) -> str:
        return API + template.format(**self.ids)


async def _post(client: ApiClient, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(API + url, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def build_scene(app: Starlette) -> Scene:
    clients = {
        name: await ApiClient(app).register(name)
        for name in ("animator", "member", "observer", "outsider")
    }
    animator, member, outsider = clients["animator"], clients["member"], clients["outsider"]
    cid = (await _post(animator, "/collectives", {"name": "Rénovation Drôme"}))["id"]
    await join(animator, member, cid, "member")
    await join(animator, clients["observer"], cid, "observer")
    board = await _post(animator, f"/collectives/{cid}/boards", {"name": "Idées"})
    board2 = await _post(
        animator, f"/collectives/{cid}/boards", {"name": "Pratiques", "kind": "practices"}
    )
    card = await _post(member, f"/boards/{board['id']}/cards", {"title": "Achats groupés"})
    comment = await _post(member, f"/cards/{card['id']}/comments", {"body": "Bonne idée"})
    phase = await _post(
        animator,
        f"/collectives/{cid}/phases",
        {
            "name": "Diagnostics",
            "kind": "individual",
            "starts_on": "2025-03-01",
            "ends_on": "2025-04-30",
        },
    )
    other_cid = (await _post(outsider, "/collectives", {"name": "Autre collective"}))["id"]
    other_board = await _post(outsider, f"/collectives/{other_cid}/boards", {"name": "Ailleurs"})
    other_card = await _post(outsider, f"/boards/{other_board['id']}/cards", {"title": "Loin"})
    other_phase = await _post(
        outsider,
        f"/collectives/{other_cid}/phases",
        {
            "name": "Ateliers",
            "kind": "collective",
            "starts_on": "2025-01-01",
            "ends_on": "2025-12-31",
        },
    )
    ids = {
        "cid": cid,
        "board": board["id"],
        "col0": board["columns"][0]["id"],
        "col1": board["columns"][1]["id"],
        "board2": board2["id"],
        "board2_col": board2["columns"][0]["id"],
        "card": card["id"],
        "comment": comment["id"],
        "phase": phase["id"],
        "member_id": member.id,
        "outsider_id": outsider.id,
        "other_cid": other_cid,
        "other_board": other_board["id"],
        "other_col": other_board["columns"][0]["id"],
        "other_card": other_card["id"],
        "other_phase": other_phase["id"],
    }
    return Scene(app, clients, ids)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def scene(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Template,
    postgres: PostgresServer | None,
) -> AsyncIterator[Scene]:
    """One migrated database per backend for all the cases of this module (they write nothing)."""
    data_dir = tmp_path_factory.mktemp("bad_input")
    url = await own_database(request.param, data_dir, sqlite_template, postgres, "essaim_bad_input")
    app = create_app(fast_settings(data_dir / "data", url), migrate=False)
    async with app.router.lifespan_context(app):
        built = await build_scene(app)
        yield built
        for client in built.clients.values():
            await client.aclose()


async def snapshot(scene: Scene) -> dict[str, Any]:
    """What a case could have changed: the collective and the card as the API shows them
    (``seq`` included), and every row of every table as the database holds it."""
    state: dict[str, Any] = {}
    for who, template in (("animator", "/collectives/{cid}"), ("animator", "/cards/{card}")):
        response = await scene.clients[who].get(scene.url(template))
        assert response.status_code == 200, response.text
        state[template] = response.json()
    essaim: Essaim = scene.app.state.essaim
    async with essaim.db.read() as session:
        for table in Base.metadata.sorted_tables:
            # The search indexer drains the outbox in the background at any moment; the outbox
            # is only ever written with the content rows compared here, so nothing is missed.
            if table.name == "search_outbox":
                continue
            query = select(table).order_by(*table.primary_key.columns)
            state[table.name] = [tuple(row) for row in await session.execute(query)]
    return state


def assert_error(response: httpx.Response, status: int, code: str, field: str | None) -> None:
    """The error shape; ``field`` must be named in ``fields`` (None: ``fields`` is empty)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.text
    error = response.json()["error"]
    assert {"code", "message", "fields"} <= error.keys(), error
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["fields"], dict), error
    if field is None:
        assert error["fields"] == {}, error
    else:
        assert field in error["fields"], error
        assert all(isinstance(v, str) for v in error["fields"].values()), error


# ---------------------------------------------------------------- the cases

NO_BODY = object()
Json = Any  # a JSON value, or a function of the scene's ids returning one


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    json: Json = NO_BODY
    content: bytes | None = None
    content_type: str | None = "application/json"
    multipart: bool = False
    who: str = "animator"
    status: int = 422
    code: str = "invalid_input"
    field: str | None = None


def bad(name: str, method: str, path: str, body: Json, field: str, who: str = "animator") -> Case:
    """A well-formed JSON body that fails validation: 422 naming ``field``."""
    return Case(name, method, path, json=body, who=who, field=field)


def raw(
    name: str,
    content: bytes,
    status: int,
    code: str,
    field: str | None = None,
    content_type: str | None = "application/json",
) -> Case:
    """Raw bytes posted as a new card."""
    return Case(
        name,
        "POST",
        "/boards/{board}/cards",
        content=content,
        content_type=content_type,
        who="member",
        status=status,
        code=code,
        field=field,
    )


def missing(name: str, method: str, path: str, body: Json = NO_BODY, who: str = "animator") -> Case:
    """An id that does not exist, or not for this caller: 404, nothing in ``fields``."""
    return Case(name, method, path, json=body, who=who, status=404, code="not_found")


CARDS = "/boards/{board}/cards"
CARD = "/cards/{card}"
LONG_TITLE = "t" * 201
DEEP = b"[" * 5000 + b"]" * 5000

CASES: list[Case] = [
    # Not JSON, or not an object.
    raw("malformed_json", b'{"title":', 400, "malformed_json"),
    raw("invalid_utf8", b'{"title": "\xff\xfe"}', 400, "malformed_json"),
    raw("lone_surrogate", b'{"title": "a\\ud800"}', 400, "malformed_json"),
    raw("deeply_nested", DEEP, 400, "malformed_json"),
    raw("json_array", b'[{"title": "x"}]', 422, "invalid_input", ""),
    raw("json_string", b'"a card"', 422, "invalid_input", ""),
    raw("json_null", b"null", 422, "invalid_input", ""),
    raw("json_number", b"42", 422, "invalid_input", ""),
    raw("empty_body", b"", 422, "invalid_input", "title"),
    raw("text_plain", b'{"title": "x"}', 415, "unsupported_media_type", content_type="text/plain"),
    raw("no_content_type", b'{"title": "x"}', 415, "unsupported_media_type", content_type=None),
    raw(
        "form_urlencoded",
        b"title=x",
        415,
        "unsupported_media_type",
        content_type="application/x-www-form-urlencoded",
    ),
    Case(
        "multipart_to_json_endpoint",
        "POST",
        CARDS,
        multipart=True,
        who="member",
        status=415,
        code="unsupported_media_type",
    ),
    # New card: wrong types, unknown and missing fields, limits, other boards' columns.
    bad("card_title_int", "POST", CARDS, {"title": 5}, "title", "member"),
    bad("card_title_list", "POST", CARDS, {"title": ["x"]}, "title", "member"),
    bad("card_tags_string", "POST", CARDS, {"title": "t", "tags": "x"}, "tags", "member"),
    bad("card_tag_int", "POST", CARDS, {"title": "t", "tags": [1]}, "tags.0", "member"),
    bad("card_position_negative", "POST", CARDS, {"title": "t", "position": -1}, "position"),
    bad("card_position_bool", "POST", CARDS, {"title": "t", "position": True}, "position"),
    bad("card_position_float", "POST", CARDS, {"title": "t", "position": 1.5}, "position"),
    bad("card_position_huge", "POST", CARDS, {"title": "t", "position": 10**30}, "position"),
    bad("card_column_bool", "POST", CARDS, {"title": "t", "column_id": True}, "column_id"),
    bad("card_column_string", "POST", CARDS, {"title": "t", "column_id": "1"}, "column_id"),
    bad("card_column_zero", "POST", CARDS, {"title": "t", "column_id": 0}, "column_id"),
    bad("card_column_huge", "POST", CARDS, {"title": "t", "column_id": 10**12}, "column_id"),
    bad(
        "card_column_of_other_board",
        "POST",
        CARDS,
        lambda i: {"title": "t", "column_id": i["board2_col"]},
        "column_id",
        "member",
    ),
    bad(
        "card_column_of_other_collective",
        "POST",
        CARDS,
        lambda i: {"title": "t", "column_id": i["other_col"]},
        "column_id",
        "member",
    ),
    bad("card_kind_invalid", "POST", CARDS, {"title": "t", "kind": "wish"}, "kind", "member"),
    bad("card_unknown_field", "POST", CARDS, {"title": "t", "colour": "red"}, "colour"),
    bad("card_title_missing", "POST", CARDS, {"body": "no title"}, "title", "member"),
    bad("card_title_empty", "POST", CARDS, {"title": ""}, "title", "member"),
    bad("card_title_whitespace", "POST", CARDS, {"title": "  \t\n "}, "title", "member"),
    bad("card_title_too_long", "POST", CARDS, {"title": LONG_TITLE}, "title", "member"),
    bad("card_title_nul", "POST", CARDS, {"title": "a\x00b"}, "title", "member"),
    bad("card_body_nul", "POST", CARDS, {"title": "t", "body": "x\x00"}, "body", "member"),
    bad("card_tag_nul", "POST", CARDS, {"title": "t", "tags": ["a\x00"]}, "tags.0", "member"),
    bad("card_body_null", "POST", CARDS, {"title": "t", "body": None}, "body", "member"),
    bad("card_body_too_long", "POST", CARDS, {"title": "t", "body": "b" * 20_001}, "body"),
    bad("card_too_many_tags", "POST", CARDS, {"title": "t", "tags": list("abcdefghijklm")}, "tags"),
    bad("card_tag_too_long", "POST", CARDS, {"title": "t", "tags": ["x" * 41]}, "tags.0"),
    bad("card_tag_blank", "POST", CARDS, {"title": "t", "tags": ["ok", "  "]}, "tags.1"),
    # Card edits: version, nulls, moves to columns that are not this board's.
    bad("patch_version_string", "PATCH", CARD, {"version": "1", "title": "x"}, "version"),
    bad("patch_version_bool", "PATCH", CARD, {"version": True, "title": "x"}, "version"),
    bad("patch_version_zero", "PATCH", CARD, {"version": 0, "title": "x"}, "version"),
    bad("patch_version_missing", "PATCH", CARD, {"title": "x"}, "version", "member"),
    bad("patch_title_null", "PATCH", CARD, {"version": 1, "title": None}, "title", "member"),
    bad("patch_tags_null", "PATCH", CARD, {"version": 1, "tags": None}, "tags", "member"),
    bad("patch_kind_null", "PATCH", CARD, {"version": 1, "kind": None}, "kind", "member"),
    bad("patch_column_null", "PATCH", CARD, {"version": 1, "column_id": None}, "column_id"),
    bad("patch_position_null", "PATCH", CARD, {"version": 1, "position": None}, "position"),
    bad("patch_position_negative", "PATCH", CARD, {"version": 1, "position": -1}, "position"),
    bad("patch_title_empty", "PATCH", CARD, {"version": 1, "title": " "}, "title", "member"),
    bad(
        "patch_moderation_invalid",
        "PATCH",
        CARD,
        {"version": 1, "moderation": "deleted"},
        "moderation",
    ),
    bad("patch_unknown_field", "PATCH", CARD, {"version": 1, "author_id": 1}, "author_id"),
    bad("patch_column_huge", "PATCH", CARD, {"version": 1, "column_id": 10**12}, "column_id"),
    bad(
        "patch_column_of_other_board",
        "PATCH",
        CARD,
        lambda i: {"version": 1, "column_id": i["board2_col"]},
        "column_id",
        "member",
    ),
    bad(
        "patch_column_of_other_collective",
        "PATCH",
        CARD,
        lambda i: {"version": 1, "column_id": i["other_col"], "position": 0},
        "column_id",
    ),
    Case(
        "patch_text_plain",
        "PATCH",
        CARD,
        content=b'{"version": 1, "title": "x"}',
        content_type="text/plain",
        who="member",
        status=415,
        code="unsupported_media_type",
    ),
    # Comments and reactions.
    bad("comment_empty", "POST", "/cards/{card}/comments", {"body": ""}, "body", "member"),
    bad("comment_blank", "POST", "/cards/{card}/comments", {"body": " \n "}, "body", "member"),
    bad("comment_int", "POST", "/cards/{card}/comments", {"body": 5}, "body", "member"),
    bad("comment_too_long", "POST", "/cards/{card}/comments", {"body": "c" * 10_001}, "body"),
    bad("comment_missing", "POST", "/cards/{card}/comments", {}, "body", "member"),
    bad("comment_patch_null", "PATCH", "/comments/{comment}", {"body": None}, "body", "member"),
    bad(
        "comment_moderation_invalid",
        "PATCH",
        "/comments/{comment}",
        {"moderation": "gone"},
        "moderation",
    ),
    bad("comment_unknown_field", "PATCH", "/comments/{comment}", {"card_id": 1}, "card_id"),
    bad("reaction_invalid", "POST", "/cards/{card}/reactions", {"kind": "love"}, "kind", "member"),
    bad("reaction_missing", "POST", "/cards/{card}/reactions", {}, "kind", "member"),
    bad("reaction_int", "POST", "/cards/{card}/reactions", {"kind": 1}, "kind", "member"),
    Case(
        "reaction_delete_invalid",
        "DELETE",
        "/cards/{card}/reactions/love",
        who="member",
        field="kind",
    ),
    # Boards and columns.
    bad(
        "board_kind_invalid",
        "POST",
        "/collectives/{cid}/boards",
        {"name": "B", "kind": "wiki"},
        "kind",
    ),
    bad("board_name_empty", "POST", "/collectives/{cid}/boards", {"name": " "}, "name"),
    bad(
        "board_no_columns",
        "POST",
        "/collectives/{cid}/boards",
        {"name": "B", "columns": []},
        "columns",
    ),
    bad(
        "board_too_many_columns",
        "POST",
        "/collectives/{cid}/boards",
        {"name": "B", "columns": [f"c{n}" for n in range(13)]},
        "columns",
    ),
    bad(
        "board_phase_huge",
        "POST",
        "/collectives/{cid}/boards",
        {"name": "B", "phase_id": 10**12},
        "phase_id",
    ),
    bad(
        "board_phase_of_other_collective",
        "POST",
        "/collectives/{cid}/boards",
        lambda i: {"name": "B", "phase_id": i["other_phase"]},
        "phase_id",
    ),
    bad("board_archived_string", "PATCH", "/boards/{board}", {"archived": "yes"}, "archived"),
    bad("board_archived_int", "PATCH", "/boards/{board}", {"archived": 1}, "archived"),
    bad("board_archived_null", "PATCH", "/boards/{board}", {"archived": None}, "archived"),
    bad("board_name_null", "PATCH", "/boards/{board}", {"name": None}, "name"),
    bad(
        "board_patch_phase_of_other_collective",
        "PATCH",
        "/boards/{board}",
        lambda i: {"phase_id": i["other_phase"]},
        "phase_id",
    ),
    bad("column_name_empty", "POST", "/boards/{board}/columns", {"name": ""}, "name"),
    bad("column_name_too_long", "POST", "/boards/{board}/columns", {"name": "c" * 81}, "name"),
    bad(
        "column_position_negative",
        "POST",
        "/boards/{board}/columns",
        {"name": "C", "position": -1},
        "position",
    ),
    bad("column_position_string", "PATCH", "/columns/{col0}", {"position": "1"}, "position"),
    bad("column_name_null", "PATCH", "/columns/{col0}", {"name": None}, "name"),
    # Collectives, phases, invitations, members, profile.
    bad(
        "collective_dates_reversed",
        "POST",
        "/collectives",
        {"name": "C", "starts_on": "2025-06-01", "ends_on": "2025-01-01"},
        "ends_on",
    ),
    bad("collective_name_missing", "POST", "/collectives", {"theme": "x"}, "name"),
    bad(
        "collective_too_many_funders",
        "POST",
        "/collectives",
        {"name": "C", "funders": [f"f{n}" for n in range(21)]},
        "funders",
    ),
    bad(
        "collective_patch_dates_reversed",
        "PATCH",
        "/collectives/{cid}",
        {"starts_on": "2025-06-01", "ends_on": "2025-01-01"},
        "ends_on",
    ),
    bad(
        "collective_date_invalid",
        "PATCH",
        "/collectives/{cid}",
        {"starts_on": "2025-02-30"},
        "starts_on",
    ),
    bad("collective_date_int", "PATCH", "/collectives/{cid}", {"starts_on": 20250101}, "starts_on"),
    bad("collective_name_null", "PATCH", "/collectives/{cid}", {"name": None}, "name"),
    bad("collective_name_too_long", "PATCH", "/collectives/{cid}", {"name": "n" * 161}, "name"),
    bad(
        "phase_kind_invalid",
        "POST",
        "/collectives/{cid}/phases",
        {"name": "P", "kind": "group", "starts_on": "2025-01-01", "ends_on": "2025-02-01"},
        "kind",
    ),
    bad(
        "phase_dates_reversed",
        "POST",
        "/collectives/{cid}/phases",
        {"name": "P", "kind": "collective", "starts_on": "2025-06-01", "ends_on": "2025-01-01"},
        "ends_on",
    ),
    bad(
        "phase_start_missing",
        "POST",
        "/collectives/{cid}/phases",
        {"name": "P", "kind": "collective", "ends_on": "2025-01-01"},
        "starts_on",
    ),
    bad(
        "phase_patch_ends_before_start",
        "PATCH",
        "/phases/{phase}",
        {"ends_on": "2025-01-01"},
        "ends_on",
    ),
    bad("phase_patch_ends_null", "PATCH", "/phases/{phase}", {"ends_on": None}, "ends_on"),
    bad(
        "invitation_role_invalid",
        "POST",
        "/collectives/{cid}/invitations",
        {"role": "admin"},
        "role",
    ),
    bad(
        "invitation_email_invalid",
        "POST",
        "/collectives/{cid}/invitations",
        {"email": "nope"},
        "email",
    ),
    bad(
        "member_role_invalid",
        "PATCH",
        "/collectives/{cid}/members/{member_id}",
        {"role": "boss"},
        "role",
    ),
    bad(
        "member_role_null",
        "PATCH",
        "/collectives/{cid}/members/{member_id}",
        {"role": None},
        "role",
    ),
    bad(
        "member_too_many_skills",
        "PATCH",
        "/collectives/{cid}/members/{member_id}",
        {"skills": [f"s{n}" for n in range(21)]},
        "skills",
    ),
    bad("me_language_invalid", "PATCH", "/me", {"language": "de"}, "language", "member"),
    bad("me_display_name_null", "PATCH", "/me", {"display_name": None}, "display_name", "member"),
    bad(
        "me_display_name_too_long",
        "PATCH",
        "/me",
        {"display_name": "d" * 161},
        "display_name",
        "member",
    ),
    bad("me_unknown_field", "PATCH", "/me", {"email": "x@example.fr"}, "email", "member"),
    # Unknown ids, huge ids in the path, other collectives' objects.
    missing("card_unknown", "GET", f"/cards/{UNKNOWN}"),
    missing("card_unknown_patch", "PATCH", f"/cards/{UNKNOWN}", {"version": 1, "title": "x"}),
    missing("card_unknown_delete", "DELETE", f"/cards/{UNKNOWN}"),
    missing("card_unknown_comment", "POST", f"/cards/{UNKNOWN}/comments", {"body": "x"}),
    missing("board_unknown", "GET", f"/boards/{UNKNOWN}"),
    missing("board_unknown_card", "POST", f"/boards/{UNKNOWN}/cards", {"title": "x"}),
    missing("column_unknown", "PATCH", f"/columns/{UNKNOWN}", {"name": "x"}),
    missing("column_unknown_delete", "DELETE", f"/columns/{UNKNOWN}"),
    missing("phase_unknown", "PATCH", f"/phases/{UNKNOWN}", {"name": "x"}),
    missing("comment_unknown", "PATCH", f"/comments/{UNKNOWN}", {"body": "x"}),
    missing("attachment_unknown", "GET", f"/attachments/{UNKNOWN}"),
    missing("collective_unknown", "GET", f"/collectives/{UNKNOWN}"),
    missing("collective_unknown_board", "POST", f"/collectives/{UNKNOWN}/boards", {"name": "B"}),
    missing("card_huge", "GET", f"/cards/{HUGE}"),
    missing("card_huge_patch", "PATCH", f"/cards/{HUGE}", {"version": 1, "title": "x"}),
    missing("card_huge_delete", "DELETE", f"/cards/{HUGE}"),
    missing("card_zero", "GET", "/cards/0"),
    missing("board_huge", "GET", f"/boards/{HUGE}"),
    missing("board_just_over_int32", "GET", "/boards/2147483648"),
    missing("collective_huge", "GET", f"/collectives/{HUGE}"),
    missing("collective_huge_events", "GET", f"/collectives/{HUGE}/events"),
    missing("member_huge", "PATCH", f"/collectives/{{cid}}/members/{HUGE}", {"trade": "x"}),
    missing("attachment_huge", "GET", f"/attachments/{HUGE}"),
    missing("card_negative", "GET", "/cards/-1"),
    missing("card_not_a_number", "GET", "/cards/abc"),
    missing(
        "member_not_in_collective",
        "PATCH",
        "/collectives/{cid}/members/{outsider_id}",
        {"trade": "x"},
    ),
    missing("invitation_unknown", "GET", "/invitations/no-such-token"),
    missing(
        "invitation_unknown_accept",
        "POST",
        "/invitations/" + "t" * 5000 + "/accept",
        who="outsider",
    ),
    missing("other_card", "GET", "/cards/{other_card}", who="member"),
    missing(
        "other_card_patch", "PATCH", "/cards/{other_card}", {"version": 1, "title": "x"}, "member"
    ),
    missing(
        "other_board_new_card", "POST", "/boards/{other_board}/cards", {"title": "x"}, "member"
    ),
    missing("other_column_patch", "PATCH", "/columns/{other_col}", {"name": "x"}),
    missing("other_phase_patch", "PATCH", "/phases/{other_phase}", {"name": "x"}),
    missing("other_phase_delete", "DELETE", "/phases/{other_phase}"),
    missing("other_collective_events", "GET", "/collectives/{other_cid}/events", who="member"),
    # The event log's query parameters.
    Case("events_since_text", "GET", "/collectives/{cid}/events?since=abc", field="since"),
    Case("events_since_negative", "GET", "/collectives/{cid}/events?since=-1", field="since"),
    Case("events_since_float", "GET", "/collectives/{cid}/events?since=1.5", field="since"),
    Case("events_since_huge", "GET", f"/collectives/{{cid}}/events?since={HUGE}", field="since"),
    Case("events_limit_zero", "GET", "/collectives/{cid}/events?limit=0", field="limit"),
    Case("events_limit_huge", "GET", "/collectives/{cid}/events?limit=100000", field="limit"),
    Case("events_limit_text", "GET", "/collectives/{cid}/events?limit=ten", field="limit"),
    # Routing.
    Case("unknown_route", "GET", "/nope", status=404, code="not_found"),
    Case("unknown_route_post", "POST", "/cards/{card}/nope", json={}, status=404, code="not_found"),
    Case(
        "wrong_method_card", "PUT", CARD, json={"version": 1}, status=405, code="method_not_allowed"
    ),
    Case(
        "wrong_method_collective",
        "DELETE",
        "/collectives/{cid}",
        status=405,
        code="method_not_allowed",
    ),
    Case(
        "wrong_method_board",
        "POST",
        "/boards/{board}",
        json={},
        status=405,
        code="method_not_allowed",
    ),
]


async def send(scene: Scene, case: Case) -> httpx.Response:
    client = scene.clients[case.who]
    kwargs: dict[str, Any] = {}
    if case.multipart:
        kwargs["files"] = {"file": ("card.json", b'{"title": "x"}', "application/json")}
    elif case.content is not None:
        headers = {"Content-Type": case.content_type} if case.content_type else {}
        kwargs = {"content": case.content, "headers": headers}
    elif case.json is not NO_BODY:
        body = case.json(scene.ids) if callable(case.json) else case.json
        kwargs["json"] = body
    return await client.request(case.method, scene.url(case.path), **kwargs)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_bad_input_gets_a_json_error_and_writes_nothing(scene: Scene, case: Case) -> None:
    before = scene.last_state or await snapshot(scene)
    scene.last_state = None
    response = await send(scene, case)
    scene.last_state = after = await snapshot(scene)
    assert_error(response, case.status, case.code, case.field)
    assert after == before


# ---------------------------------------------------------------- registration


@dataclass(frozen=True)
class Registration:
    name: str
    change: dict[str, Any]
    field: str


REGISTRATIONS = [
    Registration("email_invalid", {"email": "not-an-email"}, "email"),
    Registration("email_without_dot", {"email": "a@b"}, "email"),
    Registration("email_int", {"email": 5}, "email"),
    Registration("email_too_long", {"email": "e" * 250 + "@example.fr"}, "email"),
    Registration("password_short", {"password": "short"}, "password"),
    Registration("password_too_long", {"password": "p" * 257}, "password"),
    Registration("password_missing", {"password": None}, "password"),
    Registration("display_name_blank", {"display_name": "   "}, "display_name"),
    Registration("display_name_too_long", {"display_name": "d" * 161}, "display_name"),
    Registration("language_invalid", {"language": "de"}, "language"),
    Registration("unknown_field", {"role": "animator"}, "role"),
]


def registration(email: str, change: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"email": email, "password": PASSWORD, "display_name": "Zoé"}
    body.update(change or {})
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize("case", REGISTRATIONS, ids=[r.name for r in REGISTRATIONS])
async def test_bad_registration_gets_422_and_creates_no_account(
    scene: Scene, case: Registration
) -> None:
    email = f"zoe-{uuid.uuid4().hex[:8]}@example.fr"
    client = ApiClient(scene.app)
    scene.last_state = None  # this test registers accounts
    before = await snapshot(scene)
    try:
        response = await client.post(f"{API}/auth/register", json=registration(email, case.change))
        assert_error(response, 422, "invalid_input", case.field)
        assert "set-cookie" not in response.headers
        assert (await client.get(f"{API}/me")).status_code == 401
        assert await snapshot(scene) == before
        if "email" not in case.change:
            # The email is still free: the refused attempt created no account.
            again = await client.post(f"{API}/auth/register", json=registration(email))
            assert again.status_code == 201, again.text
    finally:
        await client.aclose()


LONG_NAME = "Coopérative " + "x" * 138  # 150 characters: within the schema's 160


async def test_register_with_a_display_name_within_the_schema_limit_never_fails_with_500(
    scene: Scene,
) -> None:
    """The schema allows 160 characters: such a name is kept whole or refused, never a 500."""
    scene.last_state = None  # this test may register an account
    email = f"long-{uuid.uuid4().hex[:8]}@example.fr"
    client = ApiClient(scene.app)
    before = await snapshot(scene)
    try:
        response = await client.post(
            f"{API}/auth/register", json=registration(email, {"display_name": LONG_NAME})
        )
    finally:
        await client.aclose()
    assert response.status_code in {201, 422}, response.text
    if response.status_code == 201:
        assert response.json()["user"]["display_name"] == LONG_NAME
    else:
        assert_error(response, 422, "invalid_input", "display_name")
        assert await snapshot(scene) == before


async def test_profile_display_name_within_the_schema_limit_never_fails_with_500(
    scene: Scene,
) -> None:
    scene.last_state = None  # this test may rename a member
    member = scene.clients["member"]
    before = await snapshot(scene)
    patched = await member.patch(f"{API}/me", json={"display_name": LONG_NAME})
    assert patched.status_code in {200, 422}, patched.text
    if patched.status_code == 200:
        assert (await member.get(f"{API}/me")).json()["user"]["display_name"] == LONG_NAME
        restored = await member.patch(f"{API}/me", json={"display_name": "member"})
        assert restored.status_code == 200, restored.text
    else:
        assert_error(patched, 422, "invalid_input", "display_name")
        assert await snapshot(scene) == before


# ---------------------------------------------------------------- body size


async def _chunks(payload: bytes, size: int = 500) -> AsyncIterator[bytes]:
    for start in range(0, len(payload), size):
        yield payload[start : start + size]


@pytest.mark.parametrize("streamed", [False, True], ids=["content_length", "chunked"])
async def test_json_body_over_the_limit_gets_413_and_writes_nothing(
    tmp_path: Path, database_url: str, streamed: bool
) -> None:
    settings = fast_settings(tmp_path / "d", database_url, max_body_bytes=2000)
    app = create_app(settings, migrate=False)
    async with app.router.lifespan_context(app):
        client = await ApiClient(app).register("anna")
        try:
            cid = (await _post(client, "/collectives", {"name": "Petite"}))["id"]
            board = await _post(client, f"/collectives/{cid}/boards", {"name": "Idées"})
            card = await _post(client, f"/boards/{board['id']}/cards", {"title": "Petite fiche"})

            async def state() -> tuple[Any, Any, Any]:
                urls = (f"/collectives/{cid}", f"/boards/{board['id']}", f"/cards/{card['id']}")
                return tuple([(await client.get(API + u)).json() for u in urls])

            before = await state()
            big_card = json.dumps({"title": "Grosse fiche", "body": "é" * 1500}).encode()
            big_patch = json.dumps({"version": 1, "body": "x" * 2500}).encode()
            big_collective = json.dumps({"name": "N", "description": "d" * 3000}).encode()
            assert min(len(big_card), len(big_patch), len(big_collective)) > 2000
            for method, url, payload in (
                ("POST", f"/boards/{board['id']}/cards", big_card),
                ("PATCH", f"/cards/{card['id']}", big_patch),
                ("POST", "/collectives", big_collective),
                ("POST", "/auth/register", big_collective),
            ):
                content: bytes | AsyncIterator[bytes] = _chunks(payload) if streamed else payload
                response = await client.request(
                    method,
                    API + url,
                    content=content,
                    headers={"Content-Type": "application/json"},
                )
                sent = response.request.headers
                if streamed:
                    assert "content-length" not in sent
                else:
                    assert sent["content-length"] == str(len(payload))
                assert_error(response, 413, "payload_too_large", None)
            assert await state() == before
            assert (await client.get(f"{API}/collectives")).json()["collectives"][0]["id"] == cid
            assert len((await client.get(f"{API}/collectives")).json()["collectives"]) == 1
            # Just under the limit is fine: the limit is the setting, not a fixed number.
            fits = json.dumps({"title": "Fiche", "body": "y" * 1900}).encode()
            assert len(fits) <= 2000
            ok = await client.post(
                f"{API}/boards/{board['id']}/cards",
                content=_chunks(fits) if streamed else fits,
                headers={"Content-Type": "application/json"},
            )
            assert ok.status_code == 201, ok.text
        finally:
            await client.aclose()
