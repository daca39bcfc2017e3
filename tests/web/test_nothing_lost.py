"""Nothing typed or moved in the browser is lost without a word: concurrent edits of a card or
a comment are settled in a dialog (keep mine, take theirs, merge), a move the server did not
take goes back, a page back from a cut shows what the server has before saying it is up to
date, and an offline browser says so."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from tests.conftest import join
from tests.web.conftest import Site, logged_in, screenshot

pytestmark = pytest.mark.browser
WAIT = 10_000  # ms: generous for a loaded two-core machine
API = "/api/v1"


@pytest.fixture(scope="module")
async def scene(site: Site) -> dict[str, Any]:
    anna = await site.client("anna")
    marc = await site.client("marc")
    created = await anna.post(f"{API}/collectives", json={"name": "Rénover ensemble"})
    cid = created.json()["id"]
    await join(anna, marc, cid, "member")
    board = await anna.post(
        f"{API}/collectives/{cid}/boards", json={"name": "Idées", "kind": "ideas"}
    )
    columns = [c["id"] for c in board.json()["columns"]]
    card = await marc.post(
        f"{API}/boards/{board.json()['id']}/cards",
        json={"title": "Caméra thermique", "body": "Texte de départ"},
    )
    return {"collective": cid, "board": board.json()["id"], "columns": columns, "card": card.json()}


async def stored(site: Site, card_id: int) -> dict[str, Any]:
    anna = await site.client("anna")
    return dict((await anna.get(f"{API}/cards/{card_id}")).json())


async def open_editors(pages: list[Any], card_id: int) -> None:
    for page in pages:
        await page.goto(f"/cards/{card_id}")
        await expect(page.locator("body[data-live=online]")).to_be_attached(timeout=WAIT)
        await page.locator("#card").get_by_role("button", name="Modifier", exact=True).click()
        await expect(page.get_by_label("Titre")).to_be_focused()


async def save(page: Any) -> None:
    await page.locator("#card").get_by_role("button", name="Enregistrer").click()


async def test_concurrent_card_edits_are_settled_in_a_dialog(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    card_id = scene["card"]["id"]
    ctx_a, anna, errors_a = await logged_in(browser, site, "anna")
    ctx_m, marc, errors_m = await logged_in(browser, site, "marc")

    # Merge: M saves a new text, A (whose editor opened before) saves a new title.
    await open_editors([anna, marc], card_id)
    await marc.get_by_label("Texte", exact=True).fill("Le texte de Marc")
    await save(marc)
    await expect(marc.locator("#card .prose")).to_have_text("Le texte de Marc")
    # A's open editor is not touched by the live event; it only says the card moved on.
    await expect(anna.locator("#ed-changed")).to_be_visible(timeout=WAIT)
    await expect(anna.get_by_label("Texte", exact=True)).to_have_value("Texte de départ")
    await anna.get_by_label("Titre").fill("Caméra thermique partagée")
    await save(anna)
    dialog = anna.get_by_role("dialog", name="Quelqu’un a enregistré entre-temps")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text("Modifié seulement par vous\u00a0: Titre")
    await expect(dialog).to_contain_text("Modifié seulement par l’autre personne\u00a0: Texte")
    # The focus stays in the dialog.
    for _ in range(8):
        await anna.keyboard.press("Tab")
        assert await dialog.evaluate("d => d.contains(document.activeElement)")
    await screenshot(anna, "conflict-merge", full_page=False)
    await dialog.get_by_role("button", name="Fusionner").click()
    await expect(dialog).to_be_hidden()
    await expect(anna.locator("#card h1")).to_have_text("Caméra thermique partagée")
    await expect(anna.locator("#card .prose")).to_have_text("Le texte de Marc")
    card = await stored(site, card_id)
    assert (card["title"], card["body"]) == ("Caméra thermique partagée", "Le texte de Marc")

    # Keep mine: both change the title (shown side by side), M the text too.
    await open_editors([anna, marc], card_id)
    await marc.get_by_label("Titre").fill("Titre de Marc")
    await marc.get_by_label("Texte", exact=True).fill("Second texte de Marc")
    await save(marc)
    await expect(marc.locator("#card h1")).to_have_text("Titre de Marc")
    await anna.get_by_label("Titre").fill("Titre d’Anna")
    await save(anna)
    dialog = anna.get_by_role("dialog")
    clash = dialog.get_by_role("group", name="Titre : modifié des deux côtés")
    await expect(clash).to_be_visible()
    await expect(clash.get_by_label("Votre version")).to_be_checked()
    await expect(clash).to_contain_text("Titre d’Anna")
    await expect(clash).to_contain_text("Titre de Marc")
    await screenshot(anna, "conflict-clash", full_page=False)
    await dialog.get_by_role("button", name="Garder la mienne").click()
    await expect(dialog).to_be_hidden()
    # Keep mine keeps A's title (the clash) and M's text, which only M changed: nothing lost.
    await expect(anna.locator("#card h1")).to_have_text("Titre d’Anna")
    await expect(anna.locator("#card .prose")).to_have_text("Second texte de Marc")
    card = await stored(site, card_id)
    assert (card["title"], card["body"]) == ("Titre d’Anna", "Second texte de Marc")
    await expect(marc.locator("#card h1")).to_have_text("Titre d’Anna", timeout=WAIT)

    # Take theirs: A's title change is dropped, M's text stays.
    await open_editors([anna, marc], card_id)
    await marc.get_by_label("Texte", exact=True).fill("Troisième texte de Marc")
    await save(marc)
    await expect(marc.locator("#card .prose")).to_have_text("Troisième texte de Marc")
    await anna.get_by_label("Titre").fill("Titre abandonné")
    await save(anna)
    dialog = anna.get_by_role("dialog")
    await dialog.get_by_role("button", name="Prendre la leur").click()
    await expect(dialog).to_be_hidden()
    await expect(anna.locator("#card h1")).to_have_text("Titre d’Anna")
    await expect(anna.locator("#card .prose")).to_have_text("Troisième texte de Marc")
    card = await stored(site, card_id)
    assert (card["title"], card["body"]) == ("Titre d’Anna", "Troisième texte de Marc")

    # Escape goes back to the editor, which still holds what was typed.
    await open_editors([anna, marc], card_id)
    await marc.get_by_label("Texte", exact=True).fill("Quatrième texte")
    await save(marc)
    await expect(marc.locator("#card .prose")).to_have_text("Quatrième texte")
    await anna.get_by_label("Titre").fill("Titre gardé sous le coude")
    await save(anna)
    await expect(anna.get_by_role("dialog")).to_be_visible()
    await anna.keyboard.press("Escape")
    await expect(anna.get_by_role("dialog")).to_be_hidden()
    await expect(anna.get_by_label("Titre")).to_have_value("Titre gardé sous le coude")
    assert (await stored(site, card_id))["title"] == "Titre d’Anna"
    # The 409s are logged by the browser as failed loads: expected, and nothing else.
    assert [e for e in errors_a + errors_m if "409 (Conflict)" not in e] == []
    await ctx_a.close()
    await ctx_m.close()


async def test_concurrent_comment_edits_are_settled_in_a_dialog(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    card_id = scene["card"]["id"]
    marc_api = await site.client("marc")
    posted = await marc_api.post(f"{API}/cards/{card_id}/comments", json={"body": "Je prends"})
    comment_id = posted.json()["id"]
    ctx_a, anna, _ = await logged_in(browser, site, "anna")
    ctx_m, marc, _ = await logged_in(browser, site, "marc")
    for page in (anna, marc):
        await page.goto(f"/cards/{card_id}")
        await expect(page.locator("body[data-live=online]")).to_be_attached(timeout=WAIT)
        item = page.locator(f"#comment-{comment_id}")
        await item.get_by_role("button", name="Modifier").click()
        await expect(page.get_by_label("Modifier votre commentaire")).to_be_focused()
    await anna.get_by_label("Modifier votre commentaire").fill("Je prends (corrigé par Anna)")
    await anna.locator(f"#comment-{comment_id}").get_by_role("button", name="Enregistrer").click()
    await expect(anna.locator(f"#comment-{comment_id} .prose")).to_have_text(
        "Je prends (corrigé par Anna)"
    )
    await marc.get_by_label("Modifier votre commentaire").fill("Je prends les 40 m³")
    await marc.locator(f"#comment-{comment_id}").get_by_role("button", name="Enregistrer").click()
    dialog = marc.get_by_role("dialog")
    clash = dialog.get_by_role("group", name="Le commentaire : modifié des deux côtés")
    await expect(clash).to_contain_text("Je prends (corrigé par Anna)")
    await expect(clash).to_contain_text("Je prends les 40 m³")
    await dialog.get_by_role("button", name="Garder la mienne").click()
    await expect(dialog).to_be_hidden()
    await expect(marc.locator(f"#comment-{comment_id} .prose")).to_have_text("Je prends les 40 m³")
    await expect(anna.locator(f"#comment-{comment_id} .prose")).to_have_text(
        "Je prends les 40 m³", timeout=WAIT
    )
    comments = (await stored(site, card_id))["comments"]
    assert [c["body"] for c in comments if c["id"] == comment_id] == ["Je prends les 40 m³"]
    await ctx_a.close()
    await ctx_m.close()


def column_of(page: Any, title: str) -> Any:
    return page.locator(".column", has=page.locator(".card", has_text=title))


async def board_dom(page: Any) -> list[tuple[str, list[str]]]:
    """What the board shows: each column's name and its cards' titles, in order."""
    columns = await page.locator(".column").evaluate_all(
        """cols => cols.map(c => [c.querySelector("h2").textContent,
            [...c.querySelectorAll(".card-title")].map(a => a.textContent)])"""
    )
    return [(name, titles) for name, titles in columns]


async def move_with_menu(page: Any, title: str, column: str) -> None:
    card = page.locator(".card", has_text=title)
    await card.get_by_role("button", name=f"Déplacer « {title} »").click()
    await page.get_by_role("menuitem", name=f"Déplacer vers {column}").click()


async def test_a_move_the_server_refused_goes_back_with_a_message(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    ctx, page, _ = await logged_in(browser, site, "marc")
    await page.goto(f"/b/{scene['board']}")
    await expect(page.locator("body[data-live=online]")).to_be_attached(timeout=WAIT)
    title = (await stored(site, scene["card"]["id"]))["title"]
    before = await board_dom(page)

    async def refuse(route: Any) -> None:
        if route.request.method == "PATCH":
            await route.abort()
        else:
            await route.continue_()

    await page.route("**/api/v1/cards/*", refuse)
    await move_with_menu(page, title, "Capitalisée")
    # An alert, in two sentences (the reason keeps its capital).
    failed = page.get_by_role("alert").filter(has_text="Le déplacement n’a pas été enregistré")
    await expect(failed).to_have_text(
        re.compile(r"^Le déplacement n’a pas été enregistré\. Le serveur est injoignable")
    )
    await expect(column_of(page, title).locator("h2")).to_have_text("Émergence")
    assert await board_dom(page) == before
    assert (await stored(site, scene["card"]["id"]))["column_id"] == scene["columns"][0]
    # The request got no answer: the banner says changes are not sent, until the server answers.
    banner = page.locator("#connection")
    await expect(banner).to_contain_text("vos modifications ne sont pas")
    # The message and the banner are stacked, never one over the other.
    toast_box, banner_box = await failed.bounding_box(), await banner.bounding_box()
    assert toast_box and banner_box
    assert toast_box["y"] + toast_box["height"] <= banner_box["y"]
    await page.unroute("**/api/v1/cards/*")
    await expect(banner).to_be_hidden(timeout=WAIT)
    # The error stays until the person dismisses it.
    await expect(failed).to_be_visible()
    await failed.get_by_role("button", name="Fermer ce message").click()
    await expect(failed).to_be_hidden()
    await ctx.close()


async def test_after_a_cut_the_board_equals_a_fresh_load_before_it_says_up_to_date(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    ctx, page, _ = await logged_in(browser, site, "marc")
    await page.goto(f"/b/{scene['board']}")
    await expect(page.locator("body[data-live=online]")).to_be_attached(timeout=WAIT)
    title = (await stored(site, scene["card"]["id"]))["title"]
    await site.server.stop()
    await expect(page.locator("#connection")).to_contain_text("Hors ligne", timeout=WAIT)
    # A move made while the server is unreachable fails, and goes back.
    await move_with_menu(page, title, "Capitalisée")
    await expect(page.locator(".toast.error")).to_contain_text(
        "Le déplacement n’a pas été enregistré"
    )
    await expect(column_of(page, title).locator("h2")).to_have_text("Émergence")
    # Meanwhile others change the board (straight into the app, not through the server).
    anna = await site.client("anna")
    marc = await site.client("marc")
    column = await anna.post(f"{API}/boards/{scene['board']}/columns", json={"name": "Tri"})
    assert column.status_code == 201, column.text
    created = await marc.post(
        f"{API}/boards/{scene['board']}/cards", json={"title": "Pendant la coupure"}
    )
    card = await stored(site, scene["card"]["id"])
    moved = await anna.patch(
        f"{API}/cards/{card['id']}",
        json={"version": card["version"], "column_id": column.json()["id"]},
    )
    assert moved.status_code == 200 and created.status_code == 201
    renamed = await anna.patch(
        f"{API}/columns/{scene['columns'][1]}", json={"name": "En maturation (revue)"}
    )
    assert renamed.status_code == 200
    await site.server.restart()
    restored = page.locator("#connection", has_text="Connexion rétablie : tout est à jour.")
    await expect(restored).to_be_visible(timeout=30_000)
    shown = await board_dom(page)
    fresh = await ctx.new_page()
    await fresh.goto(f"/b/{scene['board']}")
    await expect(fresh.locator(".card", has_text="Pendant la coupure")).to_be_visible()
    assert shown == await board_dom(fresh)
    assert ("Tri", [title]) in shown
    await ctx.close()


async def test_an_offline_browser_says_changes_are_not_sent(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    ctx, page, _ = await logged_in(browser, site, "marc")
    await page.goto(f"/b/{scene['board']}")
    await expect(page.locator("body[data-live=online]")).to_be_attached(timeout=WAIT)
    banner = page.get_by_role("status").filter(has_text="Hors ligne")
    await ctx.set_offline(True)
    await expect(banner).to_have_text("Hors ligne — vos modifications ne sont pas envoyées.")
    await expect(page.locator("#connection")).to_have_attribute("aria-live", "polite")
    await screenshot(page, "offline", full_page=False)
    title = (await stored(site, scene["card"]["id"]))["title"]
    where = await column_of(page, title).locator("h2").text_content()
    others = [c for c in ("Émergence", "Tri") if c != where]
    await move_with_menu(page, title, others[0])
    await expect(page.locator(".toast.error")).to_contain_text(
        "Le déplacement n’a pas été enregistré"
    )
    await expect(column_of(page, title).locator("h2")).to_have_text(where or "")
    await ctx.set_offline(False)
    await expect(page.locator("#connection")).to_be_hidden(timeout=WAIT)
    await ctx.close()
