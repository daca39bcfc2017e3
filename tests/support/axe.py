"""Accessibility checks in the browser tests: axe-core, run inside the page, and what fails a
screen (serious or critical violations), and whether a screen scrolls sideways.

axe-core (MPL-2.0, Deque Systems) is vendored unmodified in ``tests/web/vendor/axe.min.js``
(version in its first line; licence beside it): the machines reach no CDN, and the pages' CSP
refuses inline scripts, so the contexts that run it are made with ``bypass_csp=True``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

AXE_JS = Path(__file__).parents[1] / "web" / "vendor" / "axe.min.js"
FAILING = {"serious", "critical"}

_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}"""


@lru_cache(maxsize=1)
def _source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


async def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it shows now."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(content=_source())
    found: list[dict[str, Any]] = await page.evaluate(_RUN)
    return [v for v in found if v["impact"] in FAILING]


async def overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than its viewport (0: no sideways scroll)."""
    width: int = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return width
