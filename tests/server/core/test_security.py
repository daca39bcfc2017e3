"""Passwords hashed with argon2id and verified without ever raising; tokens random and
stored only as their SHA-256."""

from __future__ import annotations

import hashlib

import pytest

from server.core.security import Passwords, new_token, same, token_hash


@pytest.fixture(scope="module")
def passwords() -> Passwords:
    return Passwords(time_cost=1, memory_kib=1024)


def test_a_password_verifies_against_its_own_hash_only(passwords: Passwords) -> None:
    stored = passwords.hash("Les abeilles d’Ardèche")
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, "Les abeilles d’Ardèche")
    assert not passwords.verify(stored, "Les abeilles d'Ardèche")  # another apostrophe
    assert passwords.hash("Les abeilles d’Ardèche") != stored, "each hash has its own salt"


def test_a_missing_or_broken_hash_verifies_nothing(passwords: Passwords) -> None:
    assert not passwords.verify(None, "n'importe quoi")
    assert not passwords.verify("pas un hachage", "n'importe quoi")


def test_a_hash_made_at_a_lower_cost_needs_rehashing(passwords: Passwords) -> None:
    stronger = Passwords(time_cost=2, memory_kib=1024)
    assert stronger.needs_rehash(passwords.hash("ruche"))
    assert not passwords.needs_rehash(passwords.hash("ruche"))


async def test_the_async_forms_agree_with_the_blocking_ones(passwords: Passwords) -> None:
    stored = await passwords.hash_async("essaim")
    assert await passwords.verify_async(stored, "essaim")
    assert not await passwords.verify_async(stored, "Essaim")


def test_tokens_are_random_url_safe_and_stored_as_their_sha256() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(t) == 43 and t.replace("-", "").replace("_", "").isalnum() for t in tokens)
    token = tokens.pop()
    assert token_hash(token) == hashlib.sha256(token.encode()).hexdigest()
    assert token_hash(token) != token_hash(tokens.pop())


def test_same_compares_whole_strings() -> None:
    assert same("jeton-é", "jeton-é")
    assert not same("jeton", "jeton-é")
