"""Votes in Debian's Chromium: an animator opens a dot vote on a board's cards from the board,
two members vote in their own browsers (one changes their ballot) while the animator's tally
updates live, the budget cannot be overspent, the close writes a decision card on the board;
a majority-judgment vote shows each option's merit profile; the page holds at 375 px."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from playwright.async_api import expect

from tests.conftest import join
from tests.web.conftest import Site, logged_in, screenshot

pytestmark = pytest.mark.browser
WAIT = 10_000  # ms

CARDS = ("Caméra thermique partagée", "Groupement d’achat d’ouate", "Atelier enduits chaux")


@pytest.fixture(scope="module")
async def scene(site: Site) -> dict[str, Any]:
    anna = await site.client("anna")
    marc = await site.client("marc")
    lea = await site.client("lea")
    olga = await site.client("olga")
    created = await anna.post("/api/v1/collectives", json={"name": "Rénover ensemble"})
    cid = created.json()["id"]
    await join(anna, marc, cid, "member")
    await join(anna, lea, cid, "member")
    await join(anna, olga, cid, "observer")
    board = await anna.post(f"/api/v1/collectives/{cid}/boards", json={"name": "Idées"})
    bid = board.json()["id"]
    cards = []
    for title in CARDS:
        made = await marc.post(f"/api/v1/boards/{bid}/cards", json={"title": title})
        assert made.status_code == 201, made.text
        cards.append(made.json()["id"])
    return {"collective": cid, "board": bid, "cards": cards}


def row(page: Any, title: str) -> Any:
    return page.locator(".dot-row", has_text=title)


async def add_dots(page: Any, title: str, n: int) -> None:
    for _ in range(n):
        await page.get_by_role("button", name=f"Ajouter une gommette à {title}").click()


async def test_a_dot_vote_from_the_board_to_the_decision(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    ctx_a, anna, errors_a = await logged_in(browser, site, "anna")
    await anna.goto(f"/b/{scene['board']}")
    await anna.get_by_role("button", name="Ouvrir un vote").click()
    dialog = anna.get_by_role("dialog", name="Ouvrir un vote")
    await expect(dialog).to_be_visible()
    await dialog.get_by_role("button", name="Ouvrir le vote").click()
    await expect(dialog.get_by_role("alert")).to_have_text("Donnez une question au vote.")
    await dialog.get_by_label("Question").fill("Quelles idées expérimenter cet hiver ?")
    await expect(dialog.get_by_label("Méthode")).to_have_value("dot")
    for title in CARDS:
        await dialog.get_by_label(title).check()
    await dialog.get_by_label("Gommettes par personne").fill("3")
    await dialog.get_by_label("Au plus sur une option").fill("2")
    await screenshot(anna, "vote-dialog-fr", full_page=False)
    await dialog.get_by_role("button", name="Ouvrir le vote").click()
    await anna.wait_for_url(re.compile(r".*/v/\d+$"))
    vote_path = anna.url.replace(site.url, "")
    await expect(anna.get_by_role("heading", level=1)).to_have_text(
        "Quelles idées expérimenter cet hiver ?"
    )
    await expect(anna.locator("#vote-explain")).to_contain_text("au plus 2 sur une option")
    await expect(anna.locator("#vote-turnout")).to_have_text("0 personne a voté")

    ctx_m, marc, errors_m = await logged_in(browser, site, "marc")
    ctx_l, lea, errors_l = await logged_in(browser, site, "lea")
    await marc.goto(vote_path)
    await lea.goto(vote_path)
    await expect(marc.locator("#ballot-state")).to_have_text("Vous n’avez pas encore voté.")

    # Marc: two dots at most on one card, three in all; then every + is off.
    await add_dots(marc, CARDS[0], 2)
    await expect(
        marc.get_by_role("button", name=f"Ajouter une gommette à {CARDS[0]}")
    ).to_be_disabled()
    plus = marc.get_by_role("button", name=f"Ajouter une gommette à {CARDS[1]}")
    await plus.focus()
    await marc.keyboard.press("Enter")  # the keyboard works the steppers too
    await expect(marc.locator("#dots-left")).to_have_text("Il vous reste 0 gommette sur 3")
    for title in CARDS:
        await expect(
            marc.get_by_role("button", name=f"Ajouter une gommette à {title}")
        ).to_be_disabled()
    await expect(row(marc, CARDS[2]).locator("output")).to_have_text("0")
    await marc.get_by_role("button", name="Enregistrer mon vote").click()
    await expect(marc.locator("#ballot-state")).to_have_text(
        "Votre vote est enregistré. Vous pouvez le modifier jusqu’à la clôture."
    )

    # The animator's tally moves without a reload.
    results = anna.locator("#results")
    await expect(results.locator(".result", has_text=CARDS[0])).to_contain_text(
        "2 gommettes", timeout=WAIT
    )
    await expect(anna.locator("#vote-turnout")).to_have_text("1 personne a voté")

    # Léa votes, then changes her ballot: she is counted once, with her last ballot.
    await add_dots(lea, CARDS[2], 2)
    await lea.get_by_role("button", name="Enregistrer mon vote").click()
    await expect(results.locator(".result", has_text=CARDS[2])).to_contain_text(
        "2 gommettes", timeout=WAIT
    )
    await lea.reload()
    await expect(row(lea, CARDS[2]).locator("output")).to_have_text("2")  # pre-filled
    await lea.get_by_role("button", name=f"Retirer une gommette de {CARDS[2]}").click()
    await add_dots(lea, CARDS[0], 2)
    await lea.get_by_role("button", name="Enregistrer mon vote").click()
    await expect(results.locator(".result", has_text=CARDS[0])).to_contain_text(
        "4 gommettes", timeout=WAIT
    )
    await expect(results.locator(".result", has_text=CARDS[2])).to_contain_text("1 gommette")
    await expect(anna.locator("#vote-turnout")).to_have_text("2 personnes ont voté")
    await screenshot(anna, "vote-dot-live-fr")

    # The server refuses what the page would never send: four dots for a budget of three.
    vote_id = int(vote_path.rsplit("/", 1)[1])
    first, second, _ = await option_ids(site, vote_id)
    over = await ctx_m.request.put(
        f"/api/v1/votes/{vote_id}/ballot",
        data={"dots": {str(first): 2, str(second): 2}},
        headers={"Origin": site.url, "X-CSRF-Token": await csrf(marc)},
    )
    assert over.status == 422, await over.text()
    await marc.reload()
    await expect(row(marc, CARDS[0]).locator("output")).to_have_text("2")
    await expect(row(marc, CARDS[1]).locator("output")).to_have_text("1")

    # The animator closes; the decision link appears everywhere, live.
    await anna.get_by_role("button", name="Clore le vote").click()
    confirm = anna.get_by_role("dialog", name="Clore le vote ?")
    await confirm.get_by_role("button", name="Clore le vote").click()
    link = anna.get_by_role("link", name="Voir la fiche de décision")
    await expect(link).to_be_visible(timeout=WAIT)
    await expect(marc.get_by_role("link", name="Voir la fiche de décision")).to_be_visible(
        timeout=WAIT
    )
    await expect(marc.get_by_role("button", name="Enregistrer mon vote")).to_be_hidden()
    await expect(results.locator(".result", has_text=CARDS[0]).locator(".winner")).to_have_text(
        "retenue"
    )
    await expect(
        anna.get_by_role("button", name="Faire avancer les fiches retenues")
    ).to_be_visible()
    await screenshot(anna, "vote-dot-closed-fr")
    await link.click()
    await anna.wait_for_url("**/cards/*")
    await expect(anna.get_by_role("heading", level=1)).to_contain_text("Décision")
    await anna.goto(f"/b/{scene['board']}")
    await expect(anna.locator(".card", has_text="Décision : Quelles idées")).to_be_visible()
    await anna.goto(vote_path)
    await anna.get_by_role("button", name="Faire avancer les fiches retenues").click()
    await expect(anna.locator("#toasts")).to_contain_text("1 fiche a avancé d’une colonne.")

    assert errors_a == errors_m == errors_l == []
    for context in (ctx_a, ctx_m, ctx_l):
        await context.close()


async def speak(site: Site, language: str, *names: str) -> None:
    """The members' own language setting, which the pages follow before the browser's."""
    for name in names:
        changed = await (await site.client(name)).patch("/api/v1/me", json={"language": language})
        assert changed.status_code == 200, changed.text


async def option_ids(site: Site, vote_id: int) -> list[int]:
    answer = await (await site.client("anna")).get(f"/api/v1/votes/{vote_id}")
    return [o["id"] for o in answer.json()["options"]]


async def csrf(page: Any) -> str:
    token: str = await page.locator('meta[name="csrf-token"]').get_attribute("content")
    return token


async def test_majority_judgment_shows_the_merit_profiles(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    anna = await site.client("anna")
    opened = await anna.post(
        f"/api/v1/collectives/{scene['collective']}/votes",
        json={
            "title": "Quel format pour la restitution ?",
            "method": "majority",
            "options": ["Un forum ouvert", "Une exposition", "Un livret"],
        },
    )
    assert opened.status_code == 201, opened.text
    vote = opened.json()
    ids = [o["id"] for o in vote["options"]]
    for name, grades in (
        ("marc", ("excellent", "bien", "a_rejeter")),
        ("lea", ("tres_bien", "passable", "insuffisant")),
    ):
        client = await site.client(name)
        cast = await client.request(
            "PUT",
            f"/api/v1/votes/{vote['id']}/ballot",
            json={"grades": dict(zip(map(str, ids), grades, strict=True))},
        )
        assert cast.status_code == 200, cast.text

    ctx, page, errors = await logged_in(browser, site, "anna")
    await page.goto(f"/v/{vote['id']}")
    await expect(page.locator("#vote-method")).to_have_text("Jugement majoritaire")
    forum = page.locator(".result", has_text="Un forum ouvert")
    await expect(forum.locator(".median")).to_have_text("mention médiane : Très bien")
    await expect(forum.locator(".profile-part")).to_have_count(7)
    table = page.locator("table.profile-table")
    await expect(table.locator("thead th")).to_have_count(9)
    # Two grades: the median is the lower of the two middle ones.
    await expect(table.get_by_role("row", name=re.compile("Un livret")).locator("td")).to_have_text(
        ["0", "0", "0", "0", "0", "1", "1", "À rejeter"]
    )
    # The animator grades too, in the form: every option needs a grade.
    await page.get_by_role("button", name="Enregistrer mon vote").click()
    await expect(page.locator("#ballot-form .form-error")).to_have_text(
        "Donnez une mention à chaque option."
    )
    for label in ("Un forum ouvert", "Une exposition", "Un livret"):
        group = page.get_by_role("group", name=label)
        await group.get_by_label("Bien", exact=True).check()
    await page.get_by_role("button", name="Enregistrer mon vote").click()
    await expect(page.locator("#vote-turnout")).to_have_text("3 personnes ont voté", timeout=WAIT)
    await screenshot(page, "vote-majority-fr")
    assert errors == []
    await ctx.close()

    # The observer sees the results, no form; in English and at 375 px, nothing overflows.
    for lang, locale in (("fr", "fr-FR"), ("en", "en-GB")):
        await speak(site, lang, "olga", "marc")
        for width in (1280, 375):
            ctx, page, errors = await logged_in(
                browser, site, "olga" if width == 1280 else "marc",
                locale=locale, viewport={"width": width, "height": 860},
            )  # fmt: skip
            await page.goto(f"/v/{vote['id']}")
            await expect(page.locator("#vote-method")).to_have_text(
                {"fr": "Jugement majoritaire", "en": "Majority judgment"}[lang]
            )
            assert await page.evaluate("document.documentElement.scrollWidth") <= width
            if width == 1280:
                await expect(page.locator("#ballot-section")).to_be_hidden()
            await screenshot(page, f"vote-majority-{lang}-{width}")
            assert errors == []
            await ctx.close()
    await speak(site, "fr", "olga", "marc")


async def test_the_collective_lists_its_votes_and_a_phone_can_vote(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    anna = await site.client("anna")
    opened = await anna.post(
        f"/api/v1/collectives/{scene['collective']}/votes",
        json={"title": "Adopter la charte ?", "method": "consent", "options": ["La charte v2"]},
    )
    assert opened.status_code == 201, opened.text
    for lang, locale in (("fr", "fr-FR"), ("en", "en-GB")):
        await speak(site, lang, "lea")
        ctx, page, errors = await logged_in(
            browser, site, "lea", locale=locale, viewport={"width": 375, "height": 800}
        )
        await page.goto(f"/c/{scene['collective']}")
        votes = page.locator("#vote-list li")
        await expect(votes.first).to_contain_text("Adopter la charte ?")  # open first
        await votes.first.get_by_role("link").click()
        await page.wait_for_url("**/v/*")
        await expect(page.locator("#vote-method")).to_have_text(
            {"fr": "Consentement", "en": "Consent"}[lang]
        )
        assert await page.evaluate("document.documentElement.scrollWidth") <= 375
        await screenshot(page, f"vote-consent-{lang}-375")
        assert errors == []
        await ctx.close()
    await speak(site, "fr", "lea")
    ctx, page, errors = await logged_in(
        browser, site, "lea", viewport={"width": 375, "height": 800}
    )
    await page.goto(f"/v/{opened.json()['id']}")
    await page.get_by_label("J’objecte").check()
    await page.get_by_role("button", name="Enregistrer mon vote").click()
    await expect(page.locator("#ballot-form .form-error")).to_have_text(
        "Dites pourquoi vous objectez."
    )
    await expect(page.get_by_label("Votre raison")).to_be_focused()
    await page.get_by_label("Votre raison").fill("L’article 3 exclut les locataires.")
    await page.get_by_role("button", name="Enregistrer mon vote").click()
    await expect(page.locator("#results")).to_contain_text("L’article 3 exclut les locataires.")
    assert errors == []
    await ctx.close()


async def test_outsiders_get_no_vote_and_the_dialog_fits_a_phone(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    listed = await (await site.client("anna")).get(
        f"/api/v1/collectives/{scene['collective']}/votes"
    )
    vote_id = listed.json()["votes"][0]["id"]
    ctx, page, errors = await logged_in(browser, site, "oscar")
    answer = await page.goto(f"/v/{vote_id}")
    assert answer is not None and answer.status == 404
    await ctx.close()

    ctx, page, errors = await logged_in(
        browser, site, "anna", viewport={"width": 375, "height": 800}
    )
    await page.goto(f"/b/{scene['board']}")
    await page.get_by_role("button", name="Ouvrir un vote").click()
    dialog = page.get_by_role("dialog", name="Ouvrir un vote")
    await dialog.get_by_label("Méthode").select_option("majority")
    await expect(dialog.get_by_label("Gommettes par personne")).to_be_hidden()
    await dialog.get_by_label("Des options libres").check()
    await expect(dialog.get_by_label("Options, une par ligne")).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    await screenshot(page, "vote-dialog-fr-375", full_page=False)
    await dialog.get_by_role("button", name="Annuler").click()
    await expect(dialog).to_be_hidden()
    assert errors == []
    await ctx.close()


async def test_a_late_answer_or_refresh_keeps_the_ballot_being_filled_in(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    """The page reads one's stored ballot and the vote again after it is drawn (and after the
    live feed connects): a choice made meanwhile stays, and is what gets saved."""
    anna = await site.client("anna")
    opened = await anna.post(
        f"/api/v1/collectives/{scene['collective']}/votes",
        json={"title": "Ouvrir le samedi ?", "method": "consent", "options": ["Le samedi matin"]},
    )
    assert opened.status_code == 201, opened.text
    vote_id = opened.json()["id"]
    await speak(site, "fr", "lea")
    ctx, page, errors = await logged_in(browser, site, "lea")
    release: list[Any] = []

    async def hold(route: Any) -> None:
        if release:
            await route.continue_()
        else:
            release.append(route)  # the page's first read: answered once a choice is made

    await page.route(f"**/api/v1/votes/{vote_id}/ballot", hold)
    await page.goto(f"/v/{vote_id}")
    await page.get_by_label("D’accord avec réserves").check()
    for _ in range(200):  # the page asked for the ballot (at once, in practice)
        if release:
            break
        await asyncio.sleep(0.05)
    assert len(release) == 1
    await release[0].continue_()
    vote = page.context.request
    answer = await vote.get(f"/api/v1/votes/{vote_id}/ballot")
    assert (await answer.json())["ballot"] is None
    await page.wait_for_function(
        "() => document.querySelectorAll('#ballot-fields input').length > 0"
    )
    await expect(page.get_by_label("D’accord avec réserves")).to_be_checked()
    await page.get_by_role("button", name="Enregistrer mon vote").click()
    await expect(page.locator("#ballot-state")).to_contain_text("Votre vote est enregistré")
    mine = await (await vote.get(f"/api/v1/votes/{vote_id}/ballot")).json()
    assert mine["ballot"]["consent"] == "reserve"
    assert errors == []
    await ctx.close()
