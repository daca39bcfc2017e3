"""docs/realtime.md matches the code: every message type, error code and close code."""

from __future__ import annotations

import re
from pathlib import Path

import realtime.hub as hub
from server.core.errors import ErrorCode
from server.core.models import Event, utcnow
from server.events.wire import SESSIONS_CHANNEL, event_message

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "realtime.md").read_text(encoding="utf-8")
# The event message itself is built by the wire form shared with the HTTP event log.
FILES = [*(ROOT / "realtime").glob("*.py"), ROOT / "server" / "events" / "wire.py"]
SOURCE = "\n".join(p.read_text(encoding="utf-8") for p in FILES)


def test_every_message_type_is_documented() -> None:
    types = set(re.findall(r'"type": "(\w+)"', SOURCE)) | set(
        re.findall(r'kind == "(\w+)"', SOURCE)
    )
    assert {"hello", "subscribed", "event", "resync", "presence", "error", "pong"} <= types
    for kind in sorted(types):
        assert f"`{kind}`" in DOC, f"message type {kind} is missing from docs/realtime.md"


def test_the_event_message_is_documented_field_by_field() -> None:
    """The ``event`` row lists exactly the fields ``event_message`` sends (its kinds are in
    docs/events.md, checked against the registry by tests/test_docs.py)."""
    event = Event(collective_id=1, seq=1, kind="card.created", payload={}, at=utcnow())
    fields = set(event_message(event)) - {"type"}
    row = next(line for line in DOC.splitlines() if line.startswith("| `event` |"))
    documented = set(re.findall(r"`(\w+)`", row.split("|")[2].split("—")[0]))
    assert documented == fields


def test_every_error_code_is_documented() -> None:
    codes = {ErrorCode[name] for name in re.findall(r"BadMessage\(\s*ErrorCode\.(\w+)", SOURCE)}
    assert len(codes) >= 6
    for code in sorted(codes):
        assert f"`{code}`" in DOC, f"error code {code} is missing from docs/realtime.md"


def test_every_close_code_is_documented() -> None:
    codes = {str(code.ws_close) for code in ErrorCode if code.ws_close is not None}
    assert {"4400", "4401", "4403", "4408", "4429", "1001", "1011"} <= codes
    for code in sorted(codes):
        assert f"`{code}`" in DOC, f"close code {code} is missing from docs/realtime.md"
    table = set(re.findall(r"^\| `(\d{4})` \|", DOC, re.MULTILINE))
    assert table - codes == {"1000"}, "docs/realtime.md lists a close code ErrorCode lacks"


def test_close_codes_come_from_the_error_registry() -> None:
    assert not re.findall(r"close\(\d{4}|CLOSE_\w+ = \d", SOURCE)


def test_every_resync_reason_is_documented() -> None:
    reasons = set(re.findall(r'reason = "(\w+)"', SOURCE))
    assert reasons == {"other_epoch", "ahead", "too_old"}
    for reason in reasons:
        assert f"`{reason}`" in DOC


def test_how_a_session_ends_its_sockets_is_documented() -> None:
    assert f"reason `{hub.SESSION_ENDED}`" in DOC
    assert f"channel `{SESSIONS_CHANNEL}`" in DOC
    assert f"{hub.SESSION_CHECK_SECONDS:g} seconds (`SESSION_CHECK_SECONDS`" in DOC
    assert f"for {hub.ACCESS_CACHE_SECONDS:g} seconds (`ACCESS_CACHE_SECONDS`" in DOC
