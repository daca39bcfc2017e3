"""The individual phase in Debian's Chromium: an animator diagnoses a member's company on the
page (answers saved as they are given, through a conflict and a lost network), finishes it,
reads its radar and table, writes its action plan with a practice the collective shared; with
five companies diagnosed the needs page turns a theme into a workshop that starts on its
board. Who else may look: the company reads it, anyone else gets the not-found page, an
observer the needs only. And every new screen holds at 375 and 1280 px and passes axe-core."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.async_api import expect

from tests.conftest import ApiClient, join
from tests.support.axe import overflow, serious_violations
from tests.support.companies import company_member, diagnose
from tests.support.diagnostics import SCALES, ok
from tests.web.conftest import Site, logged_in, screenshot

pytestmark = pytest.mark.browser
WAIT = 10_000  # ms
API = "/api/v1"
TEMPLATE_NAME = "Diagnostic 360° TPE/PME"
PRACTICE = "Un fichier de prospection partagé entre artisans"
# The level given to each scale question on the page, in the template's order.
LEVELS = [2, 1, 3, 2, 1, 2, 1, 3, 2, 1, 2]
OTHERS = {
    "bruno": ("Plâtrerie Bruno", [1, 2]),
    "carla": ("Carla Couverture", [2, 1]),
    "denis": ("Denis Électricité", [1, 1, 2]),
    "emma": ("Ébénisterie Emma", [2, 3]),
}


@pytest.fixture
async def contexts() -> AsyncIterator[list[Any]]:
    """The browser contexts a test opens, closed at its end, pass or fail."""
    opened: list[Any] = []
    yield opened
    for context in opened:
        await context.close()


async def open_as(
    browser: Any, site: Site, contexts: list[Any], name: str, **options: Any
) -> tuple[Any, list[str]]:
    context, page, errors = await logged_in(browser, site, name, **options)
    contexts.append(context)
    return page, errors


async def collective(site: Site, name: str) -> int:
    anna = await site.client("anna")
    created = await ok(await anna.post(f"{API}/collectives", json={"name": name}), 201)
    return int(created["id"])


async def member_of(site: Site, cid: int, name: str, organisation: str) -> ApiClient:
    return await company_member(
        await site.client("anna"), await site.client(name), cid, organisation
    )


async def practice_card(site: Site, cid: int) -> dict[str, Any]:
    anna = await site.client("anna")
    board = await ok(
        await anna.post(
            f"{API}/collectives/{cid}/boards", json={"name": "Nos pratiques", "kind": "practices"}
        ),
        201,
    )
    card: dict[str, Any] = await ok(
        await anna.post(
            f"{API}/boards/{board['id']}/cards",
            json={
                "title": PRACTICE,
                "kind": "practice",
                "body": "Un tableur commun des prospects, relancés chaque mois.",
            },
        ),
        201,
    )
    await site.app.state.search.indexer.drain()
    return card


def unexpected(errors: list[str]) -> list[str]:
    """The page's script errors, but for the failed requests this test provokes (a conflict,
    an unfinished diagnostic, the network off)."""
    provoked = ("status of 409", "status of 422", "ERR_INTERNET_DISCONNECTED")
    return [e for e in errors if not any(p in e for p in provoked)]


def question(page: Any, qid: str) -> Any:
    return page.locator(f'[data-question="{qid}"]')


async def saved(page: Any) -> None:
    await expect(page.locator("#save-status")).to_have_text("Enregistré", timeout=WAIT)


async def answers_of(site: Site, diagnostic_id: int) -> dict[str, Any]:
    fresh = await ok(await (await site.client("anna")).get(f"{API}/diagnostics/{diagnostic_id}"))
    found: dict[str, Any] = fresh["answers"]
    return found


# --- the whole individual phase --------------------------------------------------------------


async def test_an_animator_runs_a_diagnostic_with_a_member(
    browser: Any, site: Site, contexts: list[Any]
) -> None:
    cid = await collective(site, "Artisans du Vercors")
    await member_of(site, cid, "marc", "Menuiserie Roux")
    julie = await member_of(site, cid, "julie", "menuiserie roux ")  # the same company
    await member_of(site, cid, "lea", "Plâtrerie Léa")
    card = await practice_card(site, cid)
    page, errors = await open_as(browser, site, contexts, "anna")

    # From the collective's page to its diagnostics, and a new one for Marc's company.
    await page.goto(f"/c/{cid}")
    await page.get_by_role("link", name="Diagnostics", exact=True).click()
    await page.wait_for_url(f"**/c/{cid}/diagnostics")
    await expect(page.locator("#diagnostic-list")).to_contain_text("Aucun diagnostic")
    await page.get_by_role("button", name="Nouveau diagnostic").click()
    dialog = page.get_by_role("dialog", name="Nouveau diagnostic")
    await expect(dialog.get_by_label("Modèle")).to_have_value("tpe-pme-360")
    await expect(dialog.locator("#dd-template-help")).to_contain_text("11 thèmes")
    await dialog.get_by_label("Entreprise (le membre diagnostiqué)").select_option(
        label="marc — Menuiserie Roux"
    )
    people = dialog.get_by_role("group", name="Les personnes de l’entreprise")
    await expect(people.get_by_role("checkbox", name=re.compile("^julie"))).to_be_checked()
    await expect(people.get_by_role("checkbox", name=re.compile("^lea"))).not_to_be_checked()
    await dialog.get_by_role("button", name="Commencer le diagnostic").click()
    await page.wait_for_url(re.compile(r".*/d/\d+$"))
    did = int(page.url.rsplit("/", 1)[1])
    await expect(page.get_by_role("heading", level=1)).to_have_text("Menuiserie Roux")
    await expect(page.locator("#diagnostic-state")).to_contain_text("Brouillon")
    await expect(page.locator("#diagnostic-state")).to_contain_text("marc, julie")

    # Answers on the page: a level per scale question (its meaning shown), a number, a
    # yes/no, a text; each saved as it is given.
    first = question(page, SCALES[0])
    await expect(first.get_by_role("radio")).to_have_count(4)
    await expect(first.get_by_label(re.compile("^Niveau 1 sur 4"))).to_have_accessible_name(
        "Niveau 1 sur 4 Au hasard des demandes, sans démarche"
    )
    for qid, level in zip(SCALES, LEVELS, strict=True):
        await question(page, qid).get_by_label(re.compile(f"^Niveau {level} sur 4")).check()
    await question(page, "commercial.clients").get_by_role("spinbutton").fill("35")
    await question(page, "marketing.site").get_by_label("Oui").check()
    await question(page, "qualite.labels").get_by_role("textbox").fill("Qualibat RGE")
    await saved(page)
    stored = await answers_of(site, did)
    assert {q: stored.get(q) for q in SCALES} == dict(zip(SCALES, LEVELS, strict=True))
    assert stored["commercial.clients"] == 35
    assert stored["marketing.site"] is True
    assert stored["qualite.labels"] == "Qualibat RGE"

    # Someone else saves meanwhile (another animator's tab): the page's next answer meets a
    # 409, takes the current diagnostic, says so, and saves its own on top: nothing is lost.
    anna = await site.client("anna")
    current = await ok(await anna.get(f"{API}/diagnostics/{did}"))
    await ok(
        await anna.patch(
            f"{API}/diagnostics/{did}",
            json={"version": current["version"], "answers": {"rh.effectif": 6}},
        )
    )
    await question(page, "export.maturite").get_by_label(re.compile("^Niveau 2 sur 4")).check()
    await expect(page.locator("#toasts")).to_contain_text(
        "Quelqu’un d’autre a enregistré ce diagnostic entre-temps", timeout=WAIT
    )
    await saved(page)
    await expect(question(page, "rh.effectif").get_by_role("spinbutton")).to_have_value("6")
    stored = await answers_of(site, did)
    assert stored["export.maturite"] == 2 and stored["rh.effectif"] == 6

    # The network drops: the answer waits, the page says so, and goes once it is back.
    await page.context.set_offline(True)
    await question(page, "qualite.labels").get_by_role("textbox").fill("Qualibat RGE, Eco Artisan")
    await expect(page.locator("#save-status")).to_have_text(
        "Hors ligne : vos réponses seront envoyées", timeout=WAIT
    )
    await page.context.set_offline(False)
    await saved(page)
    assert (await answers_of(site, did))["qualite.labels"] == "Qualibat RGE, Eco Artisan"

    # The server unreachable and the tab reloaded: the answer kept on the device goes then.
    async def unreachable(route: Any) -> None:
        patch = route.request.method == "PATCH"
        await (route.abort("internetdisconnected") if patch else route.continue_())

    patch_url = re.compile(rf".*/api/v1/diagnostics/{did}$")
    await page.route(patch_url, unreachable)
    await question(page, "rh.effectif").get_by_role("spinbutton").fill("7")
    await expect(page.locator("#save-status")).to_have_text(
        "Hors ligne : vos réponses seront envoyées", timeout=WAIT
    )
    assert (await answers_of(site, did))["rh.effectif"] == 6
    await page.unroute(patch_url, unreachable)
    page.on("dialog", lambda dialog: dialog.accept())  # « leave with unsaved answers? »
    await page.reload()
    await expect(page.locator("#toasts")).to_contain_text(
        "1 réponse non envoyée la dernière fois part maintenant."
    )
    await saved(page)
    await expect(question(page, "rh.effectif").get_by_role("spinbutton")).to_have_value("7")
    assert (await answers_of(site, did))["rh.effectif"] == 7

    # The radar and the same figures as a table; the median waits for five companies.
    radar = page.locator("#radar")
    await expect(radar).to_have_attribute("alt", re.compile("les chiffres sont dans le tableau"))
    await page.wait_for_function(
        "() => { const img = document.getElementById('radar');"
        " return img.complete && img.naturalWidth === 760; }"
    )
    table = page.get_by_role("table", name="Maturité par thème")
    await expect(table.locator("tbody tr")).to_have_count(11)
    await expect(table.get_by_role("row", name=re.compile("^Commercial"))).to_contain_text("33")
    await expect(table.get_by_role("columnheader")).to_have_count(2)
    await expect(page.locator("#median-note")).to_contain_text("dès que cinq entreprises")
    await screenshot(page, "diagnostic-draft-fr-1280")

    # Finishing with a level cleared: refused, the question named and focused.
    await question(page, "rd.moyens").get_by_role("button", name=re.compile("^Effacer")).click()
    await saved(page)
    await page.get_by_role("button", name="Terminer le diagnostic").click()
    await expect(page.locator("#finish-error")).to_have_text(
        "1 question de niveau n’a pas encore de réponse."
    )
    await expect(question(page, "rd.moyens").get_by_role("radio").first).to_be_focused()
    await expect(question(page, "rd.moyens")).to_contain_text("Pas encore de réponse")
    await question(page, "rd.moyens").get_by_label(re.compile("^Niveau 1 sur 4")).check()
    await page.get_by_role("button", name="Terminer le diagnostic").click()
    await expect(page.locator("#diagnostic-state")).to_contain_text("Terminé le", timeout=WAIT)
    await expect(page.get_by_role("button", name="Rouvrir le diagnostic")).to_be_focused()
    await expect(page.get_by_role("radio")).to_have_count(0)  # read, no longer answered
    await expect(question(page, "commercial.prospection")).to_contain_text(
        "Niveau 2 sur 4 — Quelques actions ponctuelles"
    )

    # Exports: the links, and what they give.
    for name, fmt in (("PDF", "pdf"), ("Version imprimable", "html"), ("JSON", "json")):
        link = page.get_by_role("link", name=name, exact=True)
        await expect(link).to_have_attribute("href", f"{API}/diagnostics/{did}/export?format={fmt}")
    exported = await page.context.request.get(f"{API}/diagnostics/{did}/export?format=json")
    assert exported.ok and json.loads(await exported.text())["status"] == "done"
    printable = await page.context.request.get(f"{API}/diagnostics/{did}/export?format=html")
    assert printable.ok and "Menuiserie Roux" in await printable.text()

    # The plan: three actions; the first finds the practice the collective shared, linked in
    # one click; a status changed in place, once after someone else changed the action.
    await page.get_by_role("button", name="Ajouter une action").click()
    form = page.locator("#new-action")
    due = (date.today() + timedelta(days=30)).isoformat()
    plan = [
        ("Monter un fichier de prospection", "Commercial", "marc"),
        ("Préparer un premier salon à l’export", "Export", "julie"),
        ("Former l’équipe aux outils numériques", "Numérique", "anna"),
    ]
    for title, theme, owner in plan:
        await form.get_by_label("Action", exact=True).fill(title)
        await form.get_by_label("Thème").select_option(label=theme)
        await form.get_by_label("Responsable").select_option(label=owner)
        await form.get_by_label("Échéance").fill(due)
        await form.get_by_role("button", name="Ajouter l’action").click()
        await expect(page.locator("#action-list .action-item", has_text=title)).to_have_count(1)
        await expect(form.get_by_label("Action", exact=True)).to_be_focused()
    first_action = page.locator("#action-list .action-item", has_text=plan[0][0])
    help_box = first_action.get_by_role(
        "region", name="Pratiques et documents du collectif qui peuvent aider"
    )
    await expect(help_box.get_by_role("link", name=PRACTICE)).to_have_attribute(
        "href", f"/cards/{card['id']}"
    )
    await screenshot(page, "diagnostic-plan-fr-1280")
    await help_box.get_by_role("button", name=f"Lier à l’action — {PRACTICE}").click()
    linked = first_action.locator(".action-cards").get_by_role("link", name=PRACTICE)
    await expect(linked).to_be_focused()
    await expect(help_box).to_contain_text("Toutes les suggestions sont liées à cette action.")
    plan_now = await ok(await anna.get(f"{API}/diagnostics/{did}/actions"))
    actions = {a["title"]: a for a in plan_now["actions"]}
    assert set(actions) == {title for title, _, _ in plan}
    assert actions[plan[0][0]]["card_ids"] == [card["id"]]
    assert actions[plan[1][0]]["owner"]["display_name"] == "julie"

    second = actions[plan[1][0]]
    await ok(
        await julie.patch(
            f"{API}/actions/{second['id']}",
            json={"version": second["version"], "notes": "Avec la CCI"},
        )
    )
    status = page.get_by_label(f"Statut — {plan[1][0]}")
    await status.select_option(label="En cours")
    await expect(page.locator("#toasts")).to_contain_text(
        "Quelqu’un d’autre a modifié cette action entre-temps", timeout=WAIT
    )
    row = page.locator("#action-list .action-item", has_text=plan[1][0])
    await expect(row.locator(".status-pill")).to_have_text("En cours", timeout=WAIT)
    await expect(row).to_contain_text("Avec la CCI")
    after = await ok(await anna.get(f"{API}/diagnostics/{did}/actions"))
    changed = next(a for a in after["actions"] if a["id"] == second["id"])
    assert changed["status"] == "doing" and changed["notes"] == "Avec la CCI"

    # The needs: one company diagnosed says how many and waits for five.
    await page.goto(f"/c/{cid}/needs")
    await expect(page.locator("#needs-summary")).to_have_text(
        f"1 entreprise diagnostiquée avec « {TEMPLATE_NAME} ». Les besoins s’affichent à"
        " partir de 5 entreprises, pour qu’aucun chiffre ne soit celui d’une seule."
    )
    await expect(page.locator("#needs")).to_have_text(
        "Encore 4 entreprises à diagnostiquer avant que les besoins s’affichent."
    )
    for name, (organisation, levels) in OTHERS.items():
        other = await member_of(site, cid, name, organisation)
        await diagnose(anna, cid, other.id, levels)

    # Five: the themes, weakest first; a workshop from one of them, and its board.
    await page.reload()
    table = page.get_by_role("table", name="Besoins par thème")
    await expect(table.locator("tbody tr")).to_have_count(11)
    await expect(page.locator("#needs-summary")).to_contain_text("5 entreprises diagnostiquées")
    needs = await ok(await anna.get(f"{API}/collectives/{cid}/needs"))
    top = needs["themes"][0]
    first_row = table.locator("tbody tr").first
    await expect(first_row.get_by_role("rowheader")).to_have_text(top["title"])
    await expect(first_row).to_contain_text(f"{top['weak']} sur {top['companies']}")
    await screenshot(page, "needs-animator-fr-1280")
    await first_row.get_by_role("button", name=f"Créer un atelier sur {top['title']}").click()
    step = page.get_by_role("dialog", name=f"Un atelier sur {top['title']}")
    held_on = (date.today() + timedelta(days=14)).isoformat()
    await step.get_by_label("Date de la rencontre").fill(held_on)
    await step.get_by_role("button", name="Créer l’atelier").click()
    await expect(step.get_by_role("heading", name="Atelier créé")).to_be_focused()
    meetings = await ok(await anna.get(f"{API}/collectives/{cid}/meetings"))
    meeting = next(m for m in meetings["meetings"] if m["title"].startswith("Atelier "))
    assert meeting["held_on"] == held_on
    await expect(step).to_contain_text(f"« {meeting['title']} » est prévu, avec son tableau.")
    await step.get_by_role("link", name="Ouvrir le tableau").click()
    await page.wait_for_url(re.compile(rf".*/b/\d+\?meeting={meeting['id']}$"))
    board_id = int(page.url.split("/b/")[1].split("?")[0])
    await expect(page.locator(".card.kind-question")).to_contain_text("Comment progresser")

    # The animator starts the live workshop there: it is held as that meeting.
    await page.get_by_role("button", name="Lancer un atelier").click()
    start = page.get_by_role("dialog", name="Lancer un atelier")
    await expect(start.locator("#wf-meeting")).to_contain_text(
        f"Tenu comme la rencontre « {meeting['title']} »"
    )
    await expect(start.get_by_label("Titre")).to_have_value(meeting["title"])
    await start.get_by_role("button", name="Lancer l’atelier").click()
    await expect(page.locator("#workshop-bar")).to_be_visible(timeout=WAIT)
    running = await ok(await anna.get(f"{API}/boards/{board_id}/workshop"))
    assert running["workshop"]["meeting_id"] == meeting["id"], running
    assert unexpected(errors) == [], errors


# --- who else may look -----------------------------------------------------------------------


@pytest.fixture(scope="module")
async def five(site: Site) -> dict[str, Any]:
    """A collective with five companies diagnosed (Marc's with a colleague, Julie), another
    member's company not diagnosed (Léa's), an observer, and an action in Marc's plan."""
    cid = await collective(site, "Rénovation Diois")
    anna = await site.client("anna")
    marc = await member_of(site, cid, "marc", "Menuiserie Roux")
    julie = await member_of(site, cid, "julie", "Menuiserie Roux")
    await member_of(site, cid, "lea", "Plâtrerie Léa")
    await join(anna, await site.client("olga"), cid, "observer")
    diagnostic = await diagnose(anna, cid, marc.id, [2, 1, 3], colleagues=[julie.id])
    for name, (organisation, levels) in OTHERS.items():
        other = await member_of(site, cid, name, organisation)
        await diagnose(anna, cid, other.id, levels)
    await practice_card(site, cid)
    for title in ("Relancer les anciens clients", "Tenir un fichier de prospection"):
        await ok(
            await marc.post(
                f"{API}/diagnostics/{diagnostic['id']}/actions",
                json={"title": title, "theme_id": "commercial"},
            ),
            201,
        )
    return {"collective": cid, "diagnostic": diagnostic["id"]}


async def test_the_company_reads_its_diagnostic_and_nobody_else_sees_it(
    browser: Any, site: Site, five: dict[str, Any], contexts: list[Any]
) -> None:
    cid, did = five["collective"], five["diagnostic"]
    for name in ("marc", "julie"):
        page, errors = await open_as(browser, site, contexts, name)
        await page.goto(f"/c/{cid}")
        await page.get_by_role("link", name="Notre diagnostic et plan d’action").click()
        await page.get_by_role("link", name=re.compile("^Menuiserie Roux")).click()
        await page.wait_for_url(f"**/d/{did}")
        await expect(page.get_by_role("radio")).to_have_count(0)
        await expect(page.get_by_role("button", name="Terminer le diagnostic")).to_be_hidden()
        await expect(question(page, "export.maturite")).to_contain_text("Niveau 1 sur 4")
        await expect(page.get_by_role("table", name="Maturité par thème")).to_be_visible()
        # Five companies: the collective's median shows beside the company's figures.
        table = page.get_by_role("table", name="Maturité par thème")
        await expect(table.get_by_role("columnheader")).to_have_count(3)
        await expect(page.locator("#action-list")).to_contain_text("Relancer les anciens clients")
        assert errors == [], (name, errors)

    # Another member of the collective, the observer: the not-found page, as an outsider.
    for name in ("lea", "olga", "oscar"):
        page, _ = await open_as(browser, site, contexts, name)
        response = await page.goto(f"/d/{did}")
        assert response is not None and response.status == 404, name
        await expect(page.get_by_role("heading", level=1)).to_have_text(
            "Cette page n’existe pas, ou n’est pas partagée avec vous"
        )
        await expect(page.locator("main")).not_to_contain_text("Menuiserie Roux")

    # The observer reads the needs (aggregates), creates nothing, lists no diagnostic.
    page, errors = await open_as(browser, site, contexts, "olga")
    await page.goto(f"/c/{cid}")
    await page.get_by_role("link", name="Besoins du collectif").click()
    await page.wait_for_url(f"**/c/{cid}/needs")
    needs = page.get_by_role("table", name="Besoins par thème")
    await expect(needs.locator("tbody tr")).to_have_count(11)
    await expect(page.get_by_role("button", name=re.compile("^Créer un atelier"))).to_have_count(0)
    await expect(page.locator("main")).not_to_contain_text("Menuiserie Roux")
    assert errors == [], errors
    response = await page.goto(f"/c/{cid}/diagnostics")
    assert response is not None and response.status == 403


# --- every screen at both widths -------------------------------------------------------------


async def speak(site: Site, language: str, *names: str) -> None:
    for name in names:
        await ok(await (await site.client(name)).patch(f"{API}/me", json={"language": language}))


async def check_screen(page: Any, name: str) -> None:
    """A screenshot to look at; no sideways scroll, no serious axe-core violation."""
    await screenshot(page, name, full_page=False)
    assert await overflow(page) == 0, f"{name} scrolls sideways"
    assert await serious_violations(page) == [], name


async def test_every_diagnostic_screen_fits_both_widths_and_passes_axe(
    browser: Any, site: Site, five: dict[str, Any], contexts: list[Any]
) -> None:
    cid, did = five["collective"], five["diagnostic"]
    anna = await site.client("anna")
    lea = await site.client("lea")
    draft = await ok(
        await anna.post(
            f"{API}/collectives/{cid}/diagnostics",
            json={"template_id": "tpe-pme-360", "member_id": lea.id},
        ),
        201,
    )
    await ok(
        await anna.patch(
            f"{API}/diagnostics/{draft['id']}",
            json={"version": 1, "answers": {"commercial.prospection": 2, "rh.effectif": 4}},
        )
    )
    screens = [
        ("anna", f"/c/{cid}/diagnostics", "diagnostics", "#diagnostic-list li"),
        ("anna", f"/d/{draft['id']}", "diagnostic-draft", "#answers fieldset"),
        ("anna", f"/d/{did}", "diagnostic-done", "#action-list .action-item"),
        ("marc", f"/d/{did}", "diagnostic-company", "#action-list .action-item"),
        ("anna", f"/c/{cid}/needs", "needs-animator", ".needs-table tbody tr"),
        ("olga", f"/c/{cid}/needs", "needs-observer", ".needs-table tbody tr"),
    ]
    try:
        for lang, locale in (("fr", "fr-FR"), ("en", "en-GB")):
            await speak(site, lang, "anna", "marc", "olga")
            for width in (375, 1280):
                size = {"width": width, "height": 812 if width == 375 else 800}
                for who, path, name, ready in screens:
                    page, errors = await open_as(
                        browser, site, contexts, who, locale=locale, viewport=size, bypass_csp=True
                    )
                    await page.goto(path)
                    await expect(page.locator(ready).first).to_be_visible()
                    await check_screen(page, f"{name}-{lang}-{width}")
                    if name == "diagnostics":
                        await page.locator("#new-diagnostic").click()
                        await expect(page.locator("#dd-people label").first).to_be_visible()
                        await check_screen(page, f"{name}-dialog-{lang}-{width}")
                    if name == "diagnostic-draft":
                        await page.locator("#plan-title").scroll_into_view_if_needed()
                        await page.locator("[aria-controls=new-action]").click()
                        await check_screen(page, f"{name}-plan-{lang}-{width}")
                    if name == "diagnostic-company":
                        await page.locator("#maturity-title").scroll_into_view_if_needed()
                        await check_screen(page, f"{name}-radar-{lang}-{width}")
                        prospection = page.locator(".action-item", has_text="prospection")
                        await prospection.locator("[aria-controls^=action-help]").click()
                        await expect(prospection.locator(".suggestion")).to_have_count(1)
                        await prospection.scroll_into_view_if_needed()
                        await check_screen(page, f"{name}-help-{lang}-{width}")
                    if name == "needs-animator":
                        await page.locator(".need-step .button").first.click()
                        await expect(page.locator("#step-dialog")).to_be_visible()
                        await check_screen(page, f"{name}-dialog-{lang}-{width}")
                    assert errors == [], (name, errors)
                    await page.context.close()
                    contexts.remove(page.context)
    finally:
        await speak(site, "fr", "anna", "marc", "olga")
