"""A collective's feed ends when its last subscriber leaves, and the hub's stop waits for a
feed that is still ending: a feed cancelled during a query returns its connection then, and
it must do so before the database is disposed (returned to a disposed pool, an aiosqlite
connection is never closed, and its ResourceWarning failed a later test at random)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from realtime.connection import Subscription
from realtime.feed import Feed
from realtime.hub import Hub
from server.core.platform import Essaim
from tests.conftest import fast_settings


async def test_stop_waits_for_a_feed_still_ending_after_its_last_subscriber_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ended = asyncio.Event()

    async def run(self: Feed) -> None:
        self.ready.set()
        try:
            await asyncio.Event().wait()
        finally:  # what returning a connection costs: a few trips to the database thread
            for _ in range(20):
                await asyncio.sleep(0)
            ended.set()

    monkeypatch.setattr(Feed, "_run", run)
    essaim = Essaim(fast_settings(tmp_path / "data", f"sqlite+aiosqlite:///{tmp_path / 'e.db'}"))
    hub = Hub(essaim)
    connection: Any = SimpleNamespace(subscriptions={})
    sub = Subscription(connection=connection, collective=1, board=None, animator=False)
    await hub.follow(sub)
    await hub.unsubscribe(sub)
    assert not ended.is_set()  # the feed was cancelled and is still ending
    await hub.stop()
    assert ended.is_set()
    await essaim.db.dispose()
