"""Password reset by email: a single-use, expiring link whose token is stored hashed; the same
answer whether or not the address has an account; throttled; every session revoked; sent in
the person's language through the log mailer and through a real SMTP server."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update
from starlette.applications import Starlette

from server.core.models import utcnow
from server.core.models.accounts import AccountToken
from tests.conftest import PASSWORD, ApiClient, MakeClient, sent_mail
from tests.support.accounts import login
from tests.support.apps import clients, custom_app
from tests.support.mail import Inbox
from tests.support.network import free_port

RESET = "/api/v1/auth/password-reset"
NEW_PASSWORD = "une toute nouvelle phrase"


def reset_token(text: str) -> str:
    found = re.search(r"/reset/([A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


async def test_a_reset_link_sets_a_new_password_once_and_revokes_every_session(
    app: Starlette, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    anna = await make_client("anna")
    laptop = await make_client()
    laptop.csrf = (await login(laptop, "anna@example.fr")).json()["csrf_token"]
    anonymous = await make_client()
    before = len(await sent_mail(app))
    with caplog.at_level(logging.INFO, logger="essaim.mail"):
        asked = await anonymous.post(RESET, json={"email": "Anna@Example.fr"})
        await sent_mail(app)  # sent in the background
    assert asked.status_code == 202, asked.text
    assert len(await sent_mail(app)) == before + 1
    email = (await sent_mail(app))[-1]
    assert email.to == "anna@example.fr"
    assert email.subject == "Réinitialiser votre mot de passe Essaim"
    assert "60 minutes" in email.text
    token = reset_token(email.text)
    assert f"http://testserver/reset/{token}" in email.text
    assert f"/reset/{token}" in caplog.text, "the embedded default writes it to the log"
    async with app.state.essaim.db.read() as session:
        hashes = list(await session.scalars(select(AccountToken.token_hash)))
    assert token not in hashes
    assert hashlib.sha256(token.encode()).hexdigest() in hashes

    page = await anonymous.get(f"/reset/{token}")
    assert page.status_code == 200 and 'id="reset-form"' in page.text

    done = await anonymous.post(f"{RESET}/{token}", json={"password": NEW_PASSWORD})
    assert done.status_code == 204, done.text
    for old in (anna, laptop):
        assert (await old.get("/api/v1/me")).status_code == 401, "old sessions are revoked"
    assert (await login(anonymous, "anna@example.fr")).status_code == 422
    fresh = await login(anonymous, "anna@example.fr", NEW_PASSWORD)
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["user"]["email_verified"] is True, "the link reached the mailbox"

    again = await anonymous.post(f"{RESET}/{token}", json={"password": "encore une autre"})
    assert again.status_code == 410, again.text
    assert again.json()["error"]["code"] == "reset_link_used"
    assert (await login(anonymous, "anna@example.fr", NEW_PASSWORD)).status_code == 200
    used_page = await anonymous.get(f"/reset/{token}")
    assert used_page.status_code == 410 and 'id="reset-form"' not in used_page.text


async def test_an_unknown_address_gets_the_same_answer_and_no_email(
    app: Starlette, make_client: MakeClient
) -> None:
    await make_client("anna")
    anonymous = await make_client()
    known = await anonymous.post(RESET, json={"email": "anna@example.fr"})
    sent = len(await sent_mail(app))
    unknown = await anonymous.post(RESET, json={"email": "personne@example.fr"})
    assert (unknown.status_code, unknown.json()) == (known.status_code, known.json())
    assert unknown.headers.get("set-cookie") is None
    assert len(await sent_mail(app)) == sent


async def test_an_expired_or_unknown_link_is_refused_and_changes_nothing(
    app: Starlette, make_client: MakeClient
) -> None:
    anna = await make_client("anna")
    anonymous = await make_client()
    await anonymous.post(RESET, json={"email": "anna@example.fr"})
    token = reset_token((await sent_mail(app))[-1].text)
    async with app.state.essaim.db.write() as session:
        await session.execute(
            update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    late = await anonymous.post(f"{RESET}/{token}", json={"password": NEW_PASSWORD})
    assert late.status_code == 410, late.text
    assert late.json()["error"]["code"] == "reset_link_expired"
    forged = await anonymous.post(f"{RESET}/not-a-token", json={"password": NEW_PASSWORD})
    assert forged.status_code == 404
    short = await anonymous.post(f"{RESET}/{token}", json={"password": "court"})
    assert short.status_code == 422
    assert (await anna.get("/api/v1/me")).status_code == 200, "no session was revoked"
    assert (await login(anonymous, "anna@example.fr")).status_code == 200


async def test_reset_requests_are_throttled_per_email_and_per_address_alike(
    tmp_path: Path, database_url: str
) -> None:
    async with (
        custom_app(
            tmp_path,
            database_url,
            account_email_max_per_email=2,
            account_email_max_per_address=3,
            account_email_window_seconds=1800,
        ) as app,
        clients(app) as new,
    ):
        await new("anna")
        sent = len(await sent_mail(app))
        for email in ("anna@example.fr", "personne@example.fr"):
            one, two = await new(address="10.0.1.1"), await new(address="10.0.2.1")
            assert (await one.post(RESET, json={"email": email})).status_code == 202
            assert (await two.post(RESET, json={"email": email})).status_code == 202
            third = await (await new(address="10.0.3.1")).post(RESET, json={"email": email})
            assert third.status_code == 429, "the same refusal for known and unknown"
            assert third.headers["retry-after"] == "1800"
        assert len(await sent_mail(app)) == sent + 2
        spray = await new(address="10.0.9.9")
        for n in range(3):
            assert (await spray.post(RESET, json={"email": f"x{n}@example.fr"})).status_code == 202
        assert (await spray.post(RESET, json={"email": "x9@example.fr"})).status_code == 429


async def test_the_reset_email_goes_through_smtp_in_the_persons_language(
    tmp_path: Path, database_url: str
) -> None:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        async with (
            custom_app(
                tmp_path,
                database_url,
                smtp_url=f"smtp://127.0.0.1:{port}",
                public_url="https://essaim.example.fr",
            ) as app,
            clients(app) as new,
        ):
            anonymous = await new()
            response = await anonymous.post(
                "/api/v1/auth/register",
                json={
                    "email": "emma@example.fr",
                    "password": PASSWORD,
                    "display_name": "Emma",
                    "language": "en",
                },
            )
            assert response.status_code == 201, response.text
            assert (
                await anonymous.post(RESET, json={"email": "emma@example.fr"})
            ).status_code == 202
            await sent_mail(app)
            resets = [m for m in inbox.messages if "password" in str(m["Subject"]).lower()]
            assert len(resets) == 1
            message = resets[0]
            assert message["To"] == "emma@example.fr"
            assert str(message["Subject"]) == "Reset your Essaim password"
            body = message.get_body()
            assert body is not None
            text = body.get_content()
            assert "https://essaim.example.fr/reset/" in text
            token = reset_token(text)
            done = await anonymous.post(f"{RESET}/{token}", json={"password": NEW_PASSWORD})
            assert done.status_code == 204, done.text
            assert (await anonymous.get("/api/v1/me")).status_code == 401
            assert (await login(anonymous, "emma@example.fr", NEW_PASSWORD)).status_code == 200
    finally:
        controller.stop()


async def test_a_reset_forgives_the_accounts_failed_logins(
    tmp_path: Path, database_url: str
) -> None:
    async with (
        custom_app(tmp_path, database_url, login_max_failures_account=2) as app,
        clients(app) as new,
    ):
        await new("anna")
        owner: ApiClient = await new(address="10.5.5.5")
        for _ in range(2):
            assert (await login(owner, "anna@example.fr", "oublié")).status_code == 422
        assert (await login(owner, "anna@example.fr")).status_code == 429
        await owner.post(RESET, json={"email": "anna@example.fr"})
        token = reset_token((await sent_mail(app))[-1].text)
        assert (
            await owner.post(f"{RESET}/{token}", json={"password": NEW_PASSWORD})
        ).status_code == 204
        assert (await login(owner, "anna@example.fr", NEW_PASSWORD)).status_code == 200
