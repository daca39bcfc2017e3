"""Event kinds are declared once (server/events/kinds.py) with the payload they carry: the write
path refuses any other kind and any payload that does not match, and the events real writes
produce match their declaration, whole for animators and redacted for members."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from server.core.platform import Essaim
from server.events.kinds import EVENT_KINDS, Client, EventKind, check_payload
from server.events.payloads import OrNone, PayloadError
from server.events.write import write
from tests.conftest import ApiClient, MakeClient, World
from tests.support.restricted_events import make_restricted_events

API = "/api/v1"
ROOT = Path(__file__).resolve().parents[3]


def test_every_kind_declares_its_meaning_and_payload() -> None:
    assert len(EVENT_KINDS) == len(EventKind) >= 39
    for name, kind in EVENT_KINDS.items():
        assert name == kind.value and name.count(".") == 1 and name == name.lower()
        assert kind.doc.strip(), name
        assert kind.payload, name
        assert all(isinstance(key, str) for key in kind.payload), name


def test_check_payload_refuses_missing_unknown_and_wrongly_typed_keys() -> None:
    card = EventKind.card_deleted
    check_payload(card, {"id": 1, "column_id": 2})
    with pytest.raises(PayloadError, match="missing keys \\['column_id'\\]"):
        check_payload(card, {"id": 1})
    with pytest.raises(PayloadError, match="unknown \\['title'\\]"):
        check_payload(card, {"id": 1, "column_id": 2, "title": "x"})
    with pytest.raises(PayloadError, match="card.deleted.id: '1' is not int"):
        check_payload(card, {"id": "1", "column_id": 2})
    # A flag is no number, to a client.
    with pytest.raises(PayloadError, match="is not int"):
        check_payload(card, {"id": True, "column_id": 2})


def test_check_payload_follows_nested_and_nullable_payloads() -> None:
    member = {"role": "member", "organisation": "", "trade": "", "skills": [], "joined_at": "x"}
    check_payload(EventKind.member_joined, {**member, "user": {"id": 1, "display_name": "A"}})
    with pytest.raises(PayloadError, match="member.joined.user: missing keys \\['display_name'\\]"):
        check_payload(EventKind.member_joined, {**member, "user": {"id": 1}})
    with pytest.raises(PayloadError, match="member.joined.user: expected an object"):
        check_payload(EventKind.member_joined, {**member, "user": None})
    assert isinstance(EventKind.flag_created.payload["comment"], OrNone)
    check_payload(EventKind.phase_deleted, {"id": 3})
    check_payload(EventKind.card_hidden, {"id": 3, "redacted": True}, redacted=True)
    with pytest.raises(PayloadError):
        check_payload(EventKind.card_hidden, {"id": 3}, redacted=True)


async def test_emit_refuses_an_undeclared_kind_or_a_wrong_payload_and_writes_nothing(
    app: Starlette, world: World
) -> None:
    essaim: Essaim = app.state.essaim
    cid = world.collective_id
    seq = (await world.member.get(f"{API}/collectives/{cid}")).json()["seq"]
    wrong: list[tuple[Any, dict[str, Any], type[Exception], str]] = [
        ("card.teleported", {"id": 1}, ValueError, "card.teleported"),
        # The name of a declared kind is not enough: call sites name the registered member.
        ("phase.deleted", {"id": 1}, ValueError, "EventKind.phase_deleted, not the string"),
        (EventKind.phase_deleted, {}, PayloadError, "missing"),
        (EventKind.phase_deleted, {"id": 1, "name": "x"}, PayloadError, "unknown"),
        (EventKind.phase_deleted, {"id": "1"}, PayloadError, "is not int"),
    ]
    for kind, data, error, message in wrong:
        with pytest.raises(error, match=message):
            async with write(essaim, None) as w:
                await w.emit(cid, kind, data)
    template = {"template": "t", "default": "d", "placeholders": []}
    with pytest.raises(PayloadError, match="always restricted"):
        async with write(essaim, None) as w:
            await w.emit(cid, EventKind.nudge_template_updated, template)
    assert (await world.member.get(f"{API}/collectives/{cid}")).json()["seq"] == seq
    page = await world.member.get(f"{API}/collectives/{cid}/events?since={seq}")
    assert page.json()["events"] == []


def _js_list(path: Path, name: str) -> set[str]:
    found = re.search(rf"export const {name} = \[(.*?)\];", path.read_text(encoding="utf-8"), re.S)
    assert found, f"{name} is not in {path}"
    return set(re.findall(r'"([a-z_]+\.[a-z_]+)"', found.group(1)))


def test_the_clients_each_kind_affects_are_those_the_pages_apply() -> None:
    """``affects`` is checked against the reducers' own lists (web/static/js/state.js) and the
    activity feed's cases (collective.js), so it cannot go stale."""
    js = ROOT / "web" / "static" / "js"
    feed = (js / "collective.js").read_text(encoding="utf-8")
    describe = feed[feed.index("function describe(") :]
    describe = describe[: describe.index("\n}\n")]
    expected = {
        Client.board_page: _js_list(js / "state.js", "BOARD_KINDS"),
        Client.card_page: _js_list(js / "state.js", "CARD_KINDS"),
        Client.collective_page: _js_list(js / "state.js", "COLLECTIVE_KINDS"),
        Client.activity: set(re.findall(r'case "([a-z_]+\.[a-z_]+)"', describe)),
    }
    for client, kinds in expected.items():
        declared = {k.value for k in EventKind if client in k.affects}
        assert declared == kinds, (client, sorted(declared ^ kinds))


async def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code in {200, 201, 204}, response.text
    return response.json() if response.content else {}


async def _write_every_kind(world: World, make_client: MakeClient) -> None:
    """Representative writes through the API, together emitting every kind."""
    a, cid = world.animator, world.collective_id
    home = f"{API}/collectives/{cid}"
    await _ok(await a.patch(home, json={"description": "Isolation"}))
    phase = await _ok(
        await a.post(
            f"{home}/phases",
            json={"name": "Lancement", "kind": "collective", "starts_on": "2026-01-05",
                  "ends_on": "2026-02-05"},
        )
    )  # fmt: skip
    await _ok(await a.patch(f"{API}/phases/{phase['id']}", json={"name": "Démarrage"}))
    board = f"{API}/boards/{world.board_id}"
    await _ok(await a.patch(board, json={"phase_id": phase["id"]}))
    await _ok(await a.request("DELETE", f"{API}/phases/{phase['id']}"))
    column = await _ok(await a.post(f"{board}/columns", json={"name": "Plus tard"}))
    await _ok(await a.patch(f"{API}/columns/{column['id']}", json={"name": "Un jour"}))
    await _ok(await a.request("DELETE", f"{API}/columns/{column['id']}"))
    card = await _ok(await world.member.post(f"{board}/cards", json={"title": "Covoiturage"}))
    url = f"{API}/cards/{card['id']}"
    version = card["version"]
    for change in (
        {"column_id": world.columns[1]},
        {"pinned": True},
        {"pinned": False},
        {"moderation": "hidden"},
        {"moderation": "published"},
    ):
        version = (await _ok(await a.patch(url, json={"version": version, **change})))["version"]
    comment = await _ok(await world.member.post(f"{url}/comments", json={"body": "Oui"}))
    comment_url = f"{API}/comments/{comment['id']}"
    for change in ({"moderation": "hidden"}, {"moderation": "published"}):
        await _ok(await a.patch(comment_url, json=change))
    await _ok(await world.member.request("DELETE", comment_url))
    await _ok(await world.member.post(f"{url}/reactions", json={"kind": "useful"}))
    await _ok(await world.member.request("DELETE", f"{url}/reactions/useful"))
    await _ok(await world.member.request("DELETE", url))
    # A duplicate merged into the world's card, then the merge undone.
    kept = world.card["id"]
    twin = await _ok(
        await world.member.post(f"{API}/boards/{world.board_id}/cards", json={"title": "Doublon"})
    )
    merge = await _ok(await a.post(f"{API}/cards/{kept}/merge", json={"card_id": twin["id"]}))
    await _ok(await a.post(f"{API}/merges/{merge['id']}/undo"))
    meeting = await _ok(
        await a.post(f"{home}/meetings", json={"title": "Atelier", "held_on": "2026-01-10"})
    )
    meeting_url = f"{API}/meetings/{meeting['id']}"
    await _ok(await a.patch(meeting_url, json={"notes": "Bien"}))
    await _ok(await a.request("PUT", f"{meeting_url}/attendance", json={"user_ids": [a.id]}))
    await _ok(await a.request("DELETE", meeting_url))
    await _ok(await a.patch(f"{home}/members/{world.observer.id}", json={"trade": "Maçon"}))
    await _ok(await a.request("DELETE", f"{home}/members/{world.observer.id}"))
    vote = await _ok(
        await a.post(
            f"{home}/votes",
            json={"title": "Quelle piste ?", "method": "dot", "options": ["A", "B"]},
        )
    )
    dots = {"dots": {str(vote["options"][0]["id"]): 2}}
    await _ok(await world.member.request("PUT", f"{API}/votes/{vote['id']}/ballot", json=dots))
    await _ok(await a.post(f"{API}/votes/{vote['id']}/close"))
    swot = await _ok(await a.post(f"{home}/boards", json={"name": "Atelier SWOT"}))
    workshop = await _ok(
        await a.post(f"{API}/boards/{swot['id']}/workshops", json={"template": "swot"})
    )
    await _ok(await a.post(f"{API}/workshops/{workshop['id']}/timer", json={"action": "start"}))
    await _ok(await a.post(f"{API}/workshops/{workshop['id']}/end"))
    await make_restricted_events(world, make_client)


async def _events(client: ApiClient, cid: int) -> list[dict[str, Any]]:
    page = await _ok(await client.get(f"{API}/collectives/{cid}/events?since=0&limit=500"))
    assert not page["more"]
    events: list[dict[str, Any]] = page["events"]
    return events


async def test_the_events_real_writes_produce_match_their_declared_payloads(
    app: Starlette, world: World, make_client: MakeClient
) -> None:
    """What the schemas promise holds for what the services emit, after the round trip through
    the log: whole for animators, redacted for members (so the schemas cannot drift)."""
    await _write_every_kind(world, make_client)
    full = await _events(world.animator, world.collective_id)
    for event in full:
        check_payload(EVENT_KINDS[event["kind"]], event["data"])
    assert {e["kind"] for e in full} == set(EVENT_KINDS)
    assert not [e for e in full if e["data"].get("redacted")]
    for event in await _events(world.member, world.collective_id):
        kind = EVENT_KINDS[event["kind"]]
        check_payload(kind, event["data"], redacted=bool(event["data"].get("redacted")))
        if kind.restricted:
            assert event["data"].get("redacted") is True, event
