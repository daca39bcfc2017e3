"""Emailed links name the public URL, else only an address the operator vouched for: a
request's ``Host`` header never chooses where a password-reset token is sent."""

from __future__ import annotations

import logging

import pytest

from server.core.links import FALLBACK_BASE_URL, link_base
from server.core.settings import Settings


def test_the_public_url_wins_over_the_request() -> None:
    settings = Settings.from_env({}, public_url="https://essaim.example.fr/")
    assert link_base(settings, "https://evil.example/") == "https://essaim.example.fr"


@pytest.mark.parametrize(
    "request_base", ["http://localhost:8000/", "http://127.0.0.1:8000/", "http://[::1]:8000/"]
)
def test_loopback_addresses_are_trusted_without_a_public_url(request_base: str) -> None:
    assert link_base(Settings.from_env({}), request_base) == request_base.rstrip("/")


def test_an_allowed_origin_is_trusted() -> None:
    settings = Settings.from_env({}, allowed_origins=("https://atelier.example.fr",))
    assert link_base(settings, "https://atelier.example.fr/") == "https://atelier.example.fr"


def test_any_other_host_gets_the_local_default_and_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings.from_env({}, allowed_origins=("https://atelier.example.fr",))
    with caplog.at_level(logging.WARNING, logger="essaim.links"):
        # Same host, other scheme: not the origin the operator named.
        assert link_base(settings, "http://atelier.example.fr/") == FALLBACK_BASE_URL
        assert link_base(settings, "https://evil.example/") == FALLBACK_BASE_URL
    assert "https://evil.example is not an allowed origin" in caplog.text
