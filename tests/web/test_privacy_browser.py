"""In Chromium: animators revoke pending invitations from the collective page, an account
that is not the invited address is told so, and a person exports their data and deletes
their account from the profile page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from tests.conftest import PASSWORD
from tests.web.conftest import Site, logged_in, screenshot

pytestmark = pytest.mark.browser
WAIT = 10_000  # ms: generous for a loaded two-core machine


@pytest.fixture(scope="module")
async def collective(site: Site) -> int:
    anna = await site.client("anna")
    created = await anna.post("/api/v1/collectives", json={"name": "Bois local"})
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


async def test_an_animator_revokes_a_pending_invitation(
    browser: Any, site: Site, collective: int
) -> None:
    anna = await site.client("anna")
    sent = await anna.post(
        f"/api/v1/collectives/{collective}/invitations", json={"email": "pia@example.fr"}
    )
    token = sent.json()["url"].rsplit("/", 1)[1]
    context, page, errors = await logged_in(browser, site, "anna")
    await page.goto(f"/c/{collective}")
    pending = page.locator("#invitations")
    await expect(pending.get_by_text("pia@example.fr")).to_be_visible(timeout=WAIT)
    await screenshot(page, "invitations")
    await pending.get_by_role("button", name="Révoquer l’invitation de pia@example.fr").click()
    await expect(pending.get_by_text("Aucune invitation en attente.")).to_be_visible(timeout=WAIT)
    assert errors == []
    await context.close()
    preview = await anna.get(f"/api/v1/invitations/{token}")
    assert preview.json()["error"]["code"] == "invitation_revoked"


async def test_the_invitation_page_tells_another_account_it_is_not_for_them(
    browser: Any, site: Site, collective: int
) -> None:
    anna = await site.client("anna")
    sent = await anna.post(
        f"/api/v1/collectives/{collective}/invitations", json={"email": "pia@example.fr"}
    )
    path = "/invitations/" + sent.json()["url"].rsplit("/", 1)[1]
    context, page, errors = await logged_in(browser, site, "quentin")
    await page.goto(path)
    await expect(page.get_by_role("alert")).to_contain_text(
        "Cette invitation a été envoyée à une autre adresse e-mail."
    )
    await expect(page.get_by_role("button", name="Rejoindre le collectif")).to_have_count(0)
    assert errors == []
    await context.close()


async def test_a_person_exports_then_deletes_their_account(browser: Any, site: Site) -> None:
    lea = await site.client("lea")
    created = await lea.post("/api/v1/collectives", json={"name": "Atelier de Léa"})
    board = await lea.post(
        f"/api/v1/collectives/{created.json()['id']}/boards", json={"name": "Idées"}
    )
    await lea.post(f"/api/v1/boards/{board.json()['id']}/cards", json={"title": "Four à pain"})
    # Léa animates her collective alone: she must hand it over first.
    context, page, errors = await logged_in(browser, site, "lea")
    await page.goto("/profile")
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Exporter mes données").click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".zip")
    await page.get_by_text("Supprimer mon compte", exact=True).click()
    await page.get_by_label("Votre mot de passe, pour confirmer").fill(PASSWORD)
    page.on("dialog", lambda dialog: dialog.accept())
    await page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    await expect(page.locator("#delete-account .form-error")).to_contain_text(
        "dernier animateur", timeout=WAIT
    )
    marc = await site.client("marc_lea")
    invited = await lea.post(
        f"/api/v1/collectives/{created.json()['id']}/invitations", json={"role": "animator"}
    )
    token = invited.json()["url"].rsplit("/", 1)[1]
    await marc.post(f"/api/v1/invitations/{token}/accept")
    await screenshot(page, "delete-account")
    await page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    await expect(page).to_have_url(f"{site.url}/login?deleted=1", timeout=WAIT)
    await expect(page.locator("#account-deleted")).to_have_text("Votre compte a été supprimé.")
    assert (await lea.get("/api/v1/me")).status_code == 401
    assert [e for e in errors if "409" not in e] == []
    await context.close()
