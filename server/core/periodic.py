"""A background task of the app: one coroutine run every ``interval`` seconds, from start to
stop, that survives its own failures (the database may be away for a while: it tries again
at the next turn). The vote closer and the action reminder are two."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)


class Periodic:
    def __init__(self, name: str, action: Callable[[], Awaitable[Any]], interval: float) -> None:
        self.name = name
        self.action = action
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"essaim-{self.name}")

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.action()
            except Exception:  # try again at the next turn
                log.exception("%s failed", self.name)
            await asyncio.sleep(self.interval)
