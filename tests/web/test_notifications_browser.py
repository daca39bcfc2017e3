"""In Chromium: the bell counts a new notification as soon as the server writes it and opens
what it is about, @mentions are written from a list of the collective's members, and the
profile sets how each kind of notification reaches one — in French and in English, by
keyboard, at desk and phone widths, without serious axe-core violations."""

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
WAIT = 10_000  # ms: far less than the bell's 30 s polling, so a count seen in time came live
SHOTS = Path(os.environ.get("ESSAIM_NOTIFY_SHOTS", "/tmp/shots-notify"))
DESK = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
async def scene(site: Site) -> dict[str, Any]:
    """anna animates two collectives; bea is a member of both, Élodie Martin of the first,
    Éloïse Vidal observes the first (mentions would not reach her)."""
    anna = await site.client("anna")
    bea = await site.client("bea")
    elodie = await site.client("elodie")
    eloise = await site.client("eloise")
    for client, name in ((elodie, "Élodie Martin"), (eloise, "Éloïse Vidal")):
        renamed = await client.patch("/api/v1/me", json={"display_name": name})
        assert renamed.status_code == 200, renamed.text
    first = await anna.post("/api/v1/collectives", json={"name": "Rénovation Drôme"})
    second = await anna.post("/api/v1/collectives", json={"name": "Bois local"})
    cid, other = first.json()["id"], second.json()["id"]
    await join(anna, bea, cid, "member")
    await join(anna, bea, other, "member")
    await join(anna, elodie, cid, "member")
    await join(anna, eloise, cid, "observer")
    board = await anna.post(f"/api/v1/collectives/{cid}/boards", json={"name": "Idées"})
    card = await new_card(bea, board.json()["id"], "Isolation en paille", "Retours bienvenus.")
    site.ids.update(collective=cid, other=other, board=board.json()["id"], card=card["id"])
    return site.ids


async def read_everything(site: Site, name: str) -> None:
    answer = await (await site.client(name)).post("/api/v1/notifications/read", json={"all": True})
    assert answer.status_code == 200, answer.text


async def notifications(site: Site, name: str) -> list[dict[str, Any]]:
    answer = await (await site.client(name)).get("/api/v1/notifications?limit=50")
    found: list[dict[str, Any]] = answer.json()["notifications"]
    return found


async def speak(site: Site, name: str, language: str) -> None:
    changed = await (await site.client(name)).patch("/api/v1/me", json={"language": language})
    assert changed.status_code == 200, changed.text


async def test_the_bell_counts_a_comment_at_once_and_opens_it(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    await read_everything(site, "bea")
    context, page, errors = await logged_in(browser, site, "bea")
    await page.goto(f"/b/{scene['board']}")
    await expect(page.locator("body[data-live=online]")).to_be_attached(timeout=WAIT)
    count = page.locator("#bell-count")
    await expect(count).to_be_hidden()

    commented = await (await site.client("anna")).post(
        f"/api/v1/cards/{scene['card']}/comments", json={"body": "Pensez au pare-vapeur."}
    )
    assert commented.status_code == 201, commented.text
    comment_id = commented.json()["id"]
    await expect(count).to_have_text("1", timeout=WAIT)  # no reload, no polling
    bell = page.locator("#bell")
    await expect(bell).to_have_attribute("aria-label", re.compile(r"^Notifications\s:\s1 non lue$"))

    await bell.click()
    panel = page.locator("#notification-panel")
    item = panel.locator("li.notification").first
    await expect(item).to_contain_text(
        re.compile(r"anna a commenté votre fiche «\sIsolation en paille\s»")
    )
    await expect(item.locator(".notification-kind")).to_contain_text("Commentaires")
    await expect(count).to_be_hidden(timeout=WAIT)  # shown, so read
    # A second comment while the panel is open: the list follows, still unread.
    again = await (await site.client("anna")).post(
        f"/api/v1/cards/{scene['card']}/comments", json={"body": "Et à l’étanchéité à l’air."}
    )
    assert again.status_code == 201, again.text
    await expect(count).to_have_text("1", timeout=WAIT)
    await expect(panel.locator("li.unread")).to_have_count(1, timeout=WAIT)
    read_all = panel.get_by_role("button", name="Tout marquer comme lu")
    await read_all.click()
    await expect(count).to_be_hidden(timeout=WAIT)
    await expect(read_all).to_be_hidden()
    await expect(bell).to_be_focused()

    # The grouped notification now opens the latest comment of the thread.
    link = panel.locator("li.notification a").first
    href = await link.get_attribute("href")
    assert href == f"/cards/{scene['card']}#comment-{again.json()['id']}"
    assert comment_id != again.json()["id"]
    await link.click()
    await expect(page).to_have_url(re.compile(rf"/cards/{scene['card']}#comment-"))
    await expect(page.locator(f"#comment-{again.json()['id']}")).to_be_in_viewport(timeout=WAIT)
    assert errors == []
    await context.close()


async def test_a_mention_is_picked_by_keyboard_and_tells_the_member(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    await read_everything(site, "elodie")
    context, page, errors = await logged_in(browser, site, "bea")
    await page.goto(f"/cards/{scene['card']}")
    box = page.get_by_role("combobox", name="Votre commentaire")
    await box.focus()
    await page.keyboard.type("Merci, @elo")  # no accent, lower case: still Élodie
    listbox = page.get_by_role("listbox", name="Membres à mentionner")
    await expect(listbox).to_be_visible(timeout=WAIT)
    # Members only: Éloïse observes, so she is not offered.
    await expect(listbox.locator(".mention-name")).to_have_text(["Élodie Martin"])
    await expect(box).to_have_attribute("aria-expanded", "true")
    option_id = await listbox.get_by_role("option").first.get_attribute("id")
    await expect(box).to_have_attribute("aria-activedescendant", option_id or "")
    await page.keyboard.press("Escape")
    await expect(listbox).to_be_hidden()
    await expect(box).to_have_attribute("aria-expanded", "false")

    # Any word of the name: « mar » finds Martin; arrows then Enter write the whole name.
    await page.keyboard.press("Backspace")
    await page.keyboard.press("Backspace")
    await page.keyboard.press("Backspace")
    await page.keyboard.type("mar")
    await expect(listbox.locator(".mention-name")).to_have_text(["Élodie Martin"])
    await page.keyboard.press("ArrowDown")  # wraps round to the only one
    await page.keyboard.press("Enter")
    await expect(listbox).to_be_hidden()
    await page.keyboard.type("qu’en penses-tu ?")
    await expect(box).to_have_value("Merci, @Élodie Martin qu’en penses-tu ?")
    await page.get_by_role("button", name="Commenter").click()
    await expect(page.locator("#comments")).to_contain_text("@Élodie Martin qu’en penses-tu")

    told = [n for n in await notifications(site, "elodie") if n["kind"] == "mention"]
    assert told and told[0]["data"]["card_id"] == scene["card"], told
    assert not [n for n in await notifications(site, "eloise") if n["kind"] == "mention"]

    # The card dialog of the board offers the same list, Tab writing the name.
    await page.goto(f"/b/{scene['board']}")
    await page.get_by_role("button", name=re.compile("Ajouter une fiche")).first.click()
    body = page.locator("#cf-body")
    await body.focus()
    await page.keyboard.type("Avec @élodie")
    await expect(page.locator("#cf-body-mentions .mention-name")).to_have_text(["Élodie Martin"])
    await page.keyboard.press("Tab")
    await expect(body).to_have_value("Avec @Élodie Martin ")
    await expect(body).to_be_focused()
    await page.keyboard.press("Escape")  # no list open now: the dialog closes
    await expect(page.locator("#card-dialog")).to_be_hidden()
    assert errors == []
    await context.close()


async def test_preferences_are_saved_kept_and_refused_with_reasons(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    context, page, errors = await logged_in(browser, site, "bea")
    sent: list[Any] = []
    page.on(
        "request",
        lambda r: (
            sent.append(r.post_data_json)
            if r.method == "PUT" and r.url.endswith("/me/notification-preferences")
            else None
        ),
    )
    await page.goto("/profile#notifications")
    section = page.locator("#notifications")
    await expect(section.get_by_role("heading", name="Notifications")).to_be_in_viewport()
    drome = section.get_by_role("group", name="Rénovation Drôme")
    reactions = drome.get_by_label("Des réactions à ma fiche")
    await expect(reactions).to_have_value("daily", timeout=WAIT)
    await reactions.select_option(label="Jamais")
    await section.get_by_label("Pas d’email la nuit / pendant ces heures").check()
    await section.get_by_label("À partir de").fill("23:00")
    await section.get_by_label("Jusqu’à").fill("06:30")
    await section.get_by_role("button", name="Enregistrer mes préférences").click()
    await expect(section.get_by_role("status")).to_have_text("Préférences enregistrées.")
    assert sent[-1] == {
        "collectives": [
            {"collective_id": scene["collective"], "preferences": {"reaction": "never"}}
        ],
        "quiet_hours": {"start": "23:00", "end": "06:30"},
    }

    # For all collectives at once: one `all` in the body, both collectives follow.
    shortcut = section.get_by_role("group", name="Pour tous mes collectifs")
    await shortcut.get_by_label("Une réunion programmée").select_option(
        label="Dans le résumé de la semaine"
    )
    await expect(drome.get_by_label("Une réunion programmée")).to_have_value("weekly")
    await section.get_by_role("button", name="Enregistrer mes préférences").click()
    await expect(section.get_by_role("status")).to_have_text("Préférences enregistrées.")
    assert sent[-1] == {"all": {"meeting": "weekly"}}

    await page.reload()
    await expect(reactions).to_have_value("never", timeout=WAIT)
    await expect(section.get_by_label("Pas d’email la nuit / pendant ces heures")).to_be_checked()
    await expect(section.get_by_label("À partir de")).to_have_value("23:00")
    await expect(section.get_by_label("Jusqu’à")).to_have_value("06:30")
    bois = section.get_by_role("group", name="Bois local")
    await expect(bois.get_by_label("Une réunion programmée")).to_have_value("weekly")
    await expect(bois.get_by_label("Des réactions à ma fiche")).to_have_value("daily")
    # Members are not offered the animators' kinds; the animator's messages cannot be muted.
    await expect(drome.get_by_label("Un signalement à examiner")).to_have_count(0)
    nudges = drome.get_by_label("Un message de l’animateur")
    assert "never" not in await nudges.locator("option").evaluate_all(
        "options => options.map(o => o.value)"
    )

    # The same start and end: the server refuses, said under the field, nothing stored.
    end = section.get_by_label("Jusqu’à")
    await end.fill("23:00")
    await section.get_by_role("button", name="Enregistrer mes préférences").click()
    await expect(end).to_have_attribute("aria-invalid", "true")
    await expect(section.locator("#np-quiet-end-error")).to_have_text(
        "Les heures calmes doivent finir à une autre heure que celle où elles commencent."
    )
    await expect(end).to_be_focused()
    stored = await (await site.client("bea")).get("/api/v1/me/notification-preferences")
    assert stored.json()["quiet_hours"] == {"start": "23:00", "end": "06:30"}
    await end.fill("07:00")
    await section.get_by_role("button", name="Enregistrer mes préférences").click()
    await expect(section.get_by_role("status")).to_have_text("Préférences enregistrées.")
    await expect(section.locator("#np-quiet-end-error")).to_have_count(0)
    # The browser logs the refused request; nothing else went wrong.
    assert [e for e in errors if "status of 422" not in e] == []
    await context.close()


async def shoot(page: Any, name: str, target: Any = None) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SHOTS / f"{name}.png")
    if target is None:
        await page.screenshot(path=path)
        return
    # The whole section, without the sticky top bar over its heading.
    box = await target.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height}; }"
    )
    await page.screenshot(path=path, full_page=True, clip=box)


async def check(page: Any, name: str) -> None:
    assert await overflow(page) == 0, f"{name} scrolls sideways"
    assert await serious_violations(page) == [], name


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_the_screens_are_accessible_at_desk_and_phone_widths(
    browser: Any, site: Site, scene: dict[str, Any], language: str
) -> None:
    # Something in the bell: a comment, a mention and reactions.
    anna, elodie = await site.client("anna"), await site.client("elodie")
    await anna.post(f"/api/v1/cards/{scene['card']}/comments", json={"body": "Une question ?"})
    await elodie.post(f"/api/v1/cards/{scene['card']}/comments", json={"body": "@bea bravo"})
    await elodie.post(f"/api/v1/cards/{scene['card']}/reactions", json={"kind": "useful"})
    await speak(site, "bea", language)
    english = language == "en"
    try:
        for width, size in (("1280", DESK), ("375", PHONE)):
            context, page, errors = await logged_in(
                browser, site, "bea", viewport=size, bypass_csp=True
            )
            await page.goto("/profile#notifications")
            section = page.locator("#notifications")
            save = "Save my preferences" if english else "Enregistrer mes préférences"
            await expect(section.get_by_role("button", name=save)).to_be_visible()
            await expect(section.locator("select").first).to_be_visible(timeout=WAIT)
            label = "Reactions to my card" if english else "Des réactions à ma fiche"
            await expect(section.get_by_label(label).first).to_be_visible()
            await check(page, f"profile {language} {width}")
            await shoot(page, f"{language}-{width}-profile", section)

            await page.locator("#bell").click()
            panel = page.locator("#notification-panel")
            await expect(panel.locator("li.notification").first).to_be_visible(timeout=WAIT)
            title = "commented on your card" if english else "a commenté votre fiche"
            await expect(panel).to_contain_text(title)
            await check(page, f"bell {language} {width}")
            await shoot(page, f"{language}-{width}-bell")
            await page.keyboard.press("Escape")
            await expect(panel).to_be_hidden()

            await page.goto(f"/cards/{scene['card']}")
            await page.locator("#comment-body").focus()
            await page.keyboard.type("@Él")
            await expect(page.locator("#comment-body-mentions")).to_be_visible(timeout=WAIT)
            await check(page, f"mentions {language} {width}")
            await page.locator("#comment-body").scroll_into_view_if_needed()
            await shoot(page, f"{language}-{width}-mentions")
            assert errors == []
            await context.close()
    finally:
        await speak(site, "bea", "fr")


async def test_what_others_posted_since_one_s_last_visit_is_marked_new(
    browser: Any, site: Site, scene: dict[str, Any]
) -> None:
    bea, anna = await site.client("bea"), await site.client("anna")
    cid, board = scene["collective"], scene["board"]
    # Bea opened the board a while ago; since then anna posted a card, and bea one of her own.
    visited = await bea.post(
        f"/api/v1/collectives/{cid}/visits", json={"board_id": board, "card_id": None}
    )
    assert visited.status_code in (201, 204), visited.text
    theirs = await new_card(anna, board, "Commande groupée de chaux")
    mine = await new_card(bea, board, "Ma propre fiche")
    context, page, errors = await logged_in(browser, site, "bea")
    await page.goto(f"/b/{board}")
    fresh = page.locator(f"li.card[data-id='{theirs['id']}'] .flag.new")
    await expect(fresh).to_have_text(re.compile("Nouveau", re.I))
    await expect(fresh).to_have_attribute("title", "Nouveau depuis votre dernière visite")
    await expect(page.locator(f"li.card[data-id='{mine['id']}'] .flag.new")).to_have_count(0)
    older = page.locator(f"li.card[data-id='{scene['card']}'] .flag.new")
    await expect(older).to_have_count(0)
    assert errors == []
    await context.close()
