"""Search never shows what the caller may no longer see, even before the indexer caught up:
every page of hits is re-checked against the database, on every backend."""

from __future__ import annotations

from typing import Any

from tests.search.conftest import Stack


def found(result: dict[str, Any]) -> set[tuple[str, int]]:
    return {(h["type"], h["id"]) for h in result["hits"]}


async def test_content_hidden_before_the_indexer_ran_is_not_found(stack: Stack) -> None:
    hidden_card = await stack.card(stack.member, "Tarifs négociés avec le fournisseur")
    kept = await stack.card(stack.member, "Fournisseur de laine de bois")
    comment = await stack.member.post(
        f"/api/v1/cards/{kept}/comments", json={"body": "Un fournisseur peu fiable, à éviter"}
    )
    assert comment.status_code == 201, comment.text
    comment_id = comment.json()["id"]
    await stack.index()
    everything = {("card", hidden_card), ("card", kept), ("comment", comment_id)}
    assert found(await stack.find(stack.member, "fournisseur ")) == everything

    # Moderation through the API; the indexer does not run (a backlog, an engine down).
    hide = await stack.animator.patch(
        f"/api/v1/cards/{hidden_card}", json={"version": 1, "moderation": "hidden"}
    )
    assert hide.status_code == 200, hide.text
    hide = await stack.animator.patch(
        f"/api/v1/comments/{comment_id}", json={"moderation": "hidden"}
    )
    assert hide.status_code == 200, hide.text

    for viewer in (stack.member, stack.observer):
        result = await stack.find(viewer, "fournisseur ")
        assert found(result) == {("card", kept)}
        # Counts follow the page: the dropped hits are off the total and the facets, and the
        # total says it may be off while the index is behind.
        assert result["total"] == 1
        assert sum(result["facets"]["kind"].values()) == 1
        assert result["facets"]["board"] == {str(stack.board_id): 1}
        assert result["total_exact"] is False
    # Animators see hidden content in search (as once it is indexed).
    assert found(await stack.find(stack.animator, "fournisseur ")) == everything

    await stack.index()
    caught_up = await stack.find(stack.member, "fournisseur ")
    assert found(caught_up) == {("card", kept)}
    assert caught_up["total_exact"] is True
    assert found(await stack.find(stack.animator, "fournisseur ")) == everything


async def test_a_card_deleted_before_the_indexer_ran_is_found_by_no_one(stack: Stack) -> None:
    card = await stack.card(stack.member, "Chaudière collective au bois")
    comment = await stack.member.post(
        f"/api/v1/cards/{card}/comments", json={"body": "Chaudière bien dimensionnée"}
    )
    assert comment.status_code == 201, comment.text
    await stack.index()
    assert (await stack.find(stack.animator, "chaudière "))["total"] == 2
    assert (await stack.member.delete(f"/api/v1/cards/{card}")).status_code == 204
    for viewer in (stack.member, stack.animator):
        result = await stack.find(viewer, "chaudière ")
        assert result["hits"] == []
        assert result["total"] == 0
        assert result["facets"]["board"] == {}
