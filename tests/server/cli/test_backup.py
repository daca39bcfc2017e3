"""``server.cli.backup``: an archive restores the same data (rows, attachments) under a new epoch;
a restore checks the whole archive first and never overwrites data unless forced; PostgreSQL
is sent to pg_dump."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from server.cli.backup import BackupError, backup, restore
from server.core.settings import Settings
from tests.conftest import Template, World, empty_database, fast_settings

API = "/api/v1"


def _rows(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(database)) as db:
        return db.execute(sql).fetchall()


async def _attach(world: World, text: str) -> dict[str, Any]:
    response = await world.member.post(
        f"{API}/cards/{world.card['id']}/attachments",
        files={"file": ("notes.md", text.encode(), "text/markdown")},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.fixture
async def database_url(
    tmp_path: Path, sqlite_template: Template, postgres_template: Template | None
) -> str:
    """The embedded default only: backups of PostgreSQL are pg_dump's (last test)."""
    return await empty_database("sqlite", tmp_path, sqlite_template, postgres_template)


def _sqlite_only(settings: Settings) -> Path:
    return Path(settings.resolved_database_url.split("///", 1)[1])


async def test_a_backup_restores_the_same_rows_and_files_under_a_new_epoch(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    database = _sqlite_only(settings)
    attachment = await _attach(world, "# Compte rendu\n")
    archive = tmp_path / "backup.tar.gz"
    summary = backup(settings, archive)
    assert summary.attachments == 1 and summary.revision
    # Every account's data and password hash: readable by its owner only.
    assert archive.stat().st_mode & 0o777 == 0o600

    target = fast_settings(tmp_path / "restored", "")
    restore(target, archive)
    restored = target.data_dir / "essaim.db"
    for table in ("cards", "comments", "events", "attachments", "users", "memberships"):
        sql = f"SELECT * FROM {table} ORDER BY id"
        assert _rows(restored, sql) == _rows(database, sql), table
    path = target.attachments_dir / attachment["sha256"][:2] / attachment["sha256"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == attachment["sha256"]
    epoch = "SELECT value FROM store_meta WHERE key = 'epoch'"
    assert _rows(restored, epoch) != _rows(database, epoch)


async def test_restore_refuses_a_data_dir_holding_data_unless_forced(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    _sqlite_only(settings)
    archive = tmp_path / "backup.tar.gz"
    backup(settings, archive)
    target = fast_settings(tmp_path / "restored", "")
    restore(target, archive)
    restored = target.data_dir / "essaim.db"
    with closing(sqlite3.connect(restored)) as db:
        db.execute("UPDATE cards SET title = 'changé depuis'")
        db.commit()
    with pytest.raises(BackupError, match="--force"):
        restore(target, archive)
    assert {r[0] for r in _rows(restored, "SELECT title FROM cards")} == {"changé depuis"}

    restore(target, archive, force=True)
    assert _rows(restored, "SELECT title FROM cards") == [(world.card["title"],)]
    (aside,) = target.data_dir.glob("replaced-*")
    assert _rows(aside / "essaim.db", "SELECT title FROM cards") == [("changé depuis",)]


def _rewritten(archive: Path, target: Path, change: Any) -> Path:
    """A copy of ``archive`` whose members (name -> bytes) went through ``change``."""
    with tarfile.open(archive, "r:gz") as source:
        members = {
            m.name: source.extractfile(m).read()  # type: ignore[union-attr]
            for m in source.getmembers()
        }
    change(members)
    with tarfile.open(target, "w:gz") as out:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


def _damage_attachment(members: dict[str, bytes]) -> None:
    name = next(n for n in members if n.startswith("attachments/"))
    members[name] = b"other bytes"


def _add_escaping_member(members: dict[str, bytes]) -> None:
    members["../../evil.sh"] = b"#!/bin/sh\n"


def _damage_database(members: dict[str, bytes]) -> None:
    members["essaim.db"] = members["essaim.db"][:4096]


def _drop_manifest(members: dict[str, bytes]) -> None:
    del members["manifest.json"]


def _foreign_format(members: dict[str, bytes]) -> None:
    manifest = json.loads(members["manifest.json"])
    members["manifest.json"] = json.dumps({**manifest, "format": "other/9"}).encode()


def _manifest_without_sizes(members: dict[str, bytes]) -> None:
    manifest = json.loads(members["manifest.json"])
    del manifest["database"]["size"], manifest["alembic_revision"]
    members["manifest.json"] = json.dumps(manifest).encode()


@pytest.mark.parametrize(
    "change",
    [
        _damage_attachment,
        _add_escaping_member,
        _damage_database,
        _drop_manifest,
        _foreign_format,
        _manifest_without_sizes,
    ],
)
async def test_a_damaged_archive_is_refused_and_nothing_is_restored(
    world: World, settings: Settings, tmp_path: Path, change: Any
) -> None:
    _sqlite_only(settings)
    await _attach(world, "# Pièce\n")
    archive = tmp_path / "backup.tar.gz"
    backup(settings, archive)
    damaged = _rewritten(archive, tmp_path / "damaged.tar.gz", change)
    target = fast_settings(tmp_path / "restored", "")
    with pytest.raises(BackupError):
        restore(target, damaged)
    leftovers = list(target.data_dir.rglob("*")) if target.data_dir.exists() else []
    assert leftovers == []
    assert not (tmp_path.parent / "evil.sh").exists()
    not_an_archive = tmp_path / "notes.tar.gz"
    not_an_archive.write_bytes(b"not a tar")
    with pytest.raises(BackupError, match="not a readable"):
        restore(target, not_an_archive)


async def test_postgres_is_sent_to_pg_dump(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path / "data", "postgresql+asyncpg://essaim:pw@db/essaim")
    with pytest.raises(BackupError, match="pg_dump") as refused:
        backup(settings, tmp_path / "backup.tar.gz")
    assert "pg_restore" in str(refused.value)
    with pytest.raises(BackupError, match="pg_dump"):
        restore(settings, tmp_path / "backup.tar.gz")
    assert not (tmp_path / "backup.tar.gz").exists()
