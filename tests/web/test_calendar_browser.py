"""One's calendar on the profile page, in Chromium: turned on, its address fetched as an
iCalendar file, renewed (the old one answers 404), turned off; at 375 px without overflow."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.async_api import expect

from tests.support.axe import overflow
from tests.web.conftest import Site, logged_in

pytestmark = pytest.mark.browser


async def test_a_member_turns_their_calendar_on_renews_it_and_turns_it_off(
    browser: Any, site: Site
) -> None:
    ctx, page, errors = await logged_in(
        browser, site, "camille", viewport={"width": 375, "height": 812}
    )
    await page.goto("/profile")
    box = page.locator("#my-calendar")
    await box.get_by_role("button", name="Activer mon agenda").click()
    field = box.get_by_label("L’adresse de votre agenda", exact=False)
    await expect(field).to_have_value(re.compile(r"^http.*/calendar/.+\.ics$"))
    first = await field.input_value()
    feed = await page.context.request.get(urlsplit(first).path)
    assert feed.ok and (await feed.text()).startswith("BEGIN:VCALENDAR")
    await box.get_by_role("button", name="Nouvelle adresse (l’ancienne ne marche plus)").click()
    await expect(field).not_to_have_value(first)
    old = await page.context.request.get(urlsplit(first).path)
    assert old.status == 404
    assert not await overflow(page)
    await box.get_by_role("button", name="Désactiver mon agenda").click()
    await expect(box.get_by_role("button", name="Activer mon agenda")).to_be_visible()
    assert errors == []
    await ctx.close()
