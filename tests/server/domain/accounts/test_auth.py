"""Accounts and invitations over HTTP: cookies, password and token storage, CSRF, logout,
expiry, login throttling, and single-use invitation links."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from starlette.applications import Starlette

from server.core.models import Invitation, LoginSession, User, utcnow
from tests.conftest import PASSWORD, ApiClient, MakeClient, join
from tests.support.accounts import REGISTER, login
from tests.support.apps import clients, custom_app


def session_cookie(client: ApiClient) -> str:
    value = client.http.cookies.get("essaim_session")
    assert value, "no session cookie"
    return value


# ---------------------------------------------------------------- registration and cookies


async def test_register_sets_an_httponly_lax_cookie_not_secure_over_http(
    make_client: MakeClient,
) -> None:
    client = await make_client()
    response = await client.post(
        REGISTER,
        json={"email": "lea@example.fr", "password": PASSWORD, "display_name": "Léa"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["user"]["email"] == "lea@example.fr"
    assert response.json()["csrf_token"]
    cookie = response.headers["set-cookie"]
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert attributes[0].startswith("essaim_session=")
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "secure" not in attributes
    assert "path=/" in attributes


async def test_cookie_is_secure_when_cookie_secure_is_true(
    tmp_path: Path, database_url: str
) -> None:
    async with (
        custom_app(tmp_path, database_url, cookie_secure="true") as app,
        clients(app) as new,
    ):
        client = await new()
        response = await client.post(
            REGISTER,
            json={"email": "lea@example.fr", "password": PASSWORD, "display_name": "Léa"},
        )
        assert response.status_code == 201, response.text
        attributes = [p.strip().lower() for p in response.headers["set-cookie"].split(";")]
        assert "secure" in attributes
        assert "httponly" in attributes
        assert "samesite=lax" in attributes


async def test_cookie_is_secure_over_https_in_auto_mode(app: Starlette) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        response = await http.post(
            REGISTER,
            json={"email": "lea@example.fr", "password": PASSWORD, "display_name": "Léa"},
        )
    assert response.status_code == 201, response.text
    attributes = [p.strip().lower() for p in response.headers["set-cookie"].split(";")]
    assert "secure" in attributes


async def test_duplicate_email_is_409_and_creates_nothing(
    app: Starlette, make_client: MakeClient
) -> None:
    await make_client("anna")
    again = await make_client()
    response = await again.post(
        REGISTER,
        json={"email": "ANNA@example.fr", "password": "another password", "display_name": "A"},
    )
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "email_taken"
    assert "set-cookie" not in response.headers
    async with app.state.essaim.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 1


async def test_password_is_stored_as_an_argon2id_hash(
    app: Starlette, make_client: MakeClient
) -> None:
    anna = await make_client("anna")
    async with app.state.essaim.db.read() as session:
        stored = await session.scalar(select(User.password_hash).where(User.id == anna.id))
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


# ---------------------------------------------------------------- login and sessions


async def test_login_with_the_right_password_opens_a_new_session(
    make_client: MakeClient,
) -> None:
    await make_client("anna")
    client = await make_client()
    response = await login(client, "anna@example.fr")
    assert response.status_code == 200, response.text
    client.csrf = response.json()["csrf_token"]
    me = await client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["user"]["email"] == "anna@example.fr"
    assert me.json()["csrf_token"] == client.csrf


async def test_login_with_a_wrong_password_or_unknown_email_is_bad_credentials(
    make_client: MakeClient,
) -> None:
    await make_client("anna")
    client = await make_client()
    for email, password in (("anna@example.fr", "wrong password"), ("nobody@example.fr", PASSWORD)):
        response = await login(client, email, password)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "bad_credentials"
        assert "set-cookie" not in response.headers
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_session_token_is_stored_hashed(app: Starlette, make_client: MakeClient) -> None:
    anna = await make_client("anna")
    token = session_cookie(anna)
    async with app.state.essaim.db.read() as session:
        hashes = list(await session.scalars(select(LoginSession.token_hash)))
    assert token not in hashes
    assert hashlib.sha256(token.encode()).hexdigest() in hashes


async def test_me_returns_the_csrf_token_of_the_session(make_client: MakeClient) -> None:
    anna = await make_client("anna")
    me = await anna.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["csrf_token"] == anna.csrf
    assert me.json()["user"]["id"] == anna.id


async def test_requests_without_a_session_are_401(make_client: MakeClient) -> None:
    anonymous = await make_client()
    for method, path in (("GET", "/api/v1/me"), ("POST", "/api/v1/collectives")):
        response = await anonymous.request(method, path, json={"name": "X"})
        assert response.status_code == 401, response.text
        assert response.json()["error"]["code"] == "not_authenticated"


async def test_unsafe_request_without_or_with_a_wrong_csrf_token_is_refused(
    make_client: MakeClient,
) -> None:
    anna = await make_client("anna")
    wrong = {"X-CSRF-Token": "not-the-token"}
    attempts: list[Callable[[], Awaitable[httpx.Response]]] = [  # anna.http: no CSRF header
        lambda: anna.http.post("/api/v1/collectives", json={"name": "Sans jeton"}),
        lambda: anna.post("/api/v1/collectives", json={"name": "Faux"}, headers=wrong),
        lambda: anna.http.patch("/api/v1/me", json={"display_name": "Pirate"}),
        lambda: anna.patch("/api/v1/me", json={"display_name": "Pirate"}, headers=wrong),
        lambda: anna.http.post("/api/v1/auth/logout"),
    ]
    for attempt in attempts:
        response = await attempt()
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "csrf_failed"
    assert (await anna.get("/api/v1/collectives")).json()["collectives"] == []
    me = await anna.get("/api/v1/me")
    assert me.status_code == 200, "the session survived the refused logout"
    assert me.json()["user"]["display_name"] == "anna"


async def test_logout_revokes_the_session_even_if_the_cookie_is_sent_again(
    app: Starlette, make_client: MakeClient
) -> None:
    anna = await make_client("anna")
    token = session_cookie(anna)
    response = await anna.post("/api/v1/auth/logout")
    assert response.status_code == 204, response.text
    assert (await anna.get("/api/v1/me")).status_code == 401
    replay = ApiClient(app)
    try:
        replay.http.cookies.set("essaim_session", token)
        response = await replay.get("/api/v1/me")
        assert response.status_code == 401, response.text
        assert response.json()["error"]["code"] == "not_authenticated"
        raw = await replay.http.post(
            "/api/v1/collectives",
            json={"name": "Après"},
            headers={"X-CSRF-Token": anna.csrf or ""},
        )
        assert raw.status_code == 401
    finally:
        await replay.aclose()
    async with app.state.essaim.db.read() as session:
        row = await session.scalar(
            select(LoginSession).where(
                LoginSession.token_hash == hashlib.sha256(token.encode()).hexdigest()
            )
        )
    assert row is not None and row.revoked_at is not None


async def test_logout_leaves_other_sessions_open(make_client: MakeClient) -> None:
    anna = await make_client("anna")
    elsewhere = await make_client()
    logged = await login(elsewhere, "anna@example.fr")
    elsewhere.csrf = logged.json()["csrf_token"]
    assert (await anna.post("/api/v1/auth/logout")).status_code == 204
    assert (await elsewhere.get("/api/v1/me")).status_code == 200


async def test_expired_session_is_401(app: Starlette, make_client: MakeClient) -> None:
    anna = await make_client("anna")
    assert (await anna.get("/api/v1/me")).status_code == 200
    async with app.state.essaim.db.write() as session:
        await session.execute(
            update(LoginSession)
            .where(LoginSession.user_id == anna.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    response = await anna.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


# ---------------------------------------------------------------- login throttling


async def test_login_is_throttled_per_account(tmp_path: Path, database_url: str) -> None:
    async with (
        custom_app(
            tmp_path, database_url, login_max_failures_account=3, login_window_seconds=600
        ) as app,
        clients(app) as new,
    ):
        await new("victim")
        await new("bystander")
        attacker = await new(address="10.1.2.3")
        for _ in range(3):
            response = await login(attacker, "victim@example.fr", "wrong password")
            assert response.status_code == 422, response.text
        blocked = await login(attacker, "victim@example.fr")
        assert blocked.status_code == 429, blocked.text
        assert blocked.headers["retry-after"] == "600"
        assert blocked.json()["error"]["code"] == "too_many_requests"
        assert blocked.json()["error"]["retry_after"] == 600
        assert "set-cookie" not in blocked.headers
        other = await login(attacker, "bystander@example.fr")
        assert other.status_code == 200, other.text
        # Another address may still log in (see test_login_throttle for the lockout rules).
        owner = await login(await new(address="10.4.5.6"), "victim@example.fr")
        assert owner.status_code == 200, owner.text


async def test_a_successful_login_forgives_the_accounts_failures(
    tmp_path: Path, database_url: str
) -> None:
    async with (
        custom_app(tmp_path, database_url, login_max_failures_account=3) as app,
        clients(app) as new,
    ):
        await new("anna")
        client = await new()
        for _ in range(2):
            assert (await login(client, "anna@example.fr", "wrong password")).status_code == 422
        assert (await login(client, "anna@example.fr")).status_code == 200
        for _ in range(2):
            assert (await login(client, "anna@example.fr", "wrong password")).status_code == 422
        assert (await login(client, "anna@example.fr")).status_code == 200


async def test_login_is_throttled_per_address(tmp_path: Path, database_url: str) -> None:
    async with (
        custom_app(
            tmp_path, database_url, login_max_failures_address=3, login_max_failures_account=50
        ) as app,
        clients(app) as new,
    ):
        for name in ("a", "b", "c", "d"):
            await new(name)
        scanner = await new(address="10.1.2.3")
        for name in ("a", "b", "c"):
            response = await login(scanner, f"{name}@example.fr", "wrong password")
            assert response.status_code == 422, response.text
        blocked = await login(scanner, "d@example.fr")
        assert blocked.status_code == 429, blocked.text
        assert int(blocked.headers["retry-after"]) > 0
        neighbour = await new(address="10.9.9.9")
        assert (await login(neighbour, "a@example.fr")).status_code == 200
        assert (await login(neighbour, "d@example.fr")).status_code == 200


# ---------------------------------------------------------------- invitations


@dataclass
class Circle:
    """A collective and its animator: what invitations need, lighter than ``world``."""

    animator: ApiClient
    collective_id: int


@pytest.fixture
async def circle(make_client: MakeClient) -> Circle:
    animator = await make_client("anna")
    created = await animator.post("/api/v1/collectives", json={"name": "Rénovation Drôme"})
    assert created.status_code == 201, created.text
    return Circle(animator, created.json()["id"])


async def invite(animator: ApiClient, collective_id: int, **body: Any) -> tuple[str, str]:
    response = await animator.post(f"/api/v1/collectives/{collective_id}/invitations", json=body)
    assert response.status_code == 201, response.text
    url = response.json()["url"]
    return url, url.rsplit("/", 1)[1]


async def test_invitation_link_works_once(circle: Circle, make_client: MakeClient) -> None:
    _, token = await invite(circle.animator, circle.collective_id)
    first, second = await make_client("pia"), await make_client("quentin")
    accepted = await first.post(f"/api/v1/invitations/{token}/accept")
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["id"], accepted.json()["role"]) == (circle.collective_id, "member")
    again = await second.post(f"/api/v1/invitations/{token}/accept")
    assert again.status_code == 410, again.text
    assert again.json()["error"]["code"] == "invitation_used"
    assert (await second.get(f"/api/v1/collectives/{circle.collective_id}")).status_code == 404
    preview = await second.get(f"/api/v1/invitations/{token}")
    assert preview.status_code == 410
    assert preview.json()["error"]["code"] == "invitation_used"


async def test_expired_invitation_is_410(
    app: Starlette, circle: Circle, make_client: MakeClient
) -> None:
    _, token = await invite(circle.animator, circle.collective_id)
    async with app.state.essaim.db.write() as session:
        await session.execute(
            update(Invitation)
            .where(Invitation.token_hash == hashlib.sha256(token.encode()).hexdigest())
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    late = await make_client("pia")
    for method in ("GET", "POST"):
        path = f"/api/v1/invitations/{token}" + ("/accept" if method == "POST" else "")
        response = await late.request(method, path)
        assert response.status_code == 410, response.text
        assert response.json()["error"]["code"] == "invitation_expired"
    assert (await late.get(f"/api/v1/collectives/{circle.collective_id}")).status_code == 404


async def test_unknown_invitation_token_is_404(make_client: MakeClient) -> None:
    pia = await make_client("pia")
    for method, path in (
        ("GET", "/api/v1/invitations/not-a-real-token"),
        ("POST", "/api/v1/invitations/not-a-real-token/accept"),
    ):
        response = await pia.request(method, path)
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "not_found"


async def test_invitation_token_is_stored_hashed(app: Starlette, circle: Circle) -> None:
    _, token = await invite(circle.animator, circle.collective_id)
    async with app.state.essaim.db.read() as session:
        hashes = list(await session.scalars(select(Invitation.token_hash)))
    assert token not in hashes
    assert hashlib.sha256(token.encode()).hexdigest() in hashes


async def test_invitation_with_an_email_sends_the_same_link(app: Starlette, circle: Circle) -> None:
    mailer = app.state.essaim.mailer
    before = len(mailer.sent)
    await invite(circle.animator, circle.collective_id)
    assert len(mailer.sent) == before, "no email without an address"
    url, _ = await invite(circle.animator, circle.collective_id, email="Pia@Example.fr")
    assert len(mailer.sent) == before + 1
    email = mailer.sent[-1]
    assert email.to == "pia@example.fr"
    assert url in email.text
    assert "Rénovation Drôme" in email.subject


async def test_accepting_when_already_a_member_is_409_and_keeps_the_link(
    circle: Circle, make_client: MakeClient
) -> None:
    member = await make_client("marc")
    await join(circle.animator, member, circle.collective_id, "member")
    _, token = await invite(circle.animator, circle.collective_id, role="animator")
    refused = await member.post(f"/api/v1/invitations/{token}/accept")
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "already_member"
    role = (await member.get(f"/api/v1/collectives/{circle.collective_id}")).json()["role"]
    assert role == "member"
    newcomer = await make_client("pia")
    accepted = await newcomer.post(f"/api/v1/invitations/{token}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["role"] == "animator"


async def test_invitation_preview_needs_no_login(circle: Circle, make_client: MakeClient) -> None:
    _, token = await invite(circle.animator, circle.collective_id, role="observer")
    anonymous = await make_client()
    preview = await anonymous.get(f"/api/v1/invitations/{token}")
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["collective"] == {"id": circle.collective_id, "name": "Rénovation Drôme"}
    assert body["role"] == "observer"
    assert body["expires_at"]
    refused = await anonymous.post(f"/api/v1/invitations/{token}/accept")
    assert refused.status_code == 401
    assert (await anonymous.get(f"/api/v1/invitations/{token}")).status_code == 200


async def test_accepting_an_observer_invitation_gives_an_observer(
    circle: Circle, make_client: MakeClient
) -> None:
    olivia = await make_client("olivia")
    await join(circle.animator, olivia, circle.collective_id, "observer")
    collective = await olivia.get(f"/api/v1/collectives/{circle.collective_id}")
    assert collective.json()["role"] == "observer"
    members = (await olivia.get(f"/api/v1/collectives/{circle.collective_id}/members")).json()
    assert {"olivia": "observer"}.items() <= {
        m["user"]["display_name"]: m["role"] for m in members["members"]
    }.items()
    board = await circle.animator.post(
        f"/api/v1/collectives/{circle.collective_id}/boards", json={"name": "Idées"}
    )
    card = await olivia.post(f"/api/v1/boards/{board.json()['id']}/cards", json={"title": "Moi"})
    assert card.status_code == 403, card.text
