"""An archived board is read-only for members: every addition or change of theirs is refused
with 409 ``board_archived`` and writes nothing (withdrawing what they wrote stays possible);
animators still moderate it and unarchive it."""

from __future__ import annotations

from typing import Any

from tests.conftest import ApiClient, World

API = "/api/v1"


async def _seq(world: World) -> int:
    return int((await world.animator.get(f"{API}/collectives/{world.collective_id}")).json()["seq"])


async def _card(client: ApiClient, card_id: int) -> dict[str, Any]:
    response = await client.get(f"{API}/cards/{card_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_members_change_nothing_on_an_archived_board(world: World) -> None:
    board_url = f"{API}/boards/{world.board_id}"
    card_url = f"{API}/cards/{world.card['id']}"
    comment = await world.member.post(f"{card_url}/comments", json={"body": "Avant"})
    assert comment.status_code == 201, comment.text
    comment_url = f"{API}/comments/{comment.json()['id']}"
    reacted = await world.member.post(f"{card_url}/reactions", json={"kind": "useful"})
    assert reacted.status_code == 201, reacted.text
    archived = await world.animator.patch(board_url, json={"archived": True})
    assert archived.status_code == 200 and archived.json()["archived"] is True
    before_seq, before = await _seq(world), await _card(world.member, world.card["id"])

    attempts = [
        await world.member.post(f"{board_url}/cards", json={"title": "Encore une"}),
        await world.member.patch(card_url, json={"version": 1, "title": "Changé"}),
        await world.member.patch(card_url, json={"version": 1, "column_id": world.columns[1]}),
        await world.member.post(f"{card_url}/comments", json={"body": "Je réponds"}),
        await world.member.patch(comment_url, json={"body": "Corrigé"}),
        await world.member.post(f"{card_url}/reactions", json={"kind": "plus_one"}),
        await world.member.post(
            f"{card_url}/attachments", files={"file": ("notes.txt", b"Mes notes", "text/plain")}
        ),
    ]
    for response in attempts:
        assert response.status_code == 409, (response.request.method, response.request.url)
        assert response.json()["error"]["code"] == "board_archived", response.text
    assert await _seq(world) == before_seq, "a refused change wrote nothing"
    assert await _card(world.member, world.card["id"]) == before
    # Withdrawing what one wrote stays possible, as on a locked board.
    taken_back = await world.member.delete(f"{card_url}/reactions/useful")
    assert taken_back.status_code == 200, taken_back.text
    assert (await world.member.delete(comment_url)).status_code == 204
    assert (await world.member.delete(card_url)).status_code == 204


async def test_animators_moderate_an_archived_board_and_unarchive_it(world: World) -> None:
    board_url = f"{API}/boards/{world.board_id}"
    card_url = f"{API}/cards/{world.card['id']}"
    comment = await world.member.post(f"{card_url}/comments", json={"body": "Hors sujet"})
    assert comment.status_code == 201, comment.text
    assert (await world.animator.patch(board_url, json={"archived": True})).status_code == 200
    hidden = await world.animator.patch(
        f"{API}/comments/{comment.json()['id']}", json={"moderation": "hidden"}
    )
    assert hidden.status_code == 200, hidden.text
    edited = await world.animator.patch(card_url, json={"version": 1, "title": "Synthèse"})
    assert edited.status_code == 200, edited.text
    pinned = await world.animator.patch(card_url, json={"version": 2, "pinned": True})
    assert pinned.status_code == 200, pinned.text
    # Members may still report content on an archived board: a flag is not a change to it.
    flag = await world.member.post(f"{card_url}/flags", json={"reason": "spam"})
    assert flag.status_code == 201, flag.text

    unarchived = await world.animator.patch(board_url, json={"archived": False})
    assert unarchived.status_code == 200 and unarchived.json()["archived"] is False
    again = await world.member.post(f"{card_url}/comments", json={"body": "Je reprends"})
    assert again.status_code == 201, again.text
    created = await world.member.post(f"{board_url}/cards", json={"title": "Nouvelle"})
    assert created.status_code == 201, created.text
