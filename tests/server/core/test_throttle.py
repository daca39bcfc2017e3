"""Throttle keys: whom an address stands for (an IPv6 subscriber is their /64), and keys that
fit the column whatever the email's length."""

from __future__ import annotations

import pytest

from server.core.throttle import (
    account_key,
    address_key,
    client,
    email_address_key,
    email_key,
    lock_id,
    pair_key,
    pair_prefix,
    register_key,
)


@pytest.mark.parametrize(
    ("address", "stands_for"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),  # the same subscriber
        ("::ffff:192.0.2.7", "192.0.2.7"),  # IPv4 through an IPv6 socket
        ("unknown", "unknown"),
    ],
)
def test_an_address_stands_for_its_subscriber(address: str, stands_for: str) -> None:
    assert client(address) == stands_for


def test_keys_name_what_they_count() -> None:
    assert account_key("anna@example.fr") == "account:anna@example.fr"
    assert address_key("2001:db8::1") == "address:2001:db8::/64"
    assert register_key("192.0.2.7") == "register:192.0.2.7"
    assert email_key("reset", "anna@example.fr") == "reset:email:anna@example.fr"
    assert email_address_key("verify", "::ffff:10.0.0.1") == "verify:address:10.0.0.1"


def test_pair_keys_hash_the_email_so_they_stay_short() -> None:
    email = "é" * 60 + "@" + "a" * 180 + ".fr"
    key = pair_key(email, "2001:db8:1:2:aaaa::1")
    assert key.startswith(pair_prefix(email)) and email not in key
    assert len(key) < 64
    assert pair_prefix("anna@example.fr") != pair_prefix("marc@example.fr")


def test_lock_ids_are_stable_signed_64_bit_integers() -> None:
    ids = {lock_id(f"account:{n}@example.fr") for n in range(200)}
    assert len(ids) == 200
    assert all(-(2**63) <= i < 2**63 for i in ids)
    assert any(i < 0 for i in ids)
    assert lock_id("account:anna@example.fr") == lock_id("account:anna@example.fr")
