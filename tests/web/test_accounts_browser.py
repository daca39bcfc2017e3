"""Accounts in Debian's Chromium: a disguised ``next`` never takes you off the site after
login, a forgotten password is replaced through the emailed link, and the emailed link
verifies the address, as the profile then says."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.async_api import expect

from tests.conftest import PASSWORD, sent_mail
from tests.support.redirects import OFF_SITE
from tests.web.conftest import Site, logged_in, screenshot

pytestmark = pytest.mark.browser


async def emailed_path(site: Site, to: str, kind: str) -> str:
    """The path of the last ``kind`` link (reset, verify) emailed to ``to``."""
    for email in reversed(await sent_mail(site.app)):
        found = re.search(rf"https?://[^/\s]+(/{kind}/[A-Za-z0-9_-]+)", email.text)
        if email.to == to and found:
            return found.group(1)
    raise AssertionError(f"no {kind} link emailed to {to}")


async def test_login_with_a_disguised_next_ends_on_this_site(browser: Any, site: Site) -> None:
    await site.client("lea")
    context = await browser.new_context(base_url=site.url, locale="fr-FR")
    page = await context.new_page()
    await page.goto("/login?next=/%09/evil.example/")
    await page.get_by_label("Courriel").fill("lea@example.fr")
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()
    await expect(page).to_have_url(f"{site.url}/")
    assert urlsplit(page.url).netloc == urlsplit(site.url).netloc
    # The page script refuses the same targets on its own, as the browser parses them.
    safe = await page.evaluate(
        """async (targets) => {
            const { safeNext } = await import("/static/js/next.js");
            return targets.map(safeNext);
        }""",
        [t for t in OFF_SITE if t is not None] + ["/c/1?x=1#y"],
    )
    assert safe == ["/"] * (len(safe) - 1) + ["/c/1?x=1#y"]
    await context.close()


async def test_a_forgotten_password_is_replaced_through_the_emailed_link(
    browser: Any, site: Site
) -> None:
    await site.client("paul")
    context = await browser.new_context(base_url=site.url, locale="fr-FR")
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_role("link", name="Mot de passe oublié ?").click()
    await expect(page).to_have_url(f"{site.url}/forgot-password")
    # An empty, then a malformed address is said under the field, which it is tied to.
    email = page.get_by_label("Courriel")
    await page.get_by_role("button", name="M’envoyer un lien").click()
    await expect(email).to_have_attribute("aria-invalid", "true")
    await expect(email).to_be_focused()
    await expect(email).to_have_accessible_description("Indiquez l’adresse e-mail de votre compte.")
    await email.fill("paul-at-example")
    await page.get_by_role("button", name="M’envoyer un lien").click()
    await expect(email).to_have_accessible_description(re.compile("pas une adresse e-mail"))
    await email.fill("paul@example.fr")
    await page.get_by_role("button", name="M’envoyer un lien").click()
    # The result takes the focus, so it is read out where the form was.
    await expect(page.locator("#forgot-sent")).to_contain_text("un courriel avec un lien")
    await expect(page.locator("#forgot-sent")).to_be_focused()
    await screenshot(page, "forgot-password")

    await page.goto(await emailed_path(site, "paul@example.fr", "reset"))
    password = page.get_by_label("Nouveau mot de passe")
    await password.fill("court")
    await page.get_by_role("button", name="Enregistrer mon nouveau mot de passe").click()
    await expect(password).to_have_attribute("aria-invalid", "true")
    await expect(password).to_have_accessible_description(
        re.compile("trop court\u00a0: au moins 10 caractères")
    )
    await password.fill("une phrase toute neuve")
    await page.get_by_role("button", name="Enregistrer mon nouveau mot de passe").click()
    await expect(page.locator("#reset-done")).to_contain_text("Votre mot de passe a été changé.")
    await expect(page.locator("#reset-done")).to_be_focused()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Votre nouveau mot de passe est enregistré"
    )

    await page.locator("#reset-done").get_by_role("link", name="Se connecter").click()
    await page.get_by_label("Courriel").fill("paul@example.fr")
    await page.get_by_label("Mot de passe").fill("une phrase toute neuve")
    await page.get_by_role("button", name="Se connecter").click()
    await expect(page).to_have_url(f"{site.url}/")
    await context.close()


async def test_the_emailed_link_verifies_the_address_and_the_profile_says_so(
    browser: Any, site: Site
) -> None:
    context, page, errors = await logged_in(browser, site, "vera")
    await page.goto("/profile")
    await expect(page.locator("#email-status")).to_contain_text("pas encore vérifiée")
    await page.goto(await emailed_path(site, "vera@example.fr", "verify"))
    # Shown once the page's POST confirmed the address (its text is in the page, hidden, from
    # the start: waiting on the text alone raced the POST with the next navigation).
    await expect(page.locator("#verify-done")).to_be_visible()
    await expect(page.locator("#verify-done")).to_contain_text("Votre adresse est vérifiée")
    link = await emailed_path(site, "vera@example.fr", "verify")
    await page.goto("/profile")
    await expect(page.locator("#email-status")).to_have_text("Votre adresse est vérifiée.")
    # The same link again is good news, with the way on; a made-up one says what to do.
    await page.goto(link)
    used = page.locator("#verify-used")
    await expect(used).to_be_visible()
    await expect(used).to_contain_text("votre adresse est vérifiée")
    await expect(used.get_by_role("link", name="Aller sur Essaim")).to_be_visible()
    await expect(page.locator("#verify-email .form-error")).to_be_hidden()
    await page.goto("/verify/not-a-token")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien n’est pas valide")
    invalid = page.locator("#verify-invalid")
    await expect(invalid.get_by_role("link", name="Mon profil")).to_be_visible()
    assert [e for e in errors if "404 (Not Found)" not in e and "410 (Gone)" not in e] == []
    await context.close()


async def test_a_wrong_password_when_deleting_the_account_is_said_under_the_field(
    browser: Any, site: Site
) -> None:
    context, page, _ = await logged_in(browser, site, "wanda")
    await page.goto("/profile")
    toggle = page.locator("#delete-account-box summary")
    # The toggle shows whether it is open (a marker that turns) and is not the final button.
    marker = "el => getComputedStyle(el, '::before').transform"
    closed = await toggle.evaluate(marker)
    await toggle.click()
    # The marker turns through a 0.15 s transition: wait until it has turned, never sample
    # it at the first frame (where it still shows the closed angle).
    await page.wait_for_function(
        f"([el, closed]) => ({marker})(el) !== closed",
        arg=[await toggle.element_handle(), closed],
    )
    final = page.get_by_role("button", name="Supprimer définitivement mon compte")
    colours = "el => getComputedStyle(el).backgroundColor"
    assert await final.evaluate(colours) != await toggle.evaluate(colours)
    field = page.get_by_label("Votre mot de passe, pour confirmer")
    await field.fill("pas le bon mot de passe")
    page.on("dialog", lambda dialog: dialog.accept())
    await final.click()
    await expect(field).to_have_attribute("aria-invalid", "true")
    await expect(field).to_have_accessible_description("Ce n’est pas le bon mot de passe.")
    await expect(field).to_be_focused()
    await expect(page).to_have_url(f"{site.url}/profile")
    await context.close()
