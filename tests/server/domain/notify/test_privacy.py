"""Who can learn what from notifications, role by role (animator, member, observer, outsider,
anonymous), in their own collective and another, by every way out: the API (the list, the
preferences), the event log, the emails (and what each one carries), the export. The live
counts over /ws: tests/realtime/test_unread_counts.py."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from server.domain.notify.dispatch import dispatch
from tests.conftest import ApiClient, MakeClient, World, join
from tests.support.platform import essaim_of

API = "/api/v1"
SECRET_COMMENT = "Le devis d'Isolbat est à 42 € le m²."
SECRET_MEETING = "Atelier confidentiel"


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def scene(world: World, make_client: MakeClient) -> dict[str, ApiClient]:
    """Every kind happens in the world's collective; a comment in the outsider's own."""
    lea = await make_client("lea")
    await join(world.animator, lea, world.collective_id, "member")
    card = world.card["id"]
    await ok(
        await world.animator.post(
            f"{API}/cards/{card}/comments", json={"body": f"@lea {SECRET_COMMENT}"}
        ),
        201,
    )
    await ok(await lea.post(f"{API}/cards/{card}/comments", json={"body": "Merci"}), 201)
    await ok(await lea.post(f"{API}/cards/{card}/reactions", json={"kind": "useful"}), 201)
    await ok(await lea.post(f"{API}/cards/{card}/flags", json={"reason": "spam"}), 201)
    day = (date.today() + timedelta(days=7)).isoformat()
    await ok(
        await world.animator.post(
            f"{API}/collectives/{world.collective_id}/meetings",
            json={"title": SECRET_MEETING, "kind": "workshop", "held_on": day},
        ),
        201,
    )
    # The outsider's own collective: a board, a card and a comment of their own world.
    mine = (await ok(await world.outsider.get(f"{API}/collectives")))["collectives"]
    other = mine[0]["id"]
    board = await ok(
        await world.outsider.post(
            f"{API}/collectives/{other}/boards", json={"name": "Ailleurs", "kind": "ideas"}
        ),
        201,
    )
    sam = await make_client("sam")
    await join(world.outsider, sam, other, "member")
    theirs = await ok(
        await sam.post(f"{API}/boards/{board['id']}/cards", json={"title": "Chez nous"}), 201
    )
    await ok(
        await world.outsider.post(
            f"{API}/cards/{theirs['id']}/comments", json={"body": "Réservé à nous"}
        ),
        201,
    )
    return {"lea": lea, "sam": sam}


async def test_each_role_sees_only_its_own_notifications_everywhere(
    world: World, make_client: MakeClient
) -> None:
    people = await scene(world, make_client)
    cid = world.collective_id
    roles = {
        "animator": world.animator,
        "member": world.member,
        "observer": world.observer,
        "outsider": world.outsider,
        "other_member": people["sam"],
    }
    kinds: dict[str, set[str]] = {}
    for name, client in roles.items():
        listed = await ok(await client.get(f"{API}/notifications"))
        mine = listed["notifications"]
        joined = {
            c["id"] for c in (await ok(await client.get(f"{API}/collectives")))["collectives"]
        }
        assert {n["collective_id"] for n in mine} <= joined, name
        kinds[name] = {n["kind"] for n in mine if n["collective_id"] == cid}
        text = str(mine)
        if name in ("observer", "outsider", "other_member"):
            assert SECRET_COMMENT not in text, name
        if name in ("outsider", "other_member"):
            assert SECRET_MEETING not in text, name
        prefs = await ok(await client.get(f"{API}/me/notification-preferences"))
        assert {c["collective_id"] for c in prefs["collectives"]} == joined, name
    assert kinds["member"] == {"comment", "reaction", "meeting"}
    assert kinds["animator"] >= {"comment", "flag", "invitation"}
    assert kinds["observer"] == {"meeting"}
    assert kinds["outsider"] == set() and kinds["other_member"] == set()
    leas = (await ok(await people["lea"].get(f"{API}/notifications")))["notifications"]
    assert {n["kind"] for n in leas} == {"mention", "meeting"}, (
        "named: the mention, not the comment"
    )
    # Anonymous: nothing, not even a count.
    anonymous = httpx.AsyncClient(
        transport=world.outsider.http._transport, base_url="http://testserver"
    )
    async with anonymous:
        for path in ("/notifications", "/me/notification-preferences"):
            assert (await anonymous.get(API + path)).status_code == 401, path
        refused = await anonymous.put(API + "/me/notification-preferences", json={})
        assert refused.status_code in (401, 403)
    # The event log carries no notification: none of its kinds names one, for anyone.
    for client in (world.animator, world.member, world.observer):
        events = (await ok(await client.get(f"{API}/collectives/{cid}/events?since=0")))["events"]
        assert not any("notification" in e["kind"] for e in events)
    assert (await world.outsider.get(f"{API}/collectives/{cid}/events?since=0")).status_code == 404


async def test_emails_go_only_to_who_may_see_and_carry_only_their_thread(
    world: World, make_client: MakeClient
) -> None:
    people = await scene(world, make_client)
    run = await dispatch(essaim_of(world))
    to = {e.to for e in run.sent}
    assert "oscar@example.fr" not in to or all(
        SECRET_COMMENT not in e.text and SECRET_MEETING not in e.text
        for e in run.sent
        if e.to == "oscar@example.fr"
    )
    for email in run.sent:
        if email.to == "olga@example.fr":  # the observer: the meeting only
            assert SECRET_COMMENT not in email.text and "Réunion programmée" in email.text
        if email.to == "sam@example.fr":
            assert SECRET_COMMENT not in email.text and SECRET_MEETING not in email.text
    assert "marc@example.fr" in to and "lea@example.fr" in to
    del people


async def test_nothing_is_emailed_once_it_cannot_be_seen(
    world: World, make_client: MakeClient
) -> None:
    essaim = essaim_of(world)
    lea = await make_client("lea")
    await join(world.animator, lea, world.collective_id, "member")
    card = world.card["id"]
    await ok(await lea.post(f"{API}/cards/{card}/comments", json={"body": "Un"}), 201)
    await ok(await world.animator.post(f"{API}/cards/{card}/comments", json={"body": "Deux"}), 201)
    # Léa leaves before the emails go: hers is dropped. The card is hidden: Marc's too.
    await ok(
        await lea.request("DELETE", f"{API}/collectives/{world.collective_id}/members/{lea.id}"),
        204,
    )
    fresh = await ok(await world.animator.get(f"{API}/cards/{card}"))
    await ok(
        await world.animator.patch(
            f"{API}/cards/{card}", json={"moderation": "hidden", "version": fresh["version"]}
        )
    )
    run = await dispatch(essaim)
    assert run.sent == [] and run.dropped >= 2
    # Shown again, nothing comes back from the past: those were dealt with.
    fresh = await ok(await world.animator.get(f"{API}/cards/{card}"))
    await ok(
        await world.animator.patch(
            f"{API}/cards/{card}", json={"moderation": "published", "version": fresh["version"]}
        )
    )
    assert (await dispatch(essaim)).sent == []
