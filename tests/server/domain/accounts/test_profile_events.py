"""A new display name is visible to others (cards, comments, member lists), so it is an
event: ``member.updated`` in every collective of the user, through the write path."""

from __future__ import annotations

from tests.conftest import World, join

API = "/api/v1"


async def test_a_new_display_name_is_announced_in_every_collective(world: World) -> None:
    other = await world.animator.post(f"{API}/collectives", json={"name": "Second collectif"})
    second = other.json()["id"]
    await join(world.animator, world.member, second, "member")
    seqs = {}
    for cid in (world.collective_id, second):
        seqs[cid] = (await world.animator.get(f"{API}/collectives/{cid}")).json()["seq"]

    changed = await world.member.patch(f"{API}/me", json={"display_name": "Marc Isolation"})
    assert changed.status_code == 200, changed.text

    for cid in (world.collective_id, second):
        # Read as someone else: the observer in the first collective, the animator in the second.
        reader = world.observer if cid == world.collective_id else world.animator
        page = await reader.get(f"{API}/collectives/{cid}/events?since={seqs[cid]}")
        events = page.json()["events"]
        assert [e["kind"] for e in events] == ["member.updated"], events
        data = events[0]["data"]
        assert data["user"] == {"id": world.member.id, "display_name": "Marc Isolation"}
        assert data["role"] == "member"
        assert "email" not in str(data) and "language" not in data


async def test_a_private_profile_change_emits_nothing(world: World) -> None:
    cid = world.collective_id
    seq = (await world.member.get(f"{API}/collectives/{cid}")).json()["seq"]
    for body in ({"language": "en"}, {"display_name": "marc"}):  # private, or unchanged
        changed = await world.member.patch(f"{API}/me", json=body)
        assert changed.status_code == 200, changed.text
    page = await world.member.get(f"{API}/collectives/{cid}/events?since={seq}")
    assert page.json()["events"] == []
