"""The behavioural suite, run on every backend: French as people type it, filters, facets,
snippets, comments and files, one hit per document, changes and deletions followed."""

from __future__ import annotations

from tests.search.conftest import Stack
from tests.support.search import ids


async def test_accents_are_folded_both_ways(stack: Stack) -> None:
    plain = await stack.card(stack.member, "Economie circulaire des chutes de bois")
    accented = await stack.card(stack.member, "Économies d'énergie sur les chantiers")
    await stack.index()
    found = await stack.find(stack.member, "économie")
    assert set(ids(found)) == {plain, accented}
    assert set(ids(await stack.find(stack.member, "ECONOMIES "))) == {plain, accented}


async def test_plurals_and_verb_forms_match_their_stem(stack: Stack) -> None:
    card = await stack.card(stack.member, "Une pratique de mutualisation", "Nous mutualisons")
    await stack.index()
    assert ids(await stack.find(stack.member, "pratiques ")) == [card]
    assert ids(await stack.find(stack.member, "mutualiser ")) == [card]


async def test_elisions_are_split(stack: Stack) -> None:
    card = await stack.card(stack.member, "Aides aux entreprises artisanales")
    await stack.index()
    assert ids(await stack.find(stack.member, "l'entreprise ")) == [card]
    assert ids(await stack.find(stack.member, "l’entreprise ")) == [card]


async def test_a_typo_still_finds(stack: Stack) -> None:
    card = await stack.card(stack.member, "Rénovation énergétique des logements")
    await stack.card(stack.member, "Recrutement d'apprentis")
    await stack.index()
    assert ids(await stack.find(stack.member, "renovation energetiqe ")) == [card]


async def test_the_last_word_matches_as_a_prefix(stack: Stack) -> None:
    card = await stack.card(stack.member, "Isolation des combles perdus")
    await stack.index()
    assert ids(await stack.find(stack.member, "isolat")) == [card]
    assert ids(await stack.find(stack.member, "comb")) == [card]
    assert ids(await stack.find(stack.member, "comb ")) == []


async def test_stop_words_do_not_drown_results(stack: Stack) -> None:
    card = await stack.card(stack.member, "Le devis de la pompe à chaleur")
    for n in range(5):
        await stack.card(stack.member, f"Le planning de la semaine {n} et de la suivante")
    await stack.index()
    found = await stack.find(stack.member, "le devis de la ")
    assert ids(found) == [card]
    assert (await stack.find(stack.member, "de la le "))["total"] == 0


async def test_snippets_mark_matches_and_escape_the_rest(stack: Stack) -> None:
    await stack.card(
        stack.member,
        "Chauffage <b>bois</b>",
        "Notre <script>alert(1)</script> chaudière à granulés chauffe tout l'atelier",
    )
    await stack.index()
    [hit] = (await stack.find(stack.member, "granulés "))["hits"]
    assert "<mark>granulés</mark>" in hit["snippet"]
    # Escaped (or, by PostgreSQL's ts_headline, dropped): no markup but <mark> survives.
    assert "<" not in hit["snippet"].replace("<mark>", "").replace("</mark>", "")
    assert hit["title"] == "Chauffage <b>bois</b>"
    assert set(hit) == {"type", "id", "card_id", "collective_id", "board_id", "title", "snippet"}


async def test_filters_and_facets(stack: Stack) -> None:
    practice = await stack.card(
        stack.member, "Tri des déchets de chantier", kind="practice", tags=["déchets", "tri"]
    )
    idea = await stack.card(stack.member, "Déchetterie partagée", kind="idea", tags=["déchets"])
    document = await stack.card(
        stack.animator, "Guide des déchets du BTP", kind="document", board=stack.other_board_id
    )
    await stack.index()
    everything = await stack.find(stack.member, "déchets ")
    assert set(ids(everything)) == {practice, idea, document}
    assert everything["total"] == 3
    assert everything["facets"]["kind"] == {"practice": 1, "idea": 1, "document": 1}
    assert everything["facets"]["tag"] == {"déchets": 2, "tri": 1}
    assert everything["facets"]["board"] == {str(stack.board_id): 2, str(stack.other_board_id): 1}
    assert ids(await stack.find(stack.member, "déchets ", kind="idea")) == [idea]
    assert set(ids(await stack.find(stack.member, "déchets ", tag="déchets"))) == {practice, idea}
    assert ids(await stack.find(stack.member, "déchets ", board=stack.other_board_id)) == [document]
    assert ids(await stack.find(stack.member, "déchets ", author=stack.animator.id)) == [document]
    assert ids(await stack.find(stack.member, "déchets ", collective=stack.collective_id))
    page = await stack.find(stack.member, "déchets ", limit=2, offset=2)
    assert len(page["hits"]) == 1 and page["total"] == 3


async def test_comments_are_found(stack: Stack) -> None:
    card = await stack.card(stack.member, "Question sur la TVA")
    response = await stack.animator.post(
        f"/api/v1/cards/{card}/comments", json={"body": "Le taux réduit s'applique aux travaux"}
    )
    comment = response.json()["id"]
    await stack.index()
    [hit] = (await stack.find(stack.member, "taux réduit "))["hits"]
    assert (hit["type"], hit["id"], hit["card_id"]) == ("comment", comment, card)
    assert hit["title"] == "Question sur la TVA"


async def test_attached_files_are_found_once_per_document(stack: Stack) -> None:
    card = await stack.card(stack.member, "Compte rendu de l'atelier")
    long_text = ("Le diagnostic thermique révèle des ponts thermiques. " * 400).encode()
    upload = await stack.member.post(
        f"/api/v1/cards/{card}/attachments",
        files={"file": ("atelier.md", long_text, "text/markdown")},
    )
    assert upload.status_code == 201, upload.text
    await stack.index()
    found = await stack.find(stack.member, "ponts thermiques ")
    assert [(h["type"], h["card_id"]) for h in found["hits"]] == [("attachment", card)]
    assert found["total"] == 1


async def test_edits_hiding_and_deletion_are_followed(stack: Stack) -> None:
    card = await stack.card(stack.member, "Chaudière collective")
    await stack.index()
    response = await stack.member.patch(
        f"/api/v1/cards/{card}", json={"version": 1, "title": "Poêle à bois partagé"}
    )
    assert response.status_code == 200, response.text
    await stack.index()
    assert ids(await stack.find(stack.member, "chaudière ")) == []
    assert ids(await stack.find(stack.member, "poêle ")) == [card]
    assert (await stack.member.delete(f"/api/v1/cards/{card}")).status_code == 204
    await stack.index()
    assert ids(await stack.find(stack.animator, "poêle ")) == []
