"""Account steps several tests need: verifying one's address through the emailed link."""

from __future__ import annotations

import re

from starlette.applications import Starlette

from tests.conftest import ApiClient, sent_mail


async def verify_address(app: Starlette, client: ApiClient) -> None:
    """Open the verification link last emailed to ``client``'s address (sign-up sends one)."""
    address = client.user["email"]
    links = [
        found.group(1)
        for email in await sent_mail(app)
        if email.to == address and (found := re.search(r"/verify/([A-Za-z0-9_-]+)", email.text))
    ]
    assert links, f"no verification link was emailed to {address}"
    opened = await client.post(f"/api/v1/auth/verify-email/{links[-1]}")
    assert opened.status_code == 204, opened.text
    me = await client.get("/api/v1/me")
    assert me.json()["user"]["email_verified"] is True
