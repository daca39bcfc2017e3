"""Two real ``essaim serve`` processes sharing PostgreSQL and Redis behave as one: events written
through either reach the subscribers of both, presence is shared, and after ``kill -9`` of one
process its clients resume on the other with ``since``, missing nothing and getting nothing
twice, while the users it held disappear from presence within the TTL."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.typing import Origin

from tests.conftest import PASSWORD, PostgresServer, require_postgres
from tests.support.network import free_port
from tests.support.redis import REDIS_URL, delete_prefix, require_redis, unique_prefix

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
PRESENCE_TTL = 2.0
PRESENCE_DEADLINE = PRESENCE_TTL + 10.0  # the TTL, one sweep interval and a generous margin
WAIT = 10.0


# ---------------------------------------------------------------- server processes


class ServerProcess:
    """``python -m server.cli serve`` on a free port; its output goes to files."""

    def __init__(self, name: str, env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.env = env
        self.port = free_port()
        self.stdout_path = logs / f"{name}.stdout"
        self.stderr_path = logs / f"{name}.stderr"
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    async def start(self, http: httpx.AsyncClient, timeout: float = 60.0) -> None:
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "server.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                cwd=REPO,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.returncode is not None:
                raise AssertionError(f"{self.name} exited with {self.process.returncode}")
            try:
                health = await http.get(f"{self.url}/api/v1/health", timeout=2)
                if health.status_code == 200 and health.json()["status"] == "ok":
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} not healthy after {timeout} s")
            await asyncio.sleep(0.1)

    async def kill(self) -> None:
        """SIGKILL: no shutdown, no goodbye to clients, Redis or PostgreSQL."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await asyncio.wait_for(self.process.wait(), 10)

    def output(self) -> str:
        parts = []
        for path in (self.stdout_path, self.stderr_path):
            text = path.read_text(errors="replace") if path.exists() else ""
            parts.append(f"--- {self.name} {path.suffix[1:]} ---\n{text[-6000:]}")
        return "\n".join(parts)


def server_env(database_url: str, broker_url: str, data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ESSAIM_") and k not in {"DATABASE_URL", "BROKER_URL", "SMTP_URL"}
    }
    env.update(
        DATABASE_URL=database_url,
        BROKER_URL=broker_url,
        ESSAIM_DATA_DIR=str(data_dir),
        ESSAIM_ARGON2_TIME_COST="1",
        ESSAIM_ARGON2_MEMORY_KIB="1024",
        ESSAIM_PRESENCE_TTL_SECONDS=str(PRESENCE_TTL),
        ESSAIM_LOG_LEVEL="warning",
        PYTHONUNBUFFERED="1",
    )
    return env


# ---------------------------------------------------------------- HTTP and WebSocket clients


class User:
    """One person: an httpx client whose session cookie works on both processes."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.http = httpx.AsyncClient(timeout=10)
        self.csrf = ""
        self.id = 0

    async def call(self, method: str, url: str, **kwargs: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf} if method != "GET" and self.csrf else {}
        response = await self.http.request(method, url, headers=headers, **kwargs)
        assert response.status_code in {200, 201}, f"{method} {url}: {response.text}"
        return response.json()

    async def register(self, server: ServerProcess) -> User:
        answer = await self.call(
            "POST",
            f"{server.url}/api/v1/auth/register",
            json={
                "email": f"{self.name}@example.fr",
                "password": PASSWORD,
                "display_name": self.name,
            },
        )
        self.csrf, self.id = answer["csrf_token"], int(answer["user"]["id"])
        return self

    async def new_card(self, server: ServerProcess, board: int, title: str) -> int:
        card = await self.call(
            "POST", f"{server.url}/api/v1/boards/{board}/cards", json={"title": title}
        )
        return int(card["id"])

    @property
    def cookie(self) -> str:
        return f"essaim_session={self.http.cookies.get('essaim_session')}"


class Watcher:
    """A WebSocket client whose every message is collected by a background reader."""

    def __init__(self, user: User, server: ServerProcess, connection: ClientConnection) -> None:
        self.user = user
        self.server = server
        self.connection = connection
        self.messages: list[dict[str, Any]] = []
        self.dropped = asyncio.Event()
        self.task = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, user: User, server: ServerProcess) -> Watcher:
        connection = await websockets.connect(
            server.ws_url,
            additional_headers={"Cookie": user.cookie},
            origin=Origin(server.url),
            compression=None,
            open_timeout=5,
        )
        watcher = cls(user, server, connection)
        hello = await watcher.wait_for(lambda m: m["type"] == "hello")
        assert hello["user"]["id"] == user.id
        return watcher

    async def _read(self) -> None:
        try:
            async for raw in self.connection:
                # A frame may carry several messages, one per line (docs/realtime.md).
                assert isinstance(raw, str)
                self.messages.extend(json.loads(line) for line in raw.split("\n"))
        except websockets.ConnectionClosed:
            pass
        finally:
            self.dropped.set()

    async def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = WAIT, start: int = 0
    ) -> dict[str, Any]:
        """The first message (from index ``start``) matching ``predicate``."""
        async with asyncio.timeout(timeout):
            while True:
                for message in self.messages[start:]:
                    if predicate(message):
                        return message
                if self.dropped.is_set():
                    raise AssertionError(f"{self.user.name}'s connection dropped")
                await asyncio.sleep(0.01)

    async def subscribe(self, collective: int, board: int | None, since: int | None = None) -> Any:
        start = len(self.messages)
        message = {"type": "subscribe", "collective": collective, "since": since, "board": board}
        await self.connection.send(json.dumps(message))
        return await self.wait_for(lambda m: m["type"] in {"subscribed", "resync"}, start=start)

    def events(self) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["type"] == "event"]

    def presence(self) -> list[tuple[str, int]]:
        """Presence changes of the others (one's own join may be echoed back)."""
        return [
            (m["event"], m["user"]["id"])
            for m in self.messages
            if m["type"] == "presence" and m["user"]["id"] != self.user.id
        ]

    async def wait_events(self, count: int, timeout: float = WAIT) -> list[dict[str, Any]]:
        async with asyncio.timeout(timeout):
            while len(self.events()) < count:
                if self.dropped.is_set():
                    raise AssertionError(f"{self.user.name}'s connection dropped")
                await asyncio.sleep(0.01)
        return self.events()

    async def close(self) -> None:
        await self.connection.close()
        await asyncio.wait_for(self.task, 5)


def assert_contiguous(events: list[dict[str, Any]], first: int, last: int, who: str) -> None:
    seqs = [int(e["seq"]) for e in events]
    assert seqs == list(range(first, last + 1)), f"{who}: seqs {seqs} != {first}..{last}"


def card_ids(events: list[dict[str, Any]]) -> list[int]:
    return [int(e["data"]["id"]) for e in events if e["kind"] == "card.created"]


# ---------------------------------------------------------------- the test


async def test_two_processes_share_events_presence_and_survive_kill_minus_nine(
    postgres: PostgresServer | None, tmp_path: Path
) -> None:
    server = require_postgres(postgres)
    await require_redis()
    database_url = await server.create()
    prefix = unique_prefix()
    env = server_env(database_url, f"{REDIS_URL}?prefix={prefix}", tmp_path / "data")
    a = ServerProcess("A", env, tmp_path)
    b = ServerProcess("B", env, tmp_path)
    http = httpx.AsyncClient()
    users: list[User] = []
    watchers: list[Watcher] = []
    try:
        async with asyncio.timeout(120):
            await a.start(http)  # A migrates the database, then B finds it ready
            await b.start(http)
            await scenario(a, b, users, watchers)
    except Exception as exc:
        raise AssertionError(f"{exc!r}\n{a.output()}\n{b.output()}") from exc
    finally:
        for watcher in watchers:
            watcher.task.cancel()
            await asyncio.gather(watcher.task, return_exceptions=True)
            await watcher.connection.close()
        for process in (a, b):
            await process.kill()
        for user in users:
            await user.http.aclose()
        await http.aclose()
        await delete_prefix(REDIS_URL, prefix)
    for process in (a, b):
        assert process.process is not None
        assert process.process.returncode == -signal.SIGKILL


async def scenario(
    a: ServerProcess, b: ServerProcess, users: list[User], watchers: list[Watcher]
) -> None:
    anna, marc, olga = User("anna"), User("marc"), User("olga")
    users += [anna, marc, olga]
    for user in users:
        await user.register(a)
    # Set up the collective across both processes: sessions live in PostgreSQL.
    collective = await anna.call("POST", f"{a.url}/api/v1/collectives", json={"name": "Drôme"})
    cid = int(collective["id"])
    board_answer = await anna.call(
        "POST", f"{b.url}/api/v1/collectives/{cid}/boards", json={"name": "Idées"}
    )
    board = int(board_answer["id"])
    for user, role in ((marc, "member"), (olga, "observer")):
        invitation = await anna.call(
            "POST", f"{a.url}/api/v1/collectives/{cid}/invitations", json={"role": role}
        )
        token = invitation["url"].rsplit("/", 1)[1]
        await user.call("POST", f"{b.url}/api/v1/invitations/{token}/accept")

    async def watch(user: User, process: ServerProcess) -> Watcher:
        watcher = await Watcher.open(user, process)
        watchers.append(watcher)
        return watcher

    # (b) Presence is shared between the processes.
    on_b = await watch(anna, b)
    first = await on_b.subscribe(cid, board)
    assert first["type"] == "subscribed", first
    assert first["presence"] == []
    on_a = await watch(marc, a)
    marc_sub = await on_a.subscribe(cid, board)
    assert [u["id"] for u in marc_sub["presence"]] == [anna.id]
    olga_on_a = await watch(olga, a)
    olga_sub = await olga_on_a.subscribe(cid, board)
    assert [u["id"] for u in olga_sub["presence"]] == [anna.id, marc.id]
    # Olga's join reaches each watcher on its own path (B through Redis, A through its own
    # feed): wait for it on both before comparing, or the second check races the delivery.
    for watcher in (on_b, on_a):
        await watcher.wait_for(lambda m: m["type"] == "presence" and m["user"]["id"] == olga.id)
    assert on_b.presence() == [("join", marc.id), ("join", olga.id)]
    assert on_a.presence() == [("join", olga.id)]
    # A second tab of anna's on B sees the users of A.
    tab = await watch(anna, b)
    tab_sub = await tab.subscribe(cid, board)
    assert {u["id"] for u in tab_sub["presence"]} == {anna.id, marc.id, olga.id}
    await tab.close()
    watchers.remove(tab)

    # (a) Writes through either process reach everyone, in order, exactly once.
    start = int(first["seq"])
    assert marc_sub["seq"] == olga_sub["seq"] == start

    async def write(user: User, process: ServerProcess, label: str) -> list[int]:
        return [await user.new_card(process, board, f"{label} {i}") for i in range(6)]

    through_b, through_a = await asyncio.gather(write(anna, b, "par B"), write(marc, a, "par A"))
    for watcher in (on_b, on_a, olga_on_a):
        events = await watcher.wait_events(12)
        assert_contiguous(events, start + 1, start + 12, watcher.user.name)
        ids = card_ids(events)
        assert [i for i in ids if i in through_b] == through_b
        assert [i for i in ids if i in through_a] == through_a
    await asyncio.sleep(0.3)
    for watcher in (on_b, on_a, olga_on_a):
        assert len(watcher.events()) == 12, f"{watcher.user.name}: duplicates"

    # (c) kill -9 A while anna keeps writing through B.
    written: list[int] = []

    async def keep_writing() -> None:
        for i in range(30):
            written.append(await anna.new_card(b, board, f"pendant {i}"))
            await asyncio.sleep(0.03)

    writer = asyncio.create_task(keep_writing())
    try:
        await on_a.wait_events(12 + 5)
        await a.kill()
        killed_at = time.monotonic()
        async with asyncio.timeout(WAIT):
            await on_a.dropped.wait()
            await olga_on_a.dropped.wait()
        applied = on_a.events()
        assert_contiguous(applied, start + 1, start + len(applied), "marc before the kill")
        last_seq = int(applied[-1]["seq"])
        # Let a few writes happen while marc is away.
        async with asyncio.timeout(WAIT):
            while len(written) < len(applied) - 12 + 3 and not writer.done():
                await asyncio.sleep(0.01)
        marc_on_b = await watch(marc, b)
        resumed = await marc_on_b.subscribe(cid, board, since=last_seq)
        assert resumed["type"] == "subscribed", resumed
        assert resumed["seq"] > last_seq, "nothing was missed: the test proves nothing"
        await asyncio.wait_for(writer, 30)
    finally:
        writer.cancel()
        await asyncio.gather(writer, return_exceptions=True)
    final = start + 12 + len(written)
    after = await marc_on_b.wait_events(final - last_seq)
    assert_contiguous(after, last_seq + 1, final, "marc after reconnecting to B")
    assert card_ids(applied[12:] + after) == written
    # Then live events, still exactly once.
    live = await anna.new_card(b, board, "après la reprise")
    after = await marc_on_b.wait_events(final - last_seq + 1)
    assert_contiguous(after, last_seq + 1, final + 1, "marc live on B")
    assert card_ids(after)[-1] == live
    anna_events = await on_b.wait_events(final - start + 1)
    assert_contiguous(anna_events, start + 1, final + 1, "anna on B")
    await asyncio.sleep(0.3)
    assert len(marc_on_b.events()) == final + 1 - last_seq, "marc: duplicates"
    assert len(on_b.events()) == final + 1 - start, "anna: duplicates"

    # (d) olga, whose only connection was on A, disappears from presence within the TTL.
    await on_b.wait_for(
        lambda m: m["type"] == "presence" and m["event"] == "leave" and m["user"]["id"] == olga.id,
        timeout=PRESENCE_DEADLINE,
    )
    gone_after = time.monotonic() - killed_at
    assert gone_after <= PRESENCE_DEADLINE, gone_after
    assert on_b.presence().count(("leave", olga.id)) == 1
    # marc resumed on B and is still there; a newcomer sees exactly anna and marc.
    newcomer = await watch(anna, b)
    seen = await newcomer.subscribe(cid, board)
    assert [u["id"] for u in seen["presence"]] == [anna.id, marc.id]
    assert ("leave", marc.id) not in on_b.presence()


async def test_logging_out_through_one_process_closes_the_socket_held_by_the_other(
    postgres: PostgresServer | None, tmp_path: Path
) -> None:
    server = require_postgres(postgres)
    await require_redis()
    database_url = await server.create()
    prefix = unique_prefix()
    env = server_env(database_url, f"{REDIS_URL}?prefix={prefix}", tmp_path / "data")
    a = ServerProcess("A", env, tmp_path)
    b = ServerProcess("B", env, tmp_path)
    http = httpx.AsyncClient()
    anna, marc, second = User("anna"), User("marc"), User("marc")
    watchers: list[Watcher] = []
    try:
        async with asyncio.timeout(120):
            await a.start(http)
            await b.start(http)
            await anna.register(a)
            await marc.register(a)
            collective = await anna.call("POST", f"{a.url}/api/v1/collectives", json={"name": "D"})
            cid = int(collective["id"])
            # marc has two sessions: his socket on B uses the one he logs out of through A.
            answer = await second.call(
                "POST",
                f"{b.url}/api/v1/auth/login",
                json={"email": "marc@example.fr", "password": PASSWORD},
            )
            second.csrf, second.id = answer["csrf_token"], int(answer["user"]["id"])
            on_b = await Watcher.open(marc, b)
            kept = await Watcher.open(second, b)
            bystander = await Watcher.open(anna, b)
            watchers += [on_b, kept, bystander]
            assert (await bystander.subscribe(cid, None))["type"] == "subscribed"
            cookie = marc.cookie
            response = await marc.http.post(
                f"{a.url}/api/v1/auth/logout", headers={"X-CSRF-Token": marc.csrf}
            )
            assert response.status_code == 204, response.text
            async with asyncio.timeout(WAIT):
                await on_b.dropped.wait()
            assert (on_b.connection.close_code, on_b.connection.close_reason) == (
                4401,
                "session ended",
            )
            # The old cookie opens no socket on either process; the other session lives on.
            for process in (a, b):
                refused = await websockets.connect(
                    process.ws_url,
                    additional_headers={"Cookie": cookie},
                    origin=Origin(process.url),
                    compression=None,
                    open_timeout=5,
                )
                with pytest.raises(websockets.ConnectionClosed):
                    await asyncio.wait_for(refused.recv(), WAIT)
                assert refused.close_code == 4401
            for alive in (kept, bystander):
                start = len(alive.messages)
                await alive.connection.send(json.dumps({"type": "ping", "id": "encore"}))
                await alive.wait_for(lambda m: m["type"] == "pong", start=start)
    except Exception as exc:
        raise AssertionError(f"{exc!r}\n{a.output()}\n{b.output()}") from exc
    finally:
        for watcher in watchers:
            watcher.task.cancel()
            await asyncio.gather(watcher.task, return_exceptions=True)
            await watcher.connection.close()
        for process in (a, b):
            await process.kill()
        for user in (anna, marc, second):
            await user.http.aclose()
        await http.aclose()
        await delete_prefix(REDIS_URL, prefix)
