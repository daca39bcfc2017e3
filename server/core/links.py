"""The base URL of the links Essaim emails (invitations, password reset, verification,
nudges).

A request's ``Host`` header is chosen by whoever sends it: building an emailed link from it
would let an anonymous ``POST /auth/password-reset`` with ``Host: evil.example`` mail the
victim a reset link to the attacker's site (and its token with it). So links name
``ESSAIM_PUBLIC_URL``; when it is unset, the request's address only if it is one the operator
vouched for (a loopback host, or one of ``ESSAIM_ALLOWED_ORIGINS``), else a local default.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from server.core.settings import Settings

log = logging.getLogger("essaim.links")

FALLBACK_BASE_URL = "http://localhost:8000"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def link_base(settings: Settings, request_base_url: str) -> str:
    """The base (no trailing slash) of a link emailed in answer to a request whose own base
    URL is ``request_base_url``."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    parts = urlsplit(request_base_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    if (parts.hostname or "") in LOOPBACK_HOSTS or origin in settings.allowed_origins:
        return request_base_url.rstrip("/")
    log.warning(
        "ESSAIM_PUBLIC_URL is not set and %s is not an allowed origin: the emailed link "
        "names %s instead",
        origin,
        FALLBACK_BASE_URL,
    )
    return FALLBACK_BASE_URL
