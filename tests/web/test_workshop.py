"""Live workshops in Debian's Chromium: an animator and three participants, each in their own
browser, run a whole Brainstorming — one timer for all, anonymous ideas, a freeze that refuses
a card, a card in focus on a phone, a dot vote and its decision, the end, attendance and the
minutes; and every workshop screen holds at 375 and 1280 px and passes axe-core."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.conftest import join
from tests.support.axe import overflow, serious_violations
from tests.support.workshops import act, post_card, start
from tests.web.conftest import Site, logged_in, screenshot

pytestmark = pytest.mark.browser
WAIT = 10_000  # ms

TITLE = "Atelier économies d’énergie"
FAR = "Récupérer la chaleur du four"  # in the last column, off a phone's screen
IDEA_MARC = "Isoler les combles ensemble"
IDEA_LEA = "Achat groupé de LED"
IDEA_NINA = "Couper la veille des machines"
QUESTION = "Quelles idées essayer d’abord ?"
FROZEN = (
    "L’animateur a gelé les contributions pour un moment : rien ne peut être ajouté ni modifié."
)


@dataclass(eq=False)
class Seat:
    """Someone at the workshop: their own browser context, its page, its script errors."""

    name: str
    context: Any
    page: Any
    errors: list[str] = field(default_factory=list)

    def bar(self) -> Any:
        return self.page.locator("#workshop-bar")

    def unexpected_errors(self) -> list[str]:
        # The refusals this test provokes (409 while frozen) log their failed request.
        return [e for e in self.errors if "status of 409" not in e]


@pytest.fixture(scope="module")
async def scene(site: Site) -> dict[str, Any]:
    anna = await site.client("anna")
    created = await anna.post("/api/v1/collectives", json={"name": "Artisans économes"})
    cid = created.json()["id"]
    for name in ("marc", "lea", "nina"):
        await join(anna, await site.client(name), cid, "member")
    await join(anna, await site.client("olga"), cid, "observer")
    boards = {}
    for key, name in (
        ("whole", "Économies d’énergie"),
        ("screens", "Nos priorités"),
        ("quiet", "Sans atelier"),
    ):
        board = await anna.post(
            f"/api/v1/collectives/{cid}/boards", json={"name": name, "kind": "ideas"}
        )
        assert board.status_code == 201, board.text
        boards[key] = board.json()
    last = boards["whole"]["columns"][-1]["id"]
    far = await anna.post(
        f"/api/v1/boards/{boards['whole']['id']}/cards", json={"title": FAR, "column_id": last}
    )
    assert far.status_code == 201, far.text
    return {
        "collective": cid,
        "board": boards["whole"]["id"],
        "screens": boards["screens"]["id"],
        "quiet": boards["quiet"]["id"],
    }


@pytest.fixture
async def seats(browser: Any, site: Site) -> AsyncIterator[list[Seat]]:
    """Where the test seats people; every context is closed at the end, pass or fail."""
    taken: list[Seat] = []
    yield taken
    for seat in taken:
        await seat.context.close()


async def sit(browser: Any, site: Site, seats: list[Seat], name: str, **options: Any) -> Seat:
    context, page, errors = await logged_in(browser, site, name, **options)
    seat = Seat(name, context, page, errors)
    seats.append(seat)
    return seat


def card(page: Any, title: str) -> Any:
    return page.locator(".card", has_text=title)


def author(page: Any, title: str) -> Any:
    return card(page, title).locator(".card-foot .author")


async def seconds_left(seat: Seat) -> int:
    text = await seat.bar().get_by_role("timer").text_content()
    minutes, seconds = (text or "").split(":")
    return int(minutes) * 60 + int(seconds)


async def add_card(page: Any, column: str, title: str) -> Any:
    """Open the new-card dialog of ``column``, fill the title and publish; the dialog."""
    await (
        page.locator(".column", has_text=column)
        .get_by_role("button", name="Ajouter une fiche")
        .click()
    )
    dialog = page.get_by_role("dialog", name=re.compile("Nouvelle fiche"))
    await dialog.get_by_label("Titre").fill(title)
    await dialog.get_by_role("button", name="Publier").click()
    return dialog


async def test_a_whole_workshop(
    browser: Any, site: Site, scene: dict[str, Any], seats: list[Seat]
) -> None:
    board = f"/b/{scene['board']}"
    anna = await sit(browser, site, seats, "anna")
    marc = await sit(browser, site, seats, "marc")
    lea = await sit(browser, site, seats, "lea")
    nina = await sit(browser, site, seats, "nina", viewport={"width": 375, "height": 812})
    participants = [marc, lea, nina]
    everyone = [anna, *participants]
    for seat in (anna, marc, lea):
        await seat.page.goto(board)
        await expect(card(seat.page, FAR)).to_have_count(1)

    # The animator starts a Brainstorming from the dialog, which shows its steps.
    await anna.page.get_by_role("button", name="Lancer un atelier").click()
    dialog = anna.page.get_by_role("dialog", name="Lancer un atelier")
    await dialog.get_by_label("Méthode d’atelier").select_option("brainstorming")
    steps = dialog.locator("#wf-steps li")
    await expect(steps).to_have_count(3)
    await expect(steps.nth(0)).to_contain_text("Divergence")
    await expect(steps.nth(0)).to_contain_text("anonyme")
    await expect(steps.nth(2)).to_contain_text("vote")
    await expect(dialog.get_by_label("Révéler les auteurs à la fin")).to_be_checked()
    await dialog.get_by_label("Titre").fill(TITLE)
    await dialog.get_by_role("button", name="Lancer l’atelier").click()
    await expect(dialog).to_be_hidden()
    # Nina opens the board once it runs: she joins it as she arrives; the others joined live.
    await nina.page.goto(board)
    for seat in everyone:
        await expect(seat.bar().locator(".wb-title")).to_have_text("Divergence", timeout=WAIT)
        await expect(seat.bar()).to_contain_text("Étape 1 sur 3")
    await expect(anna.bar()).to_contain_text("4 participants", timeout=WAIT)
    await expect(anna.page.get_by_role("button", name="Lancer un atelier")).to_have_count(0)

    # One timer, the server's: the same time left on the four screens.
    await expect(anna.bar().get_by_role("timer")).to_have_text("10:00")
    await anna.bar().get_by_role("button", name="Démarrer").click()
    for seat in everyone:
        await expect(seat.bar().locator(".wb-timer-state")).to_have_text(
            "Temps restant", timeout=WAIT
        )
    await expect(anna.bar().get_by_role("timer")).not_to_have_text("10:00")
    left = [await seconds_left(seat) for seat in everyone]
    assert max(left) - min(left) <= 2, left
    assert 585 <= min(left) < 600, left
    await expect(anna.bar().get_by_role("timer")).to_have_attribute(
        "aria-label", "Temps restant pour cette étape"
    )

    # An anonymous step: the others see « Anonyme » live; the author and the animator know.
    await expect(marc.bar()).to_contain_text("Les auteurs sont masqués pendant cette étape.")
    await expect(await add_card(marc.page, "Émergence", IDEA_MARC)).to_be_hidden()
    await expect(await add_card(lea.page, "Émergence", IDEA_LEA)).to_be_hidden()
    for seat, title in ((lea, IDEA_MARC), (nina, IDEA_MARC), (marc, IDEA_LEA), (nina, IDEA_LEA)):
        await expect(author(seat.page, title)).to_have_text("Anonyme", timeout=WAIT)
    await expect(author(marc.page, IDEA_MARC)).to_have_text("marc (anonyme pour les participants)")
    for title, name in ((IDEA_MARC, "marc"), (IDEA_LEA, "lea")):
        await expect(author(anna.page, title)).to_have_text(
            f"{name} (anonyme pour les participants)", timeout=WAIT
        )

    # Frozen: a new card is refused with the reason, a move goes back; thawed, it goes through.
    await anna.bar().get_by_role("button", name="Geler les contributions").click()
    for seat in participants:
        await expect(seat.bar().locator(".wb-frozen")).to_have_text(
            "Contributions gelées", timeout=WAIT
        )
    await expect(nina.page.locator("#workshop-status")).to_have_text("Contributions gelées.")
    refused = await add_card(nina.page, "Émergence", IDEA_NINA)
    await expect(refused.get_by_role("alert")).to_have_text(FROZEN)
    await card(lea.page, IDEA_LEA).locator(".card-move").click()
    await lea.page.get_by_role("menuitem", name=re.compile("En maturation")).click()
    await expect(lea.page.locator("#toasts")).to_contain_text(FROZEN)
    emergence = lea.page.locator(".column", has_text="Émergence")
    await expect(emergence.locator(".card", has_text=IDEA_LEA)).to_have_count(1)
    await anna.bar().get_by_role("button", name="Dégeler les contributions").click()
    await expect(nina.bar().locator(".wb-frozen")).to_have_count(0, timeout=WAIT)
    await refused.get_by_role("button", name="Publier").click()  # what she wrote was kept
    await expect(refused).to_be_hidden()
    await expect(author(marc.page, IDEA_NINA)).to_have_text("Anonyme", timeout=WAIT)

    # The next step; the animator brings a card far off a phone's screen to everyone.
    await anna.bar().get_by_role("button", name="Étape suivante").click()
    for seat in everyone:
        await expect(seat.bar().locator(".wb-title")).to_have_text("Regroupement", timeout=WAIT)
    await expect(nina.page.locator("#workshop-status")).to_contain_text("Étape 2 sur 3")
    far = card(nina.page, FAR)
    await expect(far).not_to_be_in_viewport()
    await anna.page.get_by_role("button", name=f"Focus — {FAR}").click()
    for seat in participants:
        focused = card(seat.page, FAR)
        await expect(focused).to_have_class(re.compile(r"\bis-focused\b"), timeout=WAIT)
        await expect(focused.locator(".flag.focus")).to_have_text("En discussion")
    await expect(far).to_be_in_viewport(ratio=0.9)
    await expect(nina.page.locator("#workshop-status")).to_have_text(
        f"Fiche en discussion : « {FAR} »."
    )
    await screenshot(nina.page, "workshop-focus-fr-375", full_page=False)
    await screenshot(anna.page, "workshop-animator-fr-1280", full_page=False)
    await anna.bar().get_by_role("button", name="Retirer le focus").click()
    await expect(card(marc.page, FAR)).not_to_have_class(
        re.compile(r"\bis-focused\b"), timeout=WAIT
    )

    # The dot-vote step: the animator opens the vote from the bar, the participants vote.
    await anna.bar().get_by_role("button", name="Étape suivante").click()
    for seat in everyone:
        await expect(seat.bar().locator(".wb-title")).to_have_text(
            "Vote par gommettes", timeout=WAIT
        )
    await anna.bar().get_by_role("button", name="Ouvrir un vote").click()
    vote_dialog = anna.page.get_by_role("dialog", name="Ouvrir un vote")
    await vote_dialog.get_by_label("Question").fill(QUESTION)
    for title in (IDEA_MARC, IDEA_LEA, IDEA_NINA):
        await vote_dialog.get_by_label(title).check()
    await vote_dialog.get_by_label("Gommettes par personne").fill("3")
    await vote_dialog.get_by_role("button", name="Ouvrir le vote").click()
    await anna.page.wait_for_url(re.compile(r".*/v/\d+$"))
    vote_id = int(anna.page.url.rsplit("/", 1)[1])
    ballots = {
        marc: {IDEA_LEA: 2, IDEA_NINA: 1},
        lea: {IDEA_LEA: 3},
        nina: {IDEA_MARC: 2, IDEA_LEA: 1},
    }
    for seat, dots in ballots.items():
        go = seat.bar().get_by_role("link", name=f"Voter : {QUESTION}")
        await expect(go).to_be_visible(timeout=WAIT)
        await go.click()
        await seat.page.wait_for_url(f"**/v/{vote_id}")
        for title, n in dots.items():
            for _ in range(n):
                await seat.page.get_by_role(
                    "button", name=f"Ajouter une gommette à {title}"
                ).click()
        await seat.page.get_by_role("button", name="Enregistrer mon vote").click()
        await expect(seat.page.locator("#ballot-state")).to_have_text(
            "Votre vote est enregistré. Vous pouvez le modifier jusqu’à la clôture."
        )
    # Overspending: the page offers no fourth dot, and the server refuses one sent anyway.
    await expect(
        marc.page.get_by_role("button", name=f"Ajouter une gommette à {IDEA_MARC}")
    ).to_be_disabled()
    options = (await (await site.client("marc")).get(f"/api/v1/votes/{vote_id}")).json()["options"]
    over = await (await site.client("marc")).request(
        "PUT",
        f"/api/v1/votes/{vote_id}/ballot",
        json={"dots": {str(options[0]["id"]): 2, str(options[1]["id"]): 2}},
    )
    assert over.status_code == 422, over.text
    for seat in participants:
        await seat.page.goto(board)  # back to the board, still a participant (join is idempotent)
        await expect(seat.bar().locator(".wb-title")).to_have_text("Vote par gommettes")
    board_page = await anna.context.new_page()
    await board_page.goto(board)
    await expect(board_page.locator("#workshop-bar .wb-title")).to_have_text("Vote par gommettes")

    # The animator closes the vote: its decision card comes onto every board, live.
    await anna.page.get_by_role("button", name="Clore le vote").click()
    await (
        anna.page.get_by_role("dialog", name="Clore le vote ?")
        .get_by_role("button", name="Clore le vote")
        .click()
    )
    await expect(anna.page.get_by_role("link", name="Voir la fiche de décision")).to_be_visible(
        timeout=WAIT
    )
    for page in (board_page, *(seat.page for seat in participants)):
        await expect(page.locator(".card.kind-decision", has_text=QUESTION)).to_have_count(
            1, timeout=WAIT
        )

    # The end: confirmed, the bars say so and link to the summary; the authors come back.
    await (
        board_page.locator("#workshop-bar").get_by_role("button", name="Terminer l’atelier").click()
    )
    confirm = board_page.get_by_role("dialog", name="Terminer l’atelier ?")
    await expect(confirm).to_contain_text("Les fiches anonymes retrouvent leurs auteurs.")
    await confirm.get_by_role("button", name="Terminer l’atelier").click()
    for page in (board_page, *(seat.page for seat in participants)):
        await expect(page.locator("#workshop-bar")).to_contain_text("Atelier terminé", timeout=WAIT)
        await expect(page.get_by_role("link", name="Voir le bilan de l’atelier")).to_be_visible()
    for title, name in ((IDEA_MARC, "marc"), (IDEA_LEA, "lea"), (IDEA_NINA, "nina")):
        await expect(author(marc.page, title)).to_have_text(name, timeout=WAIT)
    summary = board_page.get_by_role("link", name="Voir le bilan de l’atelier")
    await expect(summary).to_be_focused()
    await summary.click()
    await board_page.wait_for_url(re.compile(r".*/w/\d+$"))
    await check_summary(board_page, {"anna", "marc", "lea", "nina"})

    for seat in everyone:
        assert seat.unexpected_errors() == [], (seat.name, seat.errors)


async def check_summary(page: Any, people: set[str]) -> None:
    """The workshop's page after the end: summary, attendance, both minutes."""
    await expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    await expect(page.locator("#workshop-state")).to_contain_text("Terminé le")
    figures = page.locator(".workshop-figures")
    await expect(figures.locator("li", has_text="participant")).to_have_text(
        f"{len(people)} participants"
    )
    await expect(figures.locator("li", has_text="vote")).to_have_text("1 vote")
    await expect(page.locator(".workshop-decisions").get_by_role("link")).to_contain_text(QUESTION)
    form = page.locator("#attendance-form")
    for name in people:
        await expect(form.get_by_role("checkbox", name=re.compile(rf"^{name}\b"))).to_be_checked()
    await expect(form.get_by_role("checkbox", name=re.compile("^olga"))).to_have_count(0)
    await screenshot(page, "workshop-summary-fr-1280")
    await form.get_by_role("button", name="Confirmer la présence").click()
    await expect(page.locator("#attendance-done")).to_have_text(
        f"Présence confirmée : {len(people)} personnes."
    )

    wanted = [IDEA_MARC, IDEA_LEA, IDEA_NINA, QUESTION, *people]
    async with page.expect_download() as download:
        await page.get_by_role("link", name="Compte rendu (Markdown)").click()
    markdown = Path(await (await download.value).path()).read_text(encoding="utf-8")
    assert markdown.startswith("#"), markdown[:200]
    assert [w for w in wanted if w not in markdown] == [], markdown
    await page.get_by_role("link", name="Compte rendu (HTML imprimable)").click()
    await page.wait_for_url(re.compile(r".*/minutes\?format=html$"))
    printable = await page.locator("body").inner_text()
    assert [w for w in wanted if w not in printable] == [], printable
    await screenshot(page, "workshop-minutes-html")
    await page.go_back()
    await expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


# --- every screen at both widths -------------------------------------------------------------


async def speak(site: Site, language: str, *names: str) -> None:
    for name in names:
        changed = await (await site.client(name)).patch("/api/v1/me", json={"language": language})
        assert changed.status_code == 200, changed.text


async def check_screen(page: Any, name: str, width: int) -> None:
    """No sideways scroll, no serious axe-core violation; a screenshot to look at."""
    assert await overflow(page) == 0, f"{name} scrolls sideways"
    assert await serious_violations(page) == [], name
    await screenshot(page, name, full_page=False)


async def test_every_workshop_screen_fits_both_widths_and_passes_axe(
    browser: Any, site: Site, scene: dict[str, Any], seats: list[Seat]
) -> None:
    anna = await site.client("anna")
    bid = scene["screens"]
    workshop = await start(anna, bid, template="speedboat", title="Cap 2027")
    first = await post_card(await site.client("marc"), bid, "Un client fidèle qui nous recommande")
    assert first.status_code == 201, first.text
    for verb, body in (
        ("timer", {"action": "start"}),
        ("freeze", {"frozen": True}),
        ("focus", {"card_id": first.json()["id"]}),
    ):
        done = await act(anna, workshop["id"], verb, **body)
        assert done.status_code == 200, done.text

    for lang, locale in (("fr", "fr-FR"), ("en", "en-GB")):
        await speak(site, lang, "anna", "marc")
        for width in (375, 1280):
            size = {"width": width, "height": 812 if width == 375 else 800}
            for who in ("anna", "marc"):
                seat = await sit(
                    browser, site, seats, who, locale=locale, viewport=size, bypass_csp=True
                )
                page = seat.page
                await page.goto(f"/b/{bid}")
                await expect(page.locator("#workshop-bar .wb-frozen")).to_be_visible()
                await expect(card(page, "Un client fidèle")).to_have_class(re.compile("is-focused"))
                role = "animator" if who == "anna" else "member"
                await check_screen(page, f"workshop-board-{role}-{lang}-{width}", width)
                if width == 375:
                    # The compact bar leaves the first card on screen.
                    box = await page.locator(".card").first.bounding_box()
                    assert box is not None and box["y"] + 40 < size["height"], box
                    await page.locator(".wb-toggle").click()
                    await expect(page.locator("#wb-details")).to_be_visible()
                    await check_screen(page, f"workshop-board-{role}-open-{lang}-{width}", width)
                await page.goto(f"/w/{workshop['id']}")
                await expect(page.locator("#workshop-steps li")).to_have_count(4)
                await check_screen(page, f"workshop-page-{role}-{lang}-{width}", width)
                if who == "anna":
                    await page.goto(f"/b/{scene['quiet']}")  # no workshop runs there
                    await page.locator("#start-workshop").click()
                    await expect(page.locator("#wf-steps li").first).to_be_visible()
                    await check_screen(page, f"workshop-dialog-{lang}-{width}", width)
                assert seat.unexpected_errors() == [], seat.errors
                await seat.context.close()
                seats.remove(seat)
    await speak(site, "fr", "anna", "marc")


async def test_an_animator_saves_a_workshop_s_method_and_starts_it_again(
    browser: Any, site: Site, scene: dict[str, Any], seats: list[Seat]
) -> None:
    anna = await site.client("anna")
    workshop = await start(anna, scene["quiet"], template="swot", title="SWOT du printemps")
    assert (await act(anna, workshop["id"], "end")).status_code == 200
    seat = await sit(browser, site, seats, "anna")
    page = seat.page
    await page.goto(f"/w/{workshop['id']}")
    form = page.locator("#template-form")
    await expect(form.get_by_label("Nom de la méthode")).to_have_value("SWOT du printemps")
    await form.get_by_label("Nom de la méthode").fill("Notre SWOT en 3 temps")
    await form.get_by_role("button", name="Enregistrer comme méthode").click()
    await expect(form.locator("#template-done")).to_contain_text("Notre SWOT en 3 temps")
    listed = await anna.get(f"/api/v1/collectives/{scene['collective']}/workshop-templates")
    [saved] = [t for t in listed.json()["templates"] if t["name"] == "Notre SWOT en 3 temps"]
    assert [s["title"] for s in saved["steps"]] == [s["title"] for s in workshop["steps"]]
    assert saved["columns"] == ["Atouts", "Faiblesses", "Opportunités", "Menaces"]
    again = await start(anna, scene["quiet"], template=saved["key"])
    assert again["template"] == saved["key"]
    assert (await act(anna, again["id"], "end")).status_code == 200
    # Members read the page but save nothing.
    member = await sit(browser, site, seats, "marc")
    await member.page.goto(f"/w/{workshop['id']}")
    await expect(member.page.locator("#workshop-title")).to_have_text("SWOT du printemps")
    assert await member.page.locator("#template-form").count() == 0
    assert seat.unexpected_errors() == [] and member.unexpected_errors() == []
