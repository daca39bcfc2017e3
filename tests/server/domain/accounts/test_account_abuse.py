"""Abuse of the account endpoints (review of the trust work): emailed links that a request's
Host header could point elsewhere, a password oracle behind DELETE /me, a per-account login
limit that fresh addresses could step around, a reset whose duration told whether the address
has an account, and throttle keys that matched other addresses."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from server.core.mail import Email, Mailer
from server.core.models import LoginFailure
from server.core.platform import Essaim
from tests.conftest import PASSWORD, ApiClient, MakeClient, sent_mail
from tests.support.accounts import count_verifications, login
from tests.support.apps import clients, custom_app

RESET = "/api/v1/auth/password-reset"


def anonymous(app: Starlette, base_url: str, address: str = "127.0.0.1") -> httpx.AsyncClient:
    """A client that names the server ``base_url`` (its Host header)."""
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url=base_url)


def link_in(email: Email, kind: str) -> str:
    found = re.search(rf"(\S+)/{kind}/[A-Za-z0-9_-]+", email.text)
    assert found, email.text
    return found.group(1)


# ---------------------------------------------------------------- links and the Host header


async def test_a_reset_asked_with_a_foreign_host_never_mails_a_link_to_it(
    app: Starlette, make_client: MakeClient
) -> None:
    await make_client("pia")
    async with anonymous(app, "http://evil.example") as http:
        asked = await http.post(RESET, json={"email": "pia@example.fr"})
    assert asked.status_code == 202, asked.text
    email = (await sent_mail(app))[-1]
    assert email.to == "pia@example.fr"
    assert link_in(email, "reset") == "http://localhost:8000"


async def test_a_sign_up_with_a_foreign_host_gets_a_verification_link_to_the_default(
    app: Starlette,
) -> None:
    async with anonymous(app, "http://evil.example") as http:
        body = {"email": "rui@example.fr", "password": PASSWORD, "display_name": "Rui"}
        assert (await http.post("/api/v1/auth/register", json=body)).status_code == 201
    assert link_in((await sent_mail(app))[-1], "verify") == "http://localhost:8000"


async def test_an_invitation_asked_with_a_foreign_host_mails_no_link_to_it(
    app: Starlette, make_client: MakeClient
) -> None:
    animator = await make_client("ana")
    created = await animator.post("/api/v1/collectives", json={"name": "Jardins"})
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    sent = await animator.post(
        f"/api/v1/collectives/{cid}/invitations",
        json={"role": "member", "email": "a@b.fr"},
        headers={"host": "evil.example"},
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["url"].startswith("http://localhost:8000/invitations/")
    assert "evil.example" not in (await sent_mail(app))[-1].text


@pytest.mark.parametrize(
    ("asked_as", "overrides", "expected"),
    [
        ("http://127.0.0.1:8080", {}, "http://127.0.0.1:8080"),
        ("http://localhost:9000", {}, "http://localhost:9000"),
        ("http://[::1]:8000", {}, "http://[::1]:8000"),
        ("https://essaim.lan", {"allowed_origins": ("https://essaim.lan",)}, "https://essaim.lan"),
        ("http://evil.example", {"public_url": "https://essaim.fr/"}, "https://essaim.fr"),
        ("https://essaim.lan", {"public_url": "https://essaim.fr"}, "https://essaim.fr"),
    ],
)
async def test_links_name_the_public_url_or_a_host_the_operator_vouched_for(
    tmp_path: Path, database_url: str, asked_as: str, overrides: dict[str, Any], expected: str
) -> None:
    async with custom_app(tmp_path, database_url, **overrides) as app, clients(app) as new:
        await new("pia")
        async with anonymous(app, asked_as) as http:
            assert (await http.post(RESET, json={"email": "pia@example.fr"})).status_code == 202
        assert link_in((await sent_mail(app))[-1], "reset") == expected


# ---------------------------------------------------------------- DELETE /me and the throttle


async def test_confirming_a_deletion_counts_against_the_login_limit(
    app: Starlette, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    pia = await make_client("pia")
    verified = count_verifications(app, monkeypatch)
    answers = [
        await pia.request("DELETE", "/api/v1/me", json={"password": f"guess {i}"}) for i in range(7)
    ]
    assert [a.status_code for a in answers] == [403] * 5 + [429] * 2
    assert answers[0].json()["error"]["code"] == "wrong_password"
    assert answers[-1].json()["error"]["code"] == "too_many_requests"
    assert len(verified) == 5, "past the limit no password is checked"
    # The same counter as logins: this address is refused there too, the owner elsewhere not.
    assert (await login(pia, "pia@example.fr")).status_code == 429
    assert (await login(await make_client(address="10.9.9.9"), "pia@example.fr")).status_code == 200
    assert (await pia.request("DELETE", "/api/v1/me", json={"password": PASSWORD})).status_code == (
        429
    )


# ---------------------------------------------------------------- the per-account limit


async def test_addresses_of_one_ipv6_64_count_as_one_client(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with custom_app(tmp_path, database_url) as app, clients(app) as new:
        await new("pia")
        verified = count_verifications(app, monkeypatch)
        first = await new(address="2001:db8::1")
        codes = [(await login(first, "pia@example.fr", f"x{i}")).status_code for i in range(6)]
        for n in range(2, 10):
            other = await new(address=f"2001:db8::{n:x}:1")
            codes.append((await login(other, "pia@example.fr", f"y{n}")).status_code)
        assert codes == [422] * 5 + [429] * 9
        assert len(verified) == 5
        # Another /64 is another client (the owner at home, say).
        elsewhere = await new(address="2001:db8:0:1::1")
        assert (await login(elsewhere, "pia@example.fr")).status_code == 200


async def test_past_the_ceiling_every_address_is_refused_until_a_reset(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with (
        custom_app(
            tmp_path,
            database_url,
            login_max_failures_account=2,
            login_max_failures_account_all=4,
        ) as app,
        clients(app) as new,
    ):
        pia = await new("pia")
        verified = count_verifications(app, monkeypatch)
        # Each new address gets one try past the limit (it had not failed here), until the
        # account's ceiling: then nobody's password is checked, not even the owner's.
        codes = []
        for n in range(1, 8):
            guesser = await new(address=f"10.0.{n}.1")
            codes.append((await login(guesser, "pia@example.fr", f"guess {n}")).status_code)
        assert codes == [422] * 4 + [429] * 3
        owner = await new(address="192.0.2.7")
        assert (await login(owner, "pia@example.fr")).status_code == 429
        assert len(verified) == 4
        # The owner proves they hold the mailbox: the failures are forgiven.
        assert (await pia.post(RESET, json={"email": "pia@example.fr"})).status_code == 202
        found = re.search(r"/reset/([A-Za-z0-9_-]+)", (await sent_mail(app))[-1].text)
        assert found
        token = found.group(1)
        reset = await owner.post(f"{RESET}/{token}", json={"password": "une phrase neuve"})
        assert reset.status_code == 204, reset.text
        assert (await login(owner, "pia@example.fr", "une phrase neuve")).status_code == 200


# ---------------------------------------------------------------- mail in the background


class HeldMailer(Mailer):
    """A mailer whose every send waits until the test lets it go (a slow SMTP server)."""

    def __init__(self) -> None:
        super().__init__("Essaim <essaim@example.fr>")
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def send(self, email: Email) -> None:
        self.entered.set()
        await self.release.wait()
        await super().send(email)


async def test_a_reset_answers_without_waiting_for_the_mail_server(
    app: Starlette, make_client: MakeClient
) -> None:
    await make_client("pia")
    await sent_mail(app)  # the sign-up's verification, sent
    essaim: Essaim = app.state.essaim
    held = HeldMailer()
    essaim.mailer = held
    asking = asyncio.create_task(
        (await make_client()).post(RESET, json={"email": "pia@example.fr"})
    )
    await held.entered.wait()  # the mail server is now "slow": it answers only when released
    # A hang guard, not a timing assertion: before the fix the request waited for the mail.
    done, _ = await asyncio.wait({asking}, timeout=30)
    held.release.set()
    assert asking in done, "the reset waited for the mail server"
    assert asking.result().status_code == 202
    await essaim.mail_queue.drain()
    assert [m.to for m in held.sent] == ["pia@example.fr"]


# ---------------------------------------------------------------- throttle keys


async def test_deleting_an_account_forgets_its_keys_only(
    app: Starlette, make_client: MakeClient
) -> None:
    """``a_b@…``'s deletion must not forget ``axb@…``'s keys: ``_`` is a LIKE wildcard."""
    axb = await make_client()
    assert (await axb.post(RESET, json={"email": "axb@example.fr"})).status_code == 202
    under = ApiClient(app)
    body = {"email": "a_b@example.fr", "password": PASSWORD, "display_name": "A"}
    registered = await under.http.post("/api/v1/auth/register", json=body)
    assert registered.status_code == 201, registered.text
    under.csrf = registered.json()["csrf_token"]
    assert (await under.post(RESET, json={"email": "a_b@example.fr"})).status_code == 202
    gone = await under.request("DELETE", "/api/v1/me", json={"password": PASSWORD})
    assert gone.status_code == 200, gone.text
    await under.aclose()
    async with app.state.essaim.db.read() as session:
        keys = set(await session.scalars(select(LoginFailure.key)))
    assert "password_reset:email:axb@example.fr" in keys
    assert not [key for key in keys if "a_b@example.fr" in key]
