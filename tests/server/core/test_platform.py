"""Starting and stopping the platform leaves no database connection open, whatever fails.

An aiosqlite connection that is garbage-collected without being closed raises a
ResourceWarning when it is collected, in whichever later test that happens: with
``filterwarnings=error`` that failed a CI run whose tests had all passed.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from search.indexer import Indexer
from server.app.asgi import create_app
from server.core.mail import Email
from server.core.platform import Essaim
from tests.conftest import Template, fast_settings


def open_connections(essaim: Essaim) -> int:
    """Connections pooled or checked out by the platform's engines."""
    engines = {id(e): e for e in (essaim.db.engine, essaim.db.read_engine)}.values()
    return sum(e.pool.checkedin() + e.pool.checkedout() for e in engines)  # type: ignore[attr-defined]


def sqlite_copy(tmp_path: Path, template: Template) -> str:
    assert template.path is not None
    target = tmp_path / "essaim.db"
    shutil.copyfile(template.path, target)
    return f"sqlite+aiosqlite:///{target}"


async def test_a_platform_whose_broker_is_down_closes_its_database(
    tmp_path: Path, sqlite_template: Template
) -> None:
    # Migrations open (and pool) a connection; then the broker does not answer.
    settings = fast_settings(
        tmp_path / "data",
        sqlite_copy(tmp_path, sqlite_template),
        broker_url="redis://127.0.0.1:9/0",
    )
    essaim = Essaim(settings)
    with pytest.raises(RedisConnectionError):
        await essaim.start()
    assert open_connections(essaim) == 0


async def test_an_app_whose_start_fails_midway_stops_what_started(tmp_path: Path) -> None:
    # An empty database, not migrated: the platform starts, the live hub's first query fails.
    settings = fast_settings(tmp_path / "data", f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    app = create_app(settings, migrate=False)
    with pytest.raises(Exception, match="no such table"):
        async with app.router.lifespan_context(app):
            pass
    assert open_connections(app.state.essaim) == 0


async def test_an_app_whose_indexer_died_still_closes_its_database(
    tmp_path: Path, sqlite_template: Template, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The indexer task ends with an error: stopping search re-raises it (as it should), and
    # the live hub and the platform must be stopped all the same.
    async def crash(self: Indexer) -> None:
        raise RuntimeError("indexer crashed")

    monkeypatch.setattr(Indexer, "run", crash)
    settings = fast_settings(tmp_path / "data", sqlite_copy(tmp_path, sqlite_template))
    app = create_app(settings, migrate=False)
    with pytest.raises(RuntimeError, match="indexer crashed"):
        async with app.router.lifespan_context(app):
            await asyncio.sleep(0.05)  # the indexer task runs (and dies)
    assert open_connections(app.state.essaim) == 0


async def test_a_hub_whose_start_fails_after_its_tasks_began_stops_them_first(
    tmp_path: Path, sqlite_template: Template, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The hub's background tasks are running when its start fails: they must be stopped
    # before the database is disposed, or one of them checks out a connection afterwards
    # that nothing closes.
    from realtime.hub import Hub

    started: list[asyncio.Task[None]] = []
    real_start = Hub.start

    async def start_then_fail(self: Hub) -> None:
        await real_start(self)
        started.extend(t for t in (self._presence_task, self._silence_task) if t is not None)
        raise RuntimeError("hub start failed")

    monkeypatch.setattr(Hub, "start", start_then_fail)
    settings = fast_settings(tmp_path / "data", sqlite_copy(tmp_path, sqlite_template))
    app = create_app(settings, migrate=False)
    with pytest.raises(RuntimeError, match="hub start failed"):
        async with app.router.lifespan_context(app):
            pass
    assert started and all(task.done() for task in started)
    assert open_connections(app.state.essaim) == 0


async def test_stopping_the_platform_sends_what_is_queued_then_stops_the_sender(
    tmp_path: Path, database_url: str
) -> None:
    essaim = Essaim(fast_settings(tmp_path / "d", database_url))
    await essaim.start(migrate=False)
    for n in range(3):
        essaim.mail_queue.submit(Email(to=f"p{n}@example.fr", subject="s", text="t"))
    await essaim.stop()
    assert [m.to for m in essaim.mailer.sent] == [f"p{n}@example.fr" for n in range(3)]
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "essaim-mail"]
