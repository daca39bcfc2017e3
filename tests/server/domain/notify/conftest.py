"""Notification tests run with replies by email on (a reply domain, an inbound secret) and a
public URL, so that emails carry their reply address and absolute links."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.core.settings import Settings
from tests.conftest import fast_settings

REPLY_DOMAIN = "reply.essaim.example"
SECRET = "s3cret-inbound"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return fast_settings(
        tmp_path / "data",
        database_url,
        reply_domain=REPLY_DOMAIN,
        inbound_secret=SECRET,
        public_url="https://essaim.example",
    )
