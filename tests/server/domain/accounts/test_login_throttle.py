"""Throttling under concurrency: logins and sign-ups are counted before the password is
hashed or verified, hashing runs off the event loop and is bounded, and an attacker who fails
on an account locks out their own address, not the account's owner."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from server.core.models import User
from server.core.security import Passwords
from tests.conftest import PASSWORD
from tests.support.accounts import REGISTER, count_verifications, login
from tests.support.apps import clients, custom_app


def sign_up(name: str) -> dict[str, str]:
    return {"email": f"{name}@example.fr", "password": PASSWORD, "display_name": name}


async def test_thirty_concurrent_wrong_passwords_verify_at_most_the_limit(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with (
        custom_app(tmp_path, database_url, login_max_failures_account=5) as app,
        clients(app) as new,
    ):
        await new("victim")
        verified = count_verifications(app, monkeypatch)
        attacker = await new(address="10.1.2.3")
        responses = await asyncio.gather(
            *(login(attacker, "victim@example.fr", f"wrong password {i}") for i in range(30))
        )
    statuses = sorted(response.status_code for response in responses)
    assert len(verified) == 5, f"{len(verified)} passwords were verified"
    assert statuses == [422] * 5 + [429] * 25
    assert all(r.headers["retry-after"] == "900" for r in responses if r.status_code == 429)


async def test_two_servers_on_one_database_share_the_limit(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two platforms, two engines and pools: on SQLite only the database's own write lock
    # serialises them, as between two processes; on PostgreSQL the advisory lock does.
    async with (
        custom_app(tmp_path, database_url, login_max_failures_account=5) as one,
        custom_app(tmp_path, database_url, login_max_failures_account=5) as two,
        clients(one) as new_one,
        clients(two) as new_two,
    ):
        await new_one("victim")
        checked = [count_verifications(app, monkeypatch) for app in (one, two)]
        first, second = await new_one(address="10.1.2.3"), await new_two(address="10.1.2.3")
        responses = await asyncio.gather(
            *(
                login(client, "victim@example.fr", f"wrong password {i}")
                for i in range(12)
                for client in (first, second)
            )
        )
    assert sum(len(passwords) for passwords in checked) == 5
    assert sorted(r.status_code for r in responses) == [422] * 5 + [429] * 19


async def test_a_burst_of_nineteen_wrong_and_one_right_password_does_not_log_in(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with (
        custom_app(tmp_path, database_url, login_max_failures_account=5) as app,
        clients(app) as new,
    ):
        await new("victim")
        verified = count_verifications(app, monkeypatch)
        attacker = await new(address="10.1.2.3")

        async def right_guess() -> httpx.Response:
            # Sent while the wrong guesses are being verified: the order in which twenty
            # connections reach PostgreSQL is arbitrary, and the right guess coming among
            # the first five would rightly log in.
            async with asyncio.timeout(30):
                while len(verified) < 5:
                    await asyncio.sleep(0)
            return await login(attacker, "victim@example.fr", PASSWORD)

        wrong = [login(attacker, "victim@example.fr", f"wrong password {i}") for i in range(19)]
        responses = await asyncio.gather(*wrong, right_guess())
        assert [r.status_code for r in responses if r.status_code == 200] == [], "logged in"
        assert len(verified) == 5, f"{len(verified)} passwords were verified"
        assert responses[-1].status_code == 429, responses[-1].text
        assert (await attacker.get("/api/v1/me")).status_code == 401


async def test_an_attacker_failing_on_an_account_locks_out_their_address_not_the_owner(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with (
        custom_app(tmp_path, database_url, login_max_failures_account=3) as app,
        clients(app) as new,
    ):
        await new("victim")
        verified = count_verifications(app, monkeypatch)
        attacker = await new(address="10.6.6.6")
        for _ in range(3):
            assert (await login(attacker, "victim@example.fr", "guess")).status_code == 422
        # The account reached its limit: the failing address is refused, even the right
        # password, before any verification.
        blocked = await login(attacker, "victim@example.fr")
        assert blocked.status_code == 429, blocked.text
        assert blocked.headers["retry-after"] == "900"
        assert len(verified) == 3
        # A clean address may still try; a wrong password from it is counted...
        typo = await new(address="10.8.8.8")
        assert (await login(typo, "victim@example.fr", "a typo")).status_code == 422
        assert len(verified) == 4
        # ... so that address is refused next, as the attacker's was.
        assert (await login(typo, "victim@example.fr")).status_code == 429
        assert len(verified) == 4
        # The owner, from an address that has not been failing, gets in.
        owner = await new(address="10.7.7.7")
        response = await login(owner, "victim@example.fr")
        assert response.status_code == 200, response.text
        # The owner's success does not forgive the attacker's address.
        assert (await login(attacker, "victim@example.fr")).status_code == 429


async def test_hashing_runs_in_bounded_worker_threads_while_the_loop_serves_requests(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with (
        custom_app(tmp_path, database_url, hash_concurrency=2) as app,
        clients(app) as new,
    ):
        passwords: Passwords = app.state.essaim.passwords
        original = passwords.hash
        loop_thread = threading.get_ident()
        release = threading.Event()
        guard = threading.Lock()
        running: list[int] = []
        peak = [0]
        on_loop: list[str] = []

        def held_hash(password: str) -> str:
            if threading.get_ident() == loop_thread:
                on_loop.append(password)  # blocking here would freeze the test itself
                return original(password)
            with guard:
                running.append(1)
                peak[0] = max(peak[0], len(running))
            try:
                release.wait(timeout=60)  # held until the loop has served a request
                return original(password)
            finally:
                with guard:
                    running.pop()

        monkeypatch.setattr(passwords, "hash", held_hash)
        people = [await new(address=f"10.3.0.{i}") for i in range(4)]
        signups = [
            asyncio.ensure_future(person.post(REGISTER, json=sign_up(f"p{i}")))
            for i, person in enumerate(people)
        ]
        try:
            async with asyncio.timeout(30):
                while len(running) < 2:  # seen from the loop: only if they run elsewhere
                    assert not on_loop, "a password was hashed on the event loop"
                    await asyncio.sleep(0.01)
            health = await people[0].get("/api/v1/health")
            assert health.status_code == 200
            assert len(running) == 2, "the loop answered while two hashes were running"
        finally:
            release.set()
        results = await asyncio.gather(*signups)
    assert [r.status_code for r in results] == [201] * 4
    assert peak[0] == 2, "at most ESSAIM_HASH_CONCURRENCY hashes run at once"
    assert not on_loop


async def test_sign_ups_beyond_the_limit_per_address_are_429_and_write_nothing(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with (
        custom_app(
            tmp_path, database_url, register_max_per_address=3, register_window_seconds=1200
        ) as app,
        clients(app) as new,
    ):
        passwords: Passwords = app.state.essaim.passwords
        original, hashed = passwords.hash, []

        def counted(password: str) -> str:
            hashed.append(password)
            return original(password)

        monkeypatch.setattr(passwords, "hash", counted)
        crowd = await new(address="10.2.2.2")
        responses: list[httpx.Response] = await asyncio.gather(
            *(crowd.post(REGISTER, json=sign_up(f"bot{i}")) for i in range(8))
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201] * 3 + [429] * 5
        for refused in (r for r in responses if r.status_code == 429):
            assert refused.headers["retry-after"] == "1200"
            assert refused.json()["error"]["code"] == "too_many_requests"
            assert "set-cookie" not in refused.headers
        assert len(hashed) == 3, "refused sign-ups are not hashed"
        async with app.state.essaim.db.read() as session:
            assert await session.scalar(select(func.count()).select_from(User)) == 3
        elsewhere = await new(address="10.9.9.9")
        ok = await elsewhere.post(REGISTER, json=sign_up("neighbour"))
        assert ok.status_code == 201, ok.text


async def test_the_longest_email_from_an_ipv6_address_is_throttled_like_any_other(
    tmp_path: Path, database_url: str
) -> None:
    longest = f"{'a' * 64}@{'b' * 63}.{'c' * 63}.{'d' * 58}.fr"
    assert len(longest) == 254
    async with (
        custom_app(tmp_path, database_url, login_max_failures_account=2) as app,
        clients(app) as new,
    ):
        client = await new(address="2001:db8:ffff:ffff:ffff:ffff:255.255.255.255")
        for _ in range(2):
            assert (await login(client, longest, "wrong password")).status_code == 422
        assert (await login(client, longest, "wrong password")).status_code == 429
