"""Who sees what: only one's collectives, hidden content for animators only, bad input 422."""

from __future__ import annotations

from tests.search.conftest import Stack
from tests.support.search import ids


async def test_results_come_only_from_ones_collectives(stack: Stack) -> None:
    card = await stack.card(stack.member, "Subvention régionale pour l'apprentissage")
    other = await stack.outsider.get("/api/v1/collectives")
    other_id = other.json()["collectives"][0]["id"]
    boards = await stack.outsider.post(
        f"/api/v1/collectives/{other_id}/boards", json={"name": "Idées", "kind": "ideas"}
    )
    theirs = await stack.card(
        stack.outsider, "Subvention pour l'apprentissage", board=boards.json()["id"]
    )
    await stack.index()
    assert ids(await stack.find(stack.member, "subvention ")) == [card]
    assert ids(await stack.find(stack.observer, "subvention ")) == [card]
    assert ids(await stack.find(stack.outsider, "subvention ")) == [theirs]
    refused = await stack.outsider.get(
        "/api/v1/search", params={"q": "subvention", "collective": stack.collective_id}
    )
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "not_found"


async def test_hidden_content_is_for_animators_only(stack: Stack) -> None:
    card = await stack.card(stack.member, "Tarifs négociés avec le fournisseur")
    kept = await stack.card(stack.member, "Fournisseur de laine de bois")
    comment = await stack.member.post(
        f"/api/v1/cards/{kept}/comments", json={"body": "Un fournisseur peu fiable, à éviter"}
    )
    await stack.index()
    hide = await stack.animator.patch(
        f"/api/v1/cards/{card}", json={"version": 1, "moderation": "hidden"}
    )
    assert hide.status_code == 200, hide.text
    hidden = await stack.animator.patch(
        f"/api/v1/comments/{comment.json()['id']}", json={"moderation": "hidden"}
    )
    assert hidden.status_code == 200, hidden.text
    await stack.index()
    for viewer in (stack.member, stack.observer):
        found = await stack.find(viewer, "fournisseur ")
        assert [(h["type"], h["id"]) for h in found["hits"]] == [("card", kept)]
    everything = await stack.find(stack.animator, "fournisseur ")
    assert {(h["type"], h["id"]) for h in everything["hits"]} == {
        ("card", card),
        ("card", kept),
        ("comment", comment.json()["id"]),
    }


async def test_a_hidden_card_hides_its_comments(stack: Stack) -> None:
    card = await stack.card(stack.member, "Litige avec un client")
    await stack.member.post(f"/api/v1/cards/{card}/comments", json={"body": "Facture impayée"})
    await stack.index()
    assert (await stack.find(stack.member, "facture "))["total"] == 1
    await stack.animator.patch(f"/api/v1/cards/{card}", json={"version": 1, "moderation": "hidden"})
    await stack.index()
    assert (await stack.find(stack.member, "facture "))["total"] == 0
    assert (await stack.find(stack.animator, "facture "))["total"] == 1


BAD_PARAMETERS: list[tuple[dict[str, str], str]] = [
    ({}, "q"),
    ({"q": "  "}, "q"),
    ({"q": "x" * 201}, "q"),
    ({"q": "bois", "kind": "poem"}, "kind"),
    ({"q": "bois", "limit": "0"}, "limit"),
    ({"q": "bois", "limit": "many"}, "limit"),
    ({"q": "bois", "offset": "-1"}, "offset"),
    ({"q": "bois", "collective": "abc"}, "collective"),
    ({"q": "bois", "board": "0"}, "board"),
    ({"q": "bois", "author": "99999999999"}, "author"),
]


async def test_bad_parameters_answer_422(stack: Stack) -> None:
    for params, field in BAD_PARAMETERS:
        response = await stack.member.get("/api/v1/search", params=params)
        assert response.status_code == 422, (params, response.text)
        assert field in response.json()["error"]["fields"], params


async def test_search_needs_a_login(stack: Stack) -> None:
    from tests.conftest import ApiClient

    anonymous = ApiClient(stack.app)
    response = await anonymous.get("/api/v1/search", params={"q": "bois"})
    await anonymous.aclose()
    assert response.status_code == 401
