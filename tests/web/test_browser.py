"""End to end in Debian's Chromium: two people on one board see each other's changes live,
search, permissions by URL, invitations, keyboard-only use, phone width, and recovery after
the server restarts. The browser flags are those of DEVELOPERS.md."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from playwright.async_api import expect
from pypdf import PdfWriter

from tests.conftest import join
from tests.web.conftest import Site, logged_in, screenshot

pytestmark = pytest.mark.browser
WAIT = 10_000  # ms: generous for a loaded two-core machine; live updates take far less


@pytest.fixture(scope="module")
async def scene(site: Site) -> dict[str, Any]:
    anna = await site.client("anna")
    marc = await site.client("marc")
    oscar = await site.client("oscar")
    created = await anna.post(
        "/api/v1/collectives",
        json={"name": "Rénover ensemble", "territory": "Drôme", "theme": "Rénovation"},
    )
    cid = created.json()["id"]
    await join(anna, marc, cid, "member")
    board = await anna.post(
        f"/api/v1/collectives/{cid}/boards", json={"name": "Idées", "kind": "ideas"}
    )
    columns = [c["id"] for c in board.json()["columns"]]
    card = await marc.post(
        f"/api/v1/boards/{board.json()['id']}/cards",
        json={
            "title": "Caméra thermique partagée",
            "body": "**Mutualiser** l'achat.\n\n<script>window.pwned=1</script> "
            "[piège](javascript:window.pwned=2) [ADEME](https://www.ademe.fr)",
            "tags": ["outillage"],
        },
    )
    other = await oscar.post("/api/v1/collectives", json={"name": "Autre collectif"})
    other_board = await oscar.post(
        f"/api/v1/collectives/{other.json()['id']}/boards", json={"name": "Secret"}
    )
    site.ids.update(
        collective=cid,
        board=board.json()["id"],
        columns=columns,
        card=card.json()["id"],
        other_board=other_board.json()["id"],
    )
    return site.ids


async def test_login_page_brings_you_back_where_you_were_going(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    await site.client("anna")
    context = await browser.new_context(base_url=site.url, locale="fr-FR")
    page = await context.new_page()
    await page.goto(f"/c/{scene['collective']}")
    await expect(page).to_have_url(f"{site.url}/login?next=/c/{scene['collective']}")
    await expect(page.get_by_role("heading", name="Connexion à Essaim")).to_be_visible()
    await screenshot(page, "login")
    await page.get_by_label("Courriel").fill("anna@example.fr")
    await page.get_by_label("Mot de passe").fill("wrong password")
    await page.get_by_role("button", name="Se connecter").click()
    await expect(page.get_by_role("alert")).to_have_text("Courriel ou mot de passe incorrect.")
    await page.get_by_label("Mot de passe").fill("correct horse battery")
    await page.get_by_role("button", name="Se connecter").click()
    await expect(page).to_have_url(f"{site.url}/c/{scene['collective']}")
    await expect(page.get_by_role("heading", name="Rénover ensemble", level=1)).to_be_visible()
    await expect(page.locator("#board-list").get_by_role("link", name="Idées")).to_be_visible()
    await screenshot(page, "collective")
    await context.close()


async def test_a_card_created_by_one_appears_live_for_the_other(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    ctx_a, a, errors_a = await logged_in(browser, site, "anna")
    ctx_b, b, errors_b = await logged_in(browser, site, "marc")
    await a.goto(f"/b/{scene['board']}")
    await b.goto(f"/b/{scene['board']}")
    # Each sees the other arrive on the board.
    await expect(a.locator("#presence .avatar")).to_have_count(2, timeout=WAIT)
    await expect(b.locator("#presence .avatar")).to_have_count(2, timeout=WAIT)

    await a.get_by_role("button", name="Ajouter une fiche — Émergence").click()
    dialog = a.get_by_role("dialog")
    await dialog.get_by_label("Pratique").check()
    await dialog.get_by_label("Titre").fill("Groupement de commandes d'ouate")
    text = dialog.get_by_role("combobox", name=re.compile("^Texte"))  # not the sheet's « Contexte »
    await text.fill("Qui est partant pour **commander ensemble** ?")
    await dialog.get_by_label("Mots-clés").fill("achats, isolation")
    await dialog.get_by_role("button", name="Publier").click()
    await expect(dialog).to_be_hidden()

    card = b.locator(".card", has_text="Groupement de commandes d'ouate")
    await expect(card).to_be_visible(timeout=WAIT)
    await expect(card.locator(".kind-badge")).to_have_text("Pratique")
    await expect(card.locator(".tags li")).to_have_text(["achats", "isolation"])
    await screenshot(b, "board", full_page=False)

    # B comments on the card's page; A, on the same page, sees the comment arrive.
    await card.get_by_role("link").click()
    await b.wait_for_url("**/cards/*")
    await a.goto(b.url.replace(site.url, ""))
    await b.get_by_label("Votre commentaire").fill("Moi ! Il me faut **40 m³**.")
    await b.get_by_role("button", name="Commenter").click()
    comment = a.locator(".comment", has_text="Il me faut 40 m³")
    await expect(comment).to_be_visible(timeout=WAIT)
    await expect(comment.locator("strong")).to_have_text(["marc", "40 m³"])
    # A reaction counts live too.
    await b.get_by_role("button", name="Je l’ai essayé").click()
    await expect(a.get_by_role("button", name="Je l’ai essayé")).to_contain_text("1", timeout=WAIT)
    await screenshot(a, "card")
    assert errors_a == [] and errors_b == []
    await ctx_a.close()
    await ctx_b.close()


async def test_a_dragged_card_moves_for_the_other(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    ctx_a, a, _ = await logged_in(browser, site, "anna")
    ctx_b, b, _ = await logged_in(browser, site, "marc")
    await a.goto(f"/b/{scene['board']}")
    await b.goto(f"/b/{scene['board']}")
    second = scene["columns"][1]
    source = a.locator(".card", has_text="Caméra thermique partagée")
    await source.drag_to(a.locator(f'.card-list[data-column="{second}"]'))
    moved = b.locator(f'.card-list[data-column="{second}"] .card', has_text="Caméra thermique")
    await expect(moved).to_be_visible(timeout=WAIT)
    anna = await site.client("anna")
    stored = (await anna.get(f"/api/v1/cards/{scene['card']}")).json()
    assert stored["column_id"] == second
    await ctx_a.close()
    await ctx_b.close()


async def test_keyboard_alone_creates_and_moves_a_card(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    ctx, page, errors = await logged_in(browser, site, "marc")
    await page.goto(f"/b/{scene['board']}")
    add = page.get_by_role("button", name="Ajouter une fiche — Émergence")
    for _ in range(60):  # Tab through the page until the first "add" button has the focus
        await page.keyboard.press("Tab")
        if await add.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the add-card button cannot be reached with Tab")
    await page.keyboard.press("Enter")
    title = page.get_by_role("dialog").get_by_label("Titre")
    await expect(title).to_be_focused()
    await page.keyboard.type("Fiche créée au clavier")
    await page.keyboard.press("Enter")
    card = page.locator(".card", has_text="Fiche créée au clavier")
    await expect(card).to_be_focused(timeout=WAIT)
    # Space picks it up, → moves it one column right, Space drops it.
    await page.keyboard.press("Space")
    await page.keyboard.press("ArrowRight")
    await page.keyboard.press("Space")
    second = scene["columns"][1]
    await expect(
        page.locator(f'.card-list[data-column="{second}"] .card', has_text="au clavier")
    ).to_be_visible()
    card_id = int(await card.get_attribute("data-id") or 0)
    marc = await site.client("marc")
    for _ in range(50):
        stored = (await marc.get(f"/api/v1/cards/{card_id}")).json()
        if stored["column_id"] == second:
            break
        await page.wait_for_timeout(100)
    assert stored["column_id"] == second
    assert errors == []
    await ctx.close()


async def test_search_finds_the_new_card_as_you_type(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    ctx, page, _ = await logged_in(browser, site, "marc")
    await page.goto("/")
    box = page.get_by_role("combobox", name="Rechercher")
    # Typo and no accent: the French analysis forgives both.
    await box.fill("cameras thermiqe")
    option = page.get_by_role("option").filter(has_text="Caméra thermique partagée")
    await expect(option).to_be_visible(timeout=WAIT)
    await screenshot(page, "search-as-you-type", full_page=False)
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{site.url}/cards/{scene['card']}")
    await page.goto("/search?q=commandes ensemble")
    await expect(page.locator(".result").first).to_contain_text("ouate", timeout=WAIT)
    await expect(page.locator(".result mark").first).to_have_text("commander")
    await expect(page.locator(".facet legend").first).to_be_visible()
    await screenshot(page, "search")
    await ctx.close()


async def test_markdown_is_rendered_and_nothing_unsafe_runs(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    ctx, page, _ = await logged_in(browser, site, "anna")
    await page.goto(f"/cards/{scene['card']}")
    prose = page.locator("#card .prose")
    await expect(prose.locator("strong")).to_have_text("Mutualiser")
    assert await prose.locator("script").count() == 0
    hrefs = await prose.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs == ["https://www.ademe.fr/"]
    assert await page.evaluate("window.pwned === undefined")
    await ctx.close()


async def _wait_for_pdf_viewer(page: Any) -> None:
    """Until one of the page's frames is Chromium's PDF viewer (fails after WAIT ms)."""
    for _ in range(WAIT // 100):
        if any(f.url.startswith(PDF_VIEWER) for f in page.frames):
            return
        await page.wait_for_timeout(100)
    raise AssertionError(f"no PDF viewer among {[f.url for f in page.frames]}")


PDF_VIEWER = "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/"


async def test_a_file_attached_in_the_browser_can_be_previewed_and_downloaded(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    pdf = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.write(pdf)
    ctx, page, errors = await logged_in(browser, site, "marc")
    await page.goto(f"/cards/{scene['card']}")
    await page.get_by_label("Joindre un fichier").set_input_files(
        {"name": "devis-camera.pdf", "mimeType": "application/pdf", "buffer": pdf.getvalue()}
    )
    await page.get_by_role("button", name="Envoyer").click()
    item = page.locator(".attachment", has_text="devis-camera.pdf")
    await expect(item).to_be_visible(timeout=WAIT)
    await item.get_by_text("Aperçu").click()
    frame = item.locator("iframe")
    await expect(frame).to_have_attribute("src", re.compile(r"^/api/v1/attachments/\d+$"))
    # The PDF is served sandboxed (CSP sandbox) and Chromium's viewer still shows it: the
    # preview frame holds the viewer, not an error page nor a download.
    src = await frame.get_attribute("src")
    assert src is not None
    served = await page.request.get(src)
    assert "sandbox" in served.headers["content-security-policy"].split("; ")
    await _wait_for_pdf_viewer(page)
    async with page.expect_download() as download_info:
        await item.get_by_role("link", name="devis-camera.pdf").click()
    download = await download_info.value
    assert download.suggested_filename == "devis-camera.pdf"
    # A file that is not allowed is refused with a clear message, and nothing is attached.
    await page.get_by_label("Joindre un fichier").set_input_files(
        {"name": "outil.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00" * 64}
    )
    await page.get_by_role("button", name="Envoyer").click()
    await expect(page.locator("#attach-form .form-error")).to_have_text(
        "Ce type de fichier n’est pas accepté."
    )
    await expect(page.locator(".attachment")).to_have_count(1)
    assert errors == [] or all("415" in e for e in errors)
    await ctx.close()


async def test_another_collectives_board_is_not_found_by_url(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    ctx, page, _ = await logged_in(browser, site, "marc")
    response = await page.goto(f"/b/{scene['other_board']}")
    assert response is not None and response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Cette page n’existe pas, ou n’est pas partagée avec vous"
    )
    assert "Secret" not in await page.content()
    await ctx.close()


async def test_an_invitation_link_brings_a_new_member_in(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    anna = await site.client("anna")
    invitation = await anna.post(
        f"/api/v1/collectives/{scene['collective']}/invitations", json={"role": "member"}
    )
    url = invitation.json()["url"]
    path = url[url.index("/invitations/") :]
    context = await browser.new_context(base_url=site.url, locale="fr-FR")
    page = await context.new_page()
    await page.goto(path)
    await expect(page.get_by_role("heading", name="Rejoindre « Rénover ensemble »")).to_be_visible()
    await screenshot(page, "invitation")
    await page.get_by_role("link", name="Créer mon compte").click()
    await page.get_by_label("Votre nom").fill("Nadia Menuiserie")
    await page.get_by_label("Courriel").fill("nadia@example.fr")
    await page.get_by_label("Mot de passe").fill("un mot de passe solide")
    await page.get_by_role("button", name="Créer mon compte").click()
    await expect(page).to_have_url(f"{site.url}{path}")
    await page.get_by_role("button", name="Rejoindre le collectif").click()
    await expect(page).to_have_url(f"{site.url}/c/{scene['collective']}")
    await expect(page.locator("#members")).to_contain_text("Nadia Menuiserie")
    # The link served once.
    again = await (await browser.new_context(base_url=site.url)).new_page()
    response = await again.goto(path)
    assert response is not None and response.status == 410
    await context.close()


async def test_the_board_is_usable_at_phone_width(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    ctx, page, errors = await logged_in(
        browser, site, "marc", viewport={"width": 375, "height": 740}, has_touch=True
    )
    await page.goto(f"/b/{scene['board']}")
    await expect(page.locator(".column").first).to_be_visible()
    overflow = await page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 375, "the page itself must not scroll sideways (the board may)"
    card = page.locator(".card", has_text="Caméra thermique")
    box = await card.bounding_box()
    assert box is not None and box["width"] <= 375
    # No dragging on a phone: the move menu does it.
    await card.get_by_role("button", name="Déplacer « Caméra thermique partagée »").click()
    await expect(page.get_by_role("menuitem").first).to_be_visible()
    await screenshot(page, "board-phone", full_page=False)
    await page.keyboard.press("Escape")
    await page.goto(f"/cards/{scene['card']}")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    await screenshot(page, "card-phone")
    assert errors == []
    await ctx.close()


async def test_the_page_catches_up_after_a_server_restart(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    ctx, page, _ = await logged_in(browser, site, "anna")
    await page.goto(f"/b/{scene['board']}")
    await expect(page.locator("body[data-live=online]")).to_be_attached(timeout=WAIT)
    await site.server.stop()
    await expect(page.locator("#connection")).to_contain_text("Hors ligne", timeout=WAIT)
    # Written while the page is cut off (straight into the app, not through the server).
    marc = await site.client("marc")
    for title in ("Pendant la coupure 1", "Pendant la coupure 2"):
        created = await marc.post(f"/api/v1/boards/{scene['board']}/cards", json={"title": title})
        assert created.status_code == 201
    await site.server.restart()
    await expect(page.locator(".card", has_text="Pendant la coupure")).to_have_count(
        2, timeout=30_000
    )
    await expect(page.locator("#connection")).to_be_hidden(timeout=WAIT)
    titles = await page.locator(".card-title").all_inner_texts()
    assert len(titles) == len(set(titles)), "nothing twice"
    await ctx.close()
