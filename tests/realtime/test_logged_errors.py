"""Errors the real-time layer survives are logged, never silently swallowed: with a traceback
as a warning when something is wrong, at debug level when it is normal (a gone peer)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from realtime.connection import Connection
from realtime.hub import Hub
from realtime.presence import Viewer
from server.core.broker import MemoryBroker
from server.core.errors import ErrorCode


def logged(caplog: pytest.LogCaptureFixture, level: int, text: str) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.levelno == level and text in r.getMessage() and r.exc_info is not None
    ]


async def test_a_channel_that_fails_to_stop_is_logged_and_the_subscriber_leaves(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Failing(MemoryBroker):
        async def _unlisten(self, channel: str) -> None:
            raise ConnectionError("redis went away")

    broker = Failing()
    with caplog.at_level(logging.DEBUG):
        async with broker.subscribe("collective:1"):
            pass
    assert broker._queues == {}
    assert logged(caplog, logging.WARNING, "could not stop listening to collective:1")


async def test_a_failed_presence_leave_is_logged(
    app: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub: Hub = app.state.hub

    async def failing(viewer: Viewer) -> bool:
        raise ConnectionError("redis went away")

    monkeypatch.setattr(hub.presence, "leave", failing)
    with caplog.at_level(logging.DEBUG):
        await hub.leave(Viewer("c0ffee", 1, 1, 1, "marc"))  # does not raise
    assert logged(caplog, logging.WARNING, "presence leave of c0ffee failed")


async def test_a_socket_that_fails_to_close_is_logged_at_debug(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Gone:
        client_state = None

        async def close(self, code: int, reason: str) -> None:
            raise RuntimeError("the transport is closed")

    connection = Connection(Gone(), object(), 10, 75.0, session_id=1)  # type: ignore[arg-type]
    with caplog.at_level(logging.DEBUG):
        connection.close(ErrorCode.NOT_AUTHENTICATED, "session ended")
        await connection.wait_closed()
    assert logged(caplog, logging.DEBUG, f"connection {connection.id}: close failed")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
