"""In Chromium: a practice is written with its sheet in the new-card dialog by keyboard, edited
on its page, its history shows what changed and restores the first version; an animator
validates it for the guide and proposes it for the showcase, its author consents anonymously,
and anyone reads it on /p/<slug>; the collective's page links the guide's PDF — in French and
in English, at desk and phone widths, without serious axe-core violations."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.conftest import join
from tests.support.axe import overflow, serious_violations
from tests.web.conftest import Site, logged_in

pytestmark = pytest.mark.browser
WAIT = 10_000
SHOTS = Path(os.environ.get("ESSAIM_CAPITAL_SHOTS", "/tmp/shots-capital"))
DESK = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 740}
NB = "\u202f"  # French: a narrow no-break space before « : » and inside « »
TITLE = "Mutualiser le camion frigorifique"
FIRST_RESULTS = "Deux livraisons par semaine au lieu de cinq."
NEW_RESULTS = "Trois livraisons par semaine, 40 % de gazole en moins."


@pytest.fixture(scope="module")
async def scene(site: Site) -> dict[str, Any]:
    """anna animates « Fromagers du Vercors »; bea, a member, writes practices on « Pratiques »."""
    anna = await site.client("anna")
    bea = await site.client("bea")
    about = "Des fromagers qui partagent leurs pratiques."
    created = await anna.post(
        "/api/v1/collectives",
        json={"name": "Fromagers du Vercors", "territory": "Vercors", "description": about},
    )
    cid = created.json()["id"]
    await join(anna, bea, cid, "member")
    board = (
        await anna.post(f"/api/v1/collectives/{cid}/boards", json={"name": "Pratiques"})
    ).json()
    site.ids.update(collective=cid, board=board["id"])
    return site.ids


async def test_a_practice_goes_from_its_sheet_to_the_public_showcase(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    context, page, errors = await logged_in(browser, site, "bea", bypass_csp=True)
    await page.goto(f"/b/{scene['board']}")
    add = page.get_by_role("button", name=re.compile("Ajouter une fiche")).first
    await add.focus()
    await page.keyboard.press("Enter")
    dialog = page.locator("#card-dialog")
    await expect(dialog.get_by_label("Titre")).to_be_focused()
    sheet = dialog.locator("details.practice-sheet")
    await expect(sheet).to_be_hidden()  # an idea has no sheet
    # Back to the kinds, the arrow picks « Pratique » (the next one after « Idée »).
    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("ArrowRight")
    await expect(dialog.get_by_role("radio", name="Pratique")).to_be_checked()
    await expect(sheet).to_be_visible()
    await page.keyboard.press("Tab")
    await page.keyboard.type(TITLE)
    await page.keyboard.press("Tab")
    await page.keyboard.type("Un camion pour trois fermes.")
    summary = sheet.locator("summary")
    await expect(summary).to_have_text("Fiche pratique (facultatif)")
    await summary.focus()
    await page.keyboard.press("Enter")
    await expect(sheet.get_by_label("Contexte")).to_be_visible()
    await sheet.get_by_label("Contexte").focus()
    await page.keyboard.type("Trois fermes à moins de 10 km.")
    await sheet.get_by_role("button", name="Ajouter une étape").focus()
    await page.keyboard.press("Enter")
    await expect(sheet.get_by_role("textbox", name="Étape 1", exact=True)).to_be_focused()
    await page.keyboard.type("Fixer une tournée commune")
    await page.keyboard.press("Enter")  # the next step, not the form sent
    await expect(sheet.get_by_role("textbox", name="Étape 2", exact=True)).to_be_focused()
    await page.keyboard.type("Partager les frais au kilomètre")
    # Reorder by keyboard: step 2 up, then back down; the focus follows the step.
    await sheet.get_by_role("button", name="Monter l’étape 2").focus()
    await page.keyboard.press("Enter")
    await expect(sheet.get_by_role("textbox", name="Étape 1", exact=True)).to_have_value(
        "Partager les frais au kilomètre"
    )
    await expect(sheet.get_by_role("button", name="Descendre l’étape 1")).to_be_focused()
    await expect(sheet.locator("[role=status]")).to_have_text("L’étape 2 est maintenant l’étape 1.")
    await page.keyboard.press("Enter")
    await expect(sheet.get_by_role("textbox", name="Étape 1", exact=True)).to_have_value(
        "Fixer une tournée commune"
    )
    await sheet.get_by_label("Résultats et indicateurs").focus()
    await page.keyboard.type(FIRST_RESULTS)
    await dialog.get_by_role("button", name="Publier").focus()
    await page.keyboard.press("Enter")
    await expect(dialog).to_be_hidden()
    tile = page.locator(".card", has_text=TITLE)
    await expect(tile).to_be_visible(timeout=WAIT)
    card_id = int(await tile.get_attribute("data-id") or 0)
    bea = await site.client("bea")
    posted = (await bea.get(f"/api/v1/cards/{card_id}")).json()
    assert posted["kind"] == "practice"
    assert posted["practice"] == {
        "context": "Trois fermes à moins de 10 km.",
        "steps": ["Fixer une tournée commune", "Partager les frais au kilomètre"],
        "results": FIRST_RESULTS,
    }
    scene["practice"] = card_id

    # Its page shows the sheet; the author edits its results.
    await page.goto(f"/cards/{card_id}")
    shown = page.get_by_role("region", name="Fiche pratique")
    await expect(shown.get_by_role("heading", name="Démarche")).to_be_visible()
    await expect(shown.locator("ol li")).to_have_text(
        ["Fixer une tournée commune", "Partager les frais au kilomètre"]
    )
    await expect(page.locator(".tried-by")).to_contain_text("Personne n’a encore dit")
    history = page.get_by_role("button", name=re.compile("^Historique"))
    await expect(history).to_have_text("Historique (1 version)", timeout=WAIT)
    await page.locator("#card").get_by_role("button", name="Modifier").click()
    results = page.locator("#card form").get_by_label("Résultats et indicateurs")
    await expect(results).to_have_value(FIRST_RESULTS)  # the sheet opens with what it has
    await results.fill(NEW_RESULTS)
    await page.locator("#card form").get_by_role("button", name="Enregistrer").click()
    await expect(shown).to_contain_text(NEW_RESULTS, timeout=WAIT)
    await expect(history).to_have_text("Historique (2 versions)", timeout=WAIT)

    # The history: what changed, as a diff, then the first version restored.
    await history.focus()
    await page.keyboard.press("Enter")
    panel = page.get_by_role("dialog", name="Historique de la fiche")
    await expect(panel).to_be_visible()
    await expect(panel.get_by_role("button", name="Fermer")).to_be_focused()
    newest = panel.locator(".version").first
    await expect(newest).to_contain_text(f"Modifié{NB}: résultats et indicateurs", timeout=WAIT)
    await expect(newest.locator(".diff-line.add")).to_contain_text(NEW_RESULTS)
    await expect(newest.locator(".diff-line.del")).to_contain_text(FIRST_RESULTS)
    await expect(newest.locator(".diff-line.add .diff-sign")).to_have_text("+")
    await expect(newest.locator(".diff-line.del .diff-sign")).to_have_text("−")
    await expect(newest.locator(".diff-summary")).to_have_text("1 ligne ajoutée, 1 ligne retirée")
    await expect(newest.get_by_role("button", name=re.compile("Restaurer"))).to_have_count(0)
    assert await serious_violations(page) == [], "history"
    first = panel.locator(".version").last
    await expect(first).to_contain_text("Création de la fiche")
    await first.get_by_role("button", name=re.compile("^Restaurer cette version")).click()
    confirm = page.get_by_role("dialog", name=f"Restaurer la version 1{NB}?")
    await expect(confirm).to_be_visible()
    await expect(confirm.get_by_role("button", name="Annuler")).to_be_focused()
    await confirm.get_by_role("button", name="Restaurer cette version").click()
    await expect(confirm).to_be_hidden()
    await expect(panel).to_be_hidden()
    await expect(shown).to_contain_text(FIRST_RESULTS, timeout=WAIT)
    await expect(shown).not_to_contain_text(NEW_RESULTS)
    await expect(history).to_have_text("Historique (3 versions)", timeout=WAIT)
    await expect(history).to_be_focused()
    await expect(page.locator("#showcase")).to_be_hidden()  # not in the guide yet
    assert errors == []

    # The animator validates it for the guide and proposes it for the showcase.
    animator, apage, anna_errors = await logged_in(browser, site, "anna")
    await apage.goto(f"/cards/{card_id}")
    section = apage.locator("#showcase")
    await expect(section).to_contain_text("Pas encore dans le guide des pratiques.")
    await section.get_by_role("button", name="Valider pour le guide").click()
    await expect(section).to_contain_text("Dans le guide depuis le", timeout=WAIT)
    await expect(section.get_by_role("button", name="Retirer du guide")).to_be_focused()
    await section.get_by_role("button", name="Montrer sur la vitrine publique").click()
    await expect(section).to_contain_text("Proposée pour la vitrine publique.", timeout=WAIT)
    await expect(section).to_contain_text("Rien n’est montré avant l’accord de son auteur")
    assert anna_errors == []

    # Its author, from the notification's link, consents to be shown anonymously.
    await page.goto(f"/b/{scene['board']}")
    await page.goto(f"/cards/{card_id}#showcase")
    consent = page.get_by_role("group", name=f"Montrer ma fiche sur la vitrine publique{NB}?")
    await expect(consent).to_be_visible(timeout=WAIT)
    await expect(consent.get_by_role("radio", name="Ne pas montrer")).to_be_checked()
    await expect(consent).to_contain_text("moteurs de recherche compris")
    await consent.get_by_role("radio", name="Anonymement").check()
    await page.get_by_role("button", name="Enregistrer mon choix").click()
    link = page.locator("#showcase .showcase-state a")
    await expect(link).to_be_visible(timeout=WAIT)
    await expect(page.locator("#showcase")).to_contain_text(f"Visible sur la vitrine{NB}:")
    url = await link.get_attribute("href") or ""
    slug = url.split("/")[2]
    scene["slug"] = slug
    assert url == f"/p/{slug}/fiches/{card_id}"

    # Anyone, without an account, reads it there, under « Anonyme ».
    stranger = await browser.new_context(base_url=site.url, locale="fr-FR")
    public = await stranger.new_page()
    await public.goto(f"/p/{slug}")
    item = public.locator(".showcase-item", has_text=TITLE)
    await expect(item).to_be_visible()
    await expect(item).to_contain_text("Par Anonyme")
    await expect(public.locator("body")).not_to_contain_text("bea")
    await item.get_by_role("link", name=TITLE).click()
    await expect(public.locator("main ol li")).to_have_text(
        ["Fixer une tournée commune", "Partager les frais au kilomètre"]
    )
    await stranger.close()

    # The collective's page: the guide's downloads, the showcase's address, the licence.
    await apage.goto(f"/c/{scene['collective']}")
    guide = apage.get_by_role("region", name="Guide des pratiques")
    pdf = guide.get_by_role("link", name="Télécharger le guide (PDF)")
    href = await pdf.get_attribute("href") or ""
    answer = await animator.request.get(href)
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("application/pdf")
    assert (await answer.body()).startswith(b"%PDF")
    await expect(guide.get_by_role("link", name=f"/p/{slug}")).to_be_visible(timeout=WAIT)
    await expect(guide).to_contain_text("(1 pratique montrée)")
    await expect(guide).to_contain_text("Rien n’attend de validation.")
    await guide.get_by_label("Licence du guide").select_option("CC-BY-4.0")
    await guide.get_by_role("button", name="Enregistrer la licence").click()
    await expect(guide.locator("#guide-licence [role=status]")).to_contain_text(
        "Licence enregistrée", timeout=WAIT
    )
    anna = await site.client("anna")
    view = (await anna.get(f"/api/v1/collectives/{scene['collective']}")).json()
    assert view["licence"] == "CC-BY-4.0"
    assert errors == []
    assert anna_errors == []
    await animator.close()
    await context.close()


async def test_a_practice_waiting_in_a_capitalised_column_is_listed_for_the_animators(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    anna = await site.client("anna")
    bea = await site.client("bea")
    column = await anna.post(
        f"/api/v1/boards/{scene['board']}/columns", json={"name": "Capitalisée"}
    )
    assert column.status_code == 201, column.text
    posted = await bea.post(
        f"/api/v1/boards/{scene['board']}/cards",
        json={"kind": "practice", "title": "Compostage partagé du petit-lait", "practice": {}},
    )
    card = posted.json()
    moved = await bea.patch(
        f"/api/v1/cards/{card['id']}",
        json={"version": card["version"], "column_id": column.json()["id"], "position": 0},
    )
    assert moved.status_code == 200, moved.text
    context, page, errors = await logged_in(browser, site, "anna")
    await page.goto(f"/c/{scene['collective']}")
    pending = page.locator("#guide-pending")
    await expect(pending).to_contain_text("1 pratique en attente de validation", timeout=WAIT)
    await pending.get_by_role("link", name="Compostage partagé du petit-lait").click()
    await expect(page).to_have_url(re.compile(rf"/cards/{card['id']}$"))
    await expect(
        page.locator("#showcase").get_by_role("button", name="Valider pour le guide")
    ).to_be_visible()
    assert errors == []
    await context.close()


async def shoot(page: Any, name: str, target: Any = None) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SHOTS / f"{name}.png")
    if target is None:
        await page.screenshot(path=path, full_page=True)
        return
    await target.screenshot(path=path)


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
    if "slug" not in scene:
        pytest.skip("the practice's journey did not reach the showcase")
    english = language == "en"
    card_id, slug = scene["practice"], scene["slug"]
    await speak(site, "bea", language)
    try:
        for width, size in (("1280", DESK), ("375", PHONE)):
            context, page, errors = await logged_in(
                browser, site, "bea", viewport=size, bypass_csp=True
            )
            await page.goto(f"/cards/{card_id}")
            sheet = page.get_by_role(
                "region", name="Practice sheet" if english else "Fiche pratique"
            )
            await expect(sheet).to_be_visible()
            await expect(page.locator("#showcase .showcase-state a")).to_be_visible(timeout=WAIT)
            await check(page, f"card {language} {width}")
            await shoot(page, f"{language}-{width}-card")
            await (
                page.locator("#card")
                .get_by_role("button", name="Edit" if english else "Modifier")
                .click()
            )
            await expect(page.locator("#card form details.practice-sheet")).to_be_visible()
            await check(page, f"editor {language} {width}")
            await shoot(page, f"{language}-{width}-editor", page.locator("#card"))
            await (
                page.locator("#card form")
                .get_by_role("button", name="Cancel" if english else "Annuler")
                .click()
            )
            history = "History" if english else "Historique"
            await page.get_by_role("button", name=re.compile(f"^{history} \\(")).click()
            panel = page.locator("#history-dialog")
            await expect(panel.locator(".version").first).to_be_visible(timeout=WAIT)
            await check(page, f"history {language} {width}")
            await shoot(page, f"{language}-{width}-history", panel)
            await page.keyboard.press("Escape")

            public = await context.new_page()
            await public.goto(f"/p/{slug}")
            await expect(public.locator(".showcase-item").first).to_be_visible()
            await check(public, f"showcase {language} {width}")
            await shoot(public, f"{language}-{width}-showcase")
            await public.locator(".showcase-item a").first.click()
            await expect(public.locator("main ol li").first).to_be_visible()
            await check(public, f"showcase practice {language} {width}")
            await shoot(public, f"{language}-{width}-showcase-practice")
            await public.close()
            assert errors == []
            await context.close()
    finally:
        await speak(site, "bea", "fr")
    await speak(site, "anna", language)
    try:
        for width, size in (("1280", DESK), ("375", PHONE)):
            context, page, errors = await logged_in(
                browser, site, "anna", viewport=size, bypass_csp=True
            )
            await page.goto(f"/c/{scene['collective']}")
            guide = page.locator("#guide")
            await expect(guide.locator("#showcase-link")).to_be_visible(timeout=WAIT)
            await check(page, f"collective {language} {width}")
            await shoot(page, f"{language}-{width}-guide", guide)
            assert errors == []
            await context.close()
    finally:
        await speak(site, "anna", "fr")
