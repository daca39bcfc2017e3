"""Search inside the running platform: the backend ``SEARCH_URL`` selects and the background
indexer draining the outbox. The app keeps one ``SearchRuntime`` in ``app.state.search``."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from search.backend import SearchBackend, SearchUnavailable
from search.indexer import Indexer, backoff
from search.registry import backend_from_url
from server.core.platform import Essaim

log = logging.getLogger("essaim.search")


class SearchRuntime:
    """``await start()`` prepares the backend and starts indexing; ``await stop()`` ends it."""

    def __init__(self, essaim: Essaim, *, poll: float = 0.5, batch: int = 200) -> None:
        self.essaim = essaim
        self.poll = poll
        self.batch = batch
        self._backend: SearchBackend | None = None
        self._indexer: Indexer | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def backend(self) -> SearchBackend:
        assert self._backend is not None, "SearchRuntime.start() was not called"
        return self._backend

    @property
    def indexer(self) -> Indexer:
        assert self._indexer is not None, "SearchRuntime.start() was not called"
        return self._indexer

    async def start(self) -> None:
        """Create the backend and start the indexer; an engine that is down does not stop
        the app: the indexer prepares it once it answers, and catches up."""
        self._backend = backend_from_url(self.essaim.settings, self.essaim.db)
        self._indexer = Indexer(self.essaim, self._backend, batch=self.batch, poll=self.poll)
        prepared = False
        try:
            # Usually instant (database tables, Meilisearch settings): ready before requests.
            await self._backend.prepare()
            prepared = True
        except SearchUnavailable as exc:
            log.warning("search backend %s not ready yet: %s", self._backend.name, exc)
        except Exception:
            # Not an engine that is still starting: say what went wrong, then keep trying.
            log.exception("preparing search backend %s failed", self._backend.name)
        self._task = asyncio.create_task(self._run(prepared), name="essaim-search-indexer")

    async def _run(self, prepared: bool) -> None:
        attempts = 0
        while not prepared:
            try:
                await self.backend.prepare()
                prepared = True
            except SearchUnavailable as exc:
                attempts += 1
                log.warning("search backend %s not ready: %s", self.backend.name, exc)
                await asyncio.sleep(backoff(attempts))
            except Exception:
                attempts += 1
                log.exception("preparing search backend %s failed", self.backend.name)
                await asyncio.sleep(backoff(attempts))
        await self.indexer.run()

    async def stop(self) -> None:
        try:
            if self._task is not None:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        finally:  # an indexer that had failed still lets the backend close
            self._task = None
            if self._backend is not None:
                await self._backend.close()
