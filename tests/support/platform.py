"""The platform object behind a test world's app, for tests that look past the HTTP API."""

from __future__ import annotations

from typing import Any

from server.core.platform import Essaim
from tests.conftest import World


def essaim_of(world: World) -> Essaim:
    """The ``Essaim`` serving ``world``'s clients (their ASGI transport holds the app)."""
    # httpx does not expose the transport it was built with; its private attribute does.
    transport: Any = world.animator.http._transport
    platform: Essaim = transport.app.state.essaim
    return platform
