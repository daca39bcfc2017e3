"""Settings come from the environment, are typed, and never show secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.core.settings import Settings


def test_defaults_use_the_embedded_sqlite_file() -> None:
    settings = Settings.from_env({})
    assert settings.data_dir == Path("essaim-data")
    assert settings.resolved_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.resolved_database_url.endswith("essaim-data/essaim.db")
    assert settings.broker_url == "memory://"


def test_environment_values_are_cast_to_their_types() -> None:
    settings = Settings.from_env(
        {
            "ESSAIM_DATA_DIR": "/srv/essaim",
            "ESSAIM_MAX_UPLOAD_BYTES": "1000",
            "ESSAIM_ALLOWED_ORIGINS": "https://a.fr, https://b.fr",
            "DATABASE_URL": "postgresql+asyncpg://essaim:s3cret@db/essaim",
        }
    )
    assert settings.data_dir == Path("/srv/essaim")
    assert settings.max_upload_bytes == 1000
    assert settings.allowed_origins == ("https://a.fr", "https://b.fr")
    assert settings.resolved_database_url == "postgresql+asyncpg://essaim:s3cret@db/essaim"


def test_a_malformed_number_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="ESSAIM_MAX_BODY_BYTES"):
        Settings.from_env({"ESSAIM_MAX_BODY_BYTES": "lots"})


def test_describe_masks_passwords_in_urls() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql+asyncpg://essaim:s3cret@db/essaim",
            "SMTP_URL": "smtp://mailer:hunter2@mail.example.fr:587",
            "SEARCH_API_KEY": "masterkey-123",
        }
    )
    described = settings.describe()
    assert "s3cret" not in str(described) and "hunter2" not in str(described)
    assert "masterkey-123" not in str(described)
    assert described["DATABASE_URL"] == "postgresql+asyncpg://essaim:***@db/essaim"


def test_only_the_local_proxy_is_trusted_for_forwarded_headers_by_default() -> None:
    assert Settings.from_env({}).forwarded_allow_ips == "127.0.0.1"
    proxy = Settings.from_env({"FORWARDED_ALLOW_IPS": "10.0.0.2, 10.1.0.0/24"})
    assert proxy.forwarded_allow_ips == "10.0.0.2, 10.1.0.0/24"
