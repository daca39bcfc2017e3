"""Browser fixtures: one Essaim served by uvicorn for the module, Debian's Chromium driven by
Playwright, and a logged-in browser context per user.

Screenshots of the main screens land in ``ESSAIM_SCREENSHOTS`` (default
``test-artifacts/screenshots``), to be looked at: CI keeps them as artifacts.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette

from server.app.asgi import create_app
from server.cli.demo import load_demo
from tests.conftest import PASSWORD, ApiClient, fast_settings, unavailable
from tests.realtime.conftest import LiveServer

CHROMIUM = os.environ.get("ESSAIM_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("ESSAIM_SCREENSHOTS", "test-artifacts/screenshots"))


class RestartableServer(LiveServer):
    """A live server that can be stopped and started again on the same port (a restart)."""

    async def restart(self) -> None:
        self.server = uvicorn.Server(self.server.config)
        await self.start()


@dataclass
class Site:
    """The served app, an API client per seeded user, and the seeded ids."""

    app: Starlette
    server: RestartableServer
    clients: dict[str, ApiClient] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.http_url

    async def client(self, name: str) -> ApiClient:
        if name not in self.clients:
            self.clients[name] = await ApiClient(self.app).register(name)
        return self.clients[name]


@pytest.fixture(scope="module")
async def site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    async for served in serve(tmp_path_factory):
        yield served


@pytest.fixture(scope="module")
async def demo_site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    """The French demo collective, as ``essaim demo`` loads it."""
    async for served in serve(tmp_path_factory, demo=True):
        yield served


async def serve(factory: pytest.TempPathFactory, *, demo: bool = False) -> AsyncIterator[Site]:
    data = factory.mktemp("web")
    settings = fast_settings(data, f"sqlite+aiosqlite:///{data / 'essaim.db'}")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        if demo:
            await load_demo(app.state.essaim)
        server = RestartableServer(app)
        await server.start()
        served = Site(app, server)
        yield served
        for client in served.clients.values():
            await client.aclose()
        await server.stop()


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Any]:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        unavailable("Playwright is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is None:
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        await launched.close()


async def logged_in(
    browser: Any, site: Site, name: str, *, password: str = PASSWORD, **options: Any
) -> tuple[Any, Any, list[str]]:
    """A browser context with ``name``'s session, its page, and the page's script errors;
    ``name`` is registered first unless it is an email (an existing account)."""
    if "@" not in name:
        await site.client(name)
    options = {"locale": "fr-FR", "viewport": {"width": 1280, "height": 860}, **options}
    context = await browser.new_context(base_url=site.url, **options)
    response = await context.request.post(
        "/api/v1/auth/login",
        data={"email": name if "@" in name else f"{name}@example.fr", "password": password},
        headers={"Origin": site.url},
    )
    assert response.ok, await response.text()
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return context, page, errors


async def screenshot(page: Any, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
