"""In Chromium: the new-card dialog lists the cards that look like the one being typed (and
posting anyway works), a card's page lists « Fiches proches », an animator merges a duplicate
there through a confirmation dialog, by keyboard, and undoes it, while a member's open board
follows live — in French and in English, at desk and phone widths, without serious axe-core
violations."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.conftest import join
from tests.support.axe import overflow, serious_violations
from tests.support.cards import new_card
from tests.web.conftest import Site, logged_in

pytestmark = pytest.mark.browser
WAIT = 10_000
SHOTS = Path(os.environ.get("ESSAIM_SIMILAR_SHOTS", "/tmp/shots-similar"))
DESK = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 740}
KEPT = "Mutualiser les achats de farine bio"
DUPLICATE = "Achat groupé de farine biologique"
PARAPHRASE = "Commande groupée de farine biologique"


@pytest.fixture(scope="module")
async def scene(site: Site) -> dict[str, Any]:
    """anna animates « Boulangers du Diois »; bea is a member. The board holds anna's card on
    buying organic flour together, bea's duplicate of it (with a comment), and others."""
    anna = await site.client("anna")
    bea = await site.client("bea")
    created = await anna.post("/api/v1/collectives", json={"name": "Boulangers du Diois"})
    cid = created.json()["id"]
    await join(anna, bea, cid, "member")
    board = (await anna.post(f"/api/v1/collectives/{cid}/boards", json={"name": "Idées"})).json()
    kept = await new_card(anna, board["id"], KEPT, "Entre boulangers, pour payer moins cher.")
    for title in (
        "Trouver un apprenti boulanger",
        "Un camion de livraison partagé",
        "Économies d’énergie au fournil",
    ):
        await new_card(anna, board["id"], title)
    duplicate = await new_card(bea, board["id"], DUPLICATE, "Une commande commune au moulin.")
    said = await bea.post(
        f"/api/v1/cards/{duplicate['id']}/comments", json={"body": "Je suis partante pour 50 kg."}
    )
    assert said.status_code == 201, said.text
    site.ids.update(collective=cid, board=board["id"], kept=kept["id"], duplicate=duplicate["id"])
    return site.ids


async def test_the_new_card_dialog_shows_cards_like_it_and_posting_anyway_works(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    context, page, errors = await logged_in(browser, site, "bea")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/similar?" in r.url else None)
    await page.goto(f"/b/{scene['board']}")
    await page.get_by_role("button", name=re.compile("Ajouter une fiche")).first.click()
    dialog = page.locator("#card-dialog")
    title = dialog.get_by_label("Titre")
    await expect(title).to_be_focused()
    await page.keyboard.type("Co")  # under three characters: nothing asked
    await page.wait_for_timeout(500)
    assert asked == []
    await page.keyboard.type(PARAPHRASE[2:])
    region = page.get_by_role("region", name="Ces fiches ressemblent à la vôtre")
    await expect(region).to_be_visible(timeout=WAIT)
    link = region.get_by_role("link", name=re.compile(re.escape(KEPT)))
    await expect(link).to_be_visible()
    await expect(link).to_have_attribute("target", "_blank")
    await expect(link).to_have_attribute("rel", "noopener")
    await expect(link).to_contain_text("(nouvel onglet)")
    await expect(region).to_contain_text("Vous pouvez tout de même publier la vôtre.")
    shown = await region.get_by_role("listitem").count()
    assert 1 <= shown <= 5
    status = dialog.locator("[role=status]")
    await expect(status).to_have_text(
        re.compile(r"^\d fiches? (ressemble|ressemblent) à la vôtre$"), timeout=WAIT
    )
    await expect(title).to_be_focused()  # announced, not moved to
    # Debounced: one request for the whole title, not one per key.
    assert len(asked) <= 2, asked
    await dialog.get_by_label("Texte").fill("Au moulin de Crest, livrée en avril.")
    await dialog.get_by_role("button", name="Publier").click()
    await expect(dialog).to_be_hidden()
    await expect(page.locator(".card-title", has_text=PARAPHRASE)).to_be_visible(timeout=WAIT)
    # Opened again, the dialog starts with no suggestions.
    await page.get_by_role("button", name=re.compile("Ajouter une fiche")).first.click()
    await expect(region).to_be_hidden()
    await expect(status).to_have_text("")
    assert errors == []
    await context.close()


async def test_an_animator_merges_a_duplicate_by_keyboard_and_undoes_it_live(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    kept, duplicate = scene["kept"], scene["duplicate"]
    member, board_page, member_errors = await logged_in(browser, site, "bea")
    await board_page.goto(f"/b/{scene['board']}")
    await expect(board_page.locator("body[data-live=online]")).to_be_attached(timeout=WAIT)
    tile = board_page.locator(f"li.card[data-id='{duplicate}']")
    await expect(tile).to_be_visible()

    context, page, errors = await logged_in(browser, site, "anna")
    await page.goto(f"/cards/{kept}")
    section = page.get_by_role("region", name="Fiches proches")
    item = section.get_by_role("listitem").filter(has_text=DUPLICATE)
    await expect(item).to_be_visible(timeout=WAIT)
    await expect(page.locator("#comments")).not_to_contain_text("Je suis partante")
    merge = item.get_by_role("button", name=re.compile("^Fusionner ici"))
    await merge.focus()
    await page.keyboard.press("Enter")
    nb = "\u202f"  # French: a narrow no-break space inside « » and before « ? »
    dialog = page.get_by_role(
        "dialog", name=f"Fusionner «{nb}{DUPLICATE}{nb}» dans cette fiche{nb}?"
    )
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text("ses commentaires, réactions, pièces jointes")
    await expect(dialog.get_by_role("button", name="Annuler")).to_be_focused()
    await page.keyboard.press("Escape")  # a second thought: nothing merged, focus back
    await expect(dialog).to_be_hidden()
    await expect(merge).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(dialog).to_be_visible()
    await page.keyboard.press("Tab")
    await expect(dialog.get_by_role("button", name="Fusionner")).to_be_focused()
    await page.keyboard.press("Enter")

    status = page.locator("#merge-status")
    await expect(status).to_contain_text(
        f"«{nb}{DUPLICATE}{nb}» a été fusionnée ici.", timeout=WAIT
    )
    await expect(dialog).to_be_hidden()
    await expect(page.locator("#comments")).to_contain_text("Je suis partante pour 50 kg.")
    await expect(section.get_by_role("listitem").filter(has_text=DUPLICATE)).to_have_count(0)
    await expect(tile).to_have_count(0, timeout=WAIT)  # gone from the member's board, live
    undo = status.get_by_role("button", name="Annuler la fusion")
    await expect(undo).to_be_focused()
    await shoot(page, "fr-1280-merged", page.locator("#similar-section"))

    # The duplicate's address now leads to the card kept.
    other = await member.new_page()
    await other.goto(f"/cards/{duplicate}")
    await expect(other).to_have_url(re.compile(rf"/cards/{kept}$"))
    await other.close()

    await page.keyboard.press("Enter")
    await expect(status).to_contain_text("Fusion annulée", timeout=WAIT)
    await expect(undo).to_have_count(0)
    await expect(page.locator("#comments")).not_to_contain_text("Je suis partante")
    await expect(section.get_by_role("listitem").filter(has_text=DUPLICATE)).to_be_visible(
        timeout=WAIT
    )
    await expect(tile).to_be_visible(timeout=WAIT)  # back on the member's board, live
    await expect(tile).to_contain_text(DUPLICATE)
    assert errors == []
    assert member_errors == []
    await context.close()
    await member.close()


async def test_a_member_sees_similar_cards_but_cannot_merge(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    context, page, errors = await logged_in(browser, site, "bea")
    await page.goto(f"/cards/{scene['kept']}")
    section = page.get_by_role("region", name="Fiches proches")
    await expect(section.get_by_role("link", name=re.compile(DUPLICATE))).to_be_visible(
        timeout=WAIT
    )
    await expect(section.get_by_role("button")).to_have_count(0)

    # Her own card's editor suggests the others too, never the card itself.
    await page.goto(f"/cards/{scene['duplicate']}")
    await page.locator("#card").get_by_role("button", name="Modifier").click()
    title = page.locator("#ed-title")
    await title.fill("")
    await title.press_sequentially("Achat de farine bio")
    region = page.get_by_role("region", name="Ces fiches ressemblent à la vôtre")
    await expect(region.get_by_role("link", name=re.compile(KEPT))).to_be_visible(timeout=WAIT)
    await expect(region.get_by_role("link", name=re.compile(DUPLICATE))).to_have_count(0)
    await expect(region).to_contain_text("Vous pouvez tout de même enregistrer vos modifications.")
    assert errors == []
    await context.close()


async def shoot(page: Any, name: str, target: Any = None) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SHOTS / f"{name}.png")
    if target is None:
        await page.screenshot(path=path)
        return
    box = await target.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height}; }"
    )
    await page.screenshot(path=path, full_page=True, clip=box)


async def check(page: Any, name: str) -> None:
    assert await overflow(page) == 0, f"{name} scrolls sideways"
    assert await serious_violations(page) == [], name


async def speak(site: Site, name: str, language: str) -> None:
    changed = await (await site.client(name)).patch("/api/v1/me", json={"language": language})
    assert changed.status_code == 200, changed.text


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_the_screens_are_accessible_at_desk_and_phone_widths(
    browser: Any, site: Site, scene: dict[str, Any], language: str
) -> None:
    english = language == "en"
    await speak(site, "anna", language)
    try:
        for width, size in (("1280", DESK), ("375", PHONE)):
            context, page, errors = await logged_in(
                browser, site, "anna", viewport=size, bypass_csp=True
            )
            await page.goto(f"/b/{scene['board']}")
            add = "Add a card" if english else "Ajouter une fiche"
            await page.get_by_role("button", name=re.compile(add)).first.click()
            await page.locator("#cf-title").fill(PARAPHRASE)
            await page.locator("#cf-body").fill("Pour payer la farine moins cher.")
            heading = "These cards look like yours" if english else "Ces fiches ressemblent"
            region = page.get_by_role("region", name=re.compile(heading))
            await expect(region.get_by_role("link").first).to_be_visible(timeout=WAIT)
            await region.scroll_into_view_if_needed()
            await check(page, f"suggestions {language} {width}")
            await shoot(page, f"{language}-{width}-suggestions")
            await shoot(page, f"{language}-{width}-suggestions-form", page.locator("#card-form"))

            await page.goto(f"/cards/{scene['kept']}")
            name = "Similar cards" if english else "Fiches proches"
            section = page.get_by_role("region", name=name)
            await expect(section.get_by_role("listitem").first).to_be_visible(timeout=WAIT)
            await expect(section.locator(".merge-here").first).to_be_visible()
            await check(page, f"similar cards {language} {width}")
            await shoot(page, f"{language}-{width}-similar", section)
            await section.locator(".merge-here").first.click()
            await expect(page.locator("#merge-dialog")).to_be_visible()
            await check(page, f"merge dialog {language} {width}")
            await shoot(page, f"{language}-{width}-merge-dialog")
            await page.keyboard.press("Escape")
            assert errors == []
            await context.close()
    finally:
        await speak(site, "anna", "fr")
