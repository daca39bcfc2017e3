"""Fan-out benchmark: one board, N subscribed WebSocket clients, events published at a fixed rate.

Run ``python -m bench.fanout --clients 200 --seconds 10``. In one run and with one load
generator it measures three servers, each in its own process:

* ``essaim``: a real ``essaim serve`` on a fresh SQLite data directory; events are cards created
  through the HTTP API (``POST /api/v1/boards/{id}/cards``), so each one goes through the
  write path, the event log, the broker and ``/ws``;
* ``raw``: the ``websockets`` library alone relaying each publish with ``websockets.broadcast``
  (the ceiling for Python);
* ``socketio``: python-socketio on uvicorn emitting each publish to a room.

For each: publish→delivery latency (p50, p99) over every delivery at every client, deliveries
per second, lost and duplicated deliveries, server CPU, and server memory per connection (RSS
growth of the server process while the N clients connect, divided by N). The last line is the
key=value summary of the issue; ``ratio_*`` is Essaim's deliveries per second ÷ the baseline's.

``--idle N`` instead opens N idle subscribed connections to one Essaim process, reports the
memory per connection and checks that every one still answers a ``ping`` after a while.

The load generator is one asyncio process (uvloop when installed) driving every client as a
plain ``asyncio.Protocol``: the ``websockets`` sans-I/O protocol for the handshake and the
client's frames, a small reader for the server's (unmasked) frames; no task, no queue and no
JSON parsing per delivery (the benchmark id is found with ``bytes.find``), so that the generator
costs a few microseconds per delivery and is the same for the three servers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from array import array
from collections import Counter, deque
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.client import ClientProtocol
from websockets.frames import Opcode
from websockets.http11 import Response
from websockets.typing import Origin
from websockets.uri import parse_uri

HOST = "127.0.0.1"
MARK = b"bench-"
SERVERS = ("essaim", "raw", "socketio")
PASSWORD = "bench password 2026"
# Connections opened at once: enough to be quick, few enough to stay far below the listen
# backlog (uvicorn: 2048) so that no SYN is dropped and retried a second later.
CONNECT_CONCURRENCY = 100
HANDSHAKE_TIMEOUT = 30.0


def now() -> float:
    return time.perf_counter()


# ---------------------------------------------------------------- the client


class Dialect:
    """How one server's protocol is spoken: the URL, what to send when, what means ready."""

    path = "/ws"

    def __init__(self, collective: int, board: int | None) -> None:
        self.subscribe = json.dumps(
            {"type": "subscribe", "collective": collective, "since": None, "board": board}
        ).encode()

    def on_open(self, client: BenchClient) -> None:
        client.send(self.subscribe)

    def on_control(self, client: BenchClient, payload: bytes) -> None:
        """Any text message that is not a benchmark delivery (setup, presence, pongs): rare, so
        parsed in full, which keeps this independent of key order and spacing."""
        try:
            message = json.loads(payload)
        except ValueError:
            client.fail(f"not JSON: {payload[:200]!r}")
            return
        kind = message.get("type") if isinstance(message, dict) else None
        self.on_message(client, kind, payload)

    def on_message(self, client: BenchClient, kind: object, payload: bytes) -> None:
        if kind == "subscribed":
            client.set_ready()
        elif kind == "pong":
            client.pongs += 1
        elif kind in ("error", "resync"):
            client.fail(f"refused: {payload[:200]!r}")

    def keepalive(self) -> bytes | None:
        return None


class EssaimDialect(Dialect):
    def on_open(self, client: BenchClient) -> None:
        # docs/realtime.md: the server speaks first with `hello`; subscribe after it.
        return None

    def on_message(self, client: BenchClient, kind: object, payload: bytes) -> None:
        if kind == "hello":
            client.send(self.subscribe)
        else:
            super().on_message(client, kind, payload)

    def keepalive(self) -> bytes | None:
        # A client silent for three heartbeats is closed (4408); idle runs last long enough.
        return b'{"type":"ping"}'


class SocketIODialect(Dialect):
    """Engine.IO 4 over a WebSocket opened directly, then Socket.IO 5 packets (the wire format
    of the official clients once upgraded): ``0`` open, ``40`` namespace connect, ``42`` event,
    ``2``/``3`` ping/pong."""

    path = "/socket.io/?EIO=4&transport=websocket"

    def __init__(self, collective: int, board: int | None) -> None:
        super().__init__(collective, board)
        body = {"collective": collective, "since": None, "board": board}
        self.subscribe = b'42["subscribe",' + json.dumps(body).encode() + b"]"

    def on_open(self, client: BenchClient) -> None:
        return None

    def on_control(self, client: BenchClient, payload: bytes) -> None:
        if payload == b"2":
            client.send(b"3")
        elif payload.startswith(b"0{"):
            client.send(b"40")
        elif payload.startswith(b"40"):
            client.send(self.subscribe)
        elif payload.startswith(b'42["subscribed"'):
            client.set_ready()
        elif payload.startswith(b"44"):
            client.fail(f"connect refused: {payload[:200]!r}")


def bench_id(payload: bytes | bytearray) -> int:
    """The ``n`` of a title ``bench-<n>-<ns>`` in a message, or -1 (not a delivery)."""
    i = payload.find(MARK)
    if i < 0:
        return -1
    j = payload.find(b"-", i + 6)
    try:
        return int(payload[i + 6 : j]) if j > 0 else -1
    except ValueError:
        return -1


class BenchClient(asyncio.Protocol):
    """One WebSocket client: records (benchmark id, receive time) for every delivery.

    The ``websockets`` sans-I/O protocol does the opening handshake and frames what the client
    sends; the server's frames (never masked) are split here, which costs about a third of
    that library's generator-based parser per delivery, the same for every server."""

    def __init__(self, url: str, origin: str, headers: dict[str, str], dialect: Dialect) -> None:
        self.ws = ClientProtocol(parse_uri(url), origin=Origin(origin))
        self.headers = headers
        self.dialect = dialect
        self.transport: Any = None  # asyncio's or uvloop's TCP transport
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # A failure after the opener gave up waiting must not be reported as never retrieved.
        self.ready.add_done_callback(lambda f: f.cancelled() or f.exception())
        self.ids = array("q")
        self.times = array("d")
        self.other: Counter[bytes] = Counter()
        self.close_code: int | None = None
        self.lost_connection = False
        self.pongs = 0
        self.opened = False
        self.head = b""  # the HTTP response, until its blank line
        self.rest = b""  # the start of a frame not fully received yet
        self.fragments: list[bytes] = []  # a fragmented message (never sent by these servers)

    # -- asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transport is not an asyncio.Transport subclass, so no isinstance check.
        self.transport = transport
        request = self.ws.connect()
        for name, value in self.headers.items():
            request.headers[name] = value
        self.ws.send_request(request)
        self.flush()

    def data_received(self, data: bytes) -> None:
        # One timestamp per read: every frame of the chunk arrived at that moment.
        received = now()
        if not self.opened:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            data, head, self.head = self.head[end + 4 :], self.head[: end + 4], b""
            if not head.startswith(b"HTTP/1.1 101 "):
                self.fail(f"handshake refused: {head[:200]!r}")
                self.abort()
                return
            self.ws.receive_data(head)  # checks the handshake; frames are read below
            for event in self.ws.events_received():
                if isinstance(event, Response) and event.status_code == 101:
                    self.opened = self.ws.handshake_exc is None
            if not self.opened:
                self.fail(f"handshake refused: {self.ws.handshake_exc!r}")
                self.abort()
                return
            self.dialect.on_open(self)
        self.read_frames(self.rest + data if self.rest else data, received)
        self.flush()

    def read_frames(self, data: bytes, received: float) -> None:
        """Handle every complete frame of ``data``; keep the incomplete rest for later."""
        i, end = 0, len(data)
        while end - i >= 2:
            first, second = data[i], data[i + 1]
            size, j = second & 0x7F, i + 2
            if size == 126:
                if end - j < 2:
                    break
                size, j = int.from_bytes(data[j : j + 2], "big"), j + 2
            elif size == 127:
                if end - j < 8:
                    break
                size, j = int.from_bytes(data[j : j + 8], "big"), j + 8
            if second & 0x80:
                self.fail("the server sent a masked frame")
                self.abort()
                return
            if end - j < size:
                break
            self.on_frame(first, data[j : j + size], received)
            i = j + size
        self.rest = data[i:]

    def on_frame(self, first: int, payload: bytes, received: float) -> None:
        opcode, fin = first & 0x0F, first & 0x80
        if opcode == Opcode.TEXT.value or (opcode == Opcode.CONT.value and self.fragments):
            if not fin or self.fragments:
                self.fragments.append(payload)
                if not fin:
                    return
                payload, self.fragments = b"".join(self.fragments), []
            self.on_text(payload, received)
        elif opcode == Opcode.PING.value:
            self.ws.send_pong(payload)
        elif opcode == Opcode.CLOSE.value:
            code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            reason = payload[2:].decode("utf-8", "replace")
            self.close_code = code
            with contextlib.suppress(Exception):
                self.ws.send_close(code if code != 1005 else 1000)
            self.fail(f"closed by the server: {code} {reason}")

    def on_text(self, payload: bytes, received: float) -> None:
        # Essaim may batch messages in one frame, one per line.
        for line in payload.split(b"\n"):
            n = bench_id(line)
            if n >= 0:
                self.ids.append(n)
                self.times.append(received)
            else:
                self.other[line[:24]] += 1
                self.dialect.on_control(self, line)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost_connection = True
        self.fail(f"connection lost: {exc!r}")

    # -- helpers

    def send(self, text: bytes) -> None:
        self.ws.send_text(text)
        self.flush()

    def flush(self) -> None:
        if self.transport is None:
            return
        for chunk in self.ws.data_to_send():
            if chunk:
                self.transport.write(chunk)
            elif self.transport.can_write_eof():
                self.transport.write_eof()

    def set_ready(self) -> None:
        if not self.ready.done():
            self.ready.set_result(None)

    def fail(self, reason: str) -> None:
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(reason))

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()


async def open_clients(
    clients: list[BenchClient],
    count: int,
    port: int,
    dialect: Dialect,
    headers: Callable[[int], dict[str, str]],
) -> None:
    """Open and subscribe ``count`` more clients into ``clients`` (appended as they connect,
    so that the keepalive reaches them during a long setup); raise on any refusal."""
    loop = asyncio.get_running_loop()
    url = f"ws://{HOST}:{port}{dialect.path}"
    origin = f"http://{HOST}:{port}"
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(index: int) -> None:
        async with gate:
            client = BenchClient(url, origin, headers(index), dialect)
            clients.append(client)
            await loop.create_connection(lambda: client, HOST, port)
            try:
                await asyncio.wait_for(asyncio.shield(client.ready), HANDSHAKE_TIMEOUT)
            except TimeoutError:
                raise ConnectionError(f"not subscribed after {HANDSHAKE_TIMEOUT:g} s") from None

    results = await asyncio.gather(*(one(i) for i in range(count)), return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        for client in clients:
            client.abort()
        summary = Counter(str(e)[:160] for e in errors).most_common(3)
        raise RuntimeError(f"{len(errors)} of {count} clients failed to subscribe: {summary}")


# ---------------------------------------------------------------- server processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def raise_nofile() -> None:
    """Lift the soft limit on open files to the hard one (5,000 idle sockets need it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        target = hard if hard != resource.RLIM_INFINITY else 1 << 20
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (fields 14 and 15 of /proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        # The command name may contain spaces: split after its closing parenthesis.
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time spent by the whole machine, all cores (from /proc/stat), in seconds."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    # guest time is already counted in user: sum only the first eight fields.
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class ServerProcess:
    """A server subprocess with its log in a file; always killed by ``stop``."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], workdir: Path) -> None:
        self.name = name
        self.log_path = workdir / f"{name}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            argv,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=raise_nofile,  # the server holds as many sockets as there are clients
            cwd=Path(__file__).resolve().parent.parent,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    async def wait_healthy(self, url: str, timeout: float = 30.0) -> None:
        deadline = now() + timeout
        async with httpx.AsyncClient(timeout=2.0) as http:
            while now() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited:\n{self.log_tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(url)).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} not healthy after {timeout}s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()


# ---------------------------------------------------------------- targets


class Target:
    """A server under test: start it, open clients, publish one message."""

    name = ""
    server: ServerProcess

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"

    async def start(self) -> None:
        raise NotImplementedError

    def dialect(self) -> Dialect:
        raise NotImplementedError

    def headers(self, index: int) -> dict[str, str]:
        return {}

    async def publish(self, n: int) -> bool:
        """Publish benchmark message ``n``; true when the server accepted it."""
        raise NotImplementedError

    async def close(self) -> None:
        return None

    def stop(self) -> None:
        if hasattr(self, "server"):
            self.server.stop()


def bench_title(n: int) -> str:
    return f"bench-{n}-{time.time_ns()}"


class EssaimTarget(Target):
    name = "essaim"
    # Who the setup registers (bench.votes registers its own participants).
    user_prefix = "fanout-user"
    display_prefix = "Fanout"

    def server_env(self) -> dict[str, str]:
        """Settings of the measured server beyond the defaults (subclasses add theirs)."""
        return {}

    def __init__(self, workdir: Path, users: int, board_filter: bool, send_queue: int) -> None:
        super().__init__(workdir)
        self.users_wanted = users
        self.board_filter = board_filter
        self.send_queue = send_queue
        self.cookies: list[str] = []
        self.http: httpx.AsyncClient | None = None
        self.csrf = ""
        self.collective = 0
        self.board = 0

    async def start(self) -> None:
        data_dir = self.workdir / "essaim-data"
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            # Cheap password hashing: registration is setup, not what is measured.
            ESSAIM_ARGON2_TIME_COST="1",
            ESSAIM_ARGON2_MEMORY_KIB="1024",
            ESSAIM_LOG_LEVEL="warning",
            ESSAIM_WS_SEND_QUEUE=str(self.send_queue),
            ESSAIM_DATA_DIR=str(data_dir),
            BROKER_URL="memory://",
            SEARCH_URL="",
            **self.server_env(),
        )
        argv = [sys.executable, "-m", "server.cli", "serve", "--data-dir", str(data_dir)]
        argv += ["--host", HOST, "--port", str(self.port)]
        self.server = ServerProcess(self.name, argv, env, self.workdir)
        await self.server.wait_healthy(f"{self.base}/api/v1/health", timeout=60)
        await self._setup()

    async def _register(self, index: int) -> httpx.AsyncClient:
        http = httpx.AsyncClient(base_url=self.base, headers={"Origin": self.base}, timeout=30)
        response = await http.post(
            "/api/v1/auth/register",
            json={
                # Nothing but the card titles may contain MARK.
                "email": f"{self.user_prefix}-{index}@example.fr",
                "password": PASSWORD,
                "display_name": f"{self.display_prefix} {index}",
            },
        )
        response.raise_for_status()
        http.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        return http

    async def _setup(self) -> None:
        """A handful of users (each holds many sockets: same cookie), a collective, a board."""
        animator = await self._register(0)
        self.http = animator
        created = await animator.post("/api/v1/collectives", json={"name": "Banc d'essai"})
        created.raise_for_status()
        self.collective = int(created.json()["id"])
        board = await animator.post(
            f"/api/v1/collectives/{self.collective}/boards",
            json={"name": "Fan-out", "kind": "ideas"},
        )
        board.raise_for_status()
        self.board = int(board.json()["id"])
        members = [animator]
        for index in range(1, self.users_wanted):
            member = await self._register(index)
            invitation = await animator.post(
                f"/api/v1/collectives/{self.collective}/invitations", json={"role": "member"}
            )
            invitation.raise_for_status()
            token = invitation.json()["url"].rsplit("/", 1)[1]
            (await member.post(f"/api/v1/invitations/{token}/accept")).raise_for_status()
            members.append(member)
        for member in members:
            cookie = member.cookies.get("essaim_session")
            if not cookie:
                raise RuntimeError("register did not set the essaim_session cookie")
            self.cookies.append(cookie)
        for member in members[1:]:
            await member.aclose()

    def dialect(self) -> Dialect:
        return EssaimDialect(self.collective, self.board if self.board_filter else None)

    def headers(self, index: int) -> dict[str, str]:
        return {"Cookie": f"essaim_session={self.cookies[index % len(self.cookies)]}"}

    async def publish(self, n: int) -> bool:
        assert self.http is not None
        response = await self.http.post(
            f"/api/v1/boards/{self.board}/cards",
            json={"title": bench_title(n), "body": "Fan-out benchmark card."},
        )
        return response.status_code == 201

    async def close(self) -> None:
        if self.http is not None:
            await self.http.aclose()


class RawTarget(Target):
    name = "raw"

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self.control: Any = None
        self.pending: deque[asyncio.Future[None]] = deque()
        self._ack_reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        argv = [sys.executable, "-m", "bench.fanout_baselines", "raw", "--port", str(self.port)]
        self.server = ServerProcess(self.name, argv, dict(os.environ), self.workdir)
        await self.server.wait_healthy(f"{self.base}/health")
        from websockets.asyncio.client import connect

        # The publisher's control socket: a publish is one text frame, answered by an ack
        # once broadcast, so its round trip compares with the HTTP publishes of the others.
        self.control = await connect(f"ws://{HOST}:{self.port}/publish", compression=None)
        self._ack_reader = asyncio.create_task(self._read_acks())

    async def _read_acks(self) -> None:
        # One connection, handled in order by the server: acks come back in publish order.
        with contextlib.suppress(Exception):
            async for _ in self.control:
                if self.pending:
                    future = self.pending.popleft()
                    if not future.done():
                        future.set_result(None)
        for future in self.pending:
            if not future.done():
                future.set_exception(ConnectionError("control socket closed"))

    def dialect(self) -> Dialect:
        return Dialect(1, 1)

    async def publish(self, n: int) -> bool:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.pending.append(future)
        await self.control.send(json.dumps({"board": 1, "title": bench_title(n)}))
        await asyncio.wait_for(future, 30)
        return True

    async def close(self) -> None:
        if self.control is not None:
            await self.control.close()
        if self._ack_reader is not None:
            self._ack_reader.cancel()


class SocketIOTarget(Target):
    name = "socketio"

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self.http: httpx.AsyncClient | None = None

    async def start(self) -> None:
        argv = [sys.executable, "-m", "bench.fanout_baselines", "socketio"]
        argv += ["--port", str(self.port)]
        self.server = ServerProcess(self.name, argv, dict(os.environ), self.workdir)
        await self.server.wait_healthy(f"{self.base}/health")
        self.http = httpx.AsyncClient(base_url=self.base, timeout=30)

    def dialect(self) -> Dialect:
        return SocketIODialect(1, 1)

    async def publish(self, n: int) -> bool:
        assert self.http is not None
        response = await self.http.post("/publish", json={"board": 1, "title": bench_title(n)})
        return response.status_code == 201

    async def close(self) -> None:
        if self.http is not None:
            await self.http.aclose()


# ---------------------------------------------------------------- profiling


def start_profiler(pid: int, seconds: float, output: Path) -> subprocess.Popen[bytes] | None:
    """py-spy on the server during the publish window (collapsed stacks), if installed."""
    py_spy = shutil.which("py-spy")
    if py_spy is None:
        print("  py-spy not found: no profile", file=sys.stderr)
        return None
    argv = [py_spy, "record", "--pid", str(pid), "--format", "raw", "--output", str(output)]
    # --nonblocking: do not pause the server at each sample, which would inflate latency.
    argv += ["--duration", str(max(1, round(seconds))), "--rate", "200", "--nonblocking"]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_profiler(profiler: subprocess.Popen[bytes] | None) -> None:
    if profiler is None:
        return
    try:
        profiler.wait(timeout=15)  # it stops by itself after --duration
    except subprocess.TimeoutExpired:
        profiler.kill()
        profiler.wait(timeout=5)


# Frames every sample of a thread goes through (process start, event loop, thread start):
# leaving them out makes "including callees" show where the work is.
TRUNK = (
    "<module>",
    "_run_code",
    "_run_module_as_main",
    "main (",
    "run (",
    "cmd_serve",
    "asyncio_run",
    "serve_",
    "Runner.run",
    "Server.",
    "Thread.",
    "_bootstrap",
)


def profile_summary(path: Path, top: int = 12) -> Iterator[str]:
    """Where the server's samples went: the hottest leaf functions and the hottest functions
    including their callees, in percent of all samples (idle time is not sampled)."""
    if not path.exists():
        return
    leaves: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [short_frame(f) for f in stack.split(";")]
        total += count
        leaves[frames[-1]] += count
        for frame in set(frames):
            if not frame.startswith(TRUNK):
                inclusive[frame] += count
    if not total:
        return
    # "Runner.run" as a leaf is time inside uvloop's C code (I/O, transport writes, callbacks
    # scheduling): py-spy sees no Python frame below it. Idle time is not sampled.
    yield f"  {total} samples while publishing; self time:"
    for frame, count in leaves.most_common(top):
        yield f"    {100 * count / total:5.1f}%  {frame}"
    yield "  including callees:"
    for frame, count in inclusive.most_common(top + 8)[: top + 8]:
        yield f"    {100 * count / total:5.1f}%  {frame}"


def short_frame(frame: str) -> str:
    """``send_text (starlette/websockets.py:123)`` → ``send_text (starlette/websockets.py)``."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    parts = where.split("/")
    for marker in ("site-packages", "lib", "main"):
        if marker in parts:
            parts = parts[len(parts) - parts[::-1].index(marker) :]
            break
    return f"{name} ({'/'.join(parts[-2:])})" if where else name


# ---------------------------------------------------------------- one measurement


@dataclass
class Result:
    name: str
    clients: int
    published: int = 0
    publish_errors: int = 0
    deliveries: int = 0
    lost: int = 0
    duplicated: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    deliveries_per_s: float = 0.0
    kb_per_conn: float = 0.0
    server_cpu_pct: float = 0.0
    client_cpu_pct: float = 0.0
    server_us_per_delivery: float = 0.0
    publish_lag_ms: float = 0.0
    publish_p50_ms: float = 0.0
    others_cpu_pct: float = 0.0
    other: Counter[bytes] = field(default_factory=Counter)
    closed: int = 0
    connect_s: float = 0.0


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[index]


async def keepalive(clients: list[BenchClient], dialect: Dialect, every: float) -> None:
    message = dialect.keepalive()
    if message is None:
        return
    while True:
        await asyncio.sleep(every)
        for client in list(clients):  # a copy: clients may still be connecting
            if not client.lost_connection and client.ready.done():
                client.send(message)


async def publish_loop(
    target: Target, count: int, rate: float, sent: dict[int, float]
) -> tuple[list[bool], float, dict[int, float]]:
    """Publish ``count`` messages at ``rate`` per second; answers (accepted?, worst lag,
    when each publish was answered).

    Each publish is its own task so that a slow answer does not shift the schedule (a fixed
    rate, not a closed loop); at most 64 are in flight, after which the schedule slips and the
    slip is reported."""
    accepted = [False] * count
    answered: dict[int, float] = {}
    gate = asyncio.Semaphore(64)
    tasks: list[asyncio.Task[None]] = []
    worst_lag = 0.0

    async def one(n: int) -> None:
        try:
            accepted[n] = await target.publish(n)
            answered[n] = now()
        except Exception as exc:  # a failed publish is counted, not fatal
            print(f"  publish {n} failed: {exc!r}", file=sys.stderr)
        finally:
            gate.release()

    start = now()
    for n in range(count):
        due = start + n / rate
        delay = due - now()
        if delay > 0:
            await asyncio.sleep(delay)
        await gate.acquire()
        worst_lag = max(worst_lag, now() - due)
        # Sent time taken just before the request leaves: latency includes the publish itself
        # (HTTP request, database commit for Essaim), which is what a user waits for.
        sent[n] = now()
        tasks.append(asyncio.create_task(one(n)))
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=60)
    return accepted, worst_lag, answered


async def measure(
    target: Target, clients_count: int, seconds: float, rate: float, profile: Path | None = None
) -> Result:
    result = Result(target.name, clients_count)
    clients: list[BenchClient] = []
    pinger: asyncio.Task[None] | None = None
    profiler: subprocess.Popen[bytes] | None = None
    try:
        await target.start()
        dialect = target.dialect()
        pid = target.server.pid
        # From the first connection on: Essaim closes a client silent for three heartbeats,
        # and opening thousands of clients can take longer than that.
        pinger = asyncio.create_task(keepalive(clients, dialect, 20.0))
        # One client first, so that lazily imported WebSocket code and first-use caches are
        # in the "before" figure, which then holds only the per-connection cost.
        await open_clients(clients, 1, target.port, dialect, target.headers)
        await asyncio.sleep(0.3)
        rss_before = rss_kb(pid)
        started = now()
        await open_clients(
            clients, clients_count - 1, target.port, dialect, lambda i: target.headers(i + 1)
        )
        result.connect_s = now() - started
        await asyncio.sleep(0.5)  # let join/presence traffic settle before measuring
        rss_after = rss_kb(pid)
        result.kb_per_conn = (rss_after - rss_before) / max(1, clients_count - 1)
        for client in clients:
            client.other.clear()
        # The generator's own objects are long-lived: keep the collector off them.
        gc.collect()
        gc.freeze()

        count = max(1, int(seconds * rate))
        sent: dict[int, float] = {}
        if profile is not None:
            profiler = start_profiler(pid, seconds, profile)
        machine0 = machine_busy_seconds()
        cpu_server0, cpu_client0, t0 = cpu_seconds(pid), time.process_time(), now()
        accepted, worst_lag, answered = await publish_loop(target, count, rate, sent)
        expected_ids = {n for n in range(count) if accepted[n]}
        expected_total = len(expected_ids) * len(clients)

        # Drain: wait until every client has everything, or nothing more arrives for 3 s.
        last_total, last_change, deadline = -1, now(), now() + 30
        while now() < deadline:
            total = sum(len(c.ids) for c in clients)
            if total >= expected_total:
                break
            if total != last_total:
                last_total, last_change = total, now()
            elif now() - last_change > 3:
                break
            await asyncio.sleep(0.05)
        t1, cpu_server1, cpu_client1 = now(), cpu_seconds(pid), time.process_time()
        machine1 = machine_busy_seconds()

        latencies: list[float] = []
        last_receive = t0
        for client in clients:
            ids = client.ids
            latencies.extend(t - sent[n] for n, t in zip(ids, client.times, strict=True))
            if client.times:
                last_receive = max(last_receive, max(client.times))
            unique = set(ids)
            result.duplicated += len(ids) - len(unique)
            result.lost += len(expected_ids - unique)
            result.deliveries += len(ids)
            result.other.update(client.other)
            result.closed += client.lost_connection or client.close_code is not None
        latencies.sort()
        result.published = count
        result.publish_errors = count - len(expected_ids)
        result.p50_ms = percentile(latencies, 0.50) * 1000
        result.p99_ms = percentile(latencies, 0.99) * 1000
        result.max_ms = (latencies[-1] if latencies else float("nan")) * 1000
        result.publish_lag_ms = worst_lag * 1000
        span = max(last_receive - t0, 1e-9)
        result.deliveries_per_s = result.deliveries / span
        wall = max(t1 - t0, 1e-9)
        result.server_cpu_pct = 100 * (cpu_server1 - cpu_server0) / wall
        result.client_cpu_pct = 100 * (cpu_client1 - cpu_client0) / wall
        # What other processes on the machine took meanwhile: a busy neighbour skews
        # every figure, so it is shown rather than guessed.
        others = (machine1 - machine0) - (cpu_server1 - cpu_server0) - (cpu_client1 - cpu_client0)
        result.others_cpu_pct = max(0.0, 100 * others / wall)
        round_trips = sorted(answered[n] - sent[n] for n in expected_ids if n in answered)
        result.publish_p50_ms = percentile(round_trips, 0.5) * 1000
        result.server_us_per_delivery = (
            1e6 * (cpu_server1 - cpu_server0) / result.deliveries if result.deliveries else 0.0
        )
        return result
    finally:
        gc.unfreeze()
        stop_profiler(profiler)
        if pinger is not None:
            pinger.cancel()
        for client in clients:
            client.abort()
        with contextlib.suppress(Exception):
            await target.close()
        target.stop()


async def measure_idle(target: EssaimTarget, count: int, hold: float) -> tuple[float, int]:
    """Open ``count`` idle subscribed connections; answers (KB per connection, still alive)."""
    clients: list[BenchClient] = []
    pinger: asyncio.Task[None] | None = None
    try:
        await target.start()
        dialect = target.dialect()
        pid = target.server.pid
        pinger = asyncio.create_task(keepalive(clients, dialect, 20.0))
        await open_clients(clients, 1, target.port, dialect, target.headers)
        await asyncio.sleep(0.3)
        before = rss_kb(pid)
        started = now()
        await open_clients(
            clients, count - 1, target.port, dialect, lambda i: target.headers(i + 1)
        )
        print(f"  {count} connections subscribed in {now() - started:.1f} s", flush=True)
        await asyncio.sleep(1.0)
        after = rss_kb(pid)
        await asyncio.sleep(hold)
        # Held means: still open and answering an application ping after the hold.
        pongs_before = [c.pongs for c in clients]
        for client in clients:
            if not client.lost_connection:
                client.send(b'{"type":"ping","id":1}')
        deadline = now() + 5.0 + count / 1000
        alive = 0
        while now() < deadline:
            alive = sum(
                not c.lost_connection and c.pongs > before_count
                for c, before_count in zip(clients, pongs_before, strict=True)
            )
            if alive == count:
                break
            await asyncio.sleep(0.1)
        lost = [c for c in clients if c.lost_connection or c.close_code is not None]
        if lost:
            codes = Counter(c.close_code for c in lost).most_common(4)
            print(f"  {len(lost)} connections lost (close codes: {codes})", flush=True)
        return (after - before) / max(1, count - 1), alive
    finally:
        if pinger is not None:
            pinger.cancel()
        for client in clients:
            client.abort()
        with contextlib.suppress(Exception):
            await target.close()
        target.stop()


# ---------------------------------------------------------------- report


def table(results: list[Result]) -> Iterator[str]:
    header = (
        f"{'server':<9} {'clients':>7} {'pub':>5} {'deliveries':>10} {'lost':>5} {'dup':>4} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'deliv/s':>8} {'srv CPU':>7} "
        f"{'gen CPU':>7} {'others':>6} {'µs/deliv':>8} {'KB/conn':>7} {'pub ms':>6}"
    )
    yield header
    yield "-" * len(header)
    for r in results:
        yield (
            f"{r.name:<9} {r.clients:>7} {r.published:>5} {r.deliveries:>10} {r.lost:>5} "
            f"{r.duplicated:>4} {r.p50_ms:>7.1f} {r.p99_ms:>7.1f} {r.max_ms:>7.1f} "
            f"{r.deliveries_per_s:>8.0f} {r.server_cpu_pct:>6.0f}% {r.client_cpu_pct:>6.0f}% "
            f"{r.others_cpu_pct:>5.0f}% {r.server_us_per_delivery:>8.1f} {r.kb_per_conn:>7.1f} "
            f"{r.publish_p50_ms:>6.1f}"
        )


def notes(results: list[Result]) -> Iterator[str]:
    for r in results:
        if r.publish_errors:
            yield f"{r.name}: {r.publish_errors} publishes refused or failed"
        yield f"{r.name}: {r.clients} clients connected and subscribed in {r.connect_s:.1f} s"
        if r.closed:
            yield f"{r.name}: {r.closed} connections closed during the run"
        if r.publish_lag_ms > 100:
            yield f"{r.name}: the publisher fell {r.publish_lag_ms:.0f} ms behind its schedule"
        if r.client_cpu_pct > 90:
            yield (
                f"{r.name}: the load generator used {r.client_cpu_pct:.0f}% of a core, "
                "so it may be the bottleneck"
            )
        if r.others_cpu_pct > 20:
            yield (
                f"{r.name}: other processes used {r.others_cpu_pct:.0f}% of a core during the "
                "run; figures are pessimistic"
            )
        if r.other:
            top = ", ".join(f"{k.decode(errors='replace')}…×{v}" for k, v in r.other.most_common(4))
            yield f"{r.name}: other messages during the run: {top}"


def summary_line(results: dict[str, Result], clients: int) -> str:
    main = results.get("essaim")
    prefix = "fanout"
    if main is None:
        # No Essaim figures: say which server the line describes instead of pretending.
        main = next(iter(results.values()))
        prefix = f"fanout[{main.name}]"

    def ratio(name: str) -> str:
        other = results.get(name)
        if other is None or other is main or not other.deliveries_per_s:
            return "n/a"
        return f"{main.deliveries_per_s / other.deliveries_per_s:.2f}"

    return (
        f"{prefix} clients={clients} p50_ms={main.p50_ms:.1f} p99_ms={main.p99_ms:.1f} "
        f"deliveries_per_s={main.deliveries_per_s:.0f} lost={main.lost} "
        f"duplicated={main.duplicated} kb_per_conn={main.kb_per_conn:.1f} "
        f"ratio_vs_raw={ratio('raw')} ratio_vs_socketio={ratio('socketio')}"
    )


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.fanout",
        description="WebSocket fan-out benchmark: Essaim against websockets and python-socketio.",
    )
    parser.add_argument("--clients", type=int, default=200, help="subscribed clients (200)")
    parser.add_argument("--seconds", type=float, default=10.0, help="publishing time (10)")
    parser.add_argument("--rate", type=float, default=20.0, help="publishes per second (20)")
    parser.add_argument("--only", choices=SERVERS, action="append", help="measure only these")
    parser.add_argument(
        "--users", type=int, default=4, help="Essaim users sharing the clients' sessions (4)"
    )
    parser.add_argument(
        "--no-board",
        action="store_true",
        help="Essaim clients subscribe to the collective without a board (no presence)",
    )
    parser.add_argument(
        "--idle",
        type=int,
        metavar="N",
        help="instead: hold N idle subscribed connections on one Essaim process",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="record each server with py-spy while publishing; collapsed stacks go to DIR",
    )
    parser.add_argument(
        "--hold", type=float, default=10.0, help="seconds the --idle connections are held (10)"
    )
    args = parser.parse_args(argv)
    if args.clients < 2 or args.seconds <= 0 or args.rate <= 0 or args.users < 1:
        parser.error("need --clients ≥ 2, --seconds > 0, --rate > 0, --users ≥ 1")
    return args


async def run(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="essaim-fanout-"))
    send_queue = max(10_000, int(args.rate * args.seconds) * 2)
    try:
        if args.idle:
            essaim = EssaimTarget(workdir, args.users, not args.no_board, send_queue)
            kb, alive = await measure_idle(essaim, args.idle, args.hold)
            print(f"idle clients={args.idle} kb_per_conn={kb:.1f} held={alive}")
            return 0 if alive == args.idle else 1
        results: dict[str, Result] = {}
        for name in args.only or SERVERS:
            target: Target
            if name == "essaim":
                target = EssaimTarget(workdir, args.users, not args.no_board, send_queue)
            elif name == "raw":
                target = RawTarget(workdir)
            else:
                target = SocketIOTarget(workdir)
            started = now()
            print(f"{name}: {args.clients} clients, {args.rate:g}/s for {args.seconds:g} s …")
            profile = None
            if args.profile is not None:
                args.profile.mkdir(parents=True, exist_ok=True)
                profile = args.profile / f"{name}-{args.clients}.txt"
            results[name] = await measure(target, args.clients, args.seconds, args.rate, profile)
            print(f"  done in {now() - started:.1f} s", flush=True)
            if profile is not None:
                for line in profile_summary(profile):
                    print(line)
        print()
        for line in table(list(results.values())):
            print(line)
        for line in notes(list(results.values())):
            print("note:", line)
        print(summary_line(results, args.clients))
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run_fast(work: Coroutine[Any, Any, int]) -> int:
    """Run a benchmark's coroutine on uvloop when installed (as ``essaim serve`` does)."""
    raise_nofile()
    try:
        import uvloop
    except ImportError:
        return asyncio.run(work)
    return uvloop.run(work)


def main(argv: Sequence[str] | None = None) -> int:
    return run_fast(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
