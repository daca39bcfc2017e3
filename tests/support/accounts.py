"""Account steps several tests need: logging in, verifying one's address through the emailed
link."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.applications import Starlette

from server.core.security import Passwords
from tests.conftest import PASSWORD, ApiClient, sent_mail

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"


async def login(client: ApiClient, email: str, password: str = PASSWORD) -> httpx.Response:
    """``client`` logs in (the answer as it comes: tests check refusals too)."""
    return await client.post(LOGIN, json={"email": email, "password": password})


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


def count_verifications(app: Starlette, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The passwords ``Passwords.verify`` is asked to check, in order (wraps the instance)."""
    passwords: Passwords = app.state.essaim.passwords
    original = passwords.verify
    verified: list[str] = []

    def verify(password_hash: str | None, password: str) -> bool:
        verified.append(password)
        return original(password_hash, password)

    monkeypatch.setattr(passwords, "verify", verify)
    return verified
