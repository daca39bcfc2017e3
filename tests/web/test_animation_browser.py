"""The animator's day in Chromium, on the demo collective: the health panel and alerts, a
nudge sent from an alert, a report reviewed, content hidden live for members, the funders'
report; and a member who cannot open any of it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from server.cli.demo_content import DEMO_PASSWORD
from tests.web.conftest import Site, logged_in, screenshot

pytestmark = pytest.mark.browser
ANIMATOR = "claire.morel@demo.essaim.fr"
MEMBER = "julien.faure@demo.essaim.fr"
WAIT = 10_000


async def test_the_animator_sees_health_and_alerts_and_acts(browser: Any, demo_site: Site) -> None:
    ctx, page, errors = await logged_in(browser, demo_site, ANIMATOR, password=DEMO_PASSWORD)
    await page.goto("/")
    await page.get_by_role("link", name="Rénover ensemble en Drôme").click()
    await page.get_by_role("link", name="Animation").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Santé de")
    health = page.locator("#health")
    for cause in ("Pédagogie", "Implication", "Connaissances et compétences",
                  "Expérimentation", "Animation"):  # fmt: skip
        await expect(health.get_by_role("heading", name=cause)).to_be_visible(timeout=WAIT)
    await expect(health.locator(".sparkline").first).to_be_attached()
    alerts = page.locator("#alerts .alert")
    await expect(alerts.first).to_be_visible(timeout=WAIT)
    await expect(page.locator("#people tbody tr").first).to_be_visible()
    await screenshot(page, "animation")

    # A nudge from the "member silent" alert, with the template filled in and edited.
    silent = alerts.filter(has_text="Membre silencieux").first
    await silent.get_by_role("button", name="Relancer").click()
    dialog = page.get_by_role("dialog")
    message = dialog.get_by_label("Message")
    await expect(message).not_to_have_value("")
    await message.fill((await message.input_value()) + "\nÀ jeudi à l'atelier ?")
    await dialog.get_by_role("button", name="Envoyer").click()
    await expect(page.get_by_role("status").filter(has_text="Relance envoyée")).to_be_visible()
    # The alert stays while the member is silent; it says when they were nudged, and the
    # button waits three days (the server would refuse a second nudge sooner).
    nudged = alerts.filter(has_text="Membre silencieux").filter(has_text="Dernière relance")
    await expect(nudged).to_have_count(1, timeout=WAIT)
    await expect(nudged).to_contain_text("prochaine relance possible le")
    await expect(nudged.get_by_role("button", name="Relancer")).to_be_disabled()

    # A report to review: hide the content; it is written to the moderation log.
    flags = page.locator("#flags .flag-item")
    await expect(flags.first).to_be_visible()
    before = await flags.count()
    await flags.first.get_by_role("button", name="Masquer le contenu").click()
    await expect(flags).to_have_count(before - 1, timeout=WAIT)
    await expect(page.locator("#audit")).to_contain_text("a traité un signalement")

    # The funders' report, printable and as CSV.
    html = await ctx.request.get(await page.locator("#report-html").get_attribute("href"))
    assert html.ok and "<svg" in await html.text()
    csv = await ctx.request.get(await page.locator("#report-csv").get_attribute("href"))
    assert csv.ok and csv.headers["content-type"].startswith("text/csv")
    assert errors == []
    await ctx.close()


async def test_the_nudged_member_finds_it_in_essaim_and_sees_only_their_figures(
    browser: Any, demo_site: Site
) -> None:
    # Runs after the animator's nudge above (same demo for the whole module).
    ctx, page, errors = await logged_in(
        browser, demo_site, "mehdi.benali@demo.essaim.fr", password=DEMO_PASSWORD
    )
    await page.goto("/c/1")
    bell = page.locator("#bell")
    # The nudge, and the comments on his cards while he was away (one per card).
    await expect(page.locator("#bell-count")).to_have_text(re.compile(r"^[1-9]\d*$"), timeout=WAIT)
    await bell.click()
    first = page.locator("#notification-panel li").first
    await expect(first).to_contain_text("À jeudi à l'atelier ?")
    await expect(page.locator("#bell-count")).to_be_hidden(timeout=WAIT)
    mine = page.locator("#mine")
    await expect(mine).to_be_visible(timeout=WAIT)
    await expect(mine).to_contain_text("votre niveau")
    await screenshot(page, "member-home")
    assert errors == []
    await ctx.close()


async def test_hidden_content_disappears_live_for_members(browser: Any, demo_site: Site) -> None:
    ctx_a, animator, _ = await logged_in(browser, demo_site, ANIMATOR, password=DEMO_PASSWORD)
    ctx_m, member, _ = await logged_in(browser, demo_site, MEMBER, password=DEMO_PASSWORD)
    await member.goto("/c/1")
    await member.locator("#board-list a").first.click()
    board_path = member.url.replace(demo_site.url, "")
    card = member.locator(".card").first
    title = await card.locator(".card-title").inner_text()
    card_id = await card.get_attribute("data-id")
    await animator.goto(f"/cards/{card_id}")
    await animator.get_by_role("button", name="Masquer aux membres").click()
    await expect(animator.locator("#card .flag.hidden")).to_be_visible()
    await expect(member.locator(f'.card[data-id="{card_id}"]')).to_have_count(0, timeout=WAIT)
    await animator.get_by_role("button", name="Rétablir").click()
    await expect(member.locator(".card-title", has_text=title)).to_be_visible(timeout=WAIT)
    assert member.url.endswith(board_path)
    await ctx_a.close()
    await ctx_m.close()


async def test_a_member_cannot_open_the_animation_view(browser: Any, demo_site: Site) -> None:
    ctx, page, _ = await logged_in(browser, demo_site, MEMBER, password=DEMO_PASSWORD)
    response = await page.goto("/c/1/animation")
    assert response is not None and response.status == 403
    await page.goto("/c/1")
    assert await page.get_by_role("link", name="Animation").count() == 0
    await ctx.close()


async def test_every_control_is_labelled(browser: Any, demo_site: Site) -> None:
    """Each form control has a label and each button a name, on every main screen."""
    ctx, page, _ = await logged_in(browser, demo_site, ANIMATOR, password=DEMO_PASSWORD)
    unlabelled_script = """() => [...document.querySelectorAll(
        'input:not([type=hidden]), select, textarea, button, a[href]')]
      .filter(el => el.offsetParent !== null || el.closest('dialog[open]'))
      .filter(el => {
        const named = el.labels?.length || el.getAttribute('aria-label')
          || el.getAttribute('aria-labelledby') || (el.textContent || '').trim()
          || el.getAttribute('title');
        return !named;
      }).map(el => el.outerHTML.slice(0, 120))"""
    for path in ("/", "/c/1", "/b/1", "/cards/1", "/search?q=isolation", "/c/1/animation",
                 "/profile"):  # fmt: skip
        await page.goto(path)
        await page.wait_for_load_state("networkidle")
        assert await page.evaluate(unlabelled_script) == [], path
        assert await page.evaluate("document.documentElement.lang") == "fr"
    await ctx.close()
