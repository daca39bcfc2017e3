"""The search runtime at start-up: an engine still starting is a warning; any other failure to
prepare the backend is logged with its traceback, and the app starts all the same."""

from __future__ import annotations

import logging
from typing import Any

import pytest

import search.registry
import search.runtime
from search.backend import SearchUnavailable
from search.runtime import SearchRuntime
from server.core.platform import Essaim
from tests.support.search import Outage


class Broken(Outage):
    """A backend whose ``prepare`` raises ``error``."""

    def __init__(self, inner: Any, error: Exception) -> None:
        super().__init__(inner)
        self.down = False
        self.error = error

    async def prepare(self) -> None:
        raise self.error


@pytest.mark.parametrize(
    ("error", "traceback"),
    [(SearchUnavailable("engine starting (test)"), False), (KeyError("bug (test)"), True)],
)
async def test_a_backend_that_cannot_be_prepared_is_logged(
    essaim: Essaim,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    error: Exception,
    traceback: bool,
) -> None:
    real = search.registry.backend_from_url
    monkeypatch.setattr(
        search.runtime, "backend_from_url", lambda *args: Broken(real(*args), error)
    )
    runtime = SearchRuntime(essaim, poll=3600)
    with caplog.at_level(logging.WARNING, logger="essaim.search"):
        await runtime.start()
        await runtime.stop()
    [record] = [r for r in caplog.records if r.name == "essaim.search"][:1]
    assert "test" in caplog.text
    assert (record.exc_info is not None) is traceback
    assert ("Traceback (most recent call last)" in caplog.text) is traceback
