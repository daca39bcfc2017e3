"""Meetings and workshops over HTTP: animators record them and who attended; members read
names, observers only counts; attendance is limited to members of the collective."""

from __future__ import annotations

from typing import Any

from tests.conftest import World

API = "/api/v1"
WORKSHOP = {
    "title": "Atelier thermographie",
    "kind": "workshop",
    "held_on": "2026-03-12",
    "notes": "Caméra prêtée par la CMA",
}


async def _create(world: World, body: dict[str, Any] = WORKSHOP) -> dict[str, Any]:
    response = await world.animator.post(
        f"{API}/collectives/{world.collective_id}/meetings", json=body
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _seq(world: World) -> int:
    return int((await world.animator.get(f"{API}/collectives/{world.collective_id}")).json()["seq"])


async def test_animator_records_a_meeting_with_attendance(world: World) -> None:
    meeting = await _create(world)
    assert meeting["title"] == WORKSHOP["title"] and meeting["kind"] == "workshop"
    assert meeting["held_on"] == "2026-03-12" and meeting["notes"] == WORKSHOP["notes"]
    assert meeting["attendees"] == [] and meeting["attendee_count"] == 0
    url = f"{API}/meetings/{meeting['id']}/attendance"
    ids = [world.member.id, world.animator.id, world.member.id]
    attended = await world.animator.request("PUT", url, json={"user_ids": ids})
    assert attended.status_code == 200, attended.text
    assert attended.json()["attendee_count"] == 2
    assert {a["id"] for a in attended.json()["attendees"]} == {world.member.id, world.animator.id}

    listed = await world.member.get(f"{API}/collectives/{world.collective_id}/meetings")
    assert listed.status_code == 200
    [seen] = listed.json()["meetings"]
    assert seen["attendee_count"] == 2 and len(seen["attendees"]) == 2
    by_observer = await world.observer.get(f"{API}/collectives/{world.collective_id}/meetings")
    [counted] = by_observer.json()["meetings"]
    assert counted["attendee_count"] == 2 and counted["attendees"] is None

    events = (
        await world.observer.get(f"{API}/collectives/{world.collective_id}/events?since=0")
    ).json()["events"]
    kinds = [e["kind"] for e in events]
    assert kinds[-2:] == ["meeting.created", "meeting.attendance_updated"]
    assert events[-1]["data"]["attendee_count"] == 2 and events[-1]["data"]["attendees"] is None

    # Replacing the list, an empty list included.
    again = await world.animator.request("PUT", url, json={"user_ids": [world.observer.id]})
    assert [a["id"] for a in again.json()["attendees"]] == [world.observer.id]
    empty = await world.animator.request("PUT", url, json={"user_ids": []})
    assert empty.json()["attendee_count"] == 0


async def test_meetings_are_listed_most_recent_first(world: World) -> None:
    older = await _create(world, {**WORKSHOP, "held_on": "2026-01-05", "kind": "meeting"})
    newer = await _create(world, {"title": "Plénière", "held_on": "2026-04-01"})
    assert newer["kind"] == "meeting" and newer["notes"] is None
    listed = await world.observer.get(f"{API}/collectives/{world.collective_id}/meetings")
    assert [m["id"] for m in listed.json()["meetings"]] == [newer["id"], older["id"]]


async def test_animator_edits_and_deletes_a_meeting(world: World) -> None:
    meeting = await _create(world)
    url = f"{API}/meetings/{meeting['id']}"
    await world.animator.request("PUT", f"{url}/attendance", json={"user_ids": [world.member.id]})
    edited = await world.animator.patch(url, json={"title": "Atelier caméra", "notes": None})
    assert edited.status_code == 200, edited.text
    assert edited.json()["title"] == "Atelier caméra" and edited.json()["notes"] is None
    assert edited.json()["attendee_count"] == 1
    assert (await world.animator.delete(url)).status_code == 204
    listed = await world.member.get(f"{API}/collectives/{world.collective_id}/meetings")
    assert listed.json()["meetings"] == []
    assert (await world.animator.patch(url, json={"title": "x"})).status_code == 404
    events = (
        await world.member.get(f"{API}/collectives/{world.collective_id}/events?since=0")
    ).json()["events"]
    assert [e["kind"] for e in events][-2:] == ["meeting.updated", "meeting.deleted"]


async def test_only_animators_write_meetings(world: World) -> None:
    meeting = await _create(world)
    collection = f"{API}/collectives/{world.collective_id}/meetings"
    url = f"{API}/meetings/{meeting['id']}"
    before = await _seq(world)
    for client, status in ((world.member, 403), (world.observer, 403), (world.outsider, 404)):
        assert (await client.post(collection, json=WORKSHOP)).status_code == status
        assert (await client.patch(url, json={"title": "x"})).status_code == status
        assert (await client.delete(url)).status_code == status
        put = await client.request("PUT", f"{url}/attendance", json={"user_ids": [client.id]})
        assert put.status_code == status
    assert (await world.outsider.get(collection)).status_code == 404
    assert await _seq(world) == before


async def test_attendance_of_non_members_is_refused_with_fields(world: World) -> None:
    meeting = await _create(world)
    url = f"{API}/meetings/{meeting['id']}/attendance"
    await world.animator.request("PUT", url, json={"user_ids": [world.member.id]})
    before = await _seq(world)
    refused = await world.animator.request(
        "PUT", url, json={"user_ids": [world.observer.id, world.outsider.id, 999_999]}
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["fields"].keys() == {"user_ids.1", "user_ids.2"}
    assert await _seq(world) == before
    listed = await world.animator.get(f"{API}/collectives/{world.collective_id}/meetings")
    assert [a["id"] for a in listed.json()["meetings"][0]["attendees"]] == [world.member.id]


async def test_bad_meeting_bodies_get_422_and_write_nothing(world: World) -> None:
    meeting = await _create(world)
    collection = f"{API}/collectives/{world.collective_id}/meetings"
    url = f"{API}/meetings/{meeting['id']}"
    before = await _seq(world)
    cases = [
        ("POST", collection, {"title": "x", "held_on": "12/03/2026"}, "held_on"),
        ("POST", collection, {"title": "x", "held_on": "2026-02-30"}, "held_on"),
        ("POST", collection, {"title": "x"}, "held_on"),
        ("POST", collection, {"title": " ", "held_on": "2026-03-01"}, "title"),
        ("POST", collection, {"title": "x", "held_on": "2026-03-01", "kind": "party"}, "kind"),
        ("POST", collection, {"title": "x", "held_on": "2026-03-01", "room": 1}, "room"),
        ("PATCH", url, {"title": None}, "title"),
        ("PATCH", url, {"held_on": None}, "held_on"),
        ("PUT", url + "/attendance", {"user_ids": "1"}, "user_ids"),
        ("PUT", url + "/attendance", {"user_ids": [0]}, "user_ids.0"),
        ("PUT", url + "/attendance", {}, "user_ids"),
    ]
    for method, target, body, field in cases:
        response = await world.animator.request(method, target, json=body)
        assert response.status_code == 422, (body, response.text)
        assert field in response.json()["error"]["fields"], (body, response.text)
    malformed = await world.animator.request(
        "PUT", url + "/attendance", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert await _seq(world) == before
