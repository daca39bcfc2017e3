"""Merging a duplicate: comments, reactions (one per person and kind), files and vote options
move to the card kept; the duplicate leaves its board and points there (410 card_merged, its
page redirects); the authors are told; an event says it; undone within 30 days, everything
comes back, once; only animators merge, only within one collective."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update

from server.core.models import CardMerge, utcnow
from tests.conftest import ApiClient, MakeClient, World, join
from tests.support.cards import new_card
from tests.support.platform import essaim_of
from tests.support.votes import open_vote

API = "/api/v1"


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def board_card_ids(client: ApiClient, world: World) -> set[int]:
    board = await ok(await client.get(f"{API}/boards/{world.board_id}"))
    return {card["id"] for column in board["columns"] for card in column["cards"]}


async def test_merge_moves_everything_and_undo_puts_it_back(
    world: World, make_client: MakeClient
) -> None:
    lea = await make_client("lea")
    await join(world.animator, lea, world.collective_id, "member")
    kept = world.card
    twin = await new_card(lea, world.board_id, "Achats groupés d'isolants", "Qui est partant ?")
    comment = await ok(
        await world.animator.post(f"{API}/cards/{twin['id']}/comments", json={"body": "Moi !"}),
        201,
    )
    for client, card_id in ((world.member, kept["id"]), (world.member, twin["id"])):
        await ok(
            await client.post(f"{API}/cards/{card_id}/reactions", json={"kind": "useful"}), 201
        )
    await ok(
        await world.animator.post(f"{API}/cards/{twin['id']}/reactions", json={"kind": "useful"}),
        201,
    )
    files = {"file": ("devis.txt", b"Devis isolant", "text/plain")}
    attached = await ok(
        await lea.http.post(
            f"{API}/cards/{twin['id']}/attachments",
            files=files,
            headers={"X-CSRF-Token": lea.csrf or ""},
        ),
        201,
    )
    other = await new_card(world.animator, world.board_id, "Un camion partagé")
    vote = await open_vote(
        world.animator, world, method="approval", card_ids=[twin["id"], other["id"]]
    )
    # Only animators merge; a card into itself, or one of another collective: refused.
    url = f"{API}/cards/{kept['id']}/merge"
    assert (await world.member.post(url, json={"card_id": twin["id"]})).status_code == 403
    assert (await world.outsider.post(url, json={"card_id": twin["id"]})).status_code == 404
    assert (await world.animator.post(url, json={"card_id": kept["id"]})).status_code == 422
    assert (await world.animator.post(url, json={"card_id": "x"})).status_code == 422
    assert (await world.animator.post(url, json={"card_id": 999_999})).status_code == 404

    merge = await ok(await world.animator.post(url, json={"card_id": twin["id"]}), 201)
    assert merge["merged_id"] == twin["id"] and merge["kept_id"] == kept["id"]
    assert merge["moved"] == {
        "comments": 1,
        "reactions": 1,  # anna's
        "reactions_dropped": 1,  # marc had already found the kept card useful
        "attachments": 1,
        "vote_options": 1,
    }
    gone = await world.member.get(f"{API}/cards/{twin['id']}")
    assert gone.status_code == 410
    assert gone.json()["error"]["code"] == "card_merged"
    assert gone.json()["error"]["merged_into_id"] == kept["id"]
    assert (await world.outsider.get(f"{API}/cards/{twin['id']}")).status_code == 404
    page = await world.member.http.get(f"/cards/{twin['id']}")
    assert page.status_code == 302 and page.headers["location"] == f"/cards/{kept['id']}"
    assert twin["id"] not in await board_card_ids(world.member, world)
    shown = await ok(await world.member.get(f"{API}/cards/{kept['id']}"))
    assert [c["id"] for c in shown["comments"]] == [comment["id"]]
    assert shown["reactions"]["useful"] == 2
    assert [a["id"] for a in shown["attachments"]] == [attached["id"]]
    voted = await ok(await world.member.get(f"{API}/votes/{vote['id']}"))
    assert [o["card_id"] for o in voted["options"]] == [kept["id"], other["id"]]
    # The kept card's author is told (the one who merged is not).
    told = (await ok(await world.member.get(f"{API}/notifications")))["notifications"]
    assert any(n["kind"] == "merged" for n in told)
    lea_told = (await ok(await lea.get(f"{API}/notifications")))["notifications"]
    assert any(n["kind"] == "merged" for n in lea_told), "the duplicate's author too"
    events = (
        await ok(await world.member.get(f"{API}/collectives/{world.collective_id}/events?since=0"))
    )["events"]
    # Read back later, the event is about a card gone from the board: members get its ids.
    [merged_event] = [e for e in events if e["kind"] == "card.merged"]
    assert merged_event["data"] == {"id": twin["id"], "redacted": True}
    log = await ok(
        await world.animator.get(f"{API}/collectives/{world.collective_id}/events?since=0")
    )
    [full] = [e for e in log["events"] if e["kind"] == "card.merged"]
    assert full["data"]["merged_into_id"] == kept["id"]
    # Merged already: not again.
    assert (await world.animator.post(url, json={"card_id": twin["id"]})).status_code == 404
    listed = await ok(await world.animator.get(f"{API}/collectives/{world.collective_id}/merges"))
    assert [m["id"] for m in listed["merges"]] == [merge["id"]]
    assert (
        await world.member.get(f"{API}/collectives/{world.collective_id}/merges")
    ).status_code == 403

    # Undo: everything goes back, marc's dropped reaction included; once only.
    undo = f"{API}/merges/{merge['id']}/undo"
    assert (await world.member.post(undo)).status_code == 403
    assert (await world.outsider.post(undo)).status_code == 404
    undone = await ok(await world.animator.post(undo))
    assert undone["undone_at"] is not None
    back = await ok(await world.member.get(f"{API}/cards/{twin['id']}"))
    assert [c["id"] for c in back["comments"]] == [comment["id"]]
    assert back["reactions"]["useful"] == 2
    assert [a["id"] for a in back["attachments"]] == [attached["id"]]
    assert twin["id"] in await board_card_ids(world.member, world)
    kept_now = await ok(await world.member.get(f"{API}/cards/{kept['id']}"))
    assert kept_now["comments"] == [] and kept_now["reactions"]["useful"] == 1
    voted = await ok(await world.member.get(f"{API}/votes/{vote['id']}"))
    assert [o["card_id"] for o in voted["options"]] == [twin["id"], other["id"]]
    again = await world.animator.post(undo)
    assert again.status_code == 409 and again.json()["error"]["code"] == "merge_undone"
    events = (
        await ok(await world.member.get(f"{API}/collectives/{world.collective_id}/events?since=0"))
    )["events"]
    assert [e["kind"] for e in events].count("card.unmerged") == 1


async def test_a_merge_is_undone_for_thirty_days_only(world: World) -> None:
    twin = await new_card(world.animator, world.board_id, "Isolants : commande commune")
    merge = await ok(
        await world.animator.post(
            f"{API}/cards/{world.card['id']}/merge", json={"card_id": twin["id"]}
        ),
        201,
    )
    async with essaim_of(world).db.write() as session:
        await session.execute(
            update(CardMerge)
            .where(CardMerge.id == merge["id"])
            .values(at=utcnow() - timedelta(days=31))
        )
        await session.commit()
    late = await world.animator.post(f"{API}/merges/{merge['id']}/undo")
    assert late.status_code == 410 and late.json()["error"]["code"] == "merge_too_old"
