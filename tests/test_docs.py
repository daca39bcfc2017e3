"""The docs stay true: every setting and API route is in the README, every event kind in
docs/events.md."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import UnionType

from server.app.asgi import API_ENDPOINTS
from server.core.settings import setting_docs
from server.events.kinds import EventKind
from server.events.payloads import SHAPES, Field, OrNone, Payload

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
EVENTS_DOC = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")


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


def event_tables() -> str:
    """The tables of docs/events.md, as the registry (server/events/kinds.py) says: paste
    them into the doc when a kind or a payload changes."""
    rows = ["| kind | what happened | `data` | applied by |", "|---|---|---|---|"]
    for kind in EventKind:
        doc = kind.doc + (" — always restricted" if kind.restricted else "")
        clients = ", ".join(sorted(c.value for c in kind.affects)) or "—"
        rows.append(f"| `{kind.value}` | {doc} | {_payload_text(kind.payload)} | {clients} |")
    rows += ["", "| payload | keys |", "|---|---|"]
    rows += [f"| *{name}* | {_keys(shape)} |" for name, shape in SHAPES.items()]
    return "\n".join(rows)


def _payload_text(payload: Payload) -> str:
    for name, shape in sorted(SHAPES.items(), key=lambda item: -len(item[1])):
        if shape.items() <= payload.items():
            rest = {k: v for k, v in payload.items() if k not in shape}
            return f"*{name}*" + (f" + {_keys(rest)}" if rest else "")
    return _keys(payload)


def _keys(payload: Payload) -> str:
    return ", ".join(f"`{key}` {_field(field)}" for key, field in payload.items())


def _field(field: Field) -> str:
    if isinstance(field, OrNone):
        return _field(field.payload) + " or null"
    if isinstance(field, Mapping):
        named = [name for name, shape in SHAPES.items() if shape == field]
        return f"*{named[0]}*" if named else "{" + _keys(field) + "}"
    if isinstance(field, UnionType):
        return " or ".join("null" if t is type(None) else t.__name__ for t in field.__args__)
    return field.__name__


def test_every_event_kind_is_documented() -> None:
    """docs/events.md lists every registered kind with the keys of its ``data`` (checked
    against the registry, not found in the source), and the realtime doc links to it."""
    expected = event_tables()
    assert expected in EVENTS_DOC, f"docs/events.md is stale; its tables are now:\n{expected}"
    assert "(events.md)" in (ROOT / "docs" / "realtime.md").read_text(encoding="utf-8")
    assert "(docs/events.md)" in README
