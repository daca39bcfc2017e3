"""What a board page costs the browser: the JavaScript and CSS it loads, uncompressed, against
the 150 KB budget of the browser-workspace issue, measured in Debian's Chromium on the demo.

    python -m bench.page_weight [--chromium /usr/bin/chromium]

Last line: ``page_weight page=/b/1 js_kb=… css_kb=… total_kb=… budget_kb=150 ratio_vs_budget=…``
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path
from typing import Any

import uvicorn
from playwright.async_api import async_playwright

from server.app.asgi import create_app
from server.cli.demo import load_demo
from server.core.settings import Settings

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BUDGET_KB = 150.0


async def measure(chromium: str, path: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as data:
        settings = Settings.from_env({}, data_dir=Path(data))
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            demo = await load_demo(app.state.essaim)
            config = uvicorn.Config(app, port=8765, log_level="warning", lifespan="off")
            server = uvicorn.Server(config)
            task = asyncio.create_task(server.serve())
            while not server.started:
                await asyncio.sleep(0.01)
            try:
                return await _load(chromium, path, demo.animator_email, demo.password)
            finally:
                server.should_exit = True
                await task


async def _load(chromium: str, path: str, email: str, password: str) -> dict[str, float]:
    sizes: dict[str, float] = {"script": 0.0, "stylesheet": 0.0}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        context = await browser.new_context(base_url="http://127.0.0.1:8765")
        await context.request.post(
            "/api/v1/auth/login",
            data={"email": email, "password": password},
            headers={"Origin": "http://127.0.0.1:8765"},
        )
        page = await context.new_page()
        responses: list[Any] = []
        page.on("response", lambda response: responses.append(response))
        await page.goto(path, wait_until="networkidle")
        for response in responses:
            kind = response.request.resource_type
            if kind in sizes:
                sizes[kind] += len(await response.body()) / 1024
        await browser.close()
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--page", default="/b/1")
    args = parser.parse_args()
    sizes = asyncio.run(measure(args.chromium, args.page))
    total = sizes["script"] + sizes["stylesheet"]
    print(
        f"page_weight page={args.page} js_kb={sizes['script']:.1f} "
        f"css_kb={sizes['stylesheet']:.1f} total_kb={total:.1f} budget_kb={BUDGET_KB:.0f} "
        f"ratio_vs_budget={total / BUDGET_KB:.2f}"
    )


if __name__ == "__main__":
    main()
