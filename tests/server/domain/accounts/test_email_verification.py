"""Verification of the address after sign-up: a single-use link emailed at registration that
does not hold the first session back; GET /me and the profile page say whether it is done;
the link can be sent again, within a throttle."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update
from starlette.applications import Starlette

from server.core.models import utcnow
from server.core.models.accounts import AccountToken
from tests.conftest import MakeClient, sent_mail
from tests.support.apps import clients, custom_app

VERIFY = "/api/v1/auth/verify-email"


def verify_token(text: str) -> str:
    found = re.search(r"/verify/([A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


async def test_sign_up_emails_a_link_that_verifies_the_address_once(
    app: Starlette, make_client: MakeClient
) -> None:
    before = len(await sent_mail(app))
    anna = await make_client("anna")
    assert len(await sent_mail(app)) == before + 1
    email = (await sent_mail(app))[-1]
    assert email.to == "anna@example.fr"
    assert email.subject == "Confirmez votre adresse sur Essaim"
    token = verify_token(email.text)
    assert f"http://testserver/verify/{token}" in email.text
    me = await anna.get("/api/v1/me")
    assert me.status_code == 200, "the first session does not wait for the verification"
    assert me.json()["user"]["email_verified"] is False
    assert "pas encore vérifiée" in (await anna.get("/profile")).text

    page = await anna.get(f"/verify/{token}")
    assert page.status_code == 200 and 'id="verify-email"' in page.text
    anonymous = await make_client()  # the link may be opened on another device
    done = await anonymous.post(f"{VERIFY}/{token}")
    assert done.status_code == 204, done.text
    assert (await anna.get("/api/v1/me")).json()["user"]["email_verified"] is True
    assert "Votre adresse est vérifiée." in (await anna.get("/profile")).text

    again = await anonymous.post(f"{VERIFY}/{token}")
    assert again.status_code == 410
    assert again.json()["error"]["code"] == "verification_link_used"
    resend = await anna.post(VERIFY)
    assert resend.status_code == 409
    assert resend.json()["error"]["code"] == "email_already_verified"


async def test_an_expired_or_unknown_link_verifies_nothing(
    app: Starlette, make_client: MakeClient
) -> None:
    anna = await make_client("anna")
    token = verify_token((await sent_mail(app))[-1].text)
    async with app.state.essaim.db.write() as session:
        await session.execute(
            update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    late = await anna.post(f"{VERIFY}/{token}")
    assert late.status_code == 410
    assert late.json()["error"]["code"] == "verification_link_expired"
    assert (await anna.post(f"{VERIFY}/forged")).status_code == 404
    assert (await anna.get("/api/v1/me")).json()["user"]["email_verified"] is False


async def test_the_link_can_be_sent_again_within_a_throttle(
    tmp_path: Path, database_url: str
) -> None:
    async with (
        custom_app(tmp_path, database_url, account_email_max_per_email=2) as app,
        clients(app) as new,
    ):
        anna = await new("anna")
        first = verify_token((await sent_mail(app))[-1].text)
        for _ in range(2):
            assert (await anna.post(VERIFY)).status_code == 202
        assert (await sent_mail(app))[-1].to == "anna@example.fr"
        latest = verify_token((await sent_mail(app))[-1].text)
        assert latest != first
        refused = await anna.post(VERIFY)
        assert refused.status_code == 429
        assert "retry-after" in refused.headers
        assert (await anna.post(f"{VERIFY}/{latest}")).status_code == 204
        assert (await anna.get("/api/v1/me")).json()["user"]["email_verified"] is True
        # An unauthenticated resend is refused: it is for the logged-in person.
        assert (await (await new()).post(VERIFY)).status_code == 401
