"""The README stays true: every setting, API route and event kind is documented there."""

from __future__ import annotations

import re
from pathlib import Path

from server.app.asgi import API_ENDPOINTS
from server.core.settings import setting_docs

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


CONFIGURATION = _section("Configuration")
API = _section("The API")


def _table_rows(text: str) -> dict[str, list[str]]:
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) >= 2:
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_every_setting_is_documented_with_its_default() -> None:
    rows = _table_rows(CONFIGURATION)
    for env, default, _help in setting_docs():
        assert env in rows, f"setting {env} is missing from the README configuration table"
        documented = rows[env][0]
        expected = f"`{default}`" if default else "*(empty)*"
        assert documented == expected, f"{env}: README says {documented}, code says {expected}"


def test_every_documented_setting_exists() -> None:
    names = {env for env, _, _ in setting_docs()}
    documented = {
        key for key in _table_rows(README) if re.fullmatch(r"(ESSAIM_[A-Z0-9_]+|[A-Z]+_URL)", key)
    }
    assert documented <= names, f"README documents unknown settings {documented - names}"


def test_every_endpoint_is_documented() -> None:
    rows = _table_rows(API)
    for ep in API_ENDPOINTS:
        path = re.sub(r"{(\w+)(?::\w+)?}", r"{\1}", ep.path)
        assert f"{ep.method} {path}" in rows, f"{ep.method} {path} is missing from the README"


def test_every_event_kind_is_documented() -> None:
    source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in [*(ROOT / "server").rglob("*.py"), *(ROOT / "animation").rglob("*.py")]
    )
    kinds = set(re.findall(r'"((?:[a-z]+)\.(?:[a-z_]+))"', source))
    kinds = {
        k
        for k in kinds
        if k.split(".")[0]
        in {
            "collective",
            "member",
            "phase",
            "board",
            "column",
            "card",
            "comment",
            "reaction",
            "attachment",
            "alerts",
            "nudge",
            "welcome",
            "flag",
            "meeting",
        }
    }
    assert len(kinds) >= 20
    for kind in sorted(kinds):
        assert f"`{kind}`" in API, f"event kind {kind} is missing from the README"
