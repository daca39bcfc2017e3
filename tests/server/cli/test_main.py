"""The ``essaim`` command: its help, ``essaim demo`` (once, then "already loaded"), and a real
``essaim serve`` process on which the demo is browsable through the API."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.cli.demo_content import COLLECTIVE
from tests.support.network import free_port

REPO = Path(__file__).resolve().parents[3]
COMMANDS = {
    "serve": "Run the web server (migrations are applied first).",
    "demo": "Load the French demo collective (energy-renovation artisans).",
    "migrate": "Apply database migrations and exit.",
    "digest": "Email the weekly digest to members who have not visited lately "
    "(SMTP_URL, else the log).",
    "backup": "Back up the embedded database and attachments into one archive, while the "
    "server runs (PostgreSQL: use pg_dump).",
    "restore": "Restore an essaim backup archive into the data directory (stop the server first).",
    "settings": "Print every setting with its current value and help.",
    "search": "Search index commands.",
}
# Commands run with a data directory (``search`` only groups ``search reindex``).
DATA_COMMANDS = (
    "serve",
    "demo",
    "migrate",
    "digest",
    "backup",
    "restore",
    "settings",
    "search reindex",
)


def clean_env() -> dict[str, str]:
    """The caller's environment without any Essaim setting, plus cheap password hashing."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ESSAIM_") and k not in {"DATABASE_URL", "BROKER_URL", "SMTP_URL"}
    }
    env.update(
        ESSAIM_ARGON2_TIME_COST="1",
        ESSAIM_ARGON2_MEMORY_KIB="1024",
        ESSAIM_LOG_LEVEL="warning",
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class Completed:
    returncode: int
    stdout: str
    stderr: str


async def essaim(*args: str, timeout: float = 60) -> Completed:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server.cli",
        *args,
        cwd=REPO,
        env=clean_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.communicate()
        raise
    assert process.returncode is not None
    return Completed(process.returncode, out.decode(), err.decode())


async def test_help_lists_every_command_with_its_one_line_help() -> None:
    result = await essaim("--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: essaim")
    listed = command_help(result.stdout)
    assert listed == COMMANDS, result.stdout
    for name in DATA_COMMANDS:
        sub = await essaim(*name.split(), "--help")
        assert sub.returncode == 0, sub.stderr
        assert "--data-dir" in sub.stdout, name


def command_help(usage: str) -> dict[str, str]:
    """The commands argparse lists under COMMAND, each with its (rewrapped) one-line help."""
    lines = usage.split("COMMAND\n", 1)[1].split("\n\n", 1)[0].splitlines()
    found: dict[str, str] = {}
    name = ""
    for line in lines:
        if line.startswith("    ") and not line.startswith("     "):
            name, _, text = line.strip().partition(" ")
            found[name] = " ".join(text.split())
        else:
            found[name] += " " + " ".join(line.split())
    return found


@dataclass
class Demo:
    data_dir: Path
    first_output: str
    email: str
    password: str


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("demo-data")


@pytest.fixture(scope="module")
async def demo(demo_dir: Path) -> Demo:
    """``essaim demo`` run once on a fresh data directory."""
    result = await essaim("demo", "--data-dir", str(demo_dir))
    assert result.returncode == 0, result.stderr
    login = re.search(r"Connectez-vous avec (\S+@\S+) / (\S+) \(animatrice\)", result.stdout)
    assert login, result.stdout
    return Demo(demo_dir, result.stdout, login.group(1), login.group(2))


async def test_demo_command_loads_once_then_says_already_loaded(demo: Demo) -> None:
    assert "Collective de démonstration chargée" in demo.first_output
    assert (demo.data_dir / "essaim.db").is_file()
    again = await essaim("demo", "--data-dir", str(demo.data_dir))
    assert again.returncode == 0, again.stderr
    assert "déjà chargée" in again.stdout
    assert f"Connectez-vous avec {demo.email} / {demo.password}" in again.stdout


@contextlib.asynccontextmanager
async def serving(
    data_dir: Path, log_path: Path, **env: str
) -> AsyncIterator[tuple[str, asyncio.subprocess.Process]]:
    """``essaim serve`` on ``data_dir`` as a real process (extra environment ``env``), once
    healthy; terminated at the end, always."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "server.cli",
            "serve",
            "--data-dir",
            str(data_dir),
            "--port",
            str(port),
            cwd=REPO,
            env={**clean_env(), **env},
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        deadline = asyncio.get_running_loop().time() + 20
        async with httpx.AsyncClient(base_url=base, timeout=2) as client:
            while True:
                if process.returncode is not None:
                    pytest.fail(f"essaim serve exited early:\n{log_path.read_text()}")
                try:
                    if (await client.get("/api/v1/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    pytest.fail(f"essaim serve not healthy in 20 s:\n{log_path.read_text()}")
                await asyncio.sleep(0.1)
        yield base, process
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


@pytest.fixture
async def server(demo: Demo, tmp_path: Path) -> AsyncIterator[str]:
    """``essaim serve`` on the demo data, as a real process; killed at the end, always."""
    async with serving(demo.data_dir, tmp_path / "serve.log") as (base, _process):
        yield base


async def login(base: str, email: str, password: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=10)
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    assert response.json()["user"]["email"] == email
    return client


async def get(client: httpx.AsyncClient, url: str) -> Any:
    response = await client.get(url)
    assert response.status_code == 200, (url, response.text)
    return response.json()


@pytest.mark.slow
async def test_served_demo_is_browsable_by_the_animator_and_a_member(
    demo: Demo, server: str
) -> None:
    animator = await login(server, demo.email, demo.password)
    member_email = next(p.email for p in COLLECTIVE.people if p.role == "member")
    member = await login(server, member_email, demo.password)
    try:
        (collective,) = (await get(animator, "/api/v1/collectives"))["collectives"]
        assert collective["name"] == COLLECTIVE.name == "Rénover ensemble en Drôme"
        assert collective["role"] == "animator"
        cid = collective["id"]

        boards = (await get(animator, f"/api/v1/collectives/{cid}/boards"))["boards"]
        assert [b["name"] for b in boards] == [b.name for b in COLLECTIVE.boards]
        board = await get(animator, f"/api/v1/boards/{boards[0]['id']}")
        cards = [card for column in board["columns"] for card in column["cards"]]
        assert len(cards) == len(COLLECTIVE.boards[0].cards)
        assert sum(1 for column in board["columns"] if column["cards"]) >= 2
        assert board["seq"] == collective["seq"] > 0

        discussed = max(cards, key=lambda c: c["comment_count"])
        assert discussed["comment_count"] > 0
        card = await get(animator, f"/api/v1/cards/{discussed['id']}")
        assert len(card["comments"]) == discussed["comment_count"]
        assert all(c["body"] for c in card["comments"])

        page = await get(animator, f"/api/v1/collectives/{cid}/events?since=0&limit=50")
        assert [e["seq"] for e in page["events"]] == list(range(1, 51))
        assert page["more"] and page["next_since"] == 50
        assert page["events"][0]["kind"] == "collective.created"

        (seen,) = (await get(member, "/api/v1/collectives"))["collectives"]
        assert (seen["id"], seen["name"], seen["role"]) == (cid, COLLECTIVE.name, "member")
        member_board = await get(member, f"/api/v1/boards/{boards[0]['id']}")
        assert [c["id"] for col in member_board["columns"] for c in col["cards"]] == [
            c["id"] for c in cards
        ]
    finally:
        await animator.aclose()
        await member.aclose()


async def test_a_client_cannot_choose_the_address_its_logins_are_throttled_by(
    tmp_path: Path,
) -> None:
    """``essaim serve`` believes X-Forwarded-For only from FORWARDED_ALLOW_IPS (the proxy,
    here 127.0.0.3): a client connecting from 127.0.0.2 that forges a new address on every
    try is still throttled as 127.0.0.2, while the proxy's forwarded address is counted."""
    env = {
        "FORWARDED_ALLOW_IPS": "127.0.0.3",
        "ESSAIM_LOGIN_MAX_FAILURES_ADDRESS": "3",
        "ESSAIM_LOGIN_MAX_FAILURES_ACCOUNT": "100",
    }
    async with serving(tmp_path / "data", tmp_path / "serve.log", **env) as (base, _process):

        async def throttled(source: str, forwarded: str, attempt: int) -> bool:
            transport = httpx.AsyncHTTPTransport(local_address=source)
            async with httpx.AsyncClient(base_url=base, transport=transport, timeout=10) as c:
                response = await c.post(
                    "/api/v1/auth/login",
                    json={"email": f"nobody{attempt}@example.fr", "password": "not the one"},
                    headers={"X-Forwarded-For": forwarded},
                )
            assert response.status_code in {422, 401, 429}, response.text
            return response.status_code == 429

        forged = [await throttled("127.0.0.2", f"198.51.100.{i}", i) for i in range(5)]
        assert forged == [False, False, False, True, True]
        # The proxy's own header is believed: another client behind it is not throttled…
        assert not await throttled("127.0.0.3", "203.0.113.9", 10)
        # …and the client above, reaching the app through the proxy, still is.
        assert await throttled("127.0.0.3", "127.0.0.2", 11)


@dataclass
class Writes:
    """Cards created through the API by concurrent writers, in acknowledgement order."""

    acknowledged: list[int]
    attachments: list[str]


async def _write_until(
    base: str, board: int, stop: asyncio.Event, writes: Writes, writer: int, csrf: str, jar: Any
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30, cookies=jar) as client:
        headers = {"X-CSRF-Token": csrf}
        n = 0
        while not stop.is_set():
            n += 1
            created = await client.post(
                f"/api/v1/boards/{board}/cards",
                json={"title": f"Écriture {writer}-{n}"},
                headers=headers,
            )
            assert created.status_code == 201, created.text
            card = created.json()["id"]
            if n % 4 == 0:
                text = f"# Pièce {writer}-{n}\n".encode()
                attached = await client.post(
                    f"/api/v1/cards/{card}/attachments",
                    files={"file": ("notes.md", text, "text/markdown")},
                    headers=headers,
                )
                assert attached.status_code == 201, attached.text
                writes.attachments.append(attached.json()["sha256"])
            writes.acknowledged.append(card)


async def _until(condition: Any, writers: list[asyncio.Task[None]]) -> None:
    """Wait until ``condition()``; a writer that failed raises its error instead."""
    while not condition():
        failed = [t for t in writers if t.done()]
        if failed:
            await failed[0]
            raise AssertionError("a writer stopped early")
        await asyncio.sleep(0.05)


def _query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(database)) as db:
        return db.execute(sql).fetchall()


@pytest.mark.slow
async def test_a_backup_taken_during_writes_restores_every_write_acknowledged_before_it(
    tmp_path: Path,
) -> None:
    """``essaim backup`` while ``essaim serve`` takes card creations (and attachments) from
    four writers; ``essaim restore`` into a new data dir holds every write acknowledged
    before the backup began, nothing that was never written, a sound database (integrity,
    gap-free event seq) and every attachment it names; the restored data dir serves."""
    data, archive = tmp_path / "data", tmp_path / "backup.tar.gz"
    async with serving(data, tmp_path / "serve.log") as (base, _process):
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            registered = await client.post(
                "/api/v1/auth/register",
                json={"email": "anna@example.fr", "password": "x" * 12, "display_name": "anna"},
            )
            assert registered.status_code == 201, registered.text
            csrf = registered.json()["csrf_token"]
            headers = {"X-CSRF-Token": csrf}
            collective = await client.post(
                "/api/v1/collectives", json={"name": "Sauvegarde"}, headers=headers
            )
            board = await client.post(
                f"/api/v1/collectives/{collective.json()['id']}/boards",
                json={"name": "Idées"},
                headers=headers,
            )
            assert board.status_code == 201, board.text
            board_id = board.json()["id"]
            writes, stop = Writes([], []), asyncio.Event()
            writers = [
                asyncio.create_task(
                    _write_until(base, board_id, stop, writes, i, csrf, client.cookies)
                )
                for i in range(4)
            ]
            await _until(lambda: len(writes.acknowledged) >= 8, writers)  # writes flow…
            before = set(writes.acknowledged)
            done = await essaim("backup", "--to", str(archive), "--data-dir", str(data))
            during = set(writes.acknowledged)
            await _until(lambda: len(writes.acknowledged) >= len(during) + 8, writers)
            stop.set()
            await asyncio.gather(*writers)
            assert done.returncode == 0, done.stderr
            assert "Sauvegarde écrite" in done.stdout

    restored = tmp_path / "restored"
    put_back = await essaim("restore", str(archive), "--data-dir", str(restored))
    assert put_back.returncode == 0, put_back.stderr
    database = restored / "essaim.db"
    assert _query(database, "PRAGMA integrity_check") == [("ok",)]
    cards = {row[0] for row in _query(database, "SELECT id FROM cards")}
    assert before <= cards, f"acknowledged before the backup, missing: {before - cards}"
    assert cards <= set(writes.acknowledged), "the restore holds cards never written"
    for collective_id, last_seq in _query(database, "SELECT id, last_seq FROM collectives"):
        seqs = [
            r[0]
            for r in _query(
                database,
                f"SELECT seq FROM events WHERE collective_id = {collective_id} ORDER BY seq",
            )
        ]
        assert seqs == list(range(1, last_seq + 1)), f"collective {collective_id}: gaps"
    named = {r[0] for r in _query(database, "SELECT sha256 FROM attachments")}
    assert named, "attachments were written before the backup"
    for sha in named:
        stored = restored / "attachments" / sha[:2] / sha
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha

    again = await essaim("restore", str(archive), "--data-dir", str(restored))
    assert again.returncode == 2 and "--force" in again.stderr
    async with serving(restored, tmp_path / "restored.log") as (base, _process):
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            login = await client.post(
                "/api/v1/auth/login", json={"email": "anna@example.fr", "password": "x" * 12}
            )
            assert login.status_code == 200, login.text
            served = await client.get(f"/api/v1/boards/{board_id}")
            assert served.status_code == 200, served.text
            shown = {c["id"] for col in served.json()["columns"] for c in col["cards"]}
            assert shown == cards


async def test_backup_of_a_postgresql_deployment_says_to_use_pg_dump(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server.cli",
        "backup",
        "--data-dir",
        str(tmp_path),
        cwd=REPO,
        env={**clean_env(), "DATABASE_URL": "postgresql+asyncpg://essaim:s3cret@db/essaim"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2, out
    assert "pg_dump" in err.decode() and "pg_restore" in err.decode()
    assert "s3cret" not in err.decode() + out.decode()
    assert not list(tmp_path.iterdir())
